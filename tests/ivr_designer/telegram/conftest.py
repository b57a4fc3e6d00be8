"""The app talks to a fake Bot API server on 127.0.0.1 (real HTTP, Telegram's answers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from integrations.notify.telegram_links import SECRET_TOKEN_HEADER
from ivr_designer.models import Organisation, User
from tests.integrations.fake_telegram import FakeTelegramServer

BOT_TOKEN = "123456:AAH-fake-token_for-tests-0123456789"
PUBLIC = "https://ivr.example.test"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer(BOT_TOKEN) as server:
        yield server


@pytest.fixture
def app_config(app_config: dict[str, Any], fake_telegram: FakeTelegramServer) -> dict[str, Any]:
    return {
        **app_config,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "PUBLIC_BASE_URL": PUBLIC,
        "NOTIFY_TIMEOUT_SECONDS": 3.0,
    }


@pytest.fixture
def org(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(name="Alpha ApS")


@pytest.fixture
def admin(make_user: Callable[..., User], org: Organisation) -> User:
    return make_user(org, role="org_admin", name="Ada Admin")


@pytest.fixture
def setup_bot(
    client: FlaskClient,
    bearer: Callable[[User], dict[str, str]],
    admin: User,
    fake_telegram: FakeTelegramServer,
) -> Callable[[], str]:
    """Set the org's bot up through the API; return the webhook secret Telegram got."""

    def setup() -> str:
        response = client.put("/api/telegram/bot", json={"token": BOT_TOKEN}, headers=bearer(admin))
        assert response.status_code == 200, response.json
        secret: str = fake_telegram.fake.webhooks[BOT_TOKEN]["secret_token"]
        return secret

    return setup


@pytest.fixture
def post_update(client: FlaskClient) -> Callable[..., Any]:
    """POST an Update to the org's webhook as Telegram does (JSON, secret header)."""

    def post(org: Organisation, update: dict[str, Any], secret: str | None) -> Any:
        headers = {SECRET_TOKEN_HEADER: secret} if secret is not None else {}
        return client.post(f"/hooks/telegram/{org.id}", json=update, headers=headers)

    return post


_update_ids = iter(range(1000, 10**9))


def message_update(
    text: str,
    *,
    chat_id: int,
    chat_type: str = "private",
    from_id: int | None = None,
    title: str | None = None,
    first_name: str = "Bo",
) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = first_name
    else:
        chat["title"] = title or "Support group"
    sender_id = from_id if from_id is not None else chat_id
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": next(_update_ids),
            "date": 1763700000,
            "chat": chat,
            "from": {"id": sender_id, "is_bot": False, "first_name": first_name},
            "text": text,
        },
    }


def press_update(
    data: str, *, from_id: int, chat_id: int, message_id: int, chat_type: str = "private"
) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cbq-{next(_update_ids)}",
            "from": {"id": from_id, "is_bot": False, "first_name": "Bo"},
            "chat_instance": "-1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1763700000,
                "chat": {"id": chat_id, "type": chat_type},
            },
        },
    }
