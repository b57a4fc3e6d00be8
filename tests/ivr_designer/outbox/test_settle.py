"""Writing outcomes: a plain Telegram success takes the short path, the rest the policy."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from integrations.notify.base import DeliveryResult
from ivr_designer.models import OutboxDelivery, Voicemail
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.enqueue import enqueue_voicemail
from ivr_designer.outbox.settle import Attempted
from ivr_designer.outbox.worker import claim_due, deliver_one, settle_and_claim
from tests.ivr_designer.outbox.conftest import attempts, deliveries


def _claimed(app, db_session, setup, make_voicemail) -> dict[str, OutboxDelivery]:
    voicemail = make_voicemail(setup.box, caller="+4511223344")
    enqueue_voicemail(db_session, voicemail)
    db_session.commit()
    assert len(claim_due(app, 10)) == 3
    db_session.expire_all()
    rows = deliveries(db_session)
    by_target = {
        ("group" if r.telegram_chat_id == setup.group.id else "chat")
        if r.channel == "telegram"
        else "webhook": r
        for r in rows
    }
    assert {r.status for r in rows} == {"delivering"}
    return by_target


def _attempt(row: OutboxDelivery, result: DeliveryResult) -> Attempted:
    return Attempted(row.id, result, 51, utcnow(), row.channel, row.org_id)


def test_a_delivered_telegram_message_is_written_down_like_the_policy_would(
    app, setup, db_session, make_voicemail
):
    rows = _claimed(app, db_session, setup, make_voicemail)
    chat, group, hook = rows["chat"], rows["group"], rows["webhook"]
    setup.endpoint.consecutive_failures = 3  # a success must end the endpoint's failure run
    setup.endpoint.first_failure_at = utcnow() - timedelta(hours=1)
    db_session.commit()

    settle_and_claim(
        app,
        [
            _attempt(chat, DeliveryResult.delivered(remote_id="4711", status_code=200)),
            _attempt(group, DeliveryResult.retry("telegram error: Bad Gateway", status_code=502)),
            _attempt(hook, DeliveryResult.delivered(status_code=204)),
        ],
        0,
    )

    db_session.expire_all()
    chat, group, hook = (db_session.get(OutboxDelivery, r.id) for r in (chat, group, hook))
    assert (chat.status, chat.attempts, chat.remote_id) == ("delivered", 1, "4711")
    assert chat.delivered_at is not None
    assert chat.lease_until is None
    assert (chat.last_status_code, chat.last_error) == (200, None)
    [logged] = attempts(db_session, chat)
    assert (logged.outcome, logged.status_code, logged.duration_ms) == ("delivered", 200, 51)
    assert logged.org_id == chat.org_id
    assert logged.webhook_endpoint_id is None
    # The others took the policy: a retry is scheduled, the endpoint's run ends.
    assert (group.status, group.attempts) == ("pending", 1)
    assert group.next_attempt_at > utcnow() - timedelta(seconds=1)
    assert attempts(db_session, group)[0].outcome == "retry"
    assert (hook.status, hook.attempts) == ("delivered", 1)
    db_session.refresh(setup.endpoint)
    assert setup.endpoint.consecutive_failures == 0
    assert setup.endpoint.last_success_at is not None


def test_an_outcome_for_a_row_no_longer_ours_changes_nothing(
    app, setup, db_session, make_voicemail
):
    rows = _claimed(app, db_session, setup, make_voicemail)
    chat = rows["chat"]
    # The lease ran out and the row went back (or was cancelled) before we wrote.
    db_session.execute(
        update(OutboxDelivery).where(OutboxDelivery.id == chat.id).values(status="cancelled")
    )
    db_session.commit()

    settle_and_claim(app, [_attempt(chat, DeliveryResult.delivered(remote_id="9"))], 0)

    db_session.expire_all()
    row = db_session.get(OutboxDelivery, chat.id)
    assert (row.status, row.attempts, row.remote_id) == ("cancelled", 0, None)
    assert attempts(db_session, row) == []


def test_a_deferred_delivery_found_cancelled_or_not_ready_writes_nothing_until_settled(
    app, setup, db_session, make_voicemail
):
    """The sending process never writes: a cancellation or a postponement it finds while
    preparing comes back like an outcome, and the dispatcher writes it."""
    rows = _claimed(app, db_session, setup, make_voicemail)
    chat, hook = rows["chat"], rows["webhook"]
    db_session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.id == hook.id)
        .values(webhook_endpoint_id=None)  # the endpoint was deleted meanwhile
    )
    voicemail = db_session.get(Voicemail, chat.subject_id)
    voicemail.status = "pending_media"  # the recording is still being fetched
    db_session.commit()

    handed: list[Attempted] = []
    with app.app_context():
        assert deliver_one(app, chat.id, defer=handed.append) == "attempted"
        assert deliver_one(app, hook.id, defer=handed.append) == "attempted"
    db_session.expire_all()
    assert {db_session.get(OutboxDelivery, r.id).status for r in (chat, hook)} == {"delivering"}
    later, gone = handed
    assert later.postponed_until is not None
    assert later.postponed_until > utcnow()
    assert later.cancelled is None
    assert gone.cancelled == "the webhook endpoint was deleted"

    settle_and_claim(app, handed, 0)

    db_session.expire_all()
    chat, hook = db_session.get(OutboxDelivery, chat.id), db_session.get(OutboxDelivery, hook.id)
    assert (chat.status, chat.attempts, chat.next_attempt_at) == (
        "pending",
        0,
        later.postponed_until.replace(tzinfo=chat.next_attempt_at.tzinfo),
    )
    assert (hook.status, hook.last_error) == ("cancelled", "the webhook endpoint was deleted")
    assert attempts(db_session, chat) == attempts(db_session, hook) == []  # not a try
