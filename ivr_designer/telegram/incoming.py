"""What an org's bot receives: ``/start``, ``/stop`` and presses of "Claim" / "Handled".

:func:`handle` does the database part and returns the replies to send; the webhook
sends them after the commit, so a slow or failing Telegram never holds a transaction
open and never undoes a link. A button press acts as the person whose private chat is
linked to the pressing Telegram account, through the inbox operations, which check that
they listen to the box.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.notify.channels.telegram import BUTTON_LABELS
from integrations.notify.telegram_links import (
    CallbackAction,
    InvalidCallback,
    LinkCommand,
    parse_callback_query,
    parse_link_command,
    sign_callback,
)
from ivr_designer.errors import DomainError, Forbidden, NotFound
from ivr_designer.models import TelegramChat, User, Voicemail, VoicemailBox
from ivr_designer.telegram import linking
from ivr_designer.telegram.client import Button

log = logging.getLogger(__name__)

NOT_LINKED = "Not allowed: link your own Telegram chat in your IVR designer profile first."
NOT_ALLOWED = "Not allowed: you do not listen to this box."
GONE = "This voicemail no longer exists."
_NAME_CHARS = 30


@dataclass(frozen=True)
class Effects:
    """The Telegram calls that follow an update (made after the commit)."""

    messages: list[tuple[int, str]] = field(default_factory=list)  # (chat id, text)
    answer: tuple[str, str] | None = None  # (callback query id, text)
    buttons: tuple[int, int, list[Button]] | None = None  # (chat id, message id, row)


def handle(
    session: Session, org_id: int, bot_username: str, update: Mapping[str, Any], key: bytes
) -> Effects:
    if isinstance(update.get("callback_query"), Mapping):
        return press(session, org_id, update, key)
    message = update.get("message")
    if not isinstance(message, Mapping):
        return Effects()
    chat = message.get("chat") or {}
    if isinstance(message.get("migrate_to_chat_id"), int) and isinstance(chat.get("id"), int):
        linking.migrate_chat(session, org_id, chat["id"], message["migrate_to_chat_id"])
        return Effects()
    left = message.get("left_chat_member") or {}
    if left.get("is_bot") and str(left.get("username", "")).lower() == bot_username.lower():
        linking.stop(session, org_id, _command(message, "stop"))
        return Effects()
    command = parse_link_command(update, bot_username)
    if command is None:
        return Effects()
    if command.command == "start":
        reply = linking.start(session, org_id, command)
    else:
        reply = linking.stop(session, org_id, command)
    return Effects(messages=[(command.chat_id, reply)])


def _command(message: Mapping[str, Any], name: str) -> LinkCommand:
    chat = message.get("chat") or {}
    return LinkCommand(
        command=name,
        token=None,
        chat_id=int(chat.get("id", 0)),
        chat_type=str(chat.get("type", "")),
        user_id=None,
        username=None,
    )


def _presser(session: Session, org_id: int, telegram_user_id: int) -> User | None:
    """Our user behind a Telegram account: the one whose private chat it is."""
    return session.execute(
        select(User)
        .join(TelegramChat, TelegramChat.user_id == User.id)
        .where(
            TelegramChat.org_id == org_id,
            TelegramChat.chat_id == telegram_user_id,
            TelegramChat.chat_type == linking.PRIVATE,
            TelegramChat.active.is_(True),
            User.active.is_(True),
        )
        .order_by(TelegramChat.linked_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    name = user.name if user is not None else "someone"
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def buttons_for(session: Session, key: bytes, voicemail: Voicemail) -> list[Button]:
    """The buttons that show the voicemail's state: open, claimed by X, handled by Y."""

    def signed(action: str, text: str) -> Button:
        return Button(text, sign_callback(key, voicemail.id, action))

    if voicemail.handled_by_id is not None or voicemail.handled_at is not None:
        return [signed("handled", f"✓ Handled by {_name(session, voicemail.handled_by_id)}")]
    if voicemail.claimed_by_id is not None:
        return [
            signed("claim", f"✋ {_name(session, voicemail.claimed_by_id)}"),
            signed("handled", BUTTON_LABELS["handled"]),
        ]
    return [signed(action, label) for action, label in BUTTON_LABELS.items()]


def _may_act(user: User, voicemail: Voicemail, box: VoicemailBox | None) -> bool:
    if user.org_id != voicemail.org_id:
        return False
    return user.is_admin or (box is not None and any(u.id == user.id for u in box.listeners))


def press(session: Session, org_id: int, update: Mapping[str, Any], key: bytes) -> Effects:
    query = update["callback_query"]
    query_id = str(query.get("id", ""))
    try:
        action = parse_callback_query(update, key)
    except InvalidCallback as exc:
        log.warning("Telegram button press for org %s refused: %s", org_id, exc)
        return Effects(answer=(query_id, "This button is not valid."))
    assert action is not None
    user = _presser(session, org_id, action.from_user_id)
    if user is None:
        return Effects(answer=(query_id, NOT_LINKED))
    voicemail = session.execute(
        select(Voicemail).where(Voicemail.id == action.voicemail_id, Voicemail.org_id == org_id)
    ).scalar_one_or_none()
    if voicemail is None:
        return _answer(action, GONE, [])
    box = session.get(VoicemailBox, voicemail.box_id)
    if not _may_act(user, voicemail, box):
        return Effects(answer=(query_id, NOT_ALLOWED))
    text = _apply(session, user, voicemail, action)
    session.refresh(voicemail)
    return _answer(action, text, buttons_for(session, key, voicemail))


def _apply(session: Session, user: User, voicemail: Voicemail, action: CallbackAction) -> str:
    """Claim or mark handled through the inbox; the short answer for the presser."""
    if voicemail.handled_by_id is not None or voicemail.handled_at is not None:
        return f"Already handled by {_name(session, voicemail.handled_by_id)}."
    if action.action == "claim" and voicemail.claimed_by_id is not None:
        if voicemail.claimed_by_id == user.id:
            return "You have claimed it already."
        return f"Already claimed by {_name(session, voicemail.claimed_by_id)}."
    from ivr_designer.inbox import operations as inbox

    operation = inbox.claim if action.action == "claim" else inbox.mark_handled
    try:
        with session.begin_nested():
            operation(session, user, "voicemail", voicemail.id)
    except (Forbidden, NotFound):
        return NOT_ALLOWED
    except DomainError as exc:
        return exc.message
    log.info("voicemail %s %s by user %s via Telegram", voicemail.id, action.action, user.id)
    return "You claimed it." if action.action == "claim" else "Marked as handled."


def _answer(action: CallbackAction, text: str, buttons: list[Button]) -> Effects:
    where = None
    if action.chat_id is not None and action.message_id is not None:
        where = (action.chat_id, action.message_id, buttons)
    return Effects(answer=(action.callback_query_id, text), buttons=where)


__all__ = ["Effects", "buttons_for", "handle", "press"]
