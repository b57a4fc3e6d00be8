"""fax: receives a fax into a fax box (TwiML-compatible <Receive>: SignalWire, Telnyx)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields, validate
from twilio.twiml.fax_response import Receive
from twilio.twiml.voice_response import VoiceResponse

from flows.context import RenderContext
from flows.model import Node
from flows.nodes._common import DeclaredPorts
from flows.nodes.base import Port, Reference, Transition, Waits


class FaxSchema(Schema):
    box = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"title": "Fax box", "format": "fax_box"},
    )


class Fax(DeclaredPorts):
    type = "fax"
    label = "Receive fax"
    icon = "printer"
    description = "Receives a fax as PDF into a fax box; staff are notified."
    category = "endings"
    schema = FaxSchema
    waits = Waits.PROVIDER
    PORTS = (Port("next", "After the fax (else: hang up)"),)

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return [Reference(kind="fax_box", id=props["box"], field="box")]

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        response.append(
            Receive(
                action=ctx.urls.result(ctx.flow, node.id, {}),
                method="POST",
                media_type="application/pdf",
                store_media=True,
            )
        )
        return None

    def transition(
        self, node: Node, props: Mapping[str, Any], params: Mapping[str, str], ctx: RenderContext
    ) -> Transition:
        status = str(params.get("FaxStatus", "")).strip().lower()
        return Transition(port="next", input=status[:20] or None)
