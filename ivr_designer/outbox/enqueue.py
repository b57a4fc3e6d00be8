"""Outbox rows for an event: one per recipient channel, in the caller's transaction.

Only inserts happen here (a provider webhook must never wait for Telegram or a
receiver). The rows commit with the voicemail or fax that caused them, so a crash
loses both or neither. :func:`wake` tells a worker to look now instead of at its next
poll: within this process through an event, across processes on PostgreSQL through
``NOTIFY`` (issued in the inserting transaction, delivered by PostgreSQL at commit).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event, or_, select, text, update
from sqlalchemy.orm import Session

from integrations.notify.policy import idempotency_key
from ivr_designer.models import (
    Call,
    Fax,
    OutboxDelivery,
    Role,
    TelegramBot,
    TelegramChat,
    User,
    Voicemail,
    WebhookEndpoint,
    fax_box_listener,
    voicemail_box_listener,
)
from ivr_designer.models.base import utcnow

__all__ = [
    "NOTIFY_CHANNEL",
    "WAKE",
    "enqueue_call_completed",
    "enqueue_event",
    "enqueue_fax",
    "enqueue_transcription",
    "enqueue_voicemail",
    "media_ready",
    "wake",
    "wake_on_commit",
]

#: The PostgreSQL LISTEN/NOTIFY channel a separate worker process listens on.
NOTIFY_CHANNEL = "ivr_outbox"
#: Set when new rows were committed; the in-process worker waits on it.
WAKE = threading.Event()
_PENDING_WAKE = "ivr_designer.outbox.wake"


def wake() -> None:
    """Signal the worker(s) of this process to look for due rows now; safe anywhere."""
    WAKE.set()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_PENDING_WAKE, False):
        wake()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING_WAKE, None)


def wake_on_commit(session: Session) -> None:
    """Wake workers once this transaction commits (never for a rolled-back one)."""
    if session.info.get(_PENDING_WAKE):
        return
    session.info[_PENDING_WAKE] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})


def _telegram_chats(session: Session, org_id: int, *conditions: Any) -> list[TelegramChat]:
    """Active chats matching any of ``conditions``, only when the org has a bot."""
    if not conditions:
        return []
    query = (
        select(TelegramChat)
        .join(TelegramBot, TelegramBot.org_id == TelegramChat.org_id)
        .where(TelegramChat.org_id == org_id, TelegramChat.active.is_(True), or_(*conditions))
        .order_by(TelegramChat.id)
    )
    return list(session.execute(query).scalars())


def _endpoints(session: Session, org_id: int, event_type: str) -> list[WebhookEndpoint]:
    endpoints = session.execute(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.org_id == org_id, WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookEndpoint.id)
    ).scalars()
    return [e for e in endpoints if event_type in (e.events or [])]


def _pending(
    org_id: int,
    event_type: str,
    subject_type: str | None,
    subject_id: int | None,
    payload: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The columns every new delivery row shares: due now, nothing tried yet."""
    now = utcnow()
    return {
        "org_id": org_id,
        "event": event_type,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "payload": dict(payload or {}),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _rows(
    org_id: int,
    event_type: str,
    subject_type: str | None,
    subject_id: int | None,
    object_key: str,
    chats: Iterable[TelegramChat],
    endpoints: Iterable[WebhookEndpoint],
    payload: Mapping[str, Any] | None,
) -> list[OutboxDelivery]:
    common = _pending(org_id, event_type, subject_type, subject_id, payload)
    rows = [
        OutboxDelivery(
            channel="telegram",
            telegram_chat_id=chat.id,
            idempotency_key=idempotency_key(event_type, object_key, "telegram", chat.id),
            **common,
        )
        for chat in chats
    ]
    rows += [
        OutboxDelivery(
            channel="webhook",
            webhook_endpoint_id=endpoint.id,
            idempotency_key=idempotency_key(event_type, object_key, "webhook", endpoint.id),
            **common,
        )
        for endpoint in endpoints
    ]
    return rows


def _add(session: Session, rows: list[OutboxDelivery]) -> list[OutboxDelivery]:
    if rows:
        session.add_all(rows)
        session.flush()
        wake_on_commit(session)
    return rows


def enqueue_voicemail(session: Session, voicemail: Voicemail) -> list[OutboxDelivery]:
    """``voicemail.created`` to the box's listeners' chats, its group chats, and webhooks."""
    listeners = (
        select(voicemail_box_listener.c.user_id)
        .join(User, User.id == voicemail_box_listener.c.user_id)
        .where(voicemail_box_listener.c.box_id == voicemail.box_id, User.active.is_(True))
    )
    chats = _telegram_chats(
        session,
        voicemail.org_id,
        TelegramChat.user_id.in_(listeners),
        TelegramChat.voicemail_box_id == voicemail.box_id,
    )
    endpoints = _endpoints(session, voicemail.org_id, "voicemail.created")
    rows = _rows(
        voicemail.org_id,
        "voicemail.created",
        "voicemail",
        voicemail.id,
        str(voicemail.id),
        chats,
        endpoints,
        None,
    )
    return _add(session, rows)


def enqueue_fax(session: Session, fax: Fax) -> list[OutboxDelivery]:
    """``fax.received`` to the fax box's listeners' chats, its group chats, and webhooks."""
    listeners = (
        select(fax_box_listener.c.user_id)
        .join(User, User.id == fax_box_listener.c.user_id)
        .where(fax_box_listener.c.box_id == fax.box_id, User.active.is_(True))
    )
    chats = _telegram_chats(
        session,
        fax.org_id,
        TelegramChat.user_id.in_(listeners),
        TelegramChat.fax_box_id == fax.box_id,
    )
    endpoints = _endpoints(session, fax.org_id, "fax.received")
    rows = _rows(fax.org_id, "fax.received", "fax", fax.id, str(fax.id), chats, endpoints, None)
    return _add(session, rows)


def enqueue_event(
    session: Session,
    *,
    org_id: int,
    event: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
    to_admins: bool = False,
    dedupe: str | None = None,
) -> list[OutboxDelivery]:
    """Any other event: subscribed webhook endpoints, and with ``to_admins`` the org
    admins' linked private chats.

    ``dedupe`` names this occurrence (e.g. a licence threshold); the same event,
    subject and ``dedupe`` enqueue once. Without it every call is a new occurrence
    (a voicemail handled, reopened and handled again notifies twice).
    """
    chats: list[TelegramChat] = []
    if to_admins:
        admins = select(User.id).where(
            User.org_id == org_id, User.role == Role.ORG_ADMIN.value, User.active.is_(True)
        )
        chats = _telegram_chats(session, org_id, TelegramChat.user_id.in_(admins))
    endpoints = _endpoints(session, org_id, event)
    occurrence = dedupe if dedupe is not None else uuid.uuid4().hex
    object_key = f"{subject_type}:{subject_id}:{occurrence}"
    rows = _rows(org_id, event, subject_type, subject_id, object_key, chats, endpoints, payload)
    return _add(session, _new_only(session, rows))


def _new_only(session: Session, rows: list[OutboxDelivery]) -> list[OutboxDelivery]:
    """``rows`` without those whose idempotency key is queued already."""
    if not rows:
        return rows
    known = set(
        session.execute(
            select(OutboxDelivery.idempotency_key).where(
                OutboxDelivery.idempotency_key.in_([row.idempotency_key for row in rows])
            )
        ).scalars()
    )
    return [row for row in rows if row.idempotency_key not in known]


#: A voice message that went out (or is going out) without the transcription.
_SENT = ("delivered", "delivering")


def enqueue_transcription(session: Session, voicemail: Voicemail) -> list[OutboxDelivery]:
    """``voicemail.transcribed``: to subscribed webhooks, and as an edit of every
    Telegram message that announced the voicemail already, so its caption shows the text.

    Messages still waiting are built when sent and carry the transcription anyway. One
    edit per sent message (``payload.edits`` names it); the same text enqueues once.
    """
    text = voicemail.transcription or ""
    object_key = f"{voicemail.id}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    sent = session.execute(
        select(OutboxDelivery.id, OutboxDelivery.telegram_chat_id)
        .where(
            OutboxDelivery.event == "voicemail.created",
            OutboxDelivery.subject_type == "voicemail",
            OutboxDelivery.subject_id == voicemail.id,
            OutboxDelivery.channel == "telegram",
            OutboxDelivery.status.in_(_SENT),
            OutboxDelivery.telegram_chat_id.is_not(None),
        )
        .order_by(OutboxDelivery.id)
    ).all()
    endpoints = _endpoints(session, voicemail.org_id, "voicemail.transcribed")
    rows = _rows(
        voicemail.org_id,
        "voicemail.transcribed",
        "voicemail",
        voicemail.id,
        object_key,
        [],
        endpoints,
        None,
    )
    rows += [
        OutboxDelivery(
            channel="telegram",
            telegram_chat_id=chat_id,
            idempotency_key=idempotency_key(
                "voicemail.transcribed", object_key, "telegram-edit", original_id
            ),
            **_pending(
                voicemail.org_id,
                "voicemail.transcribed",
                "voicemail",
                voicemail.id,
                {"edits": original_id},
            ),
        )
        for original_id, chat_id in sent
    ]
    return _add(session, _new_only(session, rows))


def enqueue_call_completed(session: Session, call: Call) -> list[OutboxDelivery]:
    """``call.completed`` to the subscribed endpoints, once per call.

    The payload is read from the call record when the message is sent (no copy of
    the caller's number in the outbox; a record removed by retention cancels it).
    """
    return enqueue_event(
        session,
        org_id=call.org_id,
        event="call.completed",
        subject_type="call",
        subject_id=call.id,
        dedupe="completed",
    )


def media_ready(session: Session, subject_type: str, subject_id: int) -> int:
    """The media of a message arrived late: its waiting deliveries are due now."""
    now = utcnow()
    result = session.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.subject_type == subject_type,
            OutboxDelivery.subject_id == subject_id,
            OutboxDelivery.status == "pending",
        )
        .values(next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        wake_on_commit(session)
    return count
