"""goto_flow: continue in another flow's entry (a shared sub-flow such as "after hours")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields, validate
from twilio.twiml.voice_response import VoiceResponse

from flows.context import RenderContext
from flows.model import Node
from flows.nodes._common import DeclaredPorts
from flows.nodes.base import Reference, Waits


class GotoFlowSchema(Schema):
    flow = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"title": "Flow", "format": "flow"},
    )


class GotoFlow(DeclaredPorts):
    type = "goto_flow"
    label = "Go to flow"
    icon = "corner-down-right"
    description = "Continues the call at the start of another flow."
    category = "routing"
    schema = GotoFlowSchema
    waits = Waits.NOTHING

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return [Reference(kind="flow", id=props["flow"], field="flow")]

    def enters_flow(self, props: Mapping[str, Any]) -> str | None:
        return str(props["flow"])

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        return None
