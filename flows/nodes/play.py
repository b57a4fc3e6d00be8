"""play: an audio asset or a text spoken to the caller, then on to `next`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import fields, validate
from twilio.twiml.voice_response import VoiceResponse

from flows.context import RenderContext
from flows.model import Node
from flows.nodes._common import DeclaredPorts
from flows.nodes.base import Port, Reference, Waits
from flows.prompts import PromptSchema, add_prompt, prompt_references


class PlaySchema(PromptSchema):
    loop = fields.Integer(
        strict=True,
        load_default=1,
        validate=validate.Range(min=1, max=10),
        metadata={"title": "Times to play"},
    )


class Play(DeclaredPorts):
    type = "play"
    label = "Play message"
    icon = "volume"
    description = "Plays a recorded message or speaks a text, then continues."
    category = "messages"
    schema = PlaySchema
    waits = Waits.NOTHING
    PORTS = (Port("next", "Then", required=True),)

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return prompt_references(props, "")

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        add_prompt(response, props, ctx, loop=props["loop"])
        return "next"
