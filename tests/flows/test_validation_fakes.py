"""Small test-only node types for the validation rules (no tests in this module).

They cover what the rules look at (waits, choice/required ports, references, crashes)
independently of the real node types, which other tests use as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from marshmallow import Schema, fields, validate
from twilio.twiml.voice_response import VoiceResponse

from flows import registry
from flows.catalogue import Catalogue
from flows.context import RenderContext
from flows.findings import Finding, Severity
from flows.model import Flow, Node
from flows.nodes.base import NodeType, Port, Reference, Waits


class _Fake(NodeType):
    label = "fake"
    icon = "x"
    description = "test only"
    waits = Waits.NOTHING
    PORTS: tuple[Port, ...] = ()

    def ports(self, props: Mapping[str, Any]) -> list[Port]:
        return list(self.PORTS)

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        return None


class EmptySchema(Schema):
    pass


class PassSchema(Schema):
    note = fields.String(load_default="")


class Pass(_Fake):
    """Pass-through: follows `next` at once."""

    type = "t_pass"
    schema = PassSchema
    PORTS = (Port("next", "Then", required=True),)


class Branch(_Fake):
    """Pass-through with two ways out (like opening hours)."""

    type = "t_branch"
    schema = EmptySchema
    PORTS = (Port("yes", "Yes", required=True), Port("no", "No", required=True))


class OptionSchema(Schema):
    digit = fields.String(required=True, validate=validate.OneOf(list("0123456789*#")))


class AskSchema(Schema):
    options = fields.List(fields.Nested(OptionSchema), load_default=list)
    timeout = fields.Integer(strict=True, load_default=5, validate=validate.Range(min=1, max=60))


class Ask(_Fake):
    """Asks the caller: one choice port per option digit (duplicates kept), plus timeout."""

    type = "t_ask"
    schema = AskSchema
    waits = Waits.CALLER

    def ports(self, props: Mapping[str, Any]) -> list[Port]:
        digits = [Port(o["digit"], f"Key {o['digit']}", choice=True) for o in props["options"]]
        return [*digits, Port("timeout", "Silence", required=True)]


class Dial(_Fake):
    type = "t_dial"
    schema = EmptySchema
    waits = Waits.PROVIDER
    PORTS = (Port("answered", "Answered"), Port("no_answer", "No answer", required=True))


class End(_Fake):
    type = "t_end"
    schema = EmptySchema
    waits = Waits.END


class CrashSchema(Schema):
    where = fields.String(required=True)


class Crash(_Fake):
    """Raises in the step named by its `where` property."""

    type = "t_crash"
    schema = CrashSchema
    PORTS = (Port("next", "Then"),)

    def load(self, props: Mapping[str, Any]) -> dict[str, Any]:
        if props.get("where") == "load":
            raise RuntimeError("load broke")
        return super().load(props)

    def ports(self, props: Mapping[str, Any]) -> list[Port]:
        if props["where"] == "ports":
            raise RuntimeError("ports broke")
        return list(self.PORTS)

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        if props["where"] == "validate":
            raise RuntimeError("validate broke")
        return ()

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        if props["where"] == "references":
            raise RuntimeError("references broke")
        return ()


class RefSchema(Schema):
    refs = fields.List(fields.Dict(), load_default=list)


class Refs(_Fake):
    """Points at whatever its `refs` property lists: [{kind, id, use?}]."""

    type = "t_ref"
    schema = RefSchema
    waits = Waits.END

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return [
            Reference(kind=r["kind"], id=r["id"], field=f"refs.{i}", use=r.get("use"))
            for i, r in enumerate(props["refs"])
        ]


class Dup(_Fake):
    """Declares the same port twice."""

    type = "t_dup"
    schema = EmptySchema
    waits = Waits.CALLER
    PORTS = (Port("1", "One", choice=True), Port("1", "Also one", choice=True))


class Checked(_Fake):
    """Its own check reports a finding without naming the node."""

    type = "t_checked"
    schema = EmptySchema
    waits = Waits.END

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        return [Finding(Severity.WARNING, "checked.says_so", "says so", field="x")]


FAKES: dict[str, NodeType] = {
    cls.type: cls() for cls in (Pass, Branch, Ask, Dial, End, Crash, Refs, Dup, Checked)
}


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Add the fake types to the registry for one test."""
    real = registry._types()
    monkeypatch.setattr(registry, "_types", lambda: {**real, **FAKES})


def flow(entry: str = "a", /, **nodes: tuple[Any, ...]) -> Flow:
    """flow("a", a=("t_pass", {}, {"next": "b"}), b=("t_end",)) -> Flow."""
    built = {}
    for node_id, spec in nodes.items():
        node_type, props, ports = (*spec, {}, {})[:3]
        built[node_id] = Node(node_id, node_type, props or {}, ports or {})
    return Flow(name="f", entry=entry, nodes=built)


def codes(findings: Iterable[Finding]) -> list[tuple[str, str | None]]:
    return [(f.code, f.node) for f in findings]
