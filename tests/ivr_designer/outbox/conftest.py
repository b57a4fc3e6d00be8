"""Outbox fixtures: the fake Telegram and a webhook receiver on 127.0.0.1, and an org
whose voicemail box has a listener with a linked chat, a group chat and an endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrations.notify.signing import generate_secret
from ivr_designer import crypto
from ivr_designer.models import (
    DeliveryAttempt,
    FaxBox,
    Organisation,
    OutboxDelivery,
    TelegramBot,
    TelegramChat,
    User,
    VoicemailBox,
    WebhookEndpoint,
)
from ivr_designer.models.base import utcnow
from tests.integrations.fake_telegram import FakeTelegramServer
from tests.integrations.webhook_receiver import WebhookReceiver

BOT_TOKEN = "123456:AAH-fake-token_for-tests-0123456789"
LISTENER_CHAT = 5001
GROUP_CHAT = -7001
ADMIN_CHAT = 5002


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


@pytest.fixture
def app_config(app_config: dict[str, Any], fake_telegram: FakeTelegramServer) -> dict[str, Any]:
    return {
        **app_config,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True,  # the receiver listens on 127.0.0.1
        "NOTIFY_WORKER_THREADS": 0,
        "NOTIFY_TIMEOUT_SECONDS": 5.0,
    }


@dataclass
class Setup:
    org: Organisation
    admin: User
    listener: User
    box: VoicemailBox
    fax_box: FaxBox
    chat: TelegramChat
    group: TelegramChat
    admin_chat: TelegramChat
    endpoint: WebhookEndpoint


@pytest.fixture
def setup(
    app: Flask,
    db_session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_box: Callable[..., Any],
    fake_telegram: FakeTelegramServer,
    webhook_receiver: WebhookReceiver,
    webhook_secret: str,
) -> Setup:
    org = make_org(name="Delta ApS", language="en", time_zone="Europe/Copenhagen")
    admin = make_user(org, role="org_admin")
    listener = make_user(org, name="Lis Tener")
    box = make_box(org, "vm-main", name="Main line", listeners=[listener])
    fax_box = make_box(org, "fax-main", kind="fax", name="Fax in", listeners=[listener])
    db_session.add(
        TelegramBot(
            org_id=org.id,
            token_encrypted=crypto.encrypt(BOT_TOKEN, app),
            bot_username="ivr_test_bot",
            webhook_secret_encrypted=crypto.encrypt("hook-secret", app),
        )
    )
    chat = TelegramChat(
        org_id=org.id, chat_id=LISTENER_CHAT, chat_type="private", user_id=listener.id
    )
    group = TelegramChat(
        org_id=org.id, chat_id=GROUP_CHAT, chat_type="group", title="Desk", voicemail_box_id=box.id
    )
    admin_chat = TelegramChat(
        org_id=org.id, chat_id=ADMIN_CHAT, chat_type="private", user_id=admin.id
    )
    endpoint = WebhookEndpoint(
        org_id=org.id,
        url=webhook_receiver.url,
        secret_encrypted=crypto.encrypt(webhook_secret, app),
        events=["voicemail.created", "fax.received"],
    )
    db_session.add_all([chat, group, admin_chat, endpoint])
    db_session.commit()
    for chat_id in (LISTENER_CHAT, GROUP_CHAT, ADMIN_CHAT):
        fake_telegram.fake.chats[chat_id] = "ok"
    return Setup(org, admin, listener, box, fax_box, chat, group, admin_chat, endpoint)


def deliveries(db_session: Session, **where: Any) -> list[OutboxDelivery]:
    db_session.expire_all()
    query = select(OutboxDelivery).order_by(OutboxDelivery.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxDelivery, name) == value)
    return list(db_session.execute(query).scalars())


def attempts(db_session: Session, delivery: OutboxDelivery) -> list[DeliveryAttempt]:
    return list(
        db_session.execute(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery.id)
            .order_by(DeliveryAttempt.id)
        ).scalars()
    )


def make_due(db_session: Session) -> None:
    """Time passes: every pending delivery's next attempt is now."""
    db_session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.status == "pending")
        .values(next_attempt_at=utcnow())
    )
    db_session.commit()
