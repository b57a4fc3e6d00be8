"""One-time ``/start`` links and what a chat's ``/start`` and ``/stop`` do.

A person links their private chat from their profile (``start=<token>``); an admin
links a group chat to a box (``startgroup=<token>``: Telegram asks which group to add
the bot to, and the group then sends ``/start@bot <token>``). Only the token's SHA-256
is stored; a token works once and for ``TELEGRAM_LINK_TOKEN_MINUTES``. A person has one
private chat: linking another one replaces it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrations.notify.telegram_links import LinkCommand, deep_link, make_link_token
from ivr_designer.actor import Actor
from ivr_designer.audit.record import record
from ivr_designer.boxes.operations import FAX, BoxKind, get_box
from ivr_designer.errors import Conflict, Unauthorized
from ivr_designer.models import TelegramChat, TelegramLinkToken, User
from ivr_designer.models.base import utcnow
from ivr_designer.telegram import bots

PRIVATE = "private"
GROUPS = ("group", "supergroup")


@dataclass(frozen=True)
class DeepLink:
    deep_link: str
    expires_at: datetime


@dataclass(frozen=True)
class MyTelegram:
    linked: bool
    chat_title: str | None = None
    linked_at: datetime | None = None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(
    session: Session, org_id: int, minutes: int, *, group: bool, **owner: int | None
) -> DeepLink:
    bot = bots.bot_for_org(session, org_id)
    if bot is None or not bot.bot_username:
        raise Conflict("the organisation has no Telegram bot yet; an administrator sets one up")
    token = make_link_token()
    now = utcnow()
    row = TelegramLinkToken(
        org_id=org_id,
        token_sha256=token_digest(token),
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        **owner,
    )
    session.add(row)
    session.flush()
    return DeepLink(deep_link(bot.bot_username, token, group=group), row.expires_at)


def link_me(session: Session, actor: Actor, minutes: int) -> DeepLink:
    """A deep link that links the private chat it is opened in to the caller."""
    user = actor.user
    if user is None:
        raise Unauthorized("authentication required")
    if user.org_id is None:
        raise Conflict("system administrators belong to no organisation and get no Telegram")
    return _new_link(
        session, user.org_id, minutes, group=False, user_id=user.id, created_by_id=user.id
    )


def link_box(session: Session, actor: Actor, kind: BoxKind, box_id: int, minutes: int) -> DeepLink:
    """A ``startgroup`` link that links the group it is added to to a box (admins)."""
    box = get_box(session, actor, kind, box_id)
    column = "fax_box_id" if kind is FAX else "voicemail_box_id"
    link = _new_link(
        session,
        box.org_id,
        minutes,
        group=True,
        created_by_id=actor.user_id,
        **{column: box.id},
    )
    record(session, actor, "telegram_link", box, after={"expires_at": link.expires_at.isoformat()})
    return link


def _my_chats(session: Session, user: User) -> list[TelegramChat]:
    return list(
        session.execute(
            select(TelegramChat)
            .where(TelegramChat.user_id == user.id, TelegramChat.active.is_(True))
            .order_by(TelegramChat.linked_at.desc())
        ).scalars()
    )


def my_telegram(session: Session, actor: Actor) -> MyTelegram:
    if actor.user is None:
        raise Unauthorized("authentication required")
    chats = _my_chats(session, actor.user)
    if not chats:
        return MyTelegram(linked=False)
    return MyTelegram(linked=True, chat_title=chats[0].title, linked_at=chats[0].linked_at)


def unlink_me(session: Session, actor: Actor) -> None:
    if actor.user is None:
        raise Unauthorized("authentication required")
    now = utcnow()
    for chat in _my_chats(session, actor.user):
        chat.active = False
        chat.unlinked_at = now
    session.flush()


# --- what a chat sends ------------------------------------------------------------------


def _usable_token(
    session: Session, org_id: int, token: str, now: datetime
) -> TelegramLinkToken | None:
    row = session.execute(
        select(TelegramLinkToken).where(
            TelegramLinkToken.org_id == org_id,
            TelegramLinkToken.token_sha256 == token_digest(token),
        )
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def _use(session: Session, row: TelegramLinkToken, now: datetime) -> bool:
    """Mark the token used, unless a concurrent ``/start`` got there first."""
    result = session.execute(
        update(TelegramLinkToken)
        .where(TelegramLinkToken.id == row.id, TelegramLinkToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _end_links(session: Session, now: datetime, *conditions: object) -> int:
    result = session.execute(
        update(TelegramChat)
        .where(TelegramChat.active.is_(True), *conditions)  # type: ignore[arg-type]
        .values(active=False, unlinked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


EXPIRED = "This link has expired or was already used. Open IVR designer and create a new one."
HELLO = (
    "Hello! To get voicemails and faxes here, open your profile in IVR designer and use "
    '"Link Telegram".'
)


def start(session: Session, org_id: int, command: LinkCommand) -> str:
    """Apply ``/start [<token>]``; the reply to send to the chat."""
    if command.token is None:
        return HELLO
    now = utcnow()
    row = _usable_token(session, org_id, command.token, now)
    if row is None:
        return EXPIRED
    if row.user_id is not None:
        return _link_person(session, org_id, row, command, now)
    return _link_group(session, org_id, row, command, now)


def _link_person(
    session: Session, org_id: int, row: TelegramLinkToken, command: LinkCommand, now: datetime
) -> str:
    if command.chat_type != PRIVATE:
        return "This link is for your private chat with the bot, not for a group."
    user = session.execute(
        select(User).where(User.id == row.user_id, User.org_id == org_id)
    ).scalar_one_or_none()
    if user is None or not user.active or not _use(session, row, now):
        return EXPIRED
    # One private chat per person, and one person per Telegram account.
    _end_links(session, now, TelegramChat.org_id == org_id, TelegramChat.user_id == user.id)
    _end_links(
        session,
        now,
        TelegramChat.org_id == org_id,
        TelegramChat.chat_id == command.chat_id,
        TelegramChat.user_id.is_not(None),
    )
    session.add(
        TelegramChat(
            org_id=org_id,
            chat_id=command.chat_id,
            chat_type=PRIVATE,
            title=command.title,
            user_id=user.id,
            linked_at=now,
        )
    )
    session.flush()
    return (
        f"Linked to {user.name}. Voicemails and faxes of your boxes arrive here. "
        "Send /stop to unlink."
    )


def _link_group(
    session: Session, org_id: int, row: TelegramLinkToken, command: LinkCommand, now: datetime
) -> str:
    if command.chat_type not in GROUPS:
        return (
            "This link is for a group: use it to add the bot to the group that should get the box."
        )
    if not _use(session, row, now):
        return EXPIRED
    owner = (
        TelegramChat.voicemail_box_id == row.voicemail_box_id
        if row.voicemail_box_id is not None
        else TelegramChat.fax_box_id == row.fax_box_id
    )
    _end_links(
        session, now, TelegramChat.org_id == org_id, TelegramChat.chat_id == command.chat_id, owner
    )
    chat = TelegramChat(
        org_id=org_id,
        chat_id=command.chat_id,
        chat_type=command.chat_type,
        title=command.title,
        voicemail_box_id=row.voicemail_box_id,
        fax_box_id=row.fax_box_id,
        linked_at=now,
    )
    session.add(chat)
    session.flush()
    what = "voicemails" if row.voicemail_box_id is not None else "faxes"
    return f"This group now gets the {what} of the box. Send /stop to unlink."


def stop(session: Session, org_id: int, command: LinkCommand) -> str:
    """Apply ``/stop``: every link of this chat ends."""
    ended = _end_links(
        session, utcnow(), TelegramChat.org_id == org_id, TelegramChat.chat_id == command.chat_id
    )
    if not ended:
        return "This chat is not linked."
    return "Unlinked: no more notifications here. Link again from IVR designer any time."


def migrate_chat(session: Session, org_id: int, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup (a new chat id): its links follow it."""
    session.execute(
        update(TelegramChat)
        .where(TelegramChat.org_id == org_id, TelegramChat.chat_id == old_chat_id)
        .values(chat_id=new_chat_id, chat_type="supergroup")
        .execution_options(synchronize_session=False)
    )
