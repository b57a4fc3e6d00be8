"""ring_group: rings staff phones, all at once or one after another.

Sequential and random strategies ring one member per <Dial>; the position in the ring
order travels in per-call state. The random order is fixed per call (seeded by the call
SID), so every step of the same call agrees on it.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields, validate
from twilio.twiml.voice_response import Dial, VoiceResponse

from flows.catalogue import Catalogue
from flows.context import RenderContext
from flows.findings import Finding, Severity
from flows.model import Node
from flows.nodes._common import (
    PHONE_OR_SIP_PATTERN,
    DeclaredPorts,
    caller_id_field,
    caller_id_kwargs,
    caller_id_references,
    int_state,
    member_validator,
    seconds,
)
from flows.nodes.base import Port, Reference, Transition, Waits

STRATEGIES = ("simultaneous", "sequential", "random")
ANSWERED = frozenset({"completed", "answered"})


class RingGroupSchema(Schema):
    members = fields.List(
        fields.String(
            validate=member_validator,
            metadata={"format": "phone_or_sip", "pattern": PHONE_OR_SIP_PATTERN},
        ),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"title": "Members"},
    )
    strategy = fields.String(
        load_default="simultaneous",
        validate=validate.OneOf(STRATEGIES),
        metadata={
            "title": "Ring strategy",
            "choices": {
                "simultaneous": "All at once",
                "sequential": "One after another",
                "random": "One after another, in random order",
            },
        },
    )
    ring_time = seconds(20, 5, 120, "Seconds to ring each member")
    caller_id = caller_id_field()


def add_member(dial: Dial, member: str) -> None:
    if member.startswith(("sip:", "sips:")):
        dial.sip(member)
    else:
        dial.number(member)


def ring_order(props: Mapping[str, Any], call_sid: str) -> list[str]:
    members = list(props["members"])
    if props["strategy"] == "random":
        seed = int.from_bytes(hashlib.sha256(call_sid.encode()).digest()[:8], "big")
        random.Random(seed).shuffle(members)  # noqa: S311 - an order, not a secret
    return members


class RingGroup(DeclaredPorts):
    type = "ring_group"
    label = "Ring group"
    icon = "users"
    description = "Rings a group of phones; continues when nobody answers."
    category = "people"
    schema = RingGroupSchema
    waits = Waits.PROVIDER
    PORTS = (
        Port("answered", "After the call"),
        Port("no_answer", "Nobody answered", required=True),
    )

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        if props["members"]:
            return ()
        return [
            Finding(
                Severity.ERROR,
                "ring_group.no_members",
                f"Ring group {node.id!r} has no members to ring.",
                node=node.id,
                field="members",
            )
        ]

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return caller_id_references(props)

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        members = ring_order(props, ctx.call_sid)
        if not members:
            return "no_answer"
        if props["strategy"] == "simultaneous":
            state: dict[str, str] = {}
            ringing = members
        else:
            index = min(int_state(ctx, "member"), len(members) - 1)
            state = {"member": str(index)}
            ringing = [members[index]]
        dial = Dial(
            action=ctx.urls.result(ctx.flow, node.id, state),
            method="POST",
            timeout=props["ring_time"],
            **caller_id_kwargs(props),
        )
        for member in ringing:
            add_member(dial, member)
        response.append(dial)
        return None

    def transition(
        self, node: Node, props: Mapping[str, Any], params: Mapping[str, str], ctx: RenderContext
    ) -> Transition:
        status = str(params.get("DialCallStatus", "")).strip().lower()
        if status in ANSWERED:
            return Transition(port="answered", input=status)
        shown = status[:20] or None
        if props["strategy"] != "simultaneous":
            following = int_state(ctx, "member") + 1
            if following < len(props["members"]):
                return Transition(port=None, state={"member": str(following)}, input=shown)
        return Transition(port="no_answer", input=shown)
