"""Signing in and out with the session cookie; throttling and lock-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ivr_designer.auth.passwords import make_hasher, needs_rehash
from ivr_designer.models import LoginAttempt, User
from ivr_designer.models.base import utcnow
from tests.conftest import DEFAULT_PASSWORD, FAST_HASHING


@pytest.fixture
def admin(make_org, make_user):
    return make_user(make_org(), role="org_admin", email="Anna@Example.com".lower())


def _login(client, email, password=DEFAULT_PASSWORD, **kwargs):
    return client.post("/api/auth/login", json={"email": email, "password": password}, **kwargs)


def test_login_sets_a_hardened_session_cookie(client, admin):
    response = _login(client, "  ANNA@example.com ")
    assert response.status_code == 200
    assert response.json["email"] == admin.email
    assert response.json["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # PUBLIC_BASE_URL is http in tests


def test_cookie_is_secure_behind_https(
    app_config, database_url, connection, tmp_path, monkeypatch, make_org, make_user
):
    from ivr_designer import create_app
    from ivr_designer.extensions import db

    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path))
    app = create_app({**app_config, "PUBLIC_BASE_URL": "https://ivr.example.dk"})
    db.bind(app, connection)
    user = make_user(make_org(), role="org_admin")
    response = _login(app.test_client(), user.email)
    assert response.status_code == 200
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_is_401_and_recorded(client, admin, db_session):
    response = _login(client, admin.email, "not-the-password")
    assert response.status_code == 401
    assert response.json["error"]
    assert client.get("/api/me").status_code == 401
    attempts = db_session.execute(select(LoginAttempt)).scalars().all()
    assert [(a.email, a.succeeded) for a in attempts] == [(admin.email, False)]


def test_unknown_email_is_401(client):
    assert _login(client, "nobody@example.com").status_code == 401


def test_disabled_user_cannot_sign_in(client, make_org, make_user):
    user = make_user(make_org(), active=False)
    response = _login(client, user.email)
    assert response.status_code == 401
    assert client.get("/api/me").status_code == 401


def test_disabling_a_user_ends_their_session(client, admin, sign_in, db_session):
    sign_in(admin)
    db_session.execute(update(User).where(User.id == admin.id).values(active=False))
    db_session.commit()
    assert client.get("/api/me").status_code == 401


def test_password_change_ends_other_sessions(app, client, admin, sign_in, make_user, bearer):
    sign_in(admin)
    other = app.test_client()
    assert _login(other, admin.email).status_code == 200
    response = client.patch(
        f"/api/users/{admin.id}",
        json={"password": "a-brand-new-passphrase"},
        headers=bearer(make_user(None, role="system_admin")),
    )
    assert response.status_code == 200
    assert other.get("/api/me").status_code == 401


def test_logout(client, admin, sign_in):
    headers = sign_in(admin)
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/me").status_code == 401


def test_session_writes_need_the_csrf_token(client, admin, sign_in, db_session):
    headers = sign_in(admin)
    body = {"email": "new@example.com", "name": "New", "password": "long-enough-passphrase"}
    refused = client.post("/api/users", json=body)
    assert refused.status_code == 400
    assert "CSRF" in refused.json["error"]
    assert db_session.execute(select(User).where(User.email == "new@example.com")).first() is None
    wrong = client.post("/api/users", json=body, headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    assert client.post("/api/users", json=body, headers=headers).status_code == 201


def test_csrf_endpoint_hands_out_a_working_token(client, admin, sign_in):
    sign_in(admin)
    token = client.get("/api/auth/csrf").json["csrf_token"]
    response = client.post("/api/tokens", json={"name": "x"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_login_rehashes_old_parameters(app, client, admin, db_session):
    old_hash = admin.password_hash
    app.config["ARGON2_TIME_COST"] = FAST_HASHING["ARGON2_TIME_COST"] + 1
    from ivr_designer.auth.current import HASHER_EXTENSION

    app.extensions[HASHER_EXTENSION] = make_hasher(app.config)
    assert _login(client, admin.email).status_code == 200
    db_session.expire_all()
    new_hash = db_session.get(User, admin.id).password_hash
    assert new_hash != old_hash
    assert not needs_rehash(make_hasher(app.config), new_hash)


class TestLockout:
    def test_account_locks_after_repeated_failures(self, app, client, admin):
        limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        for _ in range(limit):
            assert _login(client, admin.email, "wrong-password-x").status_code == 401
        locked = _login(client, admin.email)  # even the right password
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) > 0
        assert locked.json["error"]

    def test_lock_expires_with_the_window(self, app, client, admin, db_session):
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            _login(client, admin.email, "wrong-password-x")
        assert _login(client, admin.email).status_code == 429
        past = utcnow() - timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 1)
        db_session.execute(update(LoginAttempt).values(created_at=past))
        db_session.commit()
        assert _login(client, admin.email).status_code == 200

    def test_success_resets_the_account_count(self, app, client, admin):
        limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        for _ in range(limit - 1):
            _login(client, admin.email, "wrong-password-x")
        assert _login(client, admin.email).status_code == 200
        for _ in range(limit - 1):
            _login(client, admin.email, "wrong-password-x")
        assert _login(client, admin.email).status_code == 200

    def test_other_accounts_are_not_locked(self, app, client, admin, make_user):
        other = make_user(admin.org)
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            _login(client, admin.email, "wrong-password-x")
        assert _login(client, other.email).status_code == 200

    def test_ip_locks_across_accounts(self, app, client, admin, make_user):
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
        for number in range(3):
            _login(client, f"guess{number}@example.com", "wrong-password-x")
        assert _login(client, admin.email).status_code == 429
        elsewhere = _login(client, admin.email, environ_base={"REMOTE_ADDR": "10.9.8.7"})
        assert elsewhere.status_code == 200

    def test_lockout_is_shared_between_app_instances(self, app, admin, client):
        """Counts live in the database, so another worker sees the same lock."""
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            _login(client, admin.email, "wrong-password-x")
        assert _login(app.test_client(), admin.email).status_code == 429
