"""With the default settings, internal targets are refused at registration and delivery."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ivr_designer.models import AuditEntry, OutboxDelivery, WebhookEndpoint
from tests.integrations.webhook_receiver import WebhookReceiver

INTERNAL_URLS = [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://10.1.2.3/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]:8080/hook", "loopback"),
    # marshmallow's URL check already refuses IPv4-mapped literals.
    ("http://[::ffff:127.0.0.1]/hook", "Not a valid URL"),
    ("http://192.168.1.20/hook", "private"),
    ("http://localhost:8080/hook", "loopback"),
]


def counts(db_session) -> tuple[int, int]:
    db_session.expire_all()
    endpoints = db_session.execute(select(func.count(WebhookEndpoint.id))).scalar_one()
    audited = db_session.execute(select(func.count(AuditEntry.id))).scalar_one()
    return endpoints, audited


def test_the_guard_is_on_by_default(app):
    assert app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] is False


@pytest.mark.parametrize(("url", "reason"), INTERNAL_URLS)
def test_internal_targets_are_refused_and_nothing_is_stored(
    client, admin_headers, db_session, url, reason
):
    before = counts(db_session)

    response = client.post(
        "/api/webhook-endpoints",
        json={"url": url, "events": ["voicemail.created"]},
        headers=admin_headers,
    )

    assert response.status_code == 400
    assert set(response.json) == {"error", "fields"}
    assert list(response.json["fields"]) == ["url"]
    (message,) = response.json["fields"]["url"]
    assert reason in message
    assert "secret" not in response.json
    assert counts(db_session) == before


def test_a_public_address_is_accepted(client, admin_headers):
    # A literal address: nothing is resolved and nothing is contacted at registration.
    response = client.post(
        "/api/webhook-endpoints",
        json={"url": "https://93.184.215.14/hooks/ivr", "events": ["fax.received"]},
        headers=admin_headers,
    )
    assert response.status_code == 201


def test_changing_the_url_to_an_internal_one_is_refused(client, admin_headers, db_session):
    created = client.post(
        "/api/webhook-endpoints",
        json={"url": "https://93.184.215.14/hooks/ivr", "events": ["fax.received"]},
        headers=admin_headers,
    ).json

    response = client.patch(
        f"/api/webhook-endpoints/{created['id']}",
        json={"url": "http://169.254.169.254/"},
        headers=admin_headers,
    )

    assert response.status_code == 400
    assert list(response.json["fields"]) == ["url"]
    row = db_session.get(WebhookEndpoint, created["id"])
    db_session.refresh(row)
    assert row.url == "https://93.184.215.14/hooks/ivr"


def test_a_stored_internal_target_is_not_contacted_by_a_test_send(
    client, admin_headers, org, stored_endpoint, webhook_secret, db_session
):
    # Registered while the installation allowed private targets, then it stopped.
    with WebhookReceiver(webhook_secret) as receiver:
        endpoint = stored_endpoint(org, receiver.url, webhook_secret)

        response = client.post(f"/api/webhook-endpoints/{endpoint.id}/test", headers=admin_headers)

        assert response.status_code == 200
        assert response.json["outcome"] == "permanent"
        assert "refused" in response.json["reason"]
        assert receiver.received == []
    delivery = db_session.get(OutboxDelivery, response.json["delivery_id"])
    assert delivery.status == "dead"
    assert delivery.last_error == response.json["reason"]
