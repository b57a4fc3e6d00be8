"""Telegram message text: HTML-escaped, cut to Telegram's limits, in the org's time zone.

Telegram counts a caption (1024) or message (4096) after parsing the markup, in UTF-16
code units, so limits are applied to the *visible* text and escaping happens after the
cut (cutting escaped text could split ``&amp;``). Every user-controlled value (box name,
caller, transcription) is escaped; only our own tags remain.
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from integrations.notify.base import Notification

__all__ = [
    "CAPTION_LIMIT",
    "ELLIPSIS",
    "MESSAGE_LIMIT",
    "format_duration",
    "format_local_time",
    "render",
    "utf16_len",
]

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096
ELLIPSIS = "…"
FIELD_LIMIT = 120  # box names and callers are cut before they can crowd out the rest

_LABELS = {
    "en": {
        "voicemail.created": "New voicemail",
        "voicemail.handled": "Voicemail handled",
        "voicemail.transcribed": "Voicemail transcribed",
        "fax.received": "New fax",
        "call.completed": "Call completed",
        "licence.expiring": "Music licence expiring",
        "admin.notice": "Notice",
        "from": "From",
        "unknown": "unknown caller",
        "pages": "pages",
    },
    "de": {
        "voicemail.created": "Neue Sprachnachricht",
        "voicemail.handled": "Sprachnachricht erledigt",
        "voicemail.transcribed": "Sprachnachricht transkribiert",
        "fax.received": "Neues Fax",
        "call.completed": "Anruf beendet",
        "licence.expiring": "Musiklizenz läuft ab",
        "admin.notice": "Hinweis",
        "from": "Von",
        "unknown": "unbekannter Anrufer",
        "pages": "Seiten",
    },
}


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (astral characters such as emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` UTF-16 units, ending in an ellipsis if cut."""
    if utf16_len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    budget = limit - 1  # the ellipsis is one unit
    out: list[str] = []
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            break
        out.append(char)
        used += width
    return "".join(out).rstrip() + ELLIPSIS


def format_duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def format_local_time(when: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def render(message: Notification, *, limit: int) -> str:
    """HTML text for ``message`` whose visible length fits ``limit``.

    Layout: a bold title with the box, the caller, time and duration (or pages), then
    the transcription (or free text) in the room that is left, cut with an ellipsis.
    """
    labels = _LABELS.get(message.language.split("-")[0].lower(), _LABELS["en"])
    title = labels[message.event]
    box = _cut(message.box_name, FIELD_LIMIT)
    caller = _cut(message.caller or labels["unknown"], FIELD_LIMIT)
    facts = [format_local_time(message.occurred_at, message.timezone)]
    if message.duration_s is not None:
        facts.append(format_duration(message.duration_s))
    if message.pages is not None:
        facts.append(f"{message.pages} {labels['pages']}")
    # (visible text, html) pairs: the visible text is what Telegram counts.
    lines: list[tuple[str, str]] = []
    head = f"{title} · {box}" if box else title
    lines.append((head, f"<b>{html.escape(head, quote=False)}</b>"))
    if message.event not in ("licence.expiring", "admin.notice"):
        who = f"{labels['from']}: {caller}"
        lines.append((who, html.escape(who, quote=False)))
    when = " · ".join(facts)
    lines.append((when, html.escape(when, quote=False)))
    body = message.transcription if message.transcription else message.text
    used = utf16_len("\n".join(visible for visible, _ in lines))
    rendered = "\n".join(markup for _, markup in lines)
    if body:
        room = limit - used - 2  # the blank line before the body
        if room > 1:
            cut = _cut(body.strip(), room)
            tag = "i" if message.transcription else ""
            escaped = html.escape(cut, quote=False)
            rendered += "\n\n" + (f"<{tag}>{escaped}</{tag}>" if tag else escaped)
    return rendered
