"""Provider credentials: encrypted at rest, never in a response, a log or the audit."""

from __future__ import annotations

import logging

from sqlalchemy import select, text

from ivr_designer import crypto
from ivr_designer.models import AuditEntry, ProviderAccount

TOKEN = "super-secret-auth-token-4242"


def _everything_said(client, headers) -> str:
    said = [
        client.get("/api/provider-accounts", headers=headers).get_data(as_text=True),
        client.get("/api/audit", headers=headers).get_data(as_text=True),
    ]
    return "\n".join(said)


def test_the_token_is_encrypted_and_never_shown(app, client, headers, db_session, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/api/provider-accounts",
        json={
            "provider": "signalwire",
            "account_sid": "a1b2c3",
            "auth_token": TOKEN,
            "label": "Main",
            "api_base_url": "http://127.0.0.1:8099",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json
    assert response.json["auth_token_set"] is True
    assert "auth_token" not in response.json
    assert TOKEN not in response.get_data(as_text=True)

    raw = db_session.execute(
        text("SELECT auth_token_encrypted FROM provider_account WHERE id = :id"),
        {"id": response.json["id"]},
    ).scalar_one()
    assert TOKEN not in raw
    assert crypto.decrypt(raw, app) == TOKEN

    entry = db_session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "provider_account")
    ).scalar_one()
    assert entry.after["auth_token"] == "[redacted]"
    assert "auth_token_encrypted" not in entry.after
    said = _everything_said(client, headers)
    assert TOKEN not in said
    assert raw not in said
    assert TOKEN not in caplog.text


def test_replacing_the_token_is_audited_redacted(
    app, client, headers, db_session, alpha, make_provider_account
):
    account = make_provider_account(alpha, auth_token="old-token")
    path = f"/api/provider-accounts/{account.id}"
    renamed = client.patch(path, json={"label": "Renamed"}, headers=headers)
    assert renamed.status_code == 200
    replaced = client.patch(path, json={"auth_token": "new-token-9999"}, headers=headers)
    assert replaced.status_code == 200
    assert "new-token-9999" not in replaced.get_data(as_text=True)
    db_session.expire_all()
    assert (
        crypto.decrypt(db_session.get(ProviderAccount, account.id).auth_token_encrypted, app)
        == "new-token-9999"
    )
    entries = (
        db_session.execute(
            select(AuditEntry)
            .where(AuditEntry.object_type == "provider_account")
            .order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    assert [(e.before, e.after) for e in entries] == [
        ({"label": ""}, {"label": "Renamed"}),
        ({"auth_token": "[redacted]"}, {"auth_token": "[redacted]"}),
    ]
    assert "new-token-9999" not in _everything_said(client, headers)


def test_bad_accounts_are_refused(client, headers):
    for body, field in [
        ({"provider": "skype", "account_sid": "x", "auth_token": "t"}, "provider"),
        ({"provider": "twilio", "account_sid": "x y", "auth_token": "t"}, "account_sid"),
        ({"provider": "twilio", "account_sid": "x"}, "auth_token"),
        (
            {
                "provider": "twilio",
                "account_sid": "x",
                "auth_token": "t",
                "api_base_url": "ftp://x",
            },
            "api_base_url",
        ),
    ]:
        response = client.post("/api/provider-accounts", json=body, headers=headers)
        assert response.status_code == 422, body
        assert field in response.json["fields"]


def test_an_account_in_use_cannot_be_deleted(client, alpha, headers, make_number):
    number = make_number(alpha, "+4570000400")
    number_id, account_id = number.id, number.provider_account_id
    response = client.delete(f"/api/provider-accounts/{account_id}", headers=headers)
    assert response.status_code == 409
    assert response.json["fields"] == {"numbers": ["+4570000400"]}
    assert client.delete(f"/api/numbers/{number_id}", headers=headers).status_code == 204
    gone = client.delete(f"/api/provider-accounts/{account_id}", headers=headers)
    assert gone.status_code == 204
