"""menu: an IVR choice. The caller presses one key; each option's digit is a port.

Invalid keys and silence are counted separately in per-call state; after `max_retries`
re-prompts of one kind the call leaves by `invalid`/`timeout` if connected, else by
`fallback`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from marshmallow import Schema, fields, validate
from twilio.twiml.voice_response import VoiceResponse

from flows.catalogue import Catalogue
from flows.context import RenderContext
from flows.findings import Finding, Severity
from flows.model import Node
from flows.nodes._common import DeclaredPorts, int_state, seconds
from flows.nodes._editor import node_editor
from flows.nodes.base import Port, Reference, Transition, Waits
from flows.prompts import (
    add_prompt,
    prompt_field,
    prompt_references,
    say_default,
)

DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")
RETRY_KINDS = ("invalid", "timeout")


class OptionSchema(Schema):
    digit = fields.String(required=True, validate=validate.OneOf(DIGITS), metadata={"title": "Key"})
    label = fields.String(
        load_default="", validate=validate.Length(max=100), metadata={"title": "Label"}
    )


class MenuSchema(Schema):
    prompt = prompt_field(required=True, title="Menu message")
    options = fields.List(
        fields.Nested(OptionSchema),
        load_default=list,
        validate=validate.Length(max=len(DIGITS)),
        metadata={"title": "Options"},
    )
    timeout = seconds(5, 1, 60, "Seconds to wait for a key")
    max_retries = fields.Integer(
        strict=True,
        load_default=3,
        validate=validate.Range(min=0, max=10),
        metadata={"title": "Repeats after an invalid key or silence"},
    )
    invalid_prompt = prompt_field(title="Message after an invalid key")
    timeout_prompt = prompt_field(title="Message after silence")


def _digits(props: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(o["digit"] for o in props["options"]))


@lru_cache(maxsize=4096)
def _digit_port(digit: str, label: str) -> Port:
    """Ports are immutable: menus with the same keys and labels share them."""
    return Port(digit, label or f"Key {digit}", choice=True)


class Menu(DeclaredPorts):
    type = "menu"
    label = "Menu"
    icon = "grid"
    description = "Asks the caller to press a key and routes by the key pressed."
    category = "routing"
    schema = MenuSchema
    waits = Waits.CALLER
    FIXED = (
        Port("fallback", "After too many tries", required=True),
        Port("invalid", "Too many invalid keys"),
        Port("timeout", "Too long silence"),
    )

    def ports(self, props: Mapping[str, Any]) -> list[Port]:
        labels = {o["digit"]: o["label"] for o in props["options"]}
        digit_ports = [_digit_port(d, labels[d]) for d in _digits(props)]
        return [*digit_ports, *self.FIXED]

    def possible_ports(self) -> list[Port]:
        return [*(Port(d, f"Key {d}", choice=True) for d in DIGITS), *self.FIXED]

    def editor(self) -> dict[str, Any]:
        return node_editor(
            self, category=self.category, ports=self.possible_ports(), dynamic_ports=True
        )

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        findings: list[Finding] = []
        counts = Counter(o["digit"] for o in props["options"])
        for digit, count in counts.items():
            if count > 1:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "menu.duplicate_digit",
                        f"Key {digit} is used by {count} options of menu {node.id!r}.",
                        node=node.id,
                        port=digit,
                        field="options",
                    )
                )
        connected = [d for d in counts if d in node.ports]
        if not connected:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "menu.no_choice",
                    f"Menu {node.id!r} has no key connected to a next step.",
                    node=node.id,
                    field="options",
                )
            )
        for digit in counts:
            if digit not in node.ports and connected:
                findings.append(
                    Finding(
                        Severity.WARNING,
                        "menu.option_unconnected",
                        f"Key {digit} of menu {node.id!r} leads nowhere; it counts as invalid.",
                        node=node.id,
                        port=digit,
                    )
                )
        return findings

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return [
            *prompt_references(props["prompt"], "prompt"),
            *prompt_references(props.get("invalid_prompt"), "invalid_prompt"),
            *prompt_references(props.get("timeout_prompt"), "timeout_prompt"),
        ]

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        state = {kind: str(int_state(ctx, kind)) for kind in RETRY_KINDS}
        action = ctx.urls.result(ctx.flow, node.id, state)
        gather = response.gather(
            input="dtmf",
            num_digits=1,
            finish_on_key="",
            timeout=props["timeout"],
            action=action,
            method="POST",
            action_on_empty_result=True,
        )
        retry = ctx.state.get("retry")
        if retry in RETRY_KINDS:
            custom = props.get(f"{retry}_prompt")
            if custom is None:
                say_default(gather, f"menu.{retry}", ctx)
            else:
                add_prompt(gather, custom, ctx)
        add_prompt(gather, props["prompt"], ctx)
        # Providers without actionOnEmptyResult fall through to here on silence.
        response.redirect(action, method="POST")
        return None

    def transition(
        self, node: Node, props: Mapping[str, Any], params: Mapping[str, str], ctx: RenderContext
    ) -> Transition:
        raw = params.get("Digits")
        pressed = raw.strip() if isinstance(raw, str) else ""
        valid = {d for d in _digits(props) if d in node.ports}
        if pressed in valid:
            return Transition(port=pressed, input=pressed)
        kind = "invalid" if pressed else "timeout"
        counts = {k: int_state(ctx, k) for k in RETRY_KINDS}
        counts[kind] += 1
        shown = pressed[:8] or None
        if counts[kind] > props["max_retries"]:
            port = kind if kind in node.ports else "fallback"
            return Transition(port=port, input=shown)
        state = {k: str(v) for k, v in counts.items()} | {"retry": kind}
        return Transition(port=None, state=state, input=shown)
