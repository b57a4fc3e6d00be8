"""After one attempt: log it, schedule the retry or give up, keep endpoints and chats honest.

Decisions come from :mod:`integrations.notify.policy`; this module applies them to the
rows (one short transaction, opened by the worker after the remote call returned).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from integrations.notify import policy
from integrations.notify.base import DeliveryResult, Outcome
from ivr_designer.actor import Actor
from ivr_designer.audit.record import record
from ivr_designer.models import DeliveryAttempt, OutboxDelivery, TelegramChat, WebhookEndpoint
from ivr_designer.outbox.enqueue import enqueue_event

__all__ = ["SYSTEM", "apply_result", "cancel", "postpone"]

log = logging.getLogger(__name__)
SYSTEM = Actor(user=None)
# Telegram answers that mean "this chat will never take a message from this bot".
_GONE_CHAT = ("chat not found", "bot was blocked", "user is deactivated", "bot was kicked")


def _short(text: str | None, limit: int = 500) -> str:
    return (text or "")[:limit]


def cancel(delivery: OutboxDelivery, reason: str, now: datetime) -> str:
    delivery.status = "cancelled"
    delivery.lease_until = None
    delivery.last_error = _short(reason)
    delivery.updated_at = now
    return "cancelled"


def postpone(delivery: OutboxDelivery, until: datetime, now: datetime) -> str:
    """Back to pending without counting an attempt (the subject is not ready yet)."""
    delivery.status = "pending"
    delivery.lease_until = None
    delivery.next_attempt_at = until
    delivery.updated_at = now
    return "postponed"


def _chat_gone(result: DeliveryResult) -> bool:
    if result.outcome is not Outcome.PERMANENT:
        return False
    reason = result.reason.lower()
    return result.status_code == 403 or any(marker in reason for marker in _GONE_CHAT)


def _deactivate_chat(session: Session, delivery: OutboxDelivery, now: datetime) -> None:
    if delivery.telegram_chat_id is None:
        return
    chat = session.get(TelegramChat, delivery.telegram_chat_id)
    if chat is not None and chat.active:
        chat.active = False
        chat.unlinked_at = now
        log.warning("telegram chat %s deactivated: bot blocked or chat gone", chat.id)


def _endpoint_run(
    session: Session, app: Flask, delivery: OutboxDelivery, delivered: bool, now: datetime
) -> None:
    if delivery.webhook_endpoint_id is None:
        return
    endpoint = session.get(WebhookEndpoint, delivery.webhook_endpoint_id)
    if endpoint is None:
        return
    endpoint.consecutive_failures, endpoint.first_failure_at = policy.failure_run(
        endpoint.consecutive_failures, endpoint.first_failure_at, delivered, now
    )
    if delivered:
        endpoint.last_success_at = now
        return
    if not endpoint.enabled or not policy.should_disable_endpoint(
        endpoint.consecutive_failures,
        endpoint.first_failure_at,
        now,
        min_failures=int(app.config["WEBHOOK_DISABLE_AFTER_FAILURES"]),
        min_span=timedelta(hours=float(app.config["WEBHOOK_DISABLE_AFTER_HOURS"])),
    ):
        return
    reason = (
        f"disabled after {endpoint.consecutive_failures} failed deliveries since "
        f"{endpoint.first_failure_at.isoformat() if endpoint.first_failure_at else '?'}"
    )
    endpoint.enabled = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    session.flush()
    record(
        session,
        SYSTEM,
        "webhook_endpoint.disabled",
        endpoint,
        before={"enabled": True},
        after={"enabled": False, "disabled_reason": reason},
    )
    enqueue_event(
        session,
        org_id=endpoint.org_id,
        event="admin.notice",
        subject_type="webhook_endpoint",
        subject_id=endpoint.id,
        payload={
            "text": f"The webhook endpoint {endpoint.url} was {reason}. "
            "Fix the receiver, then enable it again.",
        },
        to_admins=True,
    )
    log.warning("webhook endpoint %s %s", endpoint.id, reason)


def _flood_controlled(delivery: OutboxDelivery, result: DeliveryResult) -> bool:
    """Telegram's 429: the org's bot is banned for ``retry_after``; no failure of this row."""
    return (
        delivery.channel == "telegram"
        and result.outcome is Outcome.RETRY
        and result.status_code == 429
        and result.retry_after is not None
    )


def _wait_out_flood(
    session: Session, app: Flask, delivery: OutboxDelivery, retry_after: float, now: datetime
) -> None:
    """Park this delivery and every other pending one of the org's bot until the ban ends.

    Not an attempt (it would dead-letter messages only because many arrived at once);
    ``flood_waits`` bounds it instead.
    """
    until = policy.flood_wait_until(now, retry_after)
    delivery.flood_waits += 1
    limit = int(app.config["NOTIFY_MAX_FLOOD_WAITS"])
    if delivery.flood_waits >= limit:
        delivery.status = "dead"
        delivery.last_error = _short(f"flood control: gave up after {delivery.flood_waits} waits")
        log.warning("delivery %s dead after %d flood waits", delivery.id, delivery.flood_waits)
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = until
    parked = session.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.org_id == delivery.org_id,
            OutboxDelivery.channel == "telegram",
            OutboxDelivery.status == "pending",
            OutboxDelivery.next_attempt_at < until,
            OutboxDelivery.id != delivery.id,
        )
        .values(next_attempt_at=until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    log.info(
        "telegram flood control for org %s: %s more deliveries wait until %s",
        delivery.org_id,
        getattr(parked, "rowcount", "?"),
        until.isoformat(),
    )


def apply_result(
    session: Session,
    app: Flask,
    delivery: OutboxDelivery,
    result: DeliveryResult,
    *,
    now: datetime,
    duration_ms: int | None,
) -> str:
    """Log the attempt and move ``delivery`` on; returns its new status."""
    flood = _flood_controlled(delivery, result)
    if not flood:
        delivery.attempts += 1
    session.add(
        DeliveryAttempt(
            org_id=delivery.org_id,
            delivery_id=delivery.id,
            webhook_endpoint_id=delivery.webhook_endpoint_id,
            attempted_at=now,
            outcome=result.outcome.value,
            status_code=result.status_code,
            reason=_short(result.reason),
            response_excerpt=_short(result.response_excerpt),
            duration_ms=duration_ms,
        )
    )
    delivery.last_status_code = result.status_code
    delivery.lease_until = None
    delivery.updated_at = now
    if flood:
        delivery.last_error = _short(result.reason)
        _wait_out_flood(session, app, delivery, float(result.retry_after or 0), now)
    elif result.ok:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.remote_id = result.remote_id[:64] if result.remote_id else None
        delivery.last_error = None
    else:
        delivery.last_error = _short(result.reason)
        max_attempts = int(app.config["NOTIFY_MAX_ATTEMPTS"])
        if result.outcome is Outcome.PERMANENT or policy.should_dead_letter(
            delivery.attempts, max_attempts
        ):
            delivery.status = "dead"
            log.warning("delivery %s dead after %d attempts", delivery.id, delivery.attempts)
        else:
            delivery.status = "pending"
            delivery.next_attempt_at = policy.next_attempt_at(
                delivery.attempts,
                now,
                base=float(app.config["NOTIFY_BACKOFF_BASE_SECONDS"]),
                cap=float(app.config["NOTIFY_BACKOFF_CAP_SECONDS"]),
                retry_after=result.retry_after,
            )
    if delivery.channel == "telegram" and _chat_gone(result):
        _deactivate_chat(session, delivery, now)
    if delivery.channel == "webhook":
        _endpoint_run(session, app, delivery, result.ok, now)
    session.flush()
    return delivery.status


def describe(result: DeliveryResult) -> dict[str, Any]:
    """For logs: the outcome without anything secret (reasons are already scrubbed)."""
    return {"outcome": result.outcome.value, "status": result.status_code, "reason": result.reason}
