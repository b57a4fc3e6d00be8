"""Bad input gets a clear 4xx JSON answer and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ivr_designer.models import AuditEntry, Organisation, User


@pytest.fixture
def root(make_user):
    return make_user(None, role="system_admin")


@pytest.fixture
def headers(root, bearer):
    return bearer(root)


def _counts(db_session):
    db_session.expire_all()
    return tuple(
        db_session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Organisation, User, AuditEntry)
    )


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def unchanged(db_session):
    before = _counts(db_session)
    yield
    assert _counts(db_session) == before, "a refused request wrote something"


def _assert_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert isinstance(response.json["error"], str)
    assert response.json["error"]
    assert isinstance(response.json["fields"], dict)
    return response.json


def test_malformed_json_is_400(client, headers, unchanged):
    response = client.post(
        "/api/orgs", data="{not json", content_type="application/json", headers=headers
    )
    assert _assert_error(response, 400)["error"] == "malformed JSON body"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("name=x&slug=y", "application/x-www-form-urlencoded"), ("name", "text/plain")],
)
def test_non_json_body_is_415(client, headers, unchanged, data, content_type):
    response = client.post("/api/orgs", data=data, content_type=content_type, headers=headers)
    _assert_error(response, 415)


def test_json_that_is_not_an_object_is_422(client, headers, unchanged):
    _assert_error(client.post("/api/orgs", json=["name", "slug"], headers=headers), 422)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 123, "slug": "ok-slug"}, "name"),
        ({"name": "Ok", "slug": "Not A Slug"}, "slug"),
        ({"name": "Ok", "slug": "ok-slug", "cdr_retention_days": "14"}, "cdr_retention_days"),
        ({"name": "Ok", "slug": "ok-slug", "cdr_retention_days": 0}, "cdr_retention_days"),
        ({"name": "Ok", "slug": "ok-slug", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "Ok", "slug": "ok-slug", "password_min_length": 4}, "password_min_length"),
        ({"name": "Ok", "slug": "ok-slug", "colour": "red"}, "colour"),
        ({"slug": "ok-slug"}, "name"),
    ],
)
def test_validation_errors_name_the_field(client, headers, unchanged, body, field):
    payload = _assert_error(client.post("/api/orgs", json=body, headers=headers), 422)
    assert field in payload["fields"]


def test_user_with_bad_email_and_role(client, headers, org, unchanged):
    body = {
        "email": "nope",
        "name": "X",
        "password": "long-enough-passphrase",
        "role": "god",
        "org_id": org.id,
    }
    payload = _assert_error(client.post("/api/users", json=body, headers=headers), 422)
    assert {"email", "role"} <= set(payload["fields"])


def test_weak_password_is_422_and_nothing_written(client, headers, make_org, db_session):
    org = make_org(password_min_length=16)
    before = _counts(db_session)
    body = {"email": "p@example.com", "name": "P", "password": "fifteen-chars!!", "org_id": org.id}
    payload = _assert_error(client.post("/api/users", json=body, headers=headers), 422)
    assert "password" in payload["fields"]
    assert _counts(db_session) == before


def test_duplicate_email_is_409(client, headers, make_org, make_user):
    org = make_org()
    existing = make_user(org)
    body = {
        "email": existing.email.upper(),
        "name": "X",
        "password": "long-enough-passphrase",
        "org_id": org.id,
    }
    payload = _assert_error(client.post("/api/users", json=body, headers=headers), 409)
    assert "email" in payload["fields"]


def test_duplicate_slug_is_409(client, headers, make_org):
    make_org(slug="taken")
    payload = _assert_error(
        client.post("/api/orgs", json={"name": "X", "slug": "taken"}, headers=headers), 409
    )
    assert "slug" in payload["fields"]


def test_unknown_org_is_404(client, headers, unchanged):
    _assert_error(client.get("/api/orgs/999999", headers=headers), 404)
    _assert_error(client.patch("/api/orgs/999999", json={"name": "x"}, headers=headers), 404)
    body = {
        "email": "z@example.com",
        "name": "Z",
        "password": "long-enough-passphrase",
        "org_id": 999999,
    }
    _assert_error(client.post("/api/users", json=body, headers=headers), 404)


def test_role_needs_an_org_and_system_admins_have_none(client, headers, org, unchanged):
    body = {
        "email": "z@example.com",
        "name": "Z",
        "password": "long-enough-passphrase",
        "role": "staff",
    }
    assert (
        "org_id"
        in _assert_error(client.post("/api/users", json=body, headers=headers), 422)["fields"]
    )
    body = {**body, "role": "system_admin", "org_id": org.id}
    assert (
        "org_id"
        in _assert_error(client.post("/api/users", json=body, headers=headers), 422)["fields"]
    )


@pytest.fixture
def org_admin_headers(org, make_user, bearer):
    return bearer(make_user(org, role="org_admin"))


def test_org_admin_cannot_create_system_admins(client, org_admin_headers, unchanged):
    body = {
        "email": "z@example.com",
        "name": "Z",
        "password": "long-enough-passphrase",
        "role": "system_admin",
    }
    _assert_error(client.post("/api/users", json=body, headers=org_admin_headers), 403)


def test_oversize_body_is_413(app, client, headers, unchanged):
    padding = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/orgs", json={"name": padding, "slug": "big"}, headers=headers)
    _assert_error(response, 413)


def test_unknown_api_path_is_json_404(client):
    _assert_error(client.get("/api/nothing-here"), 404)


def test_wrong_method_is_json_405(client, headers):
    response = client.put("/api/users", json={}, headers=headers)
    _assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_unexpected_errors_are_json_500(app, client, headers, monkeypatch):
    from ivr_designer.orgs import operations

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(operations, "list_orgs", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    payload = _assert_error(client.get("/api/orgs", headers=headers), 500)
    assert "boom" not in payload["error"]


def test_self_protection(client, bearer, make_org, make_user):
    admin = make_user(make_org(), role="org_admin")
    headers = bearer(admin)
    _assert_error(client.delete(f"/api/users/{admin.id}", headers=headers), 409)
    _assert_error(
        client.patch(f"/api/users/{admin.id}", json={"active": False}, headers=headers), 409
    )
    _assert_error(
        client.patch(f"/api/users/{admin.id}", json={"role": "staff"}, headers=headers), 409
    )
