"""Test-sending to an endpoint, and reading its delivery log.

A test-send goes out synchronously (the admin waits for the answer) through the same
webhook channel the outbox worker uses, so it proves URL, TLS, SSRF policy and the
receiver's signature check together. It is logged like any attempt, marked ``test``,
on an outbox row of its own that is already final (delivered or dead), so the worker
never picks it up and it does not count towards the endpoint's failure run.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrations.notify.base import Notification
from integrations.notify.channels.webhook import WebhookChannel
from ivr_designer.actor import Actor
from ivr_designer.audit.record import record
from ivr_designer.crypto import DecryptionFailed
from ivr_designer.errors import Conflict
from ivr_designer.models import DeliveryAttempt, OutboxDelivery, WebhookEndpoint
from ivr_designer.models.base import utcnow
from ivr_designer.webhooks.operations import get_endpoint

__all__ = ["TEST_EVENT", "list_attempts", "sample_notification", "send_test"]

TEST_EVENT = "voicemail.created"
TEST_KEY_PREFIX = "msg_test_"
Decrypt = Callable[[str], str]


def sample_notification(endpoint: WebhookEndpoint) -> Notification:
    """A voicemail.created-shaped message with made-up values and ``"test": true``."""
    return Notification(
        event=TEST_EVENT,
        occurred_at=utcnow(),
        org_id=endpoint.org_id,
        object_id=0,
        box_name="Test box",
        caller="+4500000000",
        duration_s=12,
        transcription="This is a test message from ivr-designer.",
        extra={"test": True},
    )


def send_test(
    session: Session,
    actor: Actor,
    channel: WebhookChannel,
    decrypt: Decrypt,
    endpoint_id: int,
    *,
    timeout: float,
) -> dict[str, Any]:
    """Send one signed test event now, log it, audit it; works on disabled endpoints."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    try:
        secret = decrypt(endpoint.secret_encrypted)
    except DecryptionFailed:
        raise Conflict(
            "the endpoint's secret cannot be decrypted with the configured key; rotate it"
        ) from None
    key = TEST_KEY_PREFIX + secrets.token_hex(16)
    config = {"url": endpoint.url, "secret": secret}
    started = time.monotonic()
    result = channel.safe_deliver(
        sample_notification(endpoint), config, idempotency_key=key, timeout=timeout
    )
    duration_ms = round((time.monotonic() - started) * 1000)
    now = utcnow()
    delivery = OutboxDelivery(
        org_id=endpoint.org_id,
        event=TEST_EVENT,
        subject_type=None,
        subject_id=None,
        channel=channel.kind,
        webhook_endpoint_id=endpoint.id,
        idempotency_key=key,
        payload={"test": True},
        status="delivered" if result.ok else "dead",
        attempts=1,
        next_attempt_at=now,
        last_error=None if result.ok else result.reason[:500],
        last_status_code=result.status_code,
        delivered_at=now if result.ok else None,
    )
    session.add(delivery)
    session.flush()
    session.add(
        DeliveryAttempt(
            org_id=endpoint.org_id,
            delivery_id=delivery.id,
            webhook_endpoint_id=endpoint.id,
            attempted_at=now,
            outcome=result.outcome.value,
            status_code=result.status_code,
            reason=result.reason[:500],
            response_excerpt=result.response_excerpt[:500],
            duration_ms=duration_ms,
            test=True,
        )
    )
    answer = {
        "outcome": result.outcome.value,
        "status_code": result.status_code,
        "reason": result.reason,
        "duration_ms": duration_ms,
        "delivery_id": delivery.id,
    }
    record(session, actor, "test_send", endpoint, after=answer)
    return answer


def list_attempts(
    session: Session, actor: Actor, endpoint_id: int, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the endpoint's attempts, newest first, and how many there are."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    total = session.execute(
        select(func.count(DeliveryAttempt.id)).where(
            DeliveryAttempt.webhook_endpoint_id == endpoint.id
        )
    ).scalar_one()
    rows = session.execute(
        select(DeliveryAttempt, OutboxDelivery)
        .join(OutboxDelivery, DeliveryAttempt.delivery_id == OutboxDelivery.id)
        .where(DeliveryAttempt.webhook_endpoint_id == endpoint.id)
        .order_by(DeliveryAttempt.attempted_at.desc(), DeliveryAttempt.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    page = [
        {
            "id": attempt.id,
            "attempted_at": attempt.attempted_at,
            "event": delivery.event,
            "outcome": attempt.outcome,
            "status_code": attempt.status_code,
            "reason": attempt.reason,
            "response_excerpt": attempt.response_excerpt,
            "duration_ms": attempt.duration_ms,
            "test": attempt.test,
            "delivery_id": delivery.id,
            "delivery_status": delivery.status,
        }
        for attempt, delivery in rows
    ]
    return page, int(total)
