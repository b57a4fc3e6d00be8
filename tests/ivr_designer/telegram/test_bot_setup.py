"""Setting up an org's bot: the token is checked with Telegram, the webhook is set with a
secret, both are stored encrypted and never come back out (answers, audit log, logs)."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from sqlalchemy import select

from ivr_designer import crypto
from ivr_designer.models import AuditEntry, TelegramBot, TelegramChat
from tests.ivr_designer.telegram.conftest import BOT_TOKEN, PUBLIC, message_update

OTHER_TOKEN = "654321:BBH-another-token_for-tests-98765"


def _bot(db_session, org):
    db_session.expire_all()
    return db_session.execute(
        select(TelegramBot).where(TelegramBot.org_id == org.id)
    ).scalar_one_or_none()


def _audit_text(db_session, org) -> str:
    entries = db_session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "telegram_bot")
    ).scalars()
    return json.dumps([[e.action, e.before, e.after] for e in entries])


def test_good_token_sets_the_webhook_with_a_secret_and_stores_both_encrypted(
    client, bearer, admin, org, fake_telegram, db_session, caplog
):
    caplog.set_level(logging.DEBUG)
    response = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(admin))

    assert response.status_code == 200, response.json
    body = response.json
    assert body["configured"] is True
    assert body["bot_username"] == "ivr_test_bot"
    assert body["webhook_url"] == f"{PUBLIC}/hooks/telegram/{org.id}"
    assert body["webhook_set_at"] is not None
    assert body["webhook_error"] is None

    hook = fake_telegram.fake.webhooks[BOT_TOKEN]
    assert hook["url"] == f"{PUBLIC}/hooks/telegram/{org.id}"
    assert hook["allowed_updates"] == ["message", "callback_query"]
    secret = hook["secret_token"]
    assert secret
    assert len(secret) >= 32

    bot = _bot(db_session, org)
    assert BOT_TOKEN not in bot.token_encrypted
    assert secret not in bot.webhook_secret_encrypted
    with client.application.app_context():
        assert crypto.decrypt(bot.token_encrypted) == BOT_TOKEN
        assert crypto.decrypt(bot.webhook_secret_encrypted) == secret

    shown = client.get("/api/telegram/bot", headers=bearer(admin))
    for text in (response.get_data(as_text=True), shown.get_data(as_text=True)):
        assert BOT_TOKEN not in text
        assert BOT_TOKEN.split(":")[1] not in text
        assert secret not in text
    assert shown.json == {**body, "webhook_error": None}

    audit = _audit_text(db_session, org)
    assert '"create"' in audit
    assert "[redacted]" in audit
    for leak in (
        BOT_TOKEN.split(":")[1],
        secret,
        bot.token_encrypted,
        bot.webhook_secret_encrypted,
    ):
        assert leak not in audit
    assert BOT_TOKEN.split(":")[1] not in caplog.text
    assert secret not in caplog.text


def test_a_new_put_rotates_the_webhook_secret(setup_bot, client, bearer, admin, fake_telegram):
    first = setup_bot()
    second = setup_bot()
    assert first != second
    assert fake_telegram.fake.webhooks[BOT_TOKEN]["secret_token"] == second


@pytest.mark.parametrize("token", ["not-a-token", "123:short", "abc:" + "x" * 30, " "])
def test_malformed_token_is_a_400_naming_token_without_asking_telegram(
    client, bearer, admin, org, fake_telegram, db_session, token
):
    response = client.put("/api/telegram/bot", json={"token": token}, headers=bearer(admin))
    assert response.status_code == 400, response.json
    assert "token" in response.json["fields"]
    assert fake_telegram.fake.received == []
    assert _bot(db_session, org) is None


def test_token_telegram_refuses_is_a_400_naming_token(
    client, bearer, admin, org, fake_telegram, db_session
):
    response = client.put("/api/telegram/bot", json={"token": OTHER_TOKEN}, headers=bearer(admin))
    assert response.status_code == 400
    assert set(response.json) == {"error", "fields"}
    assert "token" in response.json["fields"]
    assert [r.method for r in fake_telegram.fake.received] == ["getMe"]
    assert _bot(db_session, org) is None
    assert OTHER_TOKEN.split(":")[1] not in response.get_data(as_text=True)


def test_telegram_unreachable_is_a_502_json(client, bearer, admin, org, app, db_session):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{port}"
    response = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(admin))
    assert response.status_code == 502
    assert set(response.json) == {"error", "fields"}
    assert BOT_TOKEN.split(":")[1] not in response.get_data(as_text=True)
    assert _bot(db_session, org) is None


def test_telegram_flood_control_is_a_503(client, bearer, admin, org, fake_telegram, db_session):
    fake_telegram.fake.fail_next(429, "Too Many Requests: retry after 7", retry_after=7)
    response = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(admin))
    assert response.status_code == 503
    assert _bot(db_session, org) is None


def test_telegram_server_error_is_a_502(client, bearer, admin, org, fake_telegram, db_session):
    fake_telegram.fake.fail_next(500, "Internal Server Error")
    response = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(admin))
    assert response.status_code == 502
    assert _bot(db_session, org) is None


def test_webhook_refused_by_telegram_keeps_the_bot_and_says_why(
    client, bearer, admin, org, app, fake_telegram, db_session
):
    app.config["PUBLIC_BASE_URL"] = "http://localhost:5000"
    response = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(admin))
    assert response.status_code == 200
    assert response.json["webhook_set_at"] is None
    assert "https url must be provided" in response.json["webhook_error"].lower()
    assert BOT_TOKEN not in fake_telegram.fake.webhooks
    assert _bot(db_session, org).webhook_set_at is None


def test_delete_removes_the_webhook_the_bot_and_every_link(
    setup_bot, client, bearer, admin, org, fake_telegram, db_session, post_update
):
    secret = setup_bot()
    link = client.post("/api/me/telegram/link", headers=bearer(admin)).json["deep_link"]
    fake_telegram.fake.chats[700] = "ok"
    post_update(org, message_update(f"/start {link.rsplit('=', 1)[1]}", chat_id=700), secret)

    response = client.delete("/api/telegram/bot", headers=bearer(admin))
    assert response.status_code == 204
    assert BOT_TOKEN not in fake_telegram.fake.webhooks
    assert fake_telegram.fake.calls("deleteWebhook")
    assert _bot(db_session, org) is None
    chat = db_session.execute(select(TelegramChat)).scalar_one()
    assert chat.active is False
    assert chat.unlinked_at is not None
    assert client.get("/api/telegram/bot", headers=bearer(admin)).json["configured"] is False
    assert client.delete("/api/telegram/bot", headers=bearer(admin)).status_code == 404
    # With the bot gone, its old webhook address is not found any more.
    assert post_update(org, message_update("/stop", chat_id=700), secret).status_code == 404
    assert '"delete"' in _audit_text(db_session, org)


def test_delete_succeeds_when_telegram_refuses_the_old_token(
    setup_bot, client, bearer, admin, org, fake_telegram, db_session
):
    setup_bot()
    fake_telegram.fake.tokens.clear()  # revoked at @BotFather meanwhile
    assert client.delete("/api/telegram/bot", headers=bearer(admin)).status_code == 204
    assert _bot(db_session, org) is None


def test_another_bot_replaces_the_old_one_and_ends_its_links(
    setup_bot, client, bearer, admin, org, fake_telegram, db_session, post_update
):
    secret = setup_bot()
    token = client.post("/api/me/telegram/link", headers=bearer(admin)).json["deep_link"]
    fake_telegram.fake.chats[701] = "ok"
    post_update(org, message_update(f"/start {token.rsplit('=', 1)[1]}", chat_id=701), secret)
    fake_telegram.fake.add_bot(OTHER_TOKEN, "other_ivr_bot")

    response = client.put("/api/telegram/bot", json={"token": OTHER_TOKEN}, headers=bearer(admin))
    assert response.status_code == 200
    assert response.json["bot_username"] == "other_ivr_bot"
    assert BOT_TOKEN not in fake_telegram.fake.webhooks  # the old bot let go of our URL
    assert OTHER_TOKEN in fake_telegram.fake.webhooks
    chat = db_session.execute(select(TelegramChat)).scalar_one()
    assert chat.active is False
    assert '"update"' in _audit_text(db_session, org)


def test_same_bot_again_keeps_the_links(
    setup_bot, client, bearer, admin, org, fake_telegram, db_session, post_update
):
    secret = setup_bot()
    token = client.post("/api/me/telegram/link", headers=bearer(admin)).json["deep_link"]
    fake_telegram.fake.chats[702] = "ok"
    post_update(org, message_update(f"/start {token.rsplit('=', 1)[1]}", chat_id=702), secret)
    setup_bot()
    assert db_session.execute(select(TelegramChat)).scalar_one().active is True


def test_staff_cannot_touch_the_bot(client, bearer, make_user, org, fake_telegram):
    staff = make_user(org)
    headers = bearer(staff)
    assert client.get("/api/telegram/bot", headers=headers).status_code == 403
    put = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=headers)
    assert put.status_code == 403
    assert client.delete("/api/telegram/bot", headers=headers).status_code == 403
    assert fake_telegram.fake.received == []


def test_system_admin_names_the_org(client, bearer, make_user, org, fake_telegram):
    root = make_user(None, role="system_admin")
    missing = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(root))
    assert missing.status_code == 422
    assert "org_id" in missing.json["fields"]
    named = client.put(
        "/api/telegram/bot", json={"token": BOT_TOKEN, "org_id": org.id}, headers=bearer(root)
    )
    assert named.status_code == 200
    assert named.json["webhook_url"].endswith(f"/hooks/telegram/{org.id}")
    got = client.get(f"/api/telegram/bot?org_id={org.id}", headers=bearer(root))
    assert got.json["configured"] is True


def test_an_admin_of_another_org_gets_404(client, bearer, make_org, make_user, org, setup_bot):
    setup_bot()
    other_admin = make_user(make_org(), role="org_admin")
    response = client.get(f"/api/telegram/bot?org_id={org.id}", headers=bearer(other_admin))
    assert response.status_code == 404
    mine = client.get("/api/telegram/bot", headers=bearer(other_admin))
    assert mine.json["configured"] is False


def test_a_bot_of_another_org_is_refused_and_its_webhook_left_alone(
    setup_bot, client, bearer, make_org, make_user, org, fake_telegram, db_session
):
    setup_bot()
    other = make_org()
    other_admin = make_user(other, role="org_admin")
    response = client.put(
        "/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(other_admin)
    )
    assert response.status_code == 409
    assert "token" in response.json["fields"]
    assert fake_telegram.fake.webhooks[BOT_TOKEN]["url"].endswith(f"/hooks/telegram/{org.id}")
    assert _bot(db_session, other) is None


def test_check_asks_telegram_about_the_webhook(
    setup_bot, client, bearer, admin, org, fake_telegram
):
    setup_bot()
    plain = client.get("/api/telegram/bot", headers=bearer(admin)).json
    assert plain["telegram_webhook"] is None
    assert fake_telegram.fake.calls("getWebhookInfo") == []

    checked = client.get("/api/telegram/bot?check=true", headers=bearer(admin)).json
    assert checked["telegram_webhook"] == {
        "url": f"{PUBLIC}/hooks/telegram/{org.id}",
        "matches": True,
        "pending_update_count": 0,
        "last_error_message": None,
        "last_error_at": None,
    }

    # Telegram could not deliver to us (say, a proxy answered 502): the admin sees why.
    hook = fake_telegram.fake.webhooks[BOT_TOKEN]
    hook.update(
        pending_update_count=3,
        last_error_date=1763700000,
        last_error_message="Wrong response from the webhook: 502 Bad Gateway",
    )
    seen = client.get("/api/telegram/bot?check=true", headers=bearer(admin)).json
    assert seen["telegram_webhook"]["pending_update_count"] == 3
    assert "502 Bad Gateway" in seen["telegram_webhook"]["last_error_message"]
    assert seen["telegram_webhook"]["last_error_at"].startswith("2025-11-21")

    # Pointed elsewhere (another installation took the bot over): no longer ours.
    hook["url"] = "https://elsewhere.example/hook"
    moved = client.get("/api/telegram/bot?check=true", headers=bearer(admin)).json
    assert moved["telegram_webhook"]["matches"] is False


def test_a_failing_check_is_reported_not_raised(setup_bot, client, bearer, admin, fake_telegram):
    setup_bot()
    fake_telegram.fake.fail_next(500, "Internal Server Error")
    response = client.get("/api/telegram/bot?check=true", headers=bearer(admin))
    assert response.status_code == 200
    assert response.json["configured"] is True
    assert response.json["telegram_webhook"] is None
    assert "Telegram could not be asked" in response.json["webhook_error"]
