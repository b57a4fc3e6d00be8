"""Telegram flood control (429 retry_after) holds back the whole bot, and is no failure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ivr_designer.models.base import utcnow
from ivr_designer.outbox.enqueue import enqueue_voicemail
from ivr_designer.outbox.worker import deliver_due
from tests.ivr_designer.outbox.conftest import attempts, deliveries, make_due

RETRY_AFTER = 120


@pytest.fixture
def stored(setup, db_session, make_voicemail):
    """Two voicemails: four Telegram deliveries (listener and group) and two webhooks."""
    for _ in range(2):
        enqueue_voicemail(db_session, make_voicemail(setup.box))
    db_session.commit()
    rows = deliveries(db_session)
    assert [r.channel for r in rows].count("telegram") == 4
    return rows


def _flood(fake_telegram) -> None:
    fake_telegram.fake.fail_next(
        429, f"Too Many Requests: retry after {RETRY_AFTER}", retry_after=RETRY_AFTER
    )


def test_a_429_holds_back_every_pending_message_of_the_bot_without_counting_a_try(
    app, setup, stored, db_session, fake_telegram, webhook_receiver
):
    _flood(fake_telegram)
    before = utcnow()
    assert deliver_due(app, limit=1) == 1  # the oldest: a Telegram message, refused
    assert len(fake_telegram.fake.received) == 1
    telegram = deliveries(db_session, channel="telegram")
    banned_until = before + timedelta(seconds=RETRY_AFTER)
    assert all(r.status == "pending" and r.next_attempt_at >= banned_until for r in telegram)
    hit = telegram[0]
    assert (hit.attempts, hit.flood_waits, hit.last_status_code) == (0, 1, 429)
    assert [a.status_code for a in attempts(db_session, hit)] == [429]  # still logged
    assert all((r.attempts, r.flood_waits) == (0, 0) for r in telegram[1:])

    # The webhooks are another channel: they go now; Telegram is not asked again.
    assert deliver_due(app) == 2
    assert len(webhook_receiver.unique_payloads()) == 2
    assert len(fake_telegram.fake.received) == 1

    make_due(db_session)  # the ban is over
    assert deliver_due(app) == 4
    assert len(fake_telegram.fake.calls("sendVoice")) == 1 + 4  # the refused one, then all
    assert {(r.status, r.attempts) for r in deliveries(db_session)} == {("delivered", 1)}


def test_flood_waits_do_not_dead_letter_but_are_bounded(
    app, setup, stored, db_session, fake_telegram
):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 2
    app.config["NOTIFY_MAX_FLOOD_WAITS"] = 4
    for waits in range(1, 4):  # more 429s than NOTIFY_MAX_ATTEMPTS: still waiting
        _flood(fake_telegram)
        assert deliver_due(app, limit=1) == 1
        first = deliveries(db_session, channel="telegram")[0]
        assert (first.status, first.attempts, first.flood_waits) == ("pending", 0, waits)
        make_due(db_session)
    _flood(fake_telegram)
    deliver_due(app, limit=1)
    first = deliveries(db_session, channel="telegram")[0]
    assert (first.status, first.flood_waits) == ("dead", 4)
    assert first.last_error == "flood control: gave up after 4 waits"


def test_another_orgs_bot_is_not_held_back(app, setup, stored, db_session, fake_telegram, make_org):
    from ivr_designer.models import OutboxDelivery

    other = make_org()
    row = OutboxDelivery(
        org_id=other.id,
        event="admin.notice",
        channel="telegram",
        idempotency_key="other-org",
        next_attempt_at=utcnow() + timedelta(seconds=5),
    )
    db_session.add(row)
    db_session.commit()
    _flood(fake_telegram)
    deliver_due(app, limit=1)
    db_session.refresh(row)
    assert row.next_attempt_at < utcnow() + timedelta(seconds=10)
