"""Setting up an org's bot and managing its linked chats (org administrators).

The token is checked with ``getMe`` before anything is stored, and the webhook is set
with a fresh secret each time. Telegram being down is the caller's 502/503, never a
500; a token Telegram refuses is a 400 naming ``token``. The token and the webhook
secret are stored encrypted and never leave the server: not in answers, not in the
audit log (only the fact that they changed).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from integrations.notify.telegram_links import make_webhook_secret
from ivr_designer import crypto
from ivr_designer.actor import Actor
from ivr_designer.audit.record import REDACTED, record
from ivr_designer.callflows.access import list_filter, load, require_admin, target_org
from ivr_designer.errors import Conflict, DomainError, NotFound
from ivr_designer.models import FaxBox, TelegramBot, TelegramChat, User, VoicemailBox
from ivr_designer.models.base import utcnow
from ivr_designer.telegram import bots
from ivr_designer.telegram.client import scrub

log = logging.getLogger(__name__)
WHAT = "the Telegram bot"
TOKEN_FORMAT = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")


class TelegramUnavailable(DomainError):
    """Telegram could not be asked (network, timeout, an error on its side)."""

    status = 502


class TelegramBusy(DomainError):
    """Telegram's flood control (429 with retry_after)."""

    status = 503


@dataclass(frozen=True)
class WebhookCheck:
    """What Telegram says about the webhook (``getWebhookInfo``), on request."""

    url: str
    matches: bool  # Telegram posts to our URL for this org
    pending_update_count: int
    last_error_message: str | None
    last_error_at: datetime | None


@dataclass(frozen=True)
class BotStatus:
    configured: bool
    bot_username: str | None = None
    webhook_url: str | None = None
    webhook_set_at: datetime | None = None
    webhook_error: str | None = None
    telegram_webhook: WebhookCheck | None = None


def _status(
    bot: TelegramBot | None,
    webhook_error: str | None = None,
    telegram_webhook: WebhookCheck | None = None,
) -> BotStatus:
    if bot is None:
        return BotStatus(configured=False)
    return BotStatus(
        configured=True,
        bot_username=bot.bot_username,
        webhook_url=bots.webhook_url(bot.org_id),
        webhook_set_at=bot.webhook_set_at,
        webhook_error=webhook_error,
        telegram_webhook=telegram_webhook,
    )


def _audit_view(bot: TelegramBot) -> dict[str, Any]:
    """What the audit log may show: never the token or the secret, even encrypted."""
    return {
        "bot_username": bot.bot_username,
        "webhook_url": bots.webhook_url(bot.org_id),
        "webhook_set_at": bot.webhook_set_at.isoformat() if bot.webhook_set_at else None,
        "token": REDACTED,
    }


def get_bot(
    session: Session, actor: Actor, org_id: int | None = None, *, check: bool = False
) -> BotStatus:
    """The bot's setup; with ``check``, also what Telegram says about its webhook (a
    failing check is reported in ``webhook_error``, not raised)."""
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    bot = bots.bot_for_org(session, org)
    if bot is None or not check:
        return _status(bot)
    token = _stored_token(bot)
    if token is None:
        return _status(bot, "the stored token cannot be decrypted; set the bot up again")
    try:
        info = bots.client_for(token).webhook_info()
    except TelegramError as exc:
        return _status(bot, f"Telegram could not be asked: {scrub(exc, token)}")
    except TimeoutError:
        return _status(bot, "Telegram did not answer in time")
    found = WebhookCheck(
        url=info.url,
        matches=info.url == bots.webhook_url(org),
        pending_update_count=info.pending_update_count,
        last_error_message=info.last_error_message,
        last_error_at=info.last_error_date,
    )
    return _status(bot, telegram_webhook=found)


def _bad_token(message: str) -> DomainError:
    return DomainError("the bot token was not accepted", {"token": [message]})


def _check_token(token: str) -> str:
    """``getMe``; the bot's username, or the right 4xx/5xx for what went wrong."""
    try:
        return bots.client_for(token).username()
    except InvalidToken:
        raise _bad_token("Telegram does not know this bot token") from None
    except RetryAfter:
        raise TelegramBusy("Telegram asks us to wait; try again in a minute") from None
    except (NetworkError, TimeoutError) as exc:
        reason = scrub(exc, token) if isinstance(exc, TelegramError) else "timed out"
        log.warning("Telegram getMe failed: %s", reason)
        raise TelegramUnavailable(f"Telegram could not be reached: {reason}") from None
    except TelegramError as exc:
        log.warning("Telegram getMe failed: %s", scrub(exc, token))
        raise TelegramUnavailable(f"Telegram answered with an error: {scrub(exc, token)}") from None


def _set_webhook(token: str, url: str, secret: str) -> str | None:
    """Point the bot at our webhook; the reason when Telegram refused (kept, shown once)."""
    try:
        bots.client_for(token).set_webhook(url, secret)
    except TelegramError as exc:
        reason = scrub(exc, token)
        log.warning("Telegram setWebhook for %s failed: %s", url, reason)
        return reason
    except TimeoutError:
        return "Telegram did not answer in time"
    return None


def _delete_webhook(token: str) -> None:
    """Best effort: the bot may be gone or its token revoked already."""
    try:
        bots.client_for(token).delete_webhook()
    except (TelegramError, TimeoutError) as exc:
        reason = scrub(exc, token) if isinstance(exc, TelegramError) else "timed out"
        log.info("Telegram deleteWebhook failed (ignored): %s", reason)


def _stored_token(bot: TelegramBot) -> str | None:
    try:
        return bots.bot_token(bot)
    except crypto.DecryptionFailed:
        log.error("the stored Telegram token of org %s cannot be decrypted", bot.org_id)
        return None


def _used_elsewhere(session: Session, org_id: int, username: str) -> bool:
    """One bot serves one org: its single webhook cannot point at two of them."""
    other = session.execute(
        select(TelegramBot.id)
        .where(TelegramBot.org_id != org_id, TelegramBot.bot_username == username)
        .execution_options(skip_tenant_scope=True)
    ).first()
    return other is not None


def _unlink_all(session: Session, org_id: int, now: datetime) -> int:
    result = session.execute(
        update(TelegramChat)
        .where(TelegramChat.org_id == org_id, TelegramChat.active.is_(True))
        .values(active=False, unlinked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def set_bot(session: Session, actor: Actor, token: str, org_id: int | None = None) -> BotStatus:
    """Check ``token``, set the webhook with a new secret, store both encrypted.

    Another bot than before (a different username) cannot write to the chats linked
    to the old one, so those links end and staff link again.
    """
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    token = token.strip()
    if not TOKEN_FORMAT.match(token):
        raise _bad_token("a bot token looks like 123456789:AAE... (from @BotFather)")
    username = _check_token(token)
    if _used_elsewhere(session, org, username):
        raise Conflict(
            "this bot is set up for another organisation already",
            {"token": ["create a separate bot with @BotFather for each organisation"]},
        )
    secret = make_webhook_secret()
    url = bots.webhook_url(org)
    webhook_error = _set_webhook(token, url, secret)
    now = utcnow()

    bot = bots.bot_for_org(session, org)
    before = _audit_view(bot) if bot is not None else None
    old_token = _stored_token(bot) if bot is not None else None
    if old_token is not None and old_token != token:
        _delete_webhook(old_token)
    if bot is None:
        bot = TelegramBot(org_id=org)
        session.add(bot)
    elif bot.bot_username.lower() != username.lower():
        _unlink_all(session, org, now)
    bot.token_encrypted = crypto.encrypt(token)
    bot.webhook_secret_encrypted = crypto.encrypt(secret)
    bot.bot_username = username
    bot.webhook_set_at = None if webhook_error else now
    bot.updated_at = now
    session.flush()
    record(
        session, actor, "update" if before else "create", bot, before=before, after=_audit_view(bot)
    )
    return _status(bot, webhook_error)


def delete_bot(session: Session, actor: Actor, org_id: int | None = None) -> None:
    """Forget the bot: its webhook is removed (best effort) and every link ends."""
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    bot = bots.bot_for_org(session, org)
    if bot is None:
        raise NotFound("no Telegram bot is set up")
    old_token = _stored_token(bot)
    if old_token is not None:
        _delete_webhook(old_token)
    record(session, actor, "delete", bot, before=_audit_view(bot))
    _unlink_all(session, org, utcnow())
    session.delete(bot)
    session.flush()


@dataclass(frozen=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True)
class ChatView:
    id: int
    org_id: int
    chat_type: str
    title: str
    user: Named | None
    voicemail_box: Named | None
    fax_box: Named | None
    active: bool
    linked_at: datetime
    unlinked_at: datetime | None


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, Named]:
    if not ids:
        return {}
    rows = session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {row.id: Named(row.id, row.name) for row in rows}


def list_chats(session: Session, actor: Actor, org_id: int | None = None) -> list[ChatView]:
    """Every link of the org, current ones first, newest first, with who or what box."""
    require_admin(actor, "Telegram chats")
    query = select(TelegramChat).order_by(
        TelegramChat.active.desc(), TelegramChat.linked_at.desc(), TelegramChat.id.desc()
    )
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(TelegramChat.org_id == org)
    chats = list(session.execute(query).scalars())
    users = _names(session, User, {c.user_id for c in chats if c.user_id is not None})
    vm_boxes = _names(
        session, VoicemailBox, {c.voicemail_box_id for c in chats if c.voicemail_box_id}
    )
    fax_boxes = _names(session, FaxBox, {c.fax_box_id for c in chats if c.fax_box_id})
    return [
        ChatView(
            id=chat.id,
            org_id=chat.org_id,
            chat_type=chat.chat_type,
            title=chat.title,
            user=users.get(chat.user_id) if chat.user_id else None,
            voicemail_box=vm_boxes.get(chat.voicemail_box_id) if chat.voicemail_box_id else None,
            fax_box=fax_boxes.get(chat.fax_box_id) if chat.fax_box_id else None,
            active=chat.active,
            linked_at=chat.linked_at,
            unlinked_at=chat.unlinked_at,
        )
        for chat in chats
    ]


def unlink_chat(session: Session, actor: Actor, chat_id: int) -> None:
    """End one link (an admin removing a chat); already ended is fine."""
    require_admin(actor, "Telegram chats")
    chat = load(session, TelegramChat, chat_id, "Telegram chat")
    if not chat.active:
        return
    before = {"active": True, "unlinked_at": None}
    chat.active = False
    chat.unlinked_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "unlink",
        chat,
        before=before,
        after={"active": False, "unlinked_at": chat.unlinked_at.isoformat()},
    )
