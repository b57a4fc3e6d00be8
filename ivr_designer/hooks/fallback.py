"""What the caller hears when something goes wrong: never an error page, never a 5xx.

An apology in the org's language, then the flow's voicemail box when one can be
rendered (so the caller can still leave a message), else a hang-up.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from twilio.twiml.voice_response import VoiceResponse

from flows.context import RenderContext
from flows.model import Flow
from flows.runtime import load_node

log = logging.getLogger(__name__)

__all__ = ["fallback_twiml", "say_language", "unknown_number_twiml"]

_SAY_LANGUAGES = {"da": "da-DK", "en": "en-GB", "sv": "sv-SE", "nb": "nb-NO", "de": "de-DE"}
_APOLOGY = {
    "da": "Beklager, der er opstået en teknisk fejl.",
    "en": "We are sorry, a technical error has occurred.",
}
_LEAVE_MESSAGE = {
    "da": "Du kan lægge en besked efter tonen.",
    "en": "You can leave a message after the tone.",
}
_NOT_IN_SERVICE = {
    "da": "Dette nummer er ikke i brug. Farvel.",
    "en": "This number is not in service. Goodbye.",
}


def say_language(language: str) -> str:
    """The org's language ("da") as a <Say> language tag ("da-DK")."""
    if "-" in language:
        return language
    return _SAY_LANGUAGES.get(language.lower(), language or "da-DK")


def _text(table: dict[str, str], language: str) -> str:
    return table.get(language.split("-")[0].lower(), table["en"])


def _voicemail_verbs(flow: Flow, ctx: RenderContext) -> VoiceResponse | None:
    """The Record of the flow's first usable voicemail node, or None."""
    for node in flow.nodes.values():
        if node.type != "voicemail":
            continue
        try:
            node_type, props = load_node(node)
            response = VoiceResponse()
            props = {**props, "greeting": {"text": _text(_LEAVE_MESSAGE, ctx.language)}}
            node_type.render(node, props, replace(ctx, flow=flow.name, state={}), response)
        except Exception:
            log.exception("fallback voicemail %r of flow %r cannot be rendered", node.id, flow.name)
            continue
        return response
    return None


def fallback_twiml(
    language: str, flow: Flow | None = None, ctx: RenderContext | None = None
) -> str:
    response = VoiceResponse()
    tag = say_language(language)
    response.say(_text(_APOLOGY, tag), language=tag)
    voicemail = _voicemail_verbs(flow, ctx) if flow is not None and ctx is not None else None
    if voicemail is not None:
        for verb in voicemail.verbs:
            response.append(verb)
    else:
        response.hangup()
    return str(response)


def unknown_number_twiml(language: str) -> str:
    response = VoiceResponse()
    tag = say_language(language)
    response.say(_text(_NOT_IN_SERVICE, tag), language=tag)
    response.hangup()
    return str(response)
