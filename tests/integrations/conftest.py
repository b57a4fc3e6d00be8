"""Fixtures for the integration tests: local fake servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integrations.notify.signing import generate_secret
from tests.integrations.fake_telegram import FakeTelegramServer
from tests.integrations.webhook_receiver import WebhookReceiver

BOT_TOKEN = "123456:AAH-fake-token_for-tests-0123456789"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer(BOT_TOKEN) as server:
        yield server


@pytest.fixture
def webhook_secret() -> str:
    return generate_secret()


@pytest.fixture
def webhook_receiver(webhook_secret: str) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(webhook_secret) as receiver:
        yield receiver
