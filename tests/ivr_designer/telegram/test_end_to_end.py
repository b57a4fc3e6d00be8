"""The whole way round: an admin sets the bot up, a listener links their chat with
``/start``, a voicemail goes out through the outbox, and its "Claim" button claims it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from ivr_designer.models import Voicemail
from ivr_designer.outbox.enqueue import enqueue_voicemail
from ivr_designer.outbox.worker import deliver_due
from tests.ivr_designer.telegram.conftest import message_update, press_update

LISTENER_CHAT = 8001


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "NOTIFY_WORKER_THREADS": 0}


def test_link_deliver_and_claim(
    app,
    setup_bot,
    client,
    bearer,
    make_user,
    make_box,
    make_voicemail,
    org,
    post_update,
    fake_telegram,
    db_session,
):
    secret = setup_bot()
    listener = make_user(org, name="Liv Listener")
    box = make_box(org, name="Main line", listeners=[listener])
    fake_telegram.fake.chats[LISTENER_CHAT] = "ok"
    link = client.post("/api/me/telegram/link", headers=bearer(listener)).json["deep_link"]
    (token,) = parse_qs(urlsplit(link).query)["start"]
    post_update(org, message_update(f"/start {token}", chat_id=LISTENER_CHAT), secret)

    voicemail = make_voicemail(box, caller="+4512121212")
    enqueue_voicemail(db_session, voicemail)
    db_session.commit()
    assert deliver_due(app) == 1

    (voice,) = fake_telegram.fake.calls("sendVoice")
    assert int(voice.fields["chat_id"]) == LISTENER_CHAT
    message_id = next(mid for (chat, mid) in fake_telegram.fake.messages if chat == LISTENER_CHAT)
    claim = next(
        b["callback_data"] for b in voice.reply_markup["inline_keyboard"][0] if b["text"] == "Claim"
    )
    press = press_update(claim, from_id=LISTENER_CHAT, chat_id=LISTENER_CHAT, message_id=message_id)
    assert post_update(org, press, secret).status_code == 200

    db_session.expire_all()
    assert db_session.get(Voicemail, voicemail.id).claimed_by_id == listener.id
    item = client.get(f"/api/voicemails/{voicemail.id}", headers=bearer(listener)).json
    assert item["claimed_by"] == {"id": listener.id, "name": "Liv Listener"}
    markup = fake_telegram.fake.messages[(LISTENER_CHAT, message_id)]["reply_markup"]
    assert [b["text"] for b in markup["inline_keyboard"][0]] == ["✋ Liv Listener", "Handled"]
