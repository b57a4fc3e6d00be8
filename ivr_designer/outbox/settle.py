"""Writing down what the outbox worker's remote calls did, in one short transaction.

The dispatcher writes the outcomes of a round while it holds the write lock (on SQLite
the same lock the call webhooks queue for), so this is kept cheap: a message that
simply arrived is two plain statements; anything that needs a decision (retry, dead
letter, flood control, an endpoint's failure run) goes through :func:`apply_result`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from integrations.notify.base import DeliveryResult
from ivr_designer.models import DeliveryAttempt, OutboxDelivery
from ivr_designer.outbox.outcomes import apply_result, cancel, postpone

__all__ = ["Attempted", "settle"]


@dataclass(frozen=True)
class Attempted:
    """A remote call made, its outcome not yet written (the dispatcher batches those)."""

    delivery_id: int
    result: DeliveryResult
    duration_ms: int
    at: datetime
    channel: str = ""
    org_id: int | None = None
    # No remote call: the delivery was found cancelled (the reason) or not ready yet.
    cancelled: str | None = None
    postponed_until: datetime | None = None


def _plainly_delivered(item: Attempted) -> bool:
    """A Telegram message that arrived: nothing to decide, only to write down.

    Webhook successes also reset their endpoint's failure run, and every other outcome
    needs the retry policy; those take :func:`apply_result`.
    """
    return (
        item.channel == "telegram"
        and item.result.ok
        and item.org_id is not None
        and item.cancelled is None
        and item.postponed_until is None
    )


_DELIVERED = (
    update(OutboxDelivery)
    .where(OutboxDelivery.id == bindparam("b_id"), OutboxDelivery.status == "delivering")
    .values(
        status="delivered",
        attempts=OutboxDelivery.attempts + 1,
        delivered_at=bindparam("b_at"),
        updated_at=bindparam("b_at"),
        remote_id=bindparam("b_remote_id"),
        last_status_code=bindparam("b_status_code"),
        last_error=None,
        lease_until=None,
    )
)


def _settle_delivered(session: Session, items: list[Attempted]) -> None:
    """What :func:`apply_result` writes for a delivered message, as plain statements.

    The dispatcher writes outcomes while it holds the SQLite write lock that call
    webhooks queue for; loading each row through the ORM kept them waiting longer.
    """
    connection = session.connection()
    logged = []
    for item in items:
        result = item.result
        done = connection.execute(
            _DELIVERED,
            {
                "b_id": item.delivery_id,
                "b_at": item.at,
                "b_remote_id": result.remote_id[:64] if result.remote_id else None,
                "b_status_code": result.status_code,
            },
        )
        if done.rowcount == 1:  # still ours: not taken back after an expired lease
            logged.append(
                {
                    "org_id": item.org_id,
                    "delivery_id": item.delivery_id,
                    "webhook_endpoint_id": None,
                    "attempted_at": item.at,
                    "outcome": result.outcome.value,
                    "status_code": result.status_code,
                    "reason": result.reason[:500],
                    "response_excerpt": result.response_excerpt[:500],
                    "duration_ms": item.duration_ms,
                    "test": False,
                }
            )
    if logged:
        connection.execute(insert(DeliveryAttempt), logged)


def settle(session: Session, app: Flask, attempted: list[Attempted]) -> None:
    """Write outcomes in the session's (write) transaction; rows no longer ours are skipped."""
    _settle_delivered(session, [item for item in attempted if _plainly_delivered(item)])
    for item in attempted:
        if _plainly_delivered(item):
            continue
        row = session.get(OutboxDelivery, item.delivery_id, populate_existing=True)
        if row is None or row.status != "delivering":
            continue
        if item.cancelled is not None:
            cancel(row, item.cancelled, item.at)
        elif item.postponed_until is not None:
            postpone(row, item.postponed_until, item.at)
        else:
            apply_result(session, app, row, item.result, now=item.at, duration_ms=item.duration_ms)
