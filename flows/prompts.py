"""The one shape of "something the caller hears": an audio asset or a text to speak.

A prompt is `{"audio": "<asset id>"}` or `{"text": "...", "language": "da-DK"}`. The
play node uses the same fields at its top level; every other node nests a prompt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from twilio.twiml import TwiML

from flows.context import RenderContext
from flows.nodes.base import Reference

__all__ = [
    "LANGUAGE",
    "PromptSchema",
    "add_prompt",
    "default_text",
    "prompt_field",
    "prompt_references",
]

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", error="Not a language tag (da-DK).")

_DEFAULTS: dict[str, dict[str, str]] = {
    "da": {
        "menu.invalid": "Det valg findes ikke. Prøv igen.",
        "menu.timeout": "Vi hørte ikke noget valg. Prøv igen.",
        "voicemail.greeting": (
            "Der er desværre ingen til at tage telefonen lige nu. "
            "Indtal venligst en besked efter tonen."
        ),
    },
    "en": {
        "menu.invalid": "Sorry, that is not a valid choice. Please try again.",
        "menu.timeout": "Sorry, we did not hear a choice. Please try again.",
        "voicemail.greeting": (
            "Sorry, no one can take your call right now. Please leave a message after the tone."
        ),
    },
}


class PromptSchema(Schema):
    audio = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"title": "Audio", "format": "audio"},
    )
    text = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=2000),
        metadata={"title": "Text to speak"},
    )
    language = fields.String(
        load_default=None, validate=LANGUAGE, metadata={"title": "Language of the text"}
    )

    @validates_schema
    def _one_source(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if (data.get("audio") is None) == (data.get("text") is None):
            raise ValidationError("Give either an audio asset or a text, not both.", "audio")
        if data.get("audio") is not None and data.get("language") is not None:
            raise ValidationError("A language only applies to a text.", "language")


def prompt_field(*, required: bool = False, title: str = "") -> fields.Nested:
    """A nested prompt property; optional ones default to None (a built-in text or nothing)."""
    if required:
        return fields.Nested(PromptSchema, required=True, metadata={"title": title})
    return fields.Nested(
        PromptSchema, load_default=None, allow_none=True, metadata={"title": title}
    )


def default_text(key: str, language: str) -> str:
    """A built-in Danish or English text for `key`, chosen by the language's prefix."""
    table = _DEFAULTS.get(language.split("-")[0].lower(), _DEFAULTS["en"])
    return table[key]


def add_prompt(
    target: TwiML, prompt: Mapping[str, Any] | None, ctx: RenderContext, *, loop: int = 1
) -> None:
    """Append <Play> or <Say> for `prompt` to `target` (a response or a Gather)."""
    if prompt is None:
        return
    extra: dict[str, Any] = {"loop": loop} if loop != 1 else {}
    audio = prompt.get("audio")
    if audio is not None:
        playable = ctx.playable(audio)
        if playable.url is not None:
            target.play(playable.url, **extra)
            return
        target.say(playable.text or "", language=playable.language or ctx.language, **extra)
        return
    target.say(prompt["text"], language=prompt.get("language") or ctx.language, **extra)


def say_default(target: TwiML, key: str, ctx: RenderContext) -> None:
    target.say(default_text(key, ctx.language), language=ctx.language)


def prompt_references(
    prompt: Mapping[str, Any] | None, field: str, use: str = "prompt"
) -> list[Reference]:
    if prompt is None or prompt.get("audio") is None:
        return []
    path = f"{field}.audio" if field else "audio"
    return [Reference(kind="audio", id=prompt["audio"], field=path, use=use)]
