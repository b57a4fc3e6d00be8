"""Deleting a user erases the person: what goes, what is redacted, what stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from integrations.notify.signing import generate_secret
from ivr_designer import crypto
from ivr_designer.audit.record import REDACTED
from ivr_designer.models import (
    ApiToken,
    AuditEntry,
    LoginAttempt,
    OutboxDelivery,
    TelegramChat,
    TelegramLinkToken,
    User,
    Voicemail,
    WebhookEndpoint,
    voicemail_heard,
)
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.worker import deliver_due
from ivr_designer.retention.erasure import redact
from tests.integrations.webhook_receiver import WebhookReceiver

EMAIL = "anna.jensen@acme.example"
PHONE = "+4520304050"


def _count(db_session, what, *where) -> int:
    return db_session.execute(select(func.count()).select_from(what).where(*where)).scalar_one()


def test_deleting_a_user_erases_their_personal_data(
    client, bearer, make_org, make_user, make_box, make_voicemail, db_session
):
    org = make_org()
    admin = make_user(org, role="org_admin", email="boss@acme.example")
    admin_headers = bearer(admin)
    created = client.post(
        "/api/users",
        json={
            "email": EMAIL,
            "name": "Anna Jensen",
            "phone": PHONE,
            "password": "a-Long-enough-passphrase",
        },
        headers=admin_headers,
    ).json
    anna_id = created["id"]
    client.patch(f"/api/users/{anna_id}", json={"name": "Anna B. Jensen"}, headers=admin_headers)
    anna = db_session.get(User, anna_id)
    # Anna acts herself (an audit entry by her, with her IP address) ...
    response = client.post(
        "/api/tokens",
        json={"name": "phone app"},
        headers=bearer(anna),
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
    )
    assert response.status_code == 201
    # ... signs in (and fails once), links Telegram, takes and hears a voicemail.
    client.post("/api/auth/login", json={"email": EMAIL, "password": "wrong-passphrase-1"})
    client.post("/api/auth/login", json={"email": "boss@acme.example", "password": "wrong-1234"})
    box = make_box(org, listeners=[anna])
    voicemail = make_voicemail(box, claimed_by_id=anna_id, handled_by_id=anna_id)
    db_session.execute(voicemail_heard.insert().values(voicemail_id=voicemail.id, user_id=anna_id))
    chat = TelegramChat(
        org_id=org.id, chat_id=777, chat_type="private", title="Anna J", user_id=anna_id
    )
    db_session.add_all(
        [
            chat,
            TelegramLinkToken(
                org_id=org.id,
                token_sha256="a" * 64,
                user_id=anna_id,
                expires_at=utcnow() + timedelta(minutes=30),
            ),
        ]
    )
    db_session.flush()
    db_session.add(
        AuditEntry(
            org_id=org.id,
            actor_id=admin.id,
            actor_email=admin.email,
            action="unlink",
            object_type="telegram_chat",
            object_id=str(chat.id),
            before={"user_id": anna_id, "title": "Anna J", "active": True},
            after={"active": False},
        )
    )
    db_session.commit()
    assert _count(db_session, LoginAttempt, LoginAttempt.email == EMAIL) == 1
    entries_before = _count(db_session, AuditEntry)

    assert client.delete(f"/api/users/{anna_id}", headers=admin_headers).status_code == 204

    db_session.expire_all()
    # Gone: her tokens, sign-in attempts, Telegram links and heard marks.
    assert _count(db_session, ApiToken, ApiToken.user_id == anna_id) == 0
    assert _count(db_session, LoginAttempt, LoginAttempt.email == EMAIL) == 0
    assert _count(db_session, LoginAttempt, LoginAttempt.email == "boss@acme.example") == 1
    assert _count(db_session, TelegramChat) == 0
    assert _count(db_session, TelegramLinkToken) == 0
    assert _count(db_session, voicemail_heard) == 0
    # Kept: the voicemail (it belongs to the caller), with nobody named on it.
    kept = db_session.get(Voicemail, voicemail.id)
    assert (kept.claimed_by_id, kept.handled_by_id) == (None, None)

    # The audit log keeps every entry and who/what/when, but not the person.
    entries = db_session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert len(entries) == entries_before + 1
    for entry in entries:
        text = f"{entry.actor_email} {entry.before} {entry.after} {entry.ip_address}"
        assert EMAIL not in text
        assert PHONE not in text
        assert "Anna" not in text, entry
    hers = [entry for entry in entries if entry.actor_id == anna_id]
    assert hers, "her own actions stay in the log"
    assert all((e.actor_email, e.ip_address) == (REDACTED, None) for e in hers)
    delete_entry = entries[-1]
    assert (delete_entry.action, delete_entry.object_id) == ("delete", str(anna_id))
    assert delete_entry.before["id"] == anna_id
    assert delete_entry.before["role"] == "staff"
    assert delete_entry.actor_email == admin.email  # the admin is not erased
    created_entry = next(e for e in entries if e.action == "create" and e.object_type == "users")
    assert created_entry.after["email"] == REDACTED
    assert created_entry.after["role"] == "staff"  # what is not personal stays readable
    unlink = next(e for e in entries if e.action == "unlink")
    assert unlink.before == {"user_id": anna_id, "title": REDACTED, "active": True}


def test_redaction_leaves_other_people_alone():
    needles = ("anna@x.example",)
    value = {
        "listeners": [{"user_id": 5, "name": "Anna"}, {"user_id": 6, "name": "Bo"}],
        "note": "forwarded to anna@x.example",
        "count": 3,
    }
    assert redact(value, 5, needles) == {
        "listeners": [{"user_id": 5, "name": REDACTED}, {"user_id": 6, "name": "Bo"}],
        "note": REDACTED,
        "count": 3,
    }


def test_deleting_a_user_leaves_no_name_in_notifications_sent_or_pending(
    app, client, bearer, make_org, make_user, make_box, make_voicemail, db_session
):
    app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = True  # the receiver is on 127.0.0.1
    secret = generate_secret()
    org = make_org()
    admin = make_user(org, role="org_admin")
    anna = make_user(org, name="Anna Jensen", email=EMAIL, phone=PHONE)
    anna_id = anna.id
    box = make_box(org, listeners=[anna])
    sent, pending = make_voicemail(box), make_voicemail(box)
    with WebhookReceiver(secret) as receiver:
        db_session.add(
            WebhookEndpoint(
                org_id=org.id,
                url=receiver.url,
                secret_encrypted=crypto.encrypt(secret, app),
                events=["voicemail.handled"],
            )
        )
        db_session.commit()
        anna_headers = bearer(anna)
        path = "/api/voicemails/{}/handled"
        assert client.post(path.format(sent.id), headers=anna_headers).status_code == 200
        assert deliver_due(app) == 1  # sent while she exists: named at send time
        assert receiver.received[0].payload["data"]["handled_by"] == {
            "id": anna_id,
            "name": "Anna Jensen",
        }
        assert client.post(path.format(pending.id), headers=anna_headers).status_code == 200

        assert client.delete(f"/api/users/{anna_id}", headers=bearer(admin)).status_code == 204

        db_session.expire_all()
        rows = db_session.execute(select(OutboxDelivery).order_by(OutboxDelivery.id)).scalars()
        assert [(row.status, row.payload["handled_by"]) for row in rows] == [
            ("delivered", {"id": anna_id}),
            ("pending", {"id": anna_id}),
        ]
        outbox_text = " ".join(
            str(payload) for payload in db_session.execute(select(OutboxDelivery.payload)).scalars()
        )
        assert "Anna" not in outbox_text
        assert EMAIL not in outbox_text
        # The one still pending goes out naming no one.
        assert deliver_due(app) == 1
        assert receiver.received[1].verified
        assert receiver.received[1].payload["data"]["handled_by"] == {"id": anna_id, "name": None}
