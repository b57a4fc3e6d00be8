"""Delivery over real HTTP: the fake Telegram and a Standard Webhooks receiver."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from integrations.notify.telegram_links import derive_key, verify_callback
from ivr_designer.models import AuditEntry, OutboxDelivery, TelegramChat, Voicemail
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.enqueue import enqueue_event, enqueue_fax, enqueue_voicemail
from ivr_designer.outbox.worker import WorkerHandle, deliver_due, lookahead
from tests.ivr_designer.outbox.conftest import (
    ADMIN_CHAT,
    GROUP_CHAT,
    LISTENER_CHAT,
    attempts,
    deliveries,
    make_due,
)


@pytest.fixture
def store(db_session, make_voicemail):
    """A voicemail stored and announced in one commit, as the recording callback does."""

    def store(box, **fields) -> Voicemail:
        voicemail = make_voicemail(box, **fields)
        enqueue_voicemail(db_session, voicemail)
        db_session.commit()
        return voicemail

    return store


def test_a_voicemail_is_announced_to_every_recipient_when_all_are_up(
    app, setup, store, db_session, fake_telegram, webhook_receiver
):
    voicemail = store(setup.box, caller="+4511223344", transcription="Ring <mig> & tak")
    rows = deliveries(db_session)
    assert sorted((r.channel, r.telegram_chat_id or r.webhook_endpoint_id) for r in rows) == sorted(
        [
            ("telegram", setup.chat.id),
            ("telegram", setup.group.id),
            ("webhook", setup.endpoint.id),
        ]
    )  # not the admin's chat: the admin does not listen to this box

    assert deliver_due(app) == 3

    assert {r.status for r in deliveries(db_session)} == {"delivered"}
    voices = fake_telegram.fake.calls("sendVoice")
    assert {int(v.fields["chat_id"]) for v in voices} == {LISTENER_CHAT, GROUP_CHAT}
    for voice in voices:
        _name, data = voice.files["voice"]
        assert data.startswith(b"OggS")  # OGG/Opus, not the WAV
        caption = voice.fields["caption"]
        assert "Main line" in caption
        assert "+4511223344" in caption
        assert "&lt;mig&gt; &amp; tak" in caption  # escaped for Telegram's HTML
        buttons = voice.reply_markup["inline_keyboard"][0]
        assert [b["text"] for b in buttons] == ["Claim", "Handled"]
        # Signed with the key the Telegram webhook checks (derived from SECRET_KEY).
        key = derive_key(app.config["SECRET_KEY"])
        assert [verify_callback(key, b["callback_data"]) for b in buttons] == [
            (voicemail.id, "claim"),
            (voicemail.id, "handled"),
        ]
    [hook] = webhook_receiver.received
    assert hook.verified
    [webhook_row] = deliveries(db_session, channel="webhook")
    assert hook.headers["webhook-id"] == webhook_row.idempotency_key
    data = hook.payload["data"]
    assert hook.payload["type"] == "voicemail.created"
    assert (data["id"], data["box"], data["caller"]) == (voicemail.id, "Main line", "+4511223344")
    assert data["media_url"].startswith("http://localhost/media/signed/")
    assert b"RIFF" not in hook.body  # a link, never the recording itself
    for row in deliveries(db_session):
        [attempt] = attempts(db_session, row)
        assert attempt.outcome == "delivered"
        assert row.delivered_at is not None
        assert row.attempts == 1


def test_a_fax_reaches_its_box_chats_as_a_pdf(
    app, setup, db_session, make_fax, fake_telegram, webhook_receiver
):
    fax = make_fax(setup.fax_box, pages=2)
    rows = enqueue_fax(db_session, fax)
    db_session.commit()
    assert sorted(r.channel for r in rows) == ["telegram", "webhook"]  # listener + endpoint
    deliver_due(app)
    [document] = fake_telegram.fake.calls("sendDocument")
    assert document.files["document"][1].startswith(b"%PDF")
    assert "2 pages" in document.fields["caption"]
    [hook] = webhook_receiver.received
    assert hook.payload["type"] == "fax.received"
    assert hook.payload["data"]["pages"] == 2


def test_outage_then_recovery_is_delivered_exactly_once_to_the_receiver(
    app, setup, store, db_session, webhook_receiver
):
    setup.chat.active = setup.group.active = False  # webhook only
    db_session.commit()
    store(setup.box)
    for status in (503, 500, 502):
        webhook_receiver.respond(status)
    for _ in range(4):
        assert deliver_due(app) == 1
        make_due(db_session)
    [row] = deliveries(db_session)
    assert (row.status, row.attempts) == ("delivered", 4)
    assert [a.outcome for a in attempts(db_session, row)] == ["retry"] * 3 + ["delivered"]
    assert len(webhook_receiver.received) == 4
    assert {r.headers["webhook-id"] for r in webhook_receiver.received} == {row.idempotency_key}
    assert len(webhook_receiver.unique_payloads()) == 1  # what an idempotent receiver keeps
    db_session.refresh(setup.endpoint)
    assert setup.endpoint.consecutive_failures == 0  # the success ended the failure run


def test_a_retry_waits_its_backoff(app, setup, store, db_session, webhook_receiver):
    setup.chat.active = setup.group.active = False
    db_session.commit()
    store(setup.box)
    webhook_receiver.respond(503)
    deliver_due(app)
    [row] = deliveries(db_session)
    assert row.status == "pending"
    assert row.next_attempt_at > utcnow()
    assert deliver_due(app) == 0  # not due yet
    assert len(webhook_receiver.received) == 1


def test_telegram_flood_control_retry_after_is_honoured(
    app, setup, store, db_session, fake_telegram
):
    setup.group.active = False
    db_session.commit()
    store(setup.box)
    fake_telegram.fake.fail_next(429, "Too Many Requests: retry after 120", retry_after=120)
    before = utcnow()
    deliver_due(app)
    [row] = deliveries(db_session, channel="telegram")
    assert (row.status, row.last_status_code) == ("pending", 429)
    assert row.next_attempt_at >= before + timedelta(seconds=119)
    assert deliver_due(app) == 0  # Telegram said when; nothing earlier
    assert len(fake_telegram.fake.received) == 1


def test_dead_letter_after_the_limit_is_listed_and_retried_by_an_admin(
    app, setup, store, db_session, webhook_receiver, client, bearer
):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    setup.chat.active = setup.group.active = False
    db_session.commit()
    store(setup.box)
    for _ in range(3):
        webhook_receiver.respond(500)
    for _ in range(3):
        deliver_due(app)
        make_due(db_session)
    [row] = deliveries(db_session)
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "HTTP 500")
    assert deliver_due(app) == 0  # dead rows are left alone

    admin = bearer(setup.admin)
    listed = client.get("/api/deliveries?status=dead", headers=admin)
    assert listed.status_code == 200
    [shown] = listed.json
    assert (shown["id"], shown["status"], shown["attempts"]) == (row.id, "dead", 3)
    assert shown["target"] == f"Webhook: {webhook_receiver.url}"
    assert client.get("/api/deliveries?status=pending", headers=admin).json == []
    assert client.get("/api/deliveries?status=nonsense", headers=admin).status_code == 422
    assert client.get("/api/deliveries", headers=bearer(setup.listener)).status_code == 403

    retried = client.post(f"/api/deliveries/{row.id}/retry", headers=admin)
    assert retried.status_code == 200, retried.json
    assert (retried.json["status"], retried.json["attempts"]) == ("pending", 0)
    audit = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "outbox_delivery.retry")
    ).scalar_one()
    assert audit.object_id == str(row.id)
    again = client.post(f"/api/deliveries/{row.id}/retry", headers=admin)
    assert again.status_code == 409
    assert set(again.json) == {"error", "fields"}

    assert deliver_due(app) == 1
    [row] = deliveries(db_session)
    assert row.status == "delivered"
    assert len(webhook_receiver.unique_payloads()) == 1


def test_a_blocked_bot_dead_letters_and_unlinks_the_chat(
    app, setup, store, db_session, fake_telegram
):
    fake_telegram.fake.chats[LISTENER_CHAT] = "blocked"
    del fake_telegram.fake.chats[GROUP_CHAT]  # "chat not found"
    store(setup.box)
    deliver_due(app)
    rows = {r.telegram_chat_id: r for r in deliveries(db_session, channel="telegram")}
    assert rows[setup.chat.id].status == "dead"
    assert rows[setup.chat.id].last_status_code == 403
    assert rows[setup.group.id].status == "dead"
    db_session.expire_all()
    chats = {c.id: c.active for c in db_session.execute(select(TelegramChat)).scalars()}
    assert chats[setup.chat.id] is False
    assert chats[setup.group.id] is False
    assert chats[setup.admin_chat.id] is True


def test_a_young_voicemail_without_media_waits_for_it(app, setup, store, db_session, fake_telegram):
    voicemail = store(setup.box, with_media=False)
    deliver_due(app)
    rows = deliveries(db_session)
    assert {r.status for r in rows} == {"pending"}
    assert all(r.attempts == 0 and r.next_attempt_at > utcnow() for r in rows)
    assert fake_telegram.fake.received == []
    # Long past the wait: staff get the text alone rather than nothing.
    voicemail.created_at = utcnow() - timedelta(hours=1)
    db_session.commit()
    make_due(db_session)
    deliver_due(app)
    assert {r.status for r in deliveries(db_session, channel="telegram")} == {"delivered"}
    assert len(fake_telegram.fake.calls("sendMessage")) == 2


def test_a_deleted_voicemail_or_unlinked_chat_cancels(
    app, setup, store, db_session, fake_telegram, webhook_receiver
):
    voicemail = store(setup.box)
    setup.chat.active = False
    db_session.commit()
    rows = deliveries(db_session)
    db_session.execute(
        OutboxDelivery.__table__.update()
        .where(OutboxDelivery.id != rows[0].id)
        .values(subject_id=voicemail.id + 10_000)
    )
    db_session.commit()
    deliver_due(app)
    assert {r.status for r in deliveries(db_session)} == {"cancelled"}
    assert fake_telegram.fake.received == []
    assert webhook_receiver.received == []


def test_a_failing_endpoint_is_disabled_with_an_audit_entry_and_an_admin_notice(
    app, setup, store, db_session, webhook_receiver, fake_telegram
):
    app.config["WEBHOOK_DISABLE_AFTER_FAILURES"] = 2
    app.config["WEBHOOK_DISABLE_AFTER_HOURS"] = 0
    setup.chat.active = setup.group.active = False
    db_session.commit()
    store(setup.box)
    store(setup.box)
    webhook_receiver.respond(500)
    webhook_receiver.respond(500)
    deliver_due(app)
    db_session.refresh(setup.endpoint)
    assert setup.endpoint.enabled is False
    assert "2 failed deliveries" in setup.endpoint.disabled_reason
    assert db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "webhook_endpoint.disabled")
    ).scalar_one()
    [notice] = deliveries(db_session, event="admin.notice")
    assert notice.telegram_chat_id == setup.admin_chat.id
    deliver_due(app)
    [message] = fake_telegram.fake.calls("sendMessage")
    assert int(message.fields["chat_id"]) == ADMIN_CHAT
    assert webhook_receiver.url in message.fields["text"]
    # Nothing more goes to the disabled endpoint.
    later = store(setup.box)
    assert deliveries(db_session, subject_id=later.id) == []
    make_due(db_session)
    deliver_due(app)  # what was still waiting for it is cancelled, not sent
    assert len(webhook_receiver.received) == 2
    assert {r.status for r in deliveries(db_session, channel="webhook")} == {"cancelled"}


def test_other_events_go_to_subscribed_endpoints_once_per_occurrence(
    app, setup, db_session, webhook_receiver
):
    setup.endpoint.events = ["licence.expiring"]
    db_session.commit()
    for _ in range(2):
        enqueue_event(
            db_session,
            org_id=setup.org.id,
            event="licence.expiring",
            payload={"text": "Hold music ends soon", "days_left": 7},
            to_admins=True,
            dedupe="agreement:1:2026-12-31:7",
        )
    db_session.commit()
    rows = deliveries(db_session)
    assert sorted(r.channel for r in rows) == ["telegram", "webhook"]  # admin chat + endpoint
    deliver_due(app)
    [hook] = webhook_receiver.received
    assert hook.payload["data"]["days_left"] == 7
    assert hook.payload["data"]["text"] == "Hold music ends soon"


@pytest.mark.parametrize(
    ("lease", "timeout", "expected"),
    [(120, 10, 3), (60, 10, 2), (2, 10, 1), (1000, 1, 3)],
)
def test_a_thread_queues_only_what_it_can_send_before_the_lease_runs_out(
    app, lease, timeout, expected
):
    app.config.update(NOTIFY_LEASE_SECONDS=lease, NOTIFY_TIMEOUT_SECONDS=timeout)
    assert lookahead(app) == expected
    handle = WorkerHandle(app, threads=2)  # not started: its claim budget only
    assert handle._free_slots() == 2 * expected
