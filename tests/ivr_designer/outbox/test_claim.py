"""What a claim takes: rows whose lease ran out and pending rows whose time came, oldest
first, up to the limit; never a row another worker still holds or one not yet due."""

from __future__ import annotations

from datetime import timedelta

from ivr_designer.models import OutboxDelivery
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.worker import claim_due


def _row(db_session, org_id: int, key: str, status: str, due_in: int, lease_in: int | None = None):
    now = utcnow()
    row = OutboxDelivery(
        org_id=org_id,
        event="licence.expiring",
        channel="webhook",
        idempotency_key=key,
        status=status,
        next_attempt_at=now + timedelta(minutes=due_in),
        lease_until=None if lease_in is None else now + timedelta(minutes=lease_in),
    )
    db_session.add(row)
    return row


def test_a_claim_takes_expired_leases_and_due_rows_oldest_first_up_to_the_limit(
    app, setup, db_session
):
    org = setup.org.id
    due_late = _row(db_session, org, "due-late", "pending", -1)
    orphaned = _row(db_session, org, "orphaned", "delivering", -5, lease_in=-1)
    due_early = _row(db_session, org, "due-early", "pending", -3)
    held = _row(db_session, org, "held", "delivering", -10, lease_in=+1)
    not_yet = _row(db_session, org, "not-yet", "pending", +1)
    done = _row(db_session, org, "done", "delivered", -20)
    dead = _row(db_session, org, "dead", "dead", -20)
    db_session.commit()

    assert claim_due(app, 2) == [orphaned.id, due_early.id]
    assert claim_due(app, 10) == [due_late.id]
    assert claim_due(app, 10) == []

    db_session.expire_all()
    lease = utcnow() + timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"])
    for row in (orphaned, due_early, due_late):
        fresh = db_session.get(OutboxDelivery, row.id)
        assert fresh.status == "delivering"
        assert abs(fresh.lease_until - lease) < timedelta(seconds=30)  # a new lease
    fresh_held = db_session.get(OutboxDelivery, held.id)
    assert fresh_held.lease_until < utcnow() + timedelta(minutes=1)  # its worker's lease
    assert [db_session.get(OutboxDelivery, r.id).status for r in (not_yet, done, dead)] == [
        "pending",
        "delivered",
        "dead",
    ]


def test_a_claim_fills_the_limit_with_expired_leases_before_pending_rows(app, setup, db_session):
    org = setup.org.id
    pending = _row(db_session, org, "pending", "pending", -30)  # older than both
    orphans = [_row(db_session, org, f"orphan-{n}", "delivering", -n, lease_in=-1) for n in (2, 1)]
    db_session.commit()

    assert claim_due(app, 2) == [orphans[0].id, orphans[1].id]
    assert claim_due(app, 2) == [pending.id]
