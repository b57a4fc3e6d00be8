"""What comes back from Telegram: button presses, /start and /stop, the webhook secret.

Callback data is signed: a Telegram client can send any callback_data to a bot, so a
bare "vm:<id>:claim" would let someone claim voicemails by guessing ids. The short HMAC
ties the button to the id and action we put there. Link tokens travel in
``/start <token>`` deep links; the webhook itself is checked by its secret-token header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACTIONS",
    "SECRET_TOKEN_HEADER",
    "CallbackAction",
    "InvalidCallback",
    "LinkCommand",
    "check_secret_token",
    "deep_link",
    "derive_key",
    "make_link_token",
    "make_webhook_secret",
    "parse_callback_query",
    "parse_link_command",
    "sign_callback",
    "verify_callback",
]

SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
ACTIONS = ("claim", "handled")
_SIG_CHARS = 16  # 96 bits of base64url; callback_data is capped at 64 bytes
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_COMMAND_RE = re.compile(r"^/(start|stop)(?:@([A-Za-z0-9_]+))?(?:\s+(\S+))?\s*$")


class InvalidCallback(ValueError):
    """Callback data that we did not sign (forged, tampered, or another key)."""


@dataclass(frozen=True)
class CallbackAction:
    voicemail_id: int
    action: str  # "claim" or "handled"
    from_user_id: int
    callback_query_id: str
    chat_id: int | None
    message_id: int | None


@dataclass(frozen=True)
class LinkCommand:
    command: str  # "start" or "stop"
    token: str | None  # the one-time link token of /start <token>
    chat_id: int
    chat_type: str  # "private", "group", "supergroup", "channel"
    user_id: int | None
    username: str | None
    title: str = ""  # the group's title, or the person's name in a private chat


def derive_key(secret: str | bytes, purpose: str = "telegram-callback") -> bytes:
    """A purpose-bound key from the app secret, so one leaked use does not expose others."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, purpose.encode(), hashlib.sha256).digest()


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_SIG_CHARS]


def sign_callback(key: bytes, voicemail_id: int, action: str) -> str:
    """``vm:<id>:<action>:<mac>``, at most 64 bytes as Telegram requires."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if voicemail_id < 0:
        raise ValueError("voicemail id must not be negative")
    payload = f"vm:{voicemail_id}:{action}"
    data = f"{payload}:{_mac(key, payload)}"
    if len(data.encode()) > 64:
        raise ValueError("callback data too long")
    return data


def verify_callback(key: bytes, data: str) -> tuple[int, str]:
    """(voicemail id, action) from signed callback data; raise :class:`InvalidCallback`."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "vm" or not parts[1].isdigit() or parts[2] not in ACTIONS:
        raise InvalidCallback("malformed callback data")
    payload = ":".join(parts[:3])
    if not hmac.compare_digest(_mac(key, payload).encode(), parts[3].encode()):
        raise InvalidCallback("bad callback signature")
    return int(parts[1]), parts[2]


def parse_callback_query(update: Mapping[str, Any], key: bytes) -> CallbackAction | None:
    """The button press in a Telegram update, verified; ``None`` if it is not a press.

    Raises :class:`InvalidCallback` for a press whose data we did not sign.
    """
    query = update.get("callback_query")
    if not isinstance(query, Mapping):
        return None
    sender = query.get("from") or {}
    data = query.get("data")
    if not isinstance(data, str) or not isinstance(sender.get("id"), int):
        raise InvalidCallback("callback query without data or sender")
    voicemail_id, action = verify_callback(key, data)
    message = query.get("message") or {}
    chat = message.get("chat") or {}
    return CallbackAction(
        voicemail_id=voicemail_id,
        action=action,
        from_user_id=sender["id"],
        callback_query_id=str(query.get("id", "")),
        chat_id=chat.get("id") if isinstance(chat.get("id"), int) else None,
        message_id=message.get("message_id")
        if isinstance(message.get("message_id"), int)
        else None,
    )


def make_link_token() -> str:
    """A one-time token for ``/start <token>`` (URL-safe, 32 chars, fits the 64 limit)."""
    return secrets.token_urlsafe(24)


def deep_link(bot_username: str, token: str, *, group: bool = False) -> str:
    """``https://t.me/<bot>?start=<token>`` (``startgroup`` to link a group chat to a box)."""
    name = bot_username.removeprefix("@")
    if not _USERNAME_RE.match(name):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    if not _TOKEN_RE.match(token):
        raise ValueError("deep-link tokens are 1-64 characters of A-Z a-z 0-9 _ -")
    return f"https://t.me/{name}?{'startgroup' if group else 'start'}={token}"


def parse_link_command(
    update: Mapping[str, Any], bot_username: str | None = None
) -> LinkCommand | None:
    """``/start <token>`` or ``/stop`` in a message update; ``None`` for anything else.

    ``/start@OtherBot`` (a group with several bots) is ignored when ``bot_username`` is
    given. A token that is not of the deep-link alphabet is dropped (``token=None``).
    """
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    text = message.get("text")
    chat = message.get("chat") or {}
    if not isinstance(text, str) or not isinstance(chat.get("id"), int):
        return None
    match = _COMMAND_RE.match(text.strip())
    if not match:
        return None
    command, addressed, token = match.groups()
    if addressed and bot_username and addressed.lower() != bot_username.removeprefix("@").lower():
        return None
    if token is not None and not _TOKEN_RE.match(token):
        token = None
    sender = message.get("from") or {}
    return LinkCommand(
        command=command,
        token=token if command == "start" else None,
        chat_id=chat["id"],
        chat_type=str(chat.get("type", "private")),
        user_id=sender.get("id") if isinstance(sender.get("id"), int) else None,
        username=sender.get("username") if isinstance(sender.get("username"), str) else None,
        title=_chat_title(chat),
    )


def _chat_title(chat: Mapping[str, Any]) -> str:
    """A group's title; for a private chat the person's name (or @username)."""
    if isinstance(chat.get("title"), str):
        return str(chat["title"])[:200]
    names = [chat.get(key) for key in ("first_name", "last_name")]
    name = " ".join(part for part in names if isinstance(part, str) and part)
    if not name and isinstance(chat.get("username"), str):
        name = f"@{chat['username']}"
    return name[:200]


def make_webhook_secret() -> str:
    """A ``secret_token`` for ``setWebhook`` (Telegram allows 1-256 of A-Z a-z 0-9 _ -)."""
    return secrets.token_urlsafe(32)


def check_secret_token(received: str | None, expected: str) -> bool:
    """Whether the ``X-Telegram-Bot-Api-Secret-Token`` header matches, in constant time.

    Run this before parsing the body. An empty expected secret never matches, so an
    unconfigured webhook refuses everything instead of accepting everything.
    """
    if not expected or received is None:
        return False
    return hmac.compare_digest(received.encode(), expected.encode())
