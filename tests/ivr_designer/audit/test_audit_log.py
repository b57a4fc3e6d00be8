"""Every admin write leaves an audit entry; entries cannot be changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ivr_designer.audit.record import REDACTED, AuditEntryImmutable
from ivr_designer.models import AuditEntry


@pytest.fixture
def org(make_org):
    return make_org(slug="acme")


@pytest.fixture
def admin(org, make_user):
    return make_user(org, role="org_admin", email="boss@acme.example")


@pytest.fixture
def headers(admin, bearer):
    return bearer(admin)


def _entries(db_session, **where):
    db_session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return db_session.execute(query).scalars().all()


def _only(db_session, **where):
    entries = _entries(db_session, **where)
    assert len(entries) == 1, entries
    return entries[0]


def test_user_lifecycle_is_audited(client, headers, admin, org, db_session):
    created = client.post(
        "/api/users",
        json={"email": "new@acme.example", "name": "New", "password": "long-enough-passphrase"},
        headers=headers,
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    ).json
    entry = _only(db_session, action="create", object_type="users")
    assert (entry.actor_id, entry.actor_email, entry.org_id) == (admin.id, admin.email, org.id)
    assert entry.object_id == str(created["id"])
    assert entry.ip_address == "192.0.2.7"
    assert entry.before is None
    assert entry.after["email"] == "new@acme.example"
    assert entry.after["password_hash"] == REDACTED
    assert entry.created_at is not None

    client.patch(
        f"/api/users/{created['id']}",
        json={"name": "Renamed", "password": "other-long-passphrase"},
        headers=headers,
    )
    entry = _only(db_session, action="update", object_type="users")
    assert entry.before["name"] == "New"
    assert entry.after["name"] == "Renamed"
    assert entry.after["password_hash"] == REDACTED
    assert "long-enough" not in str(entry.before) + str(entry.after)

    client.delete(f"/api/users/{created['id']}", headers=headers)
    entry = _only(db_session, action="delete", object_type="users")
    # Erasure: the entry names the deleted account by id, not the person.
    assert entry.before["email"] == REDACTED
    assert entry.before["id"] == created["id"]
    assert entry.after is None


def test_org_settings_change_is_audited_with_only_the_change(client, headers, org, db_session):
    client.patch(
        f"/api/orgs/{org.id}",
        json={"voicemail_retention_days": 60, "name": org.name},
        headers=headers,
    )
    entry = _only(db_session, action="update", object_type="organisations")
    assert entry.before == {"voicemail_retention_days": 30}
    assert entry.after == {"voicemail_retention_days": 60}


def test_noop_update_writes_no_entry(client, headers, org, db_session):
    client.patch(f"/api/orgs/{org.id}", json={"name": org.name}, headers=headers)
    assert _entries(db_session, action="update") == []


def test_org_creation_is_audited(client, bearer, make_user, db_session):
    root = make_user(None, role="system_admin")
    created = client.post(
        "/api/orgs", json={"name": "New ApS", "slug": "new"}, headers=bearer(root)
    ).json
    entry = _only(db_session, action="create", object_type="organisations")
    assert entry.org_id == created["id"]
    assert entry.actor_id == root.id


def test_token_create_and_revoke_are_audited_without_secret(client, headers, admin, db_session):
    created = client.post("/api/tokens", json={"name": "ci"}, headers=headers).json
    entry = _only(db_session, action="create", object_type="api_tokens")
    assert entry.after["token_hash"] == REDACTED
    assert created["token"] not in str(entry.after)
    client.delete(f"/api/tokens/{created['id']}", headers=headers)
    entry = _only(db_session, action="revoke", object_type="api_tokens")
    assert entry.before == {"revoked_at": None}
    assert entry.org_id == admin.org_id


def test_audit_api_filters_and_paginates(client, headers, admin, db_session):
    for number in range(3):
        client.post("/api/tokens", json={"name": f"t{number}"}, headers=headers)
    client.patch(f"/api/users/{admin.id}", json={"name": "Boss"}, headers=headers)
    page = client.get("/api/audit?action=create&page=1&page_size=2", headers=headers)
    assert page.status_code == 200
    assert [e["action"] for e in page.json] == ["create", "create"]
    assert '"total": 3' in page.headers["X-Pagination"]
    second = client.get("/api/audit?action=create&page=2&page_size=2", headers=headers).json
    assert len(second) == 1
    assert {e["id"] for e in page.json}.isdisjoint({e["id"] for e in second})
    users_only = client.get("/api/audit?object_type=users", headers=headers).json
    assert [e["action"] for e in users_only] == ["update"]
    assert client.get("/api/audit?since=not-a-date", headers=headers).status_code == 422


def test_there_are_no_write_routes(client, headers, admin, db_session):
    client.post("/api/tokens", json={"name": "t"}, headers=headers)
    entry = _entries(db_session)[0]
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(f"/api/audit/{entry.id}", headers=headers).status_code in (
            404,
            405,
        )
        assert getattr(client, method)("/api/audit", json={}, headers=headers).status_code == 405


def test_orm_refuses_to_change_entries(db_session, admin, client, headers):
    client.post("/api/tokens", json={"name": "t"}, headers=headers)
    entry = _entries(db_session)[0]
    entry.action = "tampered"
    with pytest.raises(AuditEntryImmutable):
        db_session.flush()
    db_session.rollback()
    db_session.delete(_entries(db_session)[0])
    with pytest.raises(AuditEntryImmutable):
        db_session.flush()
    db_session.rollback()


def test_database_refuses_to_change_entries(connection, client, headers):
    client.post("/api/tokens", json={"name": "t"}, headers=headers)
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("UPDATE audit_entries SET action = 'tampered'"))
    savepoint.rollback()
