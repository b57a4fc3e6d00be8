"""Admins read the outbox and send dead deliveries again (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import record
from ivr_designer.errors import Conflict, Forbidden, NotFound
from ivr_designer.models import OutboxDelivery, TelegramChat, WebhookEndpoint
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.enqueue import wake_on_commit
from ivr_designer.webhooks.deliveries import TEST_KEY_PREFIX

__all__ = ["DeliveryFilter", "list_deliveries", "retry_delivery", "with_targets"]

RETRYABLE = ("dead", "cancelled")
COLUMNS = list(OutboxDelivery.__table__.columns)


@dataclass(frozen=True)
class DeliveryFilter:
    status: str = "all"
    event: str | None = None
    channel: str | None = None


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only administrators can see notification deliveries")


def _filtered(query: Select[Any], wanted: DeliveryFilter) -> Select[Any]:
    # Test-sends are shown in their endpoint's delivery log, not as notifications.
    query = query.where(OutboxDelivery.idempotency_key.not_like(f"{TEST_KEY_PREFIX}%"))
    if wanted.status == "pending":
        query = query.where(OutboxDelivery.status.in_(("pending", "delivering")))
    elif wanted.status != "all":
        query = query.where(OutboxDelivery.status == wanted.status)
    if wanted.event is not None:
        query = query.where(OutboxDelivery.event == wanted.event)
    if wanted.channel is not None:
        query = query.where(OutboxDelivery.channel == wanted.channel)
    return query


def with_targets(session: Session, deliveries: list[OutboxDelivery]) -> list[dict[str, Any]]:
    """Rows as dicts with a human ``target`` label (chat title, endpoint URL)."""
    chat_ids = {d.telegram_chat_id for d in deliveries if d.telegram_chat_id is not None}
    endpoint_ids = {d.webhook_endpoint_id for d in deliveries if d.webhook_endpoint_id is not None}
    chats = {
        chat.id: chat
        for chat in session.execute(
            select(TelegramChat).where(TelegramChat.id.in_(chat_ids))
        ).scalars()
    }
    endpoints = {
        endpoint.id: endpoint
        for endpoint in session.execute(
            select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids))
        ).scalars()
    }
    out = []
    for delivery in deliveries:
        if delivery.telegram_chat_id in chats:
            chat = chats[delivery.telegram_chat_id]
            target = f"Telegram: {chat.title or chat.chat_type}"
        elif delivery.webhook_endpoint_id in endpoints:
            target = f"Webhook: {endpoints[delivery.webhook_endpoint_id].url}"
        else:
            target = f"{delivery.channel} (removed)"
        row = {column.key: getattr(delivery, column.key) for column in COLUMNS}
        row["target"] = target
        out.append(row)
    return out


def list_deliveries(
    session: Session, actor: Actor, wanted: DeliveryFilter, *, offset: int, limit: int
) -> tuple[list[OutboxDelivery], int]:
    """One page, newest first, and the total (the session's tenant scope applies)."""
    _require_admin(actor)
    total = session.execute(_filtered(select(func.count(OutboxDelivery.id)), wanted)).scalar_one()
    page = session.execute(
        _filtered(select(OutboxDelivery), wanted)
        .order_by(OutboxDelivery.created_at.desc(), OutboxDelivery.id.desc())
        .offset(offset)
        .limit(limit)
    ).scalars()
    return list(page), int(total)


def retry_delivery(session: Session, actor: Actor, delivery_id: int) -> OutboxDelivery:
    """A dead (or cancelled) delivery goes back to pending with a fresh set of attempts."""
    _require_admin(actor)
    delivery = session.execute(
        select(OutboxDelivery).where(OutboxDelivery.id == delivery_id)
    ).scalar_one_or_none()
    if delivery is None:
        raise NotFound("delivery not found")
    if delivery.idempotency_key.startswith(TEST_KEY_PREFIX):
        raise Conflict(
            "a test-send is not a notification; send a new test from the endpoint instead",
            {"id": ["test-send"]},
        )
    if delivery.status not in RETRYABLE:
        raise Conflict(
            f"only dead or cancelled deliveries can be retried; this one is {delivery.status}",
            {"status": [delivery.status]},
        )
    before = {"status": delivery.status, "attempts": delivery.attempts}
    now = utcnow()
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.flood_waits = 0
    delivery.next_attempt_at = now
    delivery.lease_until = None
    delivery.updated_at = now
    session.flush()
    record(
        session,
        actor,
        "outbox_delivery.retry",
        delivery,
        before=before,
        after={"status": "pending", "attempts": 0},
    )
    wake_on_commit(session)
    return delivery
