"""The bot's webhook: the secret header before anything else, never a 5xx to Telegram,
and the "Claim" / "Handled" buttons acting on the shared inbox as the linked person."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from integrations.notify import Notification, Outcome, registry
from integrations.notify.telegram_links import sign_callback
from ivr_designer.models import AuditEntry, TelegramChat, TelegramLinkToken, Voicemail
from ivr_designer.telegram.bots import callback_key
from tests.ivr_designer.telegram.conftest import BOT_TOKEN, message_update, press_update

STAFF_CHAT = 6001
GROUP_CHAT = -6002


def _token(deep_link: str) -> str:
    (values,) = parse_qs(urlsplit(deep_link).query).values()
    return values[0]


@pytest.fixture
def world(
    setup_bot, client, bearer, make_user, make_box, make_voicemail, org, post_update, fake_telegram
):
    """A bot, a listener (Bo) with a linked private chat, a voicemail in Bo's box."""
    secret = setup_bot()
    bo = make_user(org, name="Bo Listener")
    box = make_box(org, name="Sales", listeners=[bo])
    fake_telegram.fake.chats[STAFF_CHAT] = "ok"
    fake_telegram.fake.chats[GROUP_CHAT] = "ok"
    token = _token(client.post("/api/me/telegram/link", headers=bearer(bo)).json["deep_link"])
    assert (
        post_update(org, message_update(f"/start {token}", chat_id=STAFF_CHAT), secret).status_code
        == 200
    )
    voicemail = make_voicemail(box)
    with client.application.app_context():
        key = callback_key()
    return {
        "secret": secret,
        "bo": bo,
        "box": box,
        "voicemail": voicemail,
        "key": key,
        "app_secret": client.application.config["SECRET_KEY"],
    }


def _voicemail(db_session, voicemail_id: int) -> Voicemail:
    db_session.expire_all()
    return db_session.get(Voicemail, voicemail_id)


def _sent_voicemail(
    fake_telegram, world, chat_id: int, tmp_path: Path
) -> tuple[int, dict[str, str]]:
    """Send the voicemail as the outbox does: the real channel, buttons signed with the
    app's SECRET_KEY (the setting the worker gives the channel)."""
    ogg = tmp_path / "vm.ogg"
    ogg.write_bytes(b"OggS" + b"\0" * 64)
    channel = registry.get(
        "telegram",
        {
            "telegram_base_url": fake_telegram.base_url,
            "telegram_callback_secret": world["app_secret"],
        },
    )
    note = Notification(
        event="voicemail.created",
        occurred_at=datetime.now(UTC),
        object_id=world["voicemail"].id,
        box_name="Sales",
        caller="+4511223344",
        media_path=ogg,
    )
    result = channel.deliver(
        note, {"bot_token": BOT_TOKEN, "chat_id": chat_id}, idempotency_key="msg_t", timeout=5
    )
    assert result.outcome is Outcome.DELIVERED, result
    call = fake_telegram.fake.calls("sendVoice")[-1]
    buttons = {b["text"]: b["callback_data"] for b in call.reply_markup["inline_keyboard"][0]}
    return int(result.remote_id), buttons


def _answers(fake_telegram) -> list[str]:
    return [c.fields.get("text", "") for c in fake_telegram.fake.calls("answerCallbackQuery")]


def _buttons(fake_telegram, chat_id: int, message_id: int) -> list[str]:
    markup = fake_telegram.fake.messages[(chat_id, message_id)]["reply_markup"]
    return [b["text"] for b in markup["inline_keyboard"][0]]


# --- the secret header, first -------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "wrong-secret", "x" * 300])
def test_wrong_or_missing_secret_is_refused_with_no_side_effects(
    world, org, post_update, fake_telegram, db_session, client, bearer, header
):
    token = _token(
        client.post("/api/me/telegram/link", headers=bearer(world["bo"])).json["deep_link"]
    )
    before = len(fake_telegram.fake.received)
    response = post_update(org, message_update(f"/start {token}", chat_id=6100), header)
    assert response.status_code == 403
    assert set(response.json) == {"error", "fields"}
    pressed = post_update(
        org,
        press_update(
            sign_callback(world["key"], world["voicemail"].id, "claim"),
            from_id=STAFF_CHAT,
            chat_id=STAFF_CHAT,
            message_id=1,
        ),
        header,
    )
    assert pressed.status_code == 403
    assert len(fake_telegram.fake.received) == before  # no reply, no answer
    db_session.expire_all()
    assert (
        db_session.execute(select(TelegramChat).where(TelegramChat.chat_id == 6100)).first() is None
    )
    assert db_session.execute(
        select(TelegramLinkToken).where(TelegramLinkToken.used_at.is_(None))
    ).first()
    assert _voicemail(db_session, world["voicemail"].id).claimed_by_id is None


def test_the_secret_is_checked_before_the_body_is_read(world, org, client):
    from integrations.notify.telegram_links import SECRET_TOKEN_HEADER

    response = client.post(
        f"/hooks/telegram/{org.id}",
        data=b"{not json",
        headers={SECRET_TOKEN_HEADER: "wrong", "Content-Type": "application/json"},
    )
    assert response.status_code == 403  # not 400: the body was never looked at


def test_the_secret_of_another_org_does_not_open_this_one(
    world, org, make_org, make_user, client, bearer, post_update, fake_telegram
):
    other = make_org()
    other_admin = make_user(other, role="org_admin")
    fake_telegram.fake.add_bot("777:CCH-third-token_for-tests-000000", "third_bot")
    client.put(
        "/api/telegram/bot",
        json={"token": "777:CCH-third-token_for-tests-000000"},
        headers=bearer(other_admin),
    )
    other_secret = fake_telegram.fake.webhooks["777:CCH-third-token_for-tests-000000"][
        "secret_token"
    ]
    assert (
        post_update(org, message_update("/stop", chat_id=STAFF_CHAT), other_secret).status_code
        == 403
    )
    assert (
        post_update(other, message_update("/stop", chat_id=STAFF_CHAT), other_secret).status_code
        == 200
    )


def test_unknown_org_or_org_without_bot_is_404(world, make_org, post_update):
    assert (
        post_update(make_org(), message_update("/stop", chat_id=1), world["secret"]).status_code
        == 404
    )

    class Missing:
        id = 987654

    assert (
        post_update(Missing, message_update("/stop", chat_id=1), world["secret"]).status_code == 404
    )


def test_malformed_json_is_a_400(world, org, client):
    from integrations.notify.telegram_links import SECRET_TOKEN_HEADER

    response = client.post(
        f"/hooks/telegram/{org.id}",
        data=b"{not json",
        headers={SECRET_TOKEN_HEADER: world["secret"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json["error"] == "malformed JSON body"
    listed = client.post(
        f"/hooks/telegram/{org.id}", json=[1, 2], headers={SECRET_TOKEN_HEADER: world["secret"]}
    )
    assert listed.status_code == 400


def test_an_update_that_breaks_the_handler_still_gets_200(world, org, post_update, caplog):
    broken = press_update("vm:1:claim:x", from_id=STAFF_CHAT, chat_id=STAFF_CHAT, message_id=1)
    broken["callback_query"]["message"] = "not an object"
    broken["callback_query"]["data"] = sign_callback(world["key"], world["voicemail"].id, "claim")
    with caplog.at_level(logging.ERROR):
        assert post_update(org, broken, world["secret"]).status_code == 200
    assert "failed" in caplog.text


def test_other_updates_are_accepted_and_ignored(world, org, post_update, fake_telegram):
    before = len(fake_telegram.fake.received)
    for update in (
        {"update_id": 1},
        message_update("hello there", chat_id=STAFF_CHAT),
        {"update_id": 2, "edited_message": {}},
    ):
        assert post_update(org, update, world["secret"]).status_code == 200
    assert len(fake_telegram.fake.received) == before


@pytest.mark.parametrize(
    ("status", "description", "extra"),
    [
        (401, "Unauthorized", {}),
        (400, "Bad Request: chat not found", {}),
        (403, "Forbidden: bot was blocked by the user", {}),
        (429, "Too Many Requests: retry after 5", {"retry_after": 5}),
    ],
)
def test_telegram_errors_on_the_reply_do_not_undo_the_link(
    setup_bot,
    client,
    bearer,
    make_user,
    org,
    post_update,
    fake_telegram,
    db_session,
    status,
    description,
    extra,
):
    secret = setup_bot()
    person = make_user(org)
    token = _token(client.post("/api/me/telegram/link", headers=bearer(person)).json["deep_link"])
    fake_telegram.fake.chats[6200] = "ok"
    fake_telegram.fake.fail_next(status, description, **extra)
    response = post_update(org, message_update(f"/start {token}", chat_id=6200), secret)
    assert response.status_code == 200
    assert fake_telegram.fake.calls("sendMessage")  # the reply was tried
    chat = db_session.execute(select(TelegramChat).where(TelegramChat.chat_id == 6200)).scalar_one()
    assert chat.user_id == person.id
    assert chat.active is True


# --- buttons --------------------------------------------------------------------------


def test_claim_then_handled_through_the_buttons(
    world, org, post_update, fake_telegram, db_session, tmp_path
):
    message_id, buttons = _sent_voicemail(fake_telegram, world, STAFF_CHAT, tmp_path)
    assert list(buttons) == ["Claim", "Handled"]

    press = press_update(
        buttons["Claim"], from_id=STAFF_CHAT, chat_id=STAFF_CHAT, message_id=message_id
    )
    assert post_update(org, press, world["secret"]).status_code == 200
    voicemail = _voicemail(db_session, world["voicemail"].id)
    assert voicemail.claimed_by_id == world["bo"].id
    assert voicemail.claimed_at is not None
    assert _answers(fake_telegram)[-1] == "You claimed it."
    assert (
        fake_telegram.fake.calls("answerCallbackQuery")[-1].fields["callback_query_id"]
        == press["callback_query"]["id"]
    )
    assert _buttons(fake_telegram, STAFF_CHAT, message_id) == ["✋ Bo Listener", "Handled"]

    press = press_update(
        buttons["Handled"], from_id=STAFF_CHAT, chat_id=STAFF_CHAT, message_id=message_id
    )
    assert post_update(org, press, world["secret"]).status_code == 200
    voicemail = _voicemail(db_session, world["voicemail"].id)
    assert voicemail.handled_by_id == world["bo"].id
    assert _answers(fake_telegram)[-1] == "Marked as handled."
    assert _buttons(fake_telegram, STAFF_CHAT, message_id) == ["✓ Handled by Bo Listener"]
    actions = set(
        db_session.execute(
            select(AuditEntry.action).where(AuditEntry.object_type == "voicemail")
        ).scalars()
    )
    assert {"claim", "handled"} <= actions

    # Pressing again changes nothing and says so; the unchanged buttons are not an error.
    assert post_update(org, press, world["secret"]).status_code == 200
    assert _answers(fake_telegram)[-1] == "Already handled by Bo Listener."


def test_forged_callback_data_is_refused(world, org, post_update, fake_telegram, db_session):
    forged = [
        f"vm:{world['voicemail'].id}:claim:AAAAAAAAAAAAAAAA",
        sign_callback(b"another key", world["voicemail"].id, "claim"),
        f"vm:{world['voicemail'].id}:claim",
        "anything",
    ]
    for data in forged:
        press = press_update(data, from_id=STAFF_CHAT, chat_id=STAFF_CHAT, message_id=1)
        assert post_update(org, press, world["secret"]).status_code == 200
        assert _answers(fake_telegram)[-1] == "This button is not valid."
    assert _voicemail(db_session, world["voicemail"].id).claimed_by_id is None
    assert fake_telegram.fake.calls("editMessageReplyMarkup") == []


def test_a_press_from_an_unlinked_telegram_account_is_not_allowed(
    world, org, post_update, fake_telegram, db_session
):
    data = sign_callback(world["key"], world["voicemail"].id, "claim")
    press = press_update(data, from_id=999, chat_id=GROUP_CHAT, message_id=1, chat_type="group")
    assert post_update(org, press, world["secret"]).status_code == 200
    assert "link your own Telegram" in _answers(fake_telegram)[-1]
    assert _voicemail(db_session, world["voicemail"].id).claimed_by_id is None


def test_a_linked_person_who_does_not_listen_to_the_box_is_not_allowed(
    world, org, make_user, client, bearer, post_update, fake_telegram, db_session
):
    outsider = make_user(org, name="Out Sider")
    token = _token(client.post("/api/me/telegram/link", headers=bearer(outsider)).json["deep_link"])
    post_update(org, message_update(f"/start {token}", chat_id=6300), world["secret"])
    data = sign_callback(world["key"], world["voicemail"].id, "handled")
    press = press_update(data, from_id=6300, chat_id=GROUP_CHAT, message_id=1, chat_type="group")
    assert post_update(org, press, world["secret"]).status_code == 200
    assert _answers(fake_telegram)[-1] == "Not allowed: you do not listen to this box."
    voicemail = _voicemail(db_session, world["voicemail"].id)
    assert voicemail.handled_by_id is None
    assert voicemail.claimed_by_id is None


def test_a_press_in_a_group_acts_as_the_linked_listener(
    world, org, post_update, fake_telegram, db_session, tmp_path
):
    message_id, buttons = _sent_voicemail(fake_telegram, world, GROUP_CHAT, tmp_path)
    press = press_update(
        buttons["Claim"],
        from_id=STAFF_CHAT,
        chat_id=GROUP_CHAT,
        message_id=message_id,
        chat_type="group",
    )
    assert post_update(org, press, world["secret"]).status_code == 200
    assert _voicemail(db_session, world["voicemail"].id).claimed_by_id == world["bo"].id
    assert _buttons(fake_telegram, GROUP_CHAT, message_id)[0] == "✋ Bo Listener"


def test_someone_elses_claim_is_reported_not_taken(
    world, org, make_user, client, bearer, post_update, fake_telegram, db_session, tmp_path
):
    cy = make_user(org, name="Cy")
    world["box"].listeners.append(cy)
    db_session.merge(world["box"])
    db_session.commit()
    token = _token(client.post("/api/me/telegram/link", headers=bearer(cy)).json["deep_link"])
    post_update(org, message_update(f"/start {token}", chat_id=6400), world["secret"])
    message_id, buttons = _sent_voicemail(fake_telegram, world, GROUP_CHAT, tmp_path)
    for presser in (STAFF_CHAT, 6400):
        press = press_update(
            buttons["Claim"],
            from_id=presser,
            chat_id=GROUP_CHAT,
            message_id=message_id,
            chat_type="group",
        )
        post_update(org, press, world["secret"])
    assert _answers(fake_telegram)[-1] == "Already claimed by Bo Listener."
    assert _voicemail(db_session, world["voicemail"].id).claimed_by_id == world["bo"].id

    # Handled by someone who did not claim it: the inbox refuses, the reason is shown.
    press = press_update(
        buttons["Handled"],
        from_id=6400,
        chat_id=GROUP_CHAT,
        message_id=message_id,
        chat_type="group",
    )
    post_update(org, press, world["secret"])
    assert "claimed by Bo Listener" in _answers(fake_telegram)[-1]
    assert _voicemail(db_session, world["voicemail"].id).handled_by_id is None


def test_a_deleted_voicemail_answers_gone_and_loses_its_buttons(
    world, org, post_update, fake_telegram, db_session, tmp_path
):
    message_id, buttons = _sent_voicemail(fake_telegram, world, STAFF_CHAT, tmp_path)
    db_session.delete(db_session.get(Voicemail, world["voicemail"].id))
    db_session.commit()
    press = press_update(
        buttons["Claim"], from_id=STAFF_CHAT, chat_id=STAFF_CHAT, message_id=message_id
    )
    assert post_update(org, press, world["secret"]).status_code == 200
    assert _answers(fake_telegram)[-1] == "This voicemail no longer exists."
    (edit,) = fake_telegram.fake.calls("editMessageReplyMarkup")
    assert "reply_markup" not in edit.fields  # no markup: Telegram removes the keyboard
    assert fake_telegram.fake.messages[(STAFF_CHAT, message_id)]["reply_markup"] is None


def test_a_voicemail_of_another_org_is_out_of_reach(
    world, org, make_org, make_box, make_voicemail, post_update, fake_telegram, db_session
):
    foreign = make_voicemail(make_box(make_org()))
    data = sign_callback(world["key"], foreign.id, "claim")
    press = press_update(data, from_id=STAFF_CHAT, chat_id=STAFF_CHAT, message_id=1)
    assert post_update(org, press, world["secret"]).status_code == 200
    assert _answers(fake_telegram)[-1] == "This voicemail no longer exists."
    assert _voicemail(db_session, foreign.id).claimed_by_id is None


def test_telegram_errors_on_the_answer_keep_the_claim(
    world, org, post_update, fake_telegram, db_session, tmp_path
):
    message_id, buttons = _sent_voicemail(fake_telegram, world, STAFF_CHAT, tmp_path)
    fake_telegram.fake.fail_next(
        400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    fake_telegram.fake.fail_next(429, "Too Many Requests: retry after 3", retry_after=3)
    press = press_update(
        buttons["Claim"], from_id=STAFF_CHAT, chat_id=STAFF_CHAT, message_id=message_id
    )
    assert post_update(org, press, world["secret"]).status_code == 200
    assert _voicemail(db_session, world["voicemail"].id).claimed_by_id == world["bo"].id
    assert fake_telegram.fake.calls("editMessageReplyMarkup")  # tried despite the failed answer


def test_a_database_failure_is_logged_and_answered_200(world, org, post_update, db_session, caplog):
    from sqlalchemy import text

    # The bots table vanishes inside the test's transaction (rolled back afterwards).
    db_session.execute(text("ALTER TABLE telegram_bot RENAME TO telegram_bot_gone"))
    db_session.commit()
    with caplog.at_level(logging.ERROR):
        response = post_update(org, message_update("/stop", chat_id=STAFF_CHAT), world["secret"])
    assert response.status_code == 200
    assert "database is unavailable" in caplog.text
