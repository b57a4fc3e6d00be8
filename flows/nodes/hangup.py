"""hangup: an optional goodbye, then the call ends."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema
from twilio.twiml.voice_response import VoiceResponse

from flows.context import RenderContext
from flows.model import Node
from flows.nodes._common import DeclaredPorts
from flows.nodes.base import Reference, Waits
from flows.prompts import add_prompt, prompt_field, prompt_references


class HangupSchema(Schema):
    goodbye = prompt_field(title="Goodbye message")


class Hangup(DeclaredPorts):
    type = "hangup"
    label = "Hang up"
    icon = "phone-off"
    description = "Says goodbye (optional) and ends the call."
    category = "endings"
    schema = HangupSchema
    waits = Waits.END

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return prompt_references(props.get("goodbye"), "goodbye")

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        add_prompt(response, props.get("goodbye"), ctx)
        response.hangup()
        return None
