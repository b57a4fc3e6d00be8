"""transfer: forwards the call to an outside number."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields
from twilio.twiml.voice_response import VoiceResponse

from flows.context import RenderContext
from flows.model import Node
from flows.nodes._common import (
    E164,
    DeclaredPorts,
    caller_id_field,
    caller_id_kwargs,
    caller_id_references,
    seconds,
)
from flows.nodes.base import Port, Reference, Transition, Waits
from flows.nodes.ring_group import ANSWERED


class TransferSchema(Schema):
    number = fields.String(
        required=True, validate=E164, metadata={"title": "Number", "format": "e164"}
    )
    ring_time = seconds(30, 5, 120, "Seconds to ring")
    caller_id = caller_id_field()


class Transfer(DeclaredPorts):
    type = "transfer"
    label = "Transfer"
    icon = "phone-forwarded"
    description = "Forwards the call to an outside number."
    category = "people"
    schema = TransferSchema
    waits = Waits.PROVIDER
    PORTS = (
        Port("answered", "After the call"),
        Port("no_answer", "No answer", required=True),
    )

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return caller_id_references(props)

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        dial = response.dial(
            action=ctx.urls.result(ctx.flow, node.id, {}),
            method="POST",
            timeout=props["ring_time"],
            **caller_id_kwargs(props),
        )
        dial.number(props["number"])
        return None

    def transition(
        self, node: Node, props: Mapping[str, Any], params: Mapping[str, str], ctx: RenderContext
    ) -> Transition:
        status = str(params.get("DialCallStatus", "")).strip().lower()
        if status in ANSWERED:
            return Transition(port="answered", input=status)
        return Transition(port="no_answer", input=status[:20] or None)
