"""Webhook endpoint tests: an org with an admin, the local receiver, a stored endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from integrations.notify.signing import generate_secret
from ivr_designer import crypto
from ivr_designer.models import Organisation, WebhookEndpoint
from tests.integrations.webhook_receiver import WebhookReceiver


@pytest.fixture
def org(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(name="Alpha ApS", slug="alpha")


@pytest.fixture
def admin_headers(org: Organisation, make_user: Any, bearer: Any) -> dict[str, str]:
    headers: dict[str, str] = bearer(make_user(org, role="org_admin"))
    return headers


@pytest.fixture
def webhook_secret() -> str:
    return generate_secret()


@pytest.fixture
def receiver(webhook_secret: str) -> Iterator[WebhookReceiver]:
    """The real local receiver; it verifies with ``webhook_secret`` (tests may reassign)."""
    with WebhookReceiver(webhook_secret) as server:
        yield server


@pytest.fixture
def stored_endpoint(db_session: Session, app: Flask) -> Callable[..., WebhookEndpoint]:
    """An endpoint written straight to the database, as if registered earlier."""

    def make(org: Organisation, url: str, secret: str, **fields: Any) -> WebhookEndpoint:
        endpoint = WebhookEndpoint(
            org_id=org.id,
            url=url,
            description=fields.pop("description", ""),
            secret_encrypted=crypto.encrypt(secret, app),
            events=fields.pop("events", ["voicemail.created"]),
            enabled=fields.pop("enabled", True),
            consecutive_failures=fields.pop("consecutive_failures", 0),
            **fields,
        )
        db_session.add(endpoint)
        db_session.commit()
        return endpoint

    return make
