"""Shared pieces of the node types: a base with editor metadata, phone-number fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, validate

from flows.context import RenderContext
from flows.nodes._editor import node_editor
from flows.nodes.base import NodeType, Port, Reference

__all__ = [
    "E164",
    "PHONE_OR_SIP_PATTERN",
    "DeclaredPorts",
    "caller_id_field",
    "caller_id_kwargs",
    "caller_id_references",
    "int_state",
    "member_validator",
    "seconds",
]

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SIP = re.compile(r"^sips?:[^@\s:;]+@[A-Za-z0-9.\-]+(:\d{1,5})?(;[^\s]*)?$")

# The same rule as member_validator, as one regular expression the editor checks inline.
PHONE_OR_SIP_PATTERN = f"^(?:{_E164.pattern[1:-1]}|{_SIP.pattern[1:-1]})$"
E164 = validate.Regexp(_E164.pattern, error="Not an E.164 number (+4512345678).")


def member_validator(value: str) -> None:
    """A ring-group member: an E.164 number or a SIP URI (sip:101@pbx.example.dk)."""
    if not (_E164.match(value) or _SIP.match(value)):
        raise ValidationError("Not an E.164 number or a SIP URI.")


def _caller_id(value: str) -> None:
    if value != "caller" and not _E164.match(value):
        raise ValidationError('Use "caller" or one of your own E.164 numbers.')


def caller_id_field() -> fields.String:
    """Who the called party sees: the original caller, or one of the org's own numbers."""
    return fields.String(
        load_default="caller",
        validate=_caller_id,
        metadata={"title": "Caller ID shown", "format": "caller_id"},
    )


def caller_id_kwargs(props: Mapping[str, Any]) -> dict[str, str]:
    value = props.get("caller_id", "caller")
    return {} if value == "caller" else {"caller_id": value}


def caller_id_references(props: Mapping[str, Any]) -> list[Reference]:
    value = props.get("caller_id", "caller")
    if value == "caller":
        return []
    return [Reference(kind="number", id=value, field="caller_id", use="caller_id")]


def seconds(default: int, low: int, high: int, title: str) -> fields.Integer:
    return fields.Integer(
        strict=True,
        load_default=default,
        validate=validate.Range(min=low, max=high),
        metadata={"title": title, "unit": "s"},
    )


def int_state(ctx: RenderContext, key: str, default: int = 0) -> int:
    """A counter from per-call state; anything unreadable counts as the default."""
    raw = ctx.state.get(key, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else default


class DeclaredPorts(NodeType):
    """A node type with a fixed port list and editor metadata derived from it."""

    category: ClassVar[str]
    PORTS: ClassVar[tuple[Port, ...]] = ()

    def ports(self, props: Mapping[str, Any]) -> list[Port]:
        return list(self.PORTS)

    def possible_ports(self) -> list[Port]:
        """Every port a node of this type can have (for the editor's palette)."""
        return list(self.PORTS)

    def editor(self) -> dict[str, Any]:
        return node_editor(self, category=self.category, ports=self.possible_ports())
