"""Registering, changing and removing webhook endpoints; the secret is shown once."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from integrations.notify.base import EVENT_TYPES
from integrations.notify.signing import generate_secret
from ivr_designer import crypto
from ivr_designer.models import AuditEntry, WebhookEndpoint
from ivr_designer.models.base import utcnow
from tests.integrations.webhook_receiver import WebhookReceiver

URL = "http://127.0.0.1:9/hooks/ivr"  # nothing listens; registration does not connect


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The local receiver listens on 127.0.0.1, which the SSRF guard refuses by default.
    return {**app_config, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True}


def create(client: Any, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("url", URL)
    body.setdefault("events", ["voicemail.created"])
    return client.post("/api/webhook-endpoints", json=body, headers=headers)


def audit_entries(db_session: Any) -> list[AuditEntry]:
    db_session.expire_all()
    query = select(AuditEntry).where(AuditEntry.object_type == "webhook_endpoint")
    return list(db_session.execute(query.order_by(AuditEntry.id)).scalars())


def endpoint_count(db_session: Any) -> int:
    db_session.expire_all()
    return int(db_session.execute(select(func.count(WebhookEndpoint.id))).scalar_one())


def test_the_secret_is_shown_once_and_stored_encrypted(
    client, app, admin_headers, db_session, caplog
):
    caplog.set_level(logging.DEBUG)
    response = create(
        client, admin_headers, events=["fax.received", "voicemail.created"], description="CRM"
    )

    assert response.status_code == 201, response.json
    created = response.json
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 32
    assert created["url"] == URL
    assert created["events"] == ["voicemail.created", "fax.received"]  # our order
    assert created["description"] == "CRM"
    assert created["enabled"] is True
    assert created["consecutive_failures"] == 0
    assert created["disabled_at"] is None

    row = db_session.get(WebhookEndpoint, created["id"])
    assert secret not in row.secret_encrypted
    assert crypto.decrypt(row.secret_encrypted, app) == secret

    read = client.get(f"/api/webhook-endpoints/{created['id']}", headers=admin_headers)
    listed = client.get("/api/webhook-endpoints", headers=admin_headers)
    audit = client.get("/api/audit", headers=admin_headers)
    for answer in (read, listed, audit):
        assert answer.status_code == 200
        text = answer.get_data(as_text=True)
        assert secret not in text
        assert row.secret_encrypted not in text
    assert "secret" not in read.json
    assert [item["id"] for item in listed.json] == [created["id"]]
    assert read.json == {k: v for k, v in created.items() if k != "secret"}
    (entry,) = audit_entries(db_session)
    assert entry.action == "create"
    assert entry.after["secret"] == "[redacted]"
    assert "secret_encrypted" not in entry.after
    assert secret not in caplog.text


def test_a_given_secret_is_used_and_a_bad_one_is_refused(client, admin_headers, db_session):
    mine = generate_secret(24)
    response = create(client, admin_headers, secret=mine)
    assert response.status_code == 201
    assert response.json["secret"] == mine

    bad = create(client, admin_headers, secret="whsec_c2hvcnQ=")  # 5 bytes
    assert bad.status_code == 400
    assert list(bad.json["fields"]) == ["secret"]
    assert "short" in bad.json["fields"]["secret"][0]
    assert endpoint_count(db_session) == 1


@pytest.mark.parametrize(
    ("events", "status", "message"),
    [
        (["voicemail.created", "voicemail.exploded"], 400, "unknown event 'voicemail.exploded'"),
        (["admin.notice"], 400, "unknown event 'admin.notice'"),
        ([], 400, "at least one event"),
        ("voicemail.created", 422, "Not a valid list"),
        ([7], 422, "Not a valid string"),
    ],
)
def test_events_must_be_a_subset_of_what_we_send(
    client, admin_headers, db_session, events, status, message
):
    response = create(client, admin_headers, events=events)

    assert response.status_code == status
    assert list(response.json["fields"]) == ["events"]
    assert message in json.dumps(response.json["fields"]["events"])
    assert endpoint_count(db_session) == 0
    assert audit_entries(db_session) == []


def test_every_subscribable_event_is_accepted_once(client, admin_headers):
    response = create(client, admin_headers, events=[*reversed(EVENT_TYPES), "fax.received"])
    assert response.status_code == 201
    assert response.json["events"] == list(EVENT_TYPES)


def test_the_choices_offered_are_every_event_that_is_sent(client, admin_headers):
    response = client.get("/api/webhook-endpoints/events", headers=admin_headers)
    assert response.status_code == 200
    names = [item["name"] for item in response.json]
    assert names == list(EVENT_TYPES)
    assert {"call.completed", "voicemail.transcribed"} <= set(names)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/hook", "Not a valid URL"),
        ("http://user:pw@127.0.0.1/hook", "credentials"),
        ("not a url", "Not a valid URL"),
        ("http://no-such-host.invalid/hook", "cannot resolve"),
    ],
)
def test_urls_that_cannot_be_delivered_to_are_refused(
    client, admin_headers, db_session, url, message
):
    response = create(client, admin_headers, url=url)

    assert response.status_code == 400, response.json
    assert list(response.json["fields"]) == ["url"]
    assert message in response.json["fields"]["url"][0]
    assert endpoint_count(db_session) == 0
    assert audit_entries(db_session) == []


def test_update_url_events_description_and_enabled(client, admin_headers, db_session):
    created = create(client, admin_headers).json
    path = f"/api/webhook-endpoints/{created['id']}"

    changed = client.patch(
        path,
        json={
            "url": "http://127.0.0.1:10/other",
            "events": ["call.completed"],
            "description": "Helpdesk",
        },
        headers=admin_headers,
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["url"] == "http://127.0.0.1:10/other"
    assert changed.json["events"] == ["call.completed"]
    assert changed.json["description"] == "Helpdesk"
    assert "secret" not in changed.json

    off = client.patch(path, json={"enabled": False}, headers=admin_headers)
    assert off.json["enabled"] is False
    assert off.json["disabled_at"] is not None
    assert off.json["disabled_reason"] == "disabled by an administrator"
    on = client.patch(path, json={"enabled": True}, headers=admin_headers)
    assert on.json["enabled"] is True
    assert on.json["disabled_at"] is None
    assert on.json["disabled_reason"] is None

    entries = audit_entries(db_session)
    assert [entry.action for entry in entries] == ["create", "update", "update", "update"]
    first_update = entries[1]
    assert first_update.before["url"] == URL
    assert first_update.after["url"] == "http://127.0.0.1:10/other"
    assert set(first_update.after) == {"url", "events", "description"}
    assert all("secret_encrypted" not in (e.before or {}) | (e.after or {}) for e in entries)


def test_a_refused_update_changes_nothing(client, admin_headers, db_session):
    created = create(client, admin_headers).json
    path = f"/api/webhook-endpoints/{created['id']}"

    bad_url = client.patch(
        path, json={"url": "gopher://127.0.0.1/", "description": "x"}, headers=admin_headers
    )
    bad_events = client.patch(path, json={"events": ["nope"]}, headers=admin_headers)
    secret = client.patch(path, json={"secret": generate_secret()}, headers=admin_headers)

    assert bad_url.status_code == 400
    assert list(bad_url.json["fields"]) == ["url"]
    assert bad_events.status_code == 400
    assert list(bad_events.json["fields"]) == ["events"]
    assert secret.status_code == 422  # the secret changes only through rotate-secret
    assert list(secret.json["fields"]) == ["secret"]
    read = client.get(path, headers=admin_headers).json
    assert read["url"] == URL
    assert read["description"] == ""
    assert read["events"] == ["voicemail.created"]
    assert [entry.action for entry in audit_entries(db_session)] == ["create"]


def test_rotating_the_secret_signs_with_the_new_one_only(
    client, app, admin_headers, db_session, receiver: WebhookReceiver
):
    created = create(client, admin_headers, url=receiver.url).json
    path = f"/api/webhook-endpoints/{created['id']}"

    rotated = client.post(f"{path}/rotate-secret", headers=admin_headers)

    assert rotated.status_code == 200
    new = rotated.json["secret"]
    assert new.startswith("whsec_")
    assert new != created["secret"]
    row = db_session.get(WebhookEndpoint, created["id"])
    db_session.refresh(row)
    assert crypto.decrypt(row.secret_encrypted, app) == new
    receiver.secret = created["secret"]
    assert client.post(f"{path}/test", headers=admin_headers).json["status_code"] == 401
    receiver.secret = new
    assert client.post(f"{path}/test", headers=admin_headers).json["outcome"] == "delivered"
    assert [r.verified for r in receiver.received] == [False, True]
    entry = audit_entries(db_session)[1]
    assert entry.action == "rotate_secret"
    assert entry.after == {"secret": "[redacted]"}
    assert new not in client.get("/api/audit", headers=admin_headers).get_data(as_text=True)


def test_enable_after_automatic_disabling_resets_the_failure_run(
    client, admin_headers, db_session, org, stored_endpoint
):
    endpoint = stored_endpoint(
        org,
        URL,
        generate_secret(),
        enabled=False,
        consecutive_failures=64,
        disabled_reason="failed 64 times in a row since yesterday",
    )
    endpoint.disabled_at = endpoint.first_failure_at = utcnow()
    db_session.commit()

    response = client.post(f"/api/webhook-endpoints/{endpoint.id}/enable", headers=admin_headers)

    assert response.status_code == 200
    assert response.json["enabled"] is True
    assert response.json["consecutive_failures"] == 0
    assert response.json["first_failure_at"] is None
    assert response.json["disabled_at"] is None
    assert response.json["disabled_reason"] is None
    (entry,) = audit_entries(db_session)
    assert entry.action == "enable"
    assert entry.before["consecutive_failures"] == 64
    assert entry.after["consecutive_failures"] == 0


def test_delete_removes_it_and_is_audited(client, admin_headers, db_session):
    created = create(client, admin_headers).json
    path = f"/api/webhook-endpoints/{created['id']}"

    assert client.delete(path, headers=admin_headers).status_code == 204

    assert client.get(path, headers=admin_headers).status_code == 404
    assert endpoint_count(db_session) == 0
    deleted = audit_entries(db_session)[-1]
    assert deleted.action == "delete"
    assert deleted.before["url"] == URL
    assert "secret_encrypted" not in deleted.before


def test_another_orgs_endpoints_are_not_found(
    client, admin_headers, make_org, stored_endpoint, db_session
):
    bravo = make_org(name="Bravo ApS", slug="bravo")
    theirs = stored_endpoint(bravo, "http://127.0.0.1:9/bravo", generate_secret())
    path = f"/api/webhook-endpoints/{theirs.id}"
    calls = [
        ("GET", path, None),
        ("PATCH", path, {"description": "mine now"}),
        ("DELETE", path, None),
        ("POST", f"{path}/test", None),
        ("POST", f"{path}/enable", None),
        ("POST", f"{path}/rotate-secret", None),
        ("GET", f"{path}/deliveries", None),
    ]
    for method, url, body in calls:
        response = client.open(url, method=method, json=body, headers=admin_headers)
        assert response.status_code == 404, (method, url)
        assert "bravo" not in response.get_data(as_text=True).lower()
    listed = client.get(f"/api/webhook-endpoints?org_id={bravo.id}", headers=admin_headers)
    assert listed.json == []
    created = create(client, admin_headers, org_id=bravo.id)
    assert created.status_code == 404
    assert endpoint_count(db_session) == 1
    assert audit_entries(db_session) == []


def test_staff_may_not_see_or_manage_endpoints(
    client, org, make_user, bearer, stored_endpoint, db_session
):
    staff = bearer(make_user(org, role="staff"))
    endpoint = stored_endpoint(org, URL, generate_secret())
    path = f"/api/webhook-endpoints/{endpoint.id}"

    assert client.get("/api/webhook-endpoints", headers=staff).status_code == 403
    assert create(client, staff).status_code == 403
    assert client.get(path, headers=staff).status_code == 403
    assert client.patch(path, json={"enabled": False}, headers=staff).status_code == 403
    assert client.post(f"{path}/test", headers=staff).status_code == 403
    assert client.get(f"{path}/deliveries", headers=staff).status_code == 403
    assert endpoint_count(db_session) == 1
    assert audit_entries(db_session) == []


def test_system_admins_name_the_organisation(client, org, make_user, bearer):
    root = bearer(make_user(None, role="system_admin"))

    unnamed = create(client, root)
    named = create(client, root, org_id=org.id)

    assert unnamed.status_code == 422
    assert list(unnamed.json["fields"]) == ["org_id"]
    assert named.status_code == 201
    assert named.json["org_id"] == org.id


def test_the_api_document_lists_the_events_to_choose_from(client):
    spec = client.get("/api/openapi.json").json
    for name in ("EndpointCreate", "EndpointUpdate", "Endpoint"):
        items = spec["components"]["schemas"][name]["properties"]["events"]["items"]
        assert items["enum"] == list(EVENT_TYPES)
    assert "voicemail.transcribed" in EVENT_TYPES
