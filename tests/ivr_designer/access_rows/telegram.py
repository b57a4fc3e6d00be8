"""Access rows for the Telegram bot, its chats, the deep links and the bot's webhook.

Rows that make the app talk to Telegram (setting up or removing the bot) get a fake Bot
API server for the length of the test, so the matrix never reaches the internet.
"""

from __future__ import annotations

from typing import Any

from integrations.notify.telegram_links import make_webhook_secret
from ivr_designer import crypto
from ivr_designer.models import Organisation, TelegramBot, TelegramChat
from tests.integrations.fake_telegram import FakeTelegramServer
from tests.ivr_designer.access_rows import Endpoint, World, _all, _expect

TOKEN = "123456:AAH-fake-token_for-matrix-0123456789"
ADMINS = _expect(401, (403, 403), (200, 404), (200, 200))
ADMINS_NO_CONTENT = _expect(401, (403, 403), (204, 404), (204, 204))
ADMINS_CREATE = _expect(401, (403, 403), (201, 404), (201, 201))
TALKS_TO_TELEGRAM = ("telegram-bot-put", "telegram-bot-delete")


def _row_name(request: Any) -> str | None:
    callspec = getattr(request.node, "callspec", None)
    return None if callspec is None else callspec.params.get("name")


def _fake_telegram(request: Any) -> None:
    """Point the app at a fake Bot API for rows that call Telegram (once per test)."""
    app = request.getfixturevalue("app")
    if app.extensions.get("tests.fake_telegram") is not None:
        return
    server = FakeTelegramServer(TOKEN).__enter__()
    request.addfinalizer(lambda: server.__exit__(None, None, None))
    app.extensions["tests.fake_telegram"] = server
    app.config["TELEGRAM_API_BASE_URL"] = server.base_url


def seed(org: Organisation, target: str, world: World, request: Any) -> dict[str, Any]:
    if _row_name(request) in TALKS_TO_TELEGRAM:
        _fake_telegram(request)
    session = request.getfixturevalue("db_session")
    app = request.getfixturevalue("app")
    session.add(
        TelegramBot(
            org_id=org.id,
            token_encrypted=crypto.encrypt(TOKEN, app),
            bot_username=f"ivr_{target}_bot",
            webhook_secret_encrypted=crypto.encrypt(make_webhook_secret(), app),
        )
    )
    chat = TelegramChat(
        org_id=org.id,
        chat_id=-100_000 - org.id,
        chat_type="group",
        title="Support",
        voicemail_box_id=world.things[target]["vm_box"].id,
    )
    session.add(chat)
    session.commit()
    return {"telegram_chat": chat}


def _org_query(path: str) -> Any:
    return lambda w, t: f"{path}?org_id={w.orgs[t].id}"


def _box_link(kind: str, thing: str) -> Any:
    return lambda w, t: f"/api/{kind}/{w.things[t][thing].id}/telegram-link"


ENDPOINTS = {
    "telegram-bot-get": Endpoint(
        "GET", "/api/telegram/bot", _org_query("/api/telegram/bot"), ADMINS
    ),
    "telegram-bot-put": Endpoint(
        "PUT",
        "/api/telegram/bot",
        lambda w, t: "/api/telegram/bot",
        ADMINS,
        body=lambda w, t: {"token": TOKEN, "org_id": w.orgs[t].id},
        writes=True,
    ),
    "telegram-bot-delete": Endpoint(
        "DELETE",
        "/api/telegram/bot",
        _org_query("/api/telegram/bot"),
        ADMINS_NO_CONTENT,
        writes=True,
    ),
    "telegram-chats-list": Endpoint(
        "GET",
        "/api/telegram/chats",
        _org_query("/api/telegram/chats"),
        _expect(401, (403, 403), (200, 200), (200, 200)),
    ),
    "telegram-chat-delete": Endpoint(
        "DELETE",
        "/api/telegram/chats/<int:chat_id>",
        lambda w, t: f"/api/telegram/chats/{w.things[t]['telegram_chat'].id}",
        ADMINS_NO_CONTENT,
        writes=True,
    ),
    "me-telegram-get": Endpoint(
        "GET", "/api/me/telegram", lambda w, t: "/api/me/telegram", _expect(401, 200, 200, 200)
    ),
    "me-telegram-delete": Endpoint(
        "DELETE",
        "/api/me/telegram",
        lambda w, t: "/api/me/telegram",
        _expect(401, 204, 204, 204),
    ),
    # A system administrator belongs to no organisation, so has no bot to link to.
    "me-telegram-link": Endpoint(
        "POST",
        "/api/me/telegram/link",
        lambda w, t: "/api/me/telegram/link",
        _expect(401, 201, 201, 409),
    ),
    "voicemail-box-telegram-link": Endpoint(
        "POST",
        "/api/voicemail-boxes/<int:box_id>/telegram-link",
        _box_link("voicemail-boxes", "vm_box"),
        ADMINS_CREATE,
        writes=True,
    ),
    "fax-box-telegram-link": Endpoint(
        "POST",
        "/api/fax-boxes/<int:box_id>/telegram-link",
        _box_link("fax-boxes", "fax_box"),
        ADMINS_CREATE,
        writes=True,
    ),
    # Telegram's webhook: no session or token counts, only the secret header (absent here).
    "hooks-telegram": Endpoint(
        "POST",
        "/hooks/telegram/<int:org_id>",
        lambda w, t: f"/hooks/telegram/{w.orgs[t].id}",
        _all(403),
    ),
}
