"""Organisation and user management rules beyond the access matrix."""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import select

from ivr_designer.models import ApiToken, Organisation, User
from ivr_designer.users import operations as user_operations


@pytest.fixture
def org(make_org):
    return make_org(slug="acme", name="Acme")


@pytest.fixture
def root_headers(make_user, bearer):
    return bearer(make_user(None, role="system_admin"))


@pytest.fixture
def admin(org, make_user):
    return make_user(org, role="org_admin")


def test_new_org_gets_the_documented_defaults(client, root_headers):
    created = client.post(
        "/api/orgs", json={"name": "Ny ApS", "slug": "ny"}, headers=root_headers
    ).json
    assert created["time_zone"] == "Europe/Copenhagen"
    assert created["language"] == "da"
    assert created["call_log_retention_days"] == 14
    assert created["cdr_retention_days"] == 14
    assert created["voicemail_retention_days"] > 0
    assert created["fax_retention_days"] > 0
    assert created["password_min_length"] == 12


def test_slug_changes_are_for_system_admins(client, org, admin, bearer, root_headers, make_org):
    make_org(slug="other")
    refused = client.patch(f"/api/orgs/{org.id}", json={"slug": "mine"}, headers=bearer(admin))
    assert refused.status_code == 403
    clash = client.patch(f"/api/orgs/{org.id}", json={"slug": "other"}, headers=root_headers)
    assert clash.status_code == 409
    moved = client.patch(f"/api/orgs/{org.id}", json={"slug": "acme-2"}, headers=root_headers)
    assert moved.json["slug"] == "acme-2"


def test_org_admin_manages_roles_within_the_org(client, org, admin, bearer, make_user):
    staff = make_user(org)
    headers = bearer(admin)
    promoted = client.patch(f"/api/users/{staff.id}", json={"role": "org_admin"}, headers=headers)
    assert promoted.json["role"] == "org_admin"
    refused = client.patch(f"/api/users/{staff.id}", json={"role": "system_admin"}, headers=headers)
    assert refused.status_code == 403


def test_org_admin_cannot_touch_system_admins(client, admin, bearer, make_user):
    root = make_user(None, role="system_admin")
    headers = bearer(admin)
    assert client.get(f"/api/users/{root.id}", headers=headers).status_code == 404
    assert (
        client.patch(f"/api/users/{root.id}", json={"name": "x"}, headers=headers).status_code
        == 404
    )


def test_email_change_conflicts_and_is_normalised(client, org, admin, bearer, make_user):
    taken = make_user(org, email="taken@acme.example")
    staff = make_user(org)
    headers = bearer(admin)
    clash = client.patch(
        f"/api/users/{staff.id}", json={"email": "TAKEN@acme.example"}, headers=headers
    )
    assert clash.status_code == 409
    assert "email" in clash.json["fields"]
    changed = client.patch(
        f"/api/users/{staff.id}", json={"email": "New@Acme.example"}, headers=headers
    )
    assert changed.json["email"] == "new@acme.example"
    assert taken.email == "taken@acme.example"


def test_emails_are_unique_across_orgs_without_revealing_the_other(
    client, admin, bearer, make_org, make_user
):
    make_user(make_org(slug="elsewhere"), email="shared@example.com")
    body = {"email": "shared@example.com", "name": "X", "password": "long-enough-passphrase"}
    response = client.post("/api/users", json=body, headers=bearer(admin))
    assert response.status_code == 409
    assert "elsewhere" not in response.get_data(as_text=True)


def test_a_race_on_the_unique_email_is_still_409(
    client, org, admin, bearer, make_user, monkeypatch, db_session
):
    make_user(org, email="race@acme.example")
    monkeypatch.setattr(user_operations, "_email_taken", lambda *args, **kwargs: False)
    body = {"email": "race@acme.example", "name": "X", "password": "long-enough-passphrase"}
    response = client.post("/api/users", json=body, headers=bearer(admin))
    assert response.status_code == 409
    db_session.expire_all()
    assert len(db_session.execute(select(User).where(User.email == "race@acme.example")).all()) == 1


def test_deleting_a_user_removes_their_tokens(
    client, org, admin, bearer, make_user, make_token, db_session
):
    staff = make_user(org)
    token_id = make_token(staff)[0].id
    assert client.delete(f"/api/users/{staff.id}", headers=bearer(admin)).status_code == 204
    assert db_session.execute(select(ApiToken.id).where(ApiToken.id == token_id)).first() is None
    assert db_session.execute(select(Organisation.id).where(Organisation.id == org.id)).first()


def test_revoking_twice_is_harmless(client, admin, make_token):
    token, _secret = make_token(admin)
    _other, other_secret = make_token(admin)
    headers = {"Authorization": f"Bearer {other_secret}"}
    assert client.delete(f"/api/tokens/{token.id}", headers=headers).status_code == 204
    assert client.delete(f"/api/tokens/{token.id}", headers=headers).status_code == 204


def test_hooks_are_exempt_from_csrf(app, admin, sign_in, client):
    hooks = Blueprint("test_hooks", __name__, url_prefix="/hooks")

    @hooks.post("/ping")
    def ping():
        return {"pong": True}

    app.register_blueprint(hooks)
    sign_in(admin)  # a browser session is present, but provider webhooks carry no token
    assert client.post("/hooks/ping", json={}).status_code == 200
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}  # provider credentials, not ours
    assert client.post("/hooks/ping", json={}, headers=basic).status_code == 200
    assert client.post("/api/tokens", json={"name": "x"}).status_code == 400


def test_api_responses_are_not_cached(client, admin, bearer):
    response = client.post("/api/tokens", json={"name": "x"}, headers=bearer(admin))
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
