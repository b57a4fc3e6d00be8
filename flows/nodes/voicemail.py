"""voicemail: a greeting, a beep, and a recording into a (group) voicemail box.

The recording itself arrives on the recording callback, which the web app stores and
announces; the action result only moves the call on (or ends it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields, validate
from twilio.twiml.voice_response import VoiceResponse

from flows.catalogue import Catalogue
from flows.context import RenderContext
from flows.findings import Finding, Severity
from flows.model import Node
from flows.nodes._common import DeclaredPorts, seconds
from flows.nodes.base import Port, Reference, Transition, Waits
from flows.prompts import add_prompt, prompt_field, prompt_references, say_default

TRANSCRIBE_LIMIT = 120  # Twilio transcribes recordings up to two minutes


class VoicemailSchema(Schema):
    box = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"title": "Voicemail box", "format": "voicemail_box"},
    )
    greeting = prompt_field(title="Greeting (empty: a standard text)")
    max_length = seconds(120, 5, 600, "Longest message")
    play_beep = fields.Boolean(load_default=True, metadata={"title": "Beep before recording"})
    finish_on_key = fields.String(
        load_default="#",
        validate=validate.OneOf(["", "#", "*", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
        metadata={"title": "Key that ends the message"},
    )
    transcribe = fields.Boolean(load_default=False, metadata={"title": "Transcribe"})


class Voicemail(DeclaredPorts):
    type = "voicemail"
    label = "Voicemail"
    icon = "voicemail"
    description = "Records a message into a voicemail box; staff are notified."
    category = "endings"
    schema = VoicemailSchema
    waits = Waits.PROVIDER
    PORTS = (Port("next", "After the message (else: hang up)"),)

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        if props["transcribe"] and props["max_length"] > TRANSCRIBE_LIMIT:
            return [
                Finding(
                    Severity.WARNING,
                    "voicemail.transcribe_too_long",
                    f"Messages longer than {TRANSCRIBE_LIMIT} s in {node.id!r} are not "
                    "transcribed.",
                    node=node.id,
                    field="max_length",
                )
            ]
        return ()

    def references(self, props: Mapping[str, Any]) -> Iterable[Reference]:
        return [
            Reference(kind="voicemail_box", id=props["box"], field="box"),
            *prompt_references(props.get("greeting"), "greeting"),
        ]

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        if props["greeting"] is None:
            say_default(response, "voicemail.greeting", ctx)
        else:
            add_prompt(response, props["greeting"], ctx)
        callback = ctx.urls.recording(ctx.flow, node.id)
        extra: dict[str, Any] = {}
        if props["transcribe"]:
            extra = {"transcribe": True, "transcribe_callback": callback}
        response.record(
            action=ctx.urls.result(ctx.flow, node.id, {}),
            method="POST",
            max_length=props["max_length"],
            play_beep=props["play_beep"],
            finish_on_key=props["finish_on_key"],
            recording_status_callback=callback,
            recording_status_callback_method="POST",
            recording_status_callback_event="completed",
            **extra,
        )
        return None

    def transition(
        self, node: Node, props: Mapping[str, Any], params: Mapping[str, str], ctx: RenderContext
    ) -> Transition:
        recorded = bool(str(params.get("RecordingUrl", "")).strip())
        return Transition(port="next", input="recorded" if recorded else None)
