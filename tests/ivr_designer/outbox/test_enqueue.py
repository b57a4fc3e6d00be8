"""Enqueueing: rows per recipient, in the transaction that stores the message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ivr_designer.calls.storage import MediaRequest, app_provider_factory, store_voicemail
from ivr_designer.models import OutboxDelivery, Voicemail
from ivr_designer.outbox import enqueue
from ivr_designer.outbox.worker import deliver_due
from tests.conftest import TEST_AUTH_TOKEN
from tests.ivr_designer.fake_provider import CallScript, FakeProvider, client_transport
from tests.ivr_designer.outbox.conftest import deliveries

EXAMPLES = Path(__file__).parents[3] / "flows" / "examples"
BASE = "http://localhost"


@pytest.fixture
def line(setup, make_flow, make_provider_account, make_number, client, db_session):
    """The main-number example (forced open) on +4570000001, downloads from a fake."""
    document = json.loads((EXAMPLES / "main_number.json").read_text())
    document["nodes"]["hours"]["props"]["override"] = "open"
    account = make_provider_account(setup.org, account_sid="AC" + "1" * 32)
    flow = make_flow(setup.org, "main_number", document, published=True)
    make_number(setup.org, "+4570000001", voice_flow=flow, provider_account=account)
    provider = FakeProvider(account.account_sid, TEST_AUTH_TOKEN, client_transport(client)).start()
    account.api_base_url = provider.rest_url
    db_session.commit()
    yield {"account": account, "provider": provider}
    provider.stop()


def test_the_recording_callback_stores_the_voicemail_and_its_deliveries_together(
    app, line, setup, db_session, fake_telegram, webhook_receiver
):
    call = line["provider"].call(
        BASE, "+4570000001", script=CallScript(digits=["2"], dial=["no-answer"] * 3)
    )
    assert call.recordings
    voicemail = db_session.execute(select(Voicemail)).scalar_one()
    rows = deliveries(db_session)
    assert {(r.event, r.subject_type, r.subject_id) for r in rows} == {
        ("voicemail.created", "voicemail", voicemail.id)
    }
    assert sorted(r.channel for r in rows) == ["telegram", "telegram", "webhook"]
    assert len({r.idempotency_key for r in rows}) == 3
    # The webhook answered before anything was sent: delivery is the worker's job.
    assert fake_telegram.fake.received == []
    assert webhook_receiver.received == []
    deliver_due(app)
    assert len(fake_telegram.fake.calls("sendVoice")) == 2
    assert len(webhook_receiver.unique_payloads()) == 1
    # A replayed callback stores nothing new and announces nothing twice.
    callback = next(e for e in call.exchanges if e.url.endswith("/recording"))
    assert line["provider"].post(callback.url, callback.params).status == 200
    assert len(deliveries(db_session)) == 3


def test_a_rolled_back_voicemail_leaves_no_delivery_behind(app, line, setup, db_session):
    with app.app_context():
        session = db_session
        session.begin_nested()
        stored = store_voicemail(
            session,
            MediaRequest(setup.org.id, "RE" + "9" * 32, "/2010-04-01/Recordings/RE9"),
            box_key="vm-main",
            duration_s=3,
            account=line["account"],
            provider_factory=app_provider_factory(app),
            media_root=Path(app.config["MEDIA_FOLDER"]),
        )
        assert stored is not None
        assert len(deliveries(session)) == 3  # inside the transaction: both exist
        session.rollback()
    assert db_session.execute(select(Voicemail)).first() is None
    assert db_session.execute(select(OutboxDelivery)).first() is None


def test_wake_fires_after_commit_and_not_after_rollback(setup, db_session, make_voicemail):
    voicemail = make_voicemail(setup.box)
    enqueue.WAKE.clear()
    enqueue.enqueue_voicemail(db_session, voicemail)
    assert not enqueue.WAKE.is_set()  # not before the rows are visible
    db_session.rollback()
    assert not enqueue.WAKE.is_set()
    enqueue.enqueue_voicemail(db_session, voicemail)
    db_session.commit()
    assert enqueue.WAKE.is_set()


def test_recipients_follow_listeners_links_and_subscriptions(
    setup, db_session, make_voicemail, make_user
):
    setup.listener.active = False  # a deactivated listener gets nothing
    setup.endpoint.events = ["fax.received"]  # not subscribed to voicemails
    db_session.commit()
    rows = enqueue.enqueue_voicemail(db_session, make_voicemail(setup.box))
    assert [(r.channel, r.telegram_chat_id) for r in rows] == [("telegram", setup.group.id)]


def test_no_bot_means_no_telegram_rows(setup, db_session, make_voicemail):
    from ivr_designer.models import TelegramBot

    db_session.delete(db_session.execute(select(TelegramBot)).scalar_one())
    db_session.commit()
    rows = enqueue.enqueue_voicemail(db_session, make_voicemail(setup.box))
    assert [r.channel for r in rows] == ["webhook"]


def test_late_media_makes_waiting_deliveries_due_at_once(app, setup, db_session, make_voicemail):
    from ivr_designer.models.base import utcnow

    voicemail = make_voicemail(setup.box, with_media=False)
    enqueue.enqueue_voicemail(db_session, voicemail)
    db_session.commit()
    deliver_due(app)  # postponed: the recording is not there yet
    assert all(r.next_attempt_at > utcnow() for r in deliveries(db_session))
    assert enqueue.media_ready(db_session, "voicemail", voicemail.id) == 3
    db_session.commit()
    assert all(r.next_attempt_at <= utcnow() for r in deliveries(db_session))
