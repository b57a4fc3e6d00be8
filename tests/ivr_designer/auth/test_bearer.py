"""Bearer API tokens: creation returns the secret once; bad tokens are 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr_designer.auth.api_tokens import digest
from ivr_designer.models import ApiToken
from ivr_designer.models.base import utcnow


@pytest.fixture
def admin(make_org, make_user):
    return make_user(make_org(), role="org_admin")


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_created_token_works_and_only_its_hash_is_stored(client, admin, bearer, db_session):
    response = client.post(
        "/api/tokens", json={"name": "deploy", "expires_in_days": 30}, headers=bearer(admin)
    )
    assert response.status_code == 201
    secret = response.json["token"]
    assert secret.startswith(response.json["prefix"])
    stored = db_session.execute(
        select(ApiToken).where(ApiToken.id == response.json["id"])
    ).scalar_one()
    assert stored.token_hash == digest(secret)
    assert secret not in {stored.token_hash, stored.prefix}
    assert client.get("/api/me", headers=_auth(secret)).json["email"] == admin.email
    listed = client.get("/api/tokens", headers=_auth(secret)).json
    assert all("token" not in item for item in listed)
    assert secret not in client.get("/api/tokens", headers=_auth(secret)).get_data(as_text=True)


def test_use_is_recorded(client, admin, make_token, db_session):
    token, secret = make_token(admin)
    client.get("/api/me", headers=_auth(secret))
    db_session.expire_all()
    assert db_session.get(ApiToken, token.id).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer ivrd_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "ivrd_tokenwithoutscheme"],
)
def test_bad_authorization_headers_are_401(client, header):
    response = client.get("/api/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.is_json


def test_expired_token_is_401(client, admin, make_token):
    _token, secret = make_token(admin, expires_at=utcnow() - timedelta(seconds=1))
    assert client.get("/api/me", headers=_auth(secret)).status_code == 401


def test_revoked_token_is_401(client, admin, make_token):
    token, secret = make_token(admin)
    assert client.delete(f"/api/tokens/{token.id}", headers=_auth(secret)).status_code == 204
    assert client.get("/api/me", headers=_auth(secret)).status_code == 401
    listed = client.get("/api/tokens", headers=_auth(make_token(admin)[1])).json
    assert [t["revoked_at"] is not None for t in listed if t["id"] == token.id] == [True]


def test_disabled_users_token_is_401(client, make_org, make_user, make_token):
    user = make_user(make_org(), active=False)
    _token, secret = make_token(user)
    assert client.get("/api/me", headers=_auth(secret)).status_code == 401


def test_bearer_writes_need_no_csrf(client, admin, bearer):
    body = {"email": "new@example.com", "name": "New", "password": "long-enough-passphrase"}
    assert client.post("/api/users", json=body, headers=bearer(admin)).status_code == 201


def test_bearer_response_carries_no_csrf_token(client, admin, bearer):
    assert client.get("/api/me", headers=bearer(admin)).json["csrf_token"] is None
