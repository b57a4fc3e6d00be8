"""A transcription that arrives after the voicemail went out: the Telegram voice
messages get their caption edited (through the outbox) and webhooks hear
``voicemail.transcribed``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ivr_designer.models import Voicemail
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.worker import deliver_due
from tests.conftest import TEST_AUTH_TOKEN
from tests.ivr_designer.fake_provider import CallScript, FakeProvider, client_transport
from tests.ivr_designer.outbox.conftest import GROUP_CHAT, LISTENER_CHAT, deliveries, make_due

EXAMPLES = Path(__file__).parents[3] / "flows" / "examples"
BASE = "http://localhost"
NUMBER = "+4570000001"
TEXT = {"TranscriptionText": "Ring mig tilbage på 12 34 56 78", "TranscriptionStatus": "completed"}


@pytest.fixture
def line(setup, make_flow, make_provider_account, make_number, client, db_session):
    """The main-number example (forced open); recordings download from the fake."""
    document = json.loads((EXAMPLES / "main_number.json").read_text())
    document["nodes"]["hours"]["props"]["override"] = "open"
    account = make_provider_account(setup.org, account_sid="AC" + "3" * 32)
    flow = make_flow(setup.org, "main_number", document, published=True)
    make_number(setup.org, NUMBER, voice_flow=flow, provider_account=account)
    provider = FakeProvider(account.account_sid, TEST_AUTH_TOKEN, client_transport(client)).start()
    account.api_base_url = provider.rest_url
    setup.endpoint.events = ["voicemail.created", "voicemail.transcribed"]
    db_session.commit()
    yield provider
    provider.stop()


def _leave_voicemail(provider: FakeProvider):
    """A call that leaves a voicemail; the recording callback comes without text."""
    call = provider.call(BASE, NUMBER, script=CallScript(digits=["2"], dial=["no-answer"] * 3))
    return next(e for e in call.exchanges if e.url.endswith("/recording"))


def _transcribe(provider: FakeProvider, callback) -> None:
    assert provider.post(callback.url, {**callback.params, **TEXT}).status == 200


def test_a_late_transcription_edits_the_sent_voice_messages_and_reaches_webhooks(
    app, line, setup, db_session, fake_telegram, webhook_receiver
):
    callback = _leave_voicemail(line)
    assert deliver_due(app) == 3  # two voice messages, one webhook
    sent = {int(c.fields["chat_id"]): c for c in fake_telegram.fake.calls("sendVoice")}
    assert set(sent) == {LISTENER_CHAT, GROUP_CHAT}
    assert "Ring mig" not in sent[LISTENER_CHAT].fields["caption"]
    originals = deliveries(db_session, event="voicemail.created", channel="telegram")
    assert all(row.remote_id and row.remote_id.isdigit() for row in originals)

    _transcribe(line, callback)
    _transcribe(line, callback)  # the provider repeats itself: announced once
    queued = deliveries(db_session, event="voicemail.transcribed")
    assert sorted(row.channel for row in queued) == ["telegram", "telegram", "webhook"]
    assert fake_telegram.fake.calls("editMessageCaption") == []  # the worker's job

    assert deliver_due(app) == 3
    edits = fake_telegram.fake.calls("editMessageCaption")
    by_chat = {int(e.fields["chat_id"]): e for e in edits}
    assert set(by_chat) == {LISTENER_CHAT, GROUP_CHAT}
    for original in originals:
        chat_id = LISTENER_CHAT if original.telegram_chat_id == setup.chat.id else GROUP_CHAT
        edit = by_chat[chat_id]
        assert edit.fields["message_id"] == original.remote_id
        shown = fake_telegram.fake.messages[(chat_id, int(original.remote_id))]
        assert "Ring mig tilbage på 12 34 56 78" in shown["caption"]
        assert shown["caption"].startswith("New voicemail · Main line")  # same layout
        # The buttons stay (an edit without them would remove the keyboard).
        assert shown["reply_markup"] == json.loads(sent[chat_id].fields["reply_markup"])
    assert {row.status for row in deliveries(db_session)} == {"delivered"}

    hooks = [r.payload for r in webhook_receiver.received if r.verified]
    [transcribed] = [p for p in hooks if p["type"] == "voicemail.transcribed"]
    voicemail = db_session.execute(select(Voicemail)).scalar_one()
    assert transcribed["data"]["id"] == voicemail.id
    assert transcribed["data"]["transcription"] == TEXT["TranscriptionText"]
    assert "edits" not in transcribed["data"]


def test_a_transcription_before_the_voice_message_went_out_needs_no_edit(
    app, line, setup, db_session, fake_telegram, webhook_receiver
):
    callback = _leave_voicemail(line)
    _transcribe(line, callback)
    queued = deliveries(db_session, event="voicemail.transcribed")
    assert [row.channel for row in queued] == ["webhook"]  # nothing to edit yet
    deliver_due(app)
    for voice in fake_telegram.fake.calls("sendVoice"):
        assert "Ring mig tilbage" in voice.fields["caption"]  # built when sent
    assert fake_telegram.fake.calls("editMessageCaption") == []


def test_an_edit_waits_for_a_message_being_sent_and_is_dropped_for_one_never_sent(
    app, line, setup, db_session, fake_telegram
):
    callback = _leave_voicemail(line)
    listener, group = deliveries(db_session, event="voicemail.created", channel="telegram")
    listener.status = "delivering"  # a worker is sending it right now
    group.status = "dead"  # this one never went out
    db_session.commit()
    _transcribe(line, callback)
    [edit] = deliveries(db_session, event="voicemail.transcribed", channel="telegram")
    assert edit.telegram_chat_id == setup.chat.id

    deliver_due(app)
    db_session.refresh(edit)
    assert (edit.status, edit.attempts) == ("pending", 0)  # waits, no failed try
    assert edit.next_attempt_at > utcnow()

    listener.status = "dead"  # the send failed for good: nothing to edit
    db_session.commit()
    make_due(db_session)
    deliver_due(app)
    db_session.refresh(edit)
    assert edit.status == "cancelled"
    assert fake_telegram.fake.calls("editMessageCaption") == []


def test_a_voicemail_sent_as_text_gets_its_text_edited(
    app, setup, db_session, fake_telegram, make_voicemail
):
    from ivr_designer.outbox.enqueue import enqueue_transcription, enqueue_voicemail

    setup.group.active = False
    setup.endpoint.events = ["fax.received"]
    db_session.commit()
    voicemail = make_voicemail(setup.box, with_media=False)
    voicemail.status = "failed"  # the recording never came: staff get the text alone
    enqueue_voicemail(db_session, voicemail)
    db_session.commit()
    deliver_due(app)
    [text] = fake_telegram.fake.calls("sendMessage")
    voicemail.transcription = "Bitte zurückrufen"
    enqueue_transcription(db_session, voicemail)
    db_session.commit()
    deliver_due(app)
    assert [c.method for c in fake_telegram.fake.received[1:]] == [
        "editMessageCaption",
        "editMessageText",
    ]
    [original] = deliveries(db_session, event="voicemail.created")
    shown = fake_telegram.fake.messages[(LISTENER_CHAT, int(original.remote_id))]
    assert "Bitte zurückrufen" in shown["text"]
    assert shown["reply_markup"] == json.loads(text.fields["reply_markup"])
    assert {row.status for row in deliveries(db_session)} == {"delivered"}
