"""Test-sends reach the real local receiver signed; every attempt shows in the log."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sqlalchemy import select

from ivr_designer.models import AuditEntry, DeliveryAttempt, OutboxDelivery, WebhookEndpoint
from tests.integrations.webhook_receiver import WebhookReceiver


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True}


@pytest.fixture
def endpoint(client, admin_headers, receiver: WebhookReceiver) -> dict[str, Any]:
    """Registered through the API; the receiver verifies with the secret we were given."""
    response = client.post(
        "/api/webhook-endpoints",
        json={"url": receiver.url, "events": ["voicemail.created"]},
        headers=admin_headers,
    )
    assert response.status_code == 201
    receiver.secret = response.json["secret"]
    created: dict[str, Any] = response.json
    return created


def send(client: Any, headers: dict[str, str], endpoint_id: int) -> Any:
    return client.post(f"/api/webhook-endpoints/{endpoint_id}/test", headers=headers)


def log(client: Any, headers: dict[str, str], endpoint_id: int, query: str = "") -> Any:
    return client.get(f"/api/webhook-endpoints/{endpoint_id}/deliveries{query}", headers=headers)


def test_a_test_send_arrives_signed_and_is_logged(
    client, admin_headers, endpoint, receiver: WebhookReceiver, db_session, org
):
    response = send(client, admin_headers, endpoint["id"])

    assert response.status_code == 200, response.json
    result = response.json
    assert result["outcome"] == "delivered"
    assert result["status_code"] == 204
    assert result["reason"] == "delivered"
    assert result["duration_ms"] >= 0
    (got,) = receiver.received
    assert got.verified  # the standardwebhooks package accepted our signature
    assert got.headers["webhook-id"].startswith("msg_test_")
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.payload["type"] == "voicemail.created"
    data = got.payload["data"]
    assert data["test"] is True
    assert data["org_id"] == org.id
    assert {"box", "caller", "duration_s", "transcription"} <= set(data)

    entries = log(client, admin_headers, endpoint["id"])
    assert entries.status_code == 200
    (entry,) = entries.json
    assert entry["outcome"] == "delivered"
    assert entry["status_code"] == 204
    assert entry["test"] is True
    assert entry["event"] == "voicemail.created"
    assert entry["delivery_id"] == result["delivery_id"]
    assert entry["delivery_status"] == "delivered"
    delivery = db_session.get(OutboxDelivery, result["delivery_id"])
    assert delivery.idempotency_key == got.headers["webhook-id"]
    assert delivery.subject_type is None
    assert delivery.status == "delivered"
    assert delivery.webhook_endpoint_id == endpoint["id"]
    audit = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "test_send")
    ).scalar_one()
    assert audit.object_id == str(endpoint["id"])
    assert audit.after["outcome"] == "delivered"
    assert endpoint["secret"] not in str(audit.after)


def test_a_failing_receiver_shows_in_the_log_and_leaves_the_failure_run_alone(
    client, admin_headers, endpoint, receiver: WebhookReceiver, db_session
):
    receiver.respond(500, body=b"database on fire")
    receiver.respond(410, body=b"gone for good")

    first = send(client, admin_headers, endpoint["id"]).json
    second = send(client, admin_headers, endpoint["id"]).json

    assert first["outcome"] == "retry"
    assert first["status_code"] == 500
    assert first["reason"] == "HTTP 500"
    assert second["outcome"] == "permanent"
    assert second["status_code"] == 410
    newest, oldest = log(client, admin_headers, endpoint["id"]).json
    assert (newest["status_code"], oldest["status_code"]) == (410, 500)
    assert oldest["response_excerpt"] == "database on fire"
    assert oldest["reason"] == "HTTP 500"
    assert oldest["delivery_status"] == "dead"  # final at once: the worker never retries it
    assert newest["response_excerpt"] == "gone for good"
    assert all(receiver_got.verified for receiver_got in receiver.received)
    row = db_session.get(WebhookEndpoint, endpoint["id"])
    db_session.refresh(row)
    assert row.consecutive_failures == 0
    assert row.enabled
    # A failed test-send is not a dead notification: not listed there, not retryable.
    assert client.get("/api/deliveries?status=all", headers=admin_headers).json == []
    retried = client.post(f"/api/deliveries/{first['delivery_id']}/retry", headers=admin_headers)
    assert retried.status_code == 409
    assert retried.json["fields"] == {"id": ["test-send"]}


def test_an_unreachable_receiver_is_reported_not_raised(
    client, admin_headers, org, stored_endpoint, webhook_secret
):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = stored_endpoint(org, f"http://127.0.0.1:{port}/hook", webhook_secret)

    response = send(client, admin_headers, endpoint.id)

    assert response.status_code == 200
    assert response.json["outcome"] == "retry"
    assert response.json["status_code"] is None
    assert response.json["reason"].startswith("connection failed")
    (entry,) = log(client, admin_headers, endpoint.id).json
    assert entry["reason"].startswith("connection failed")
    assert entry["status_code"] is None


def test_disabled_endpoints_can_be_tested(
    client, admin_headers, endpoint, receiver: WebhookReceiver
):
    path = f"/api/webhook-endpoints/{endpoint['id']}"
    client.patch(path, json={"enabled": False}, headers=admin_headers)

    result = send(client, admin_headers, endpoint["id"]).json

    assert result["outcome"] == "delivered"
    assert len(receiver.received) == 1
    assert client.get(path, headers=admin_headers).json["enabled"] is False


def test_the_log_is_newest_first_and_paginated(
    client, admin_headers, endpoint, receiver: WebhookReceiver, db_session
):
    for status in (500, 502, 503):
        receiver.respond(status)
    results = [send(client, admin_headers, endpoint["id"]).json for _ in range(4)]
    # Attempts at the same instant are still ordered, by id.
    attempts = db_session.execute(select(DeliveryAttempt)).scalars().all()
    assert len(attempts) == 4

    first = log(client, admin_headers, endpoint["id"], "?page=1&page_size=3")
    second = log(client, admin_headers, endpoint["id"], "?page=2&page_size=3")

    codes = [entry["status_code"] for entry in first.json + second.json]
    assert codes == [204, 503, 502, 500]
    assert [entry["delivery_id"] for entry in first.json + second.json] == [
        result["delivery_id"] for result in reversed(results)
    ]
    assert '"total": 4' in first.headers["X-Pagination"]
    assert len(second.json) == 1


def test_the_log_holds_only_this_endpoints_attempts(
    client, admin_headers, endpoint, org, stored_endpoint, webhook_secret, receiver
):
    other = stored_endpoint(org, receiver.url, webhook_secret)
    send(client, admin_headers, other.id)

    assert log(client, admin_headers, endpoint["id"]).json == []
    assert len(log(client, admin_headers, other.id).json) == 1


def test_deleting_an_endpoint_removes_its_log(client, admin_headers, endpoint, db_session):
    send(client, admin_headers, endpoint["id"])

    assert (
        client.delete(f"/api/webhook-endpoints/{endpoint['id']}", headers=admin_headers).status_code
        == 204
    )

    db_session.expire_all()
    assert db_session.execute(select(DeliveryAttempt)).scalars().all() == []
    assert db_session.execute(select(OutboxDelivery)).scalars().all() == []


def test_a_secret_that_cannot_be_decrypted_is_a_conflict_not_a_crash(
    client, admin_headers, endpoint, receiver: WebhookReceiver, db_session
):
    row = db_session.get(WebhookEndpoint, endpoint["id"])
    row.secret_encrypted = "gAAAAA-encrypted-with-a-key-we-no-longer-have"
    db_session.commit()

    response = send(client, admin_headers, endpoint["id"])

    assert response.status_code == 409
    assert "rotate" in response.json["error"]
    assert receiver.received == []
    rotated = client.post(
        f"/api/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=admin_headers
    )
    receiver.secret = rotated.json["secret"]
    assert send(client, admin_headers, endpoint["id"]).json["outcome"] == "delivered"
