"""Claim, unclaim, handled, reopen, heard and delete, through the API and directly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ivr_designer import crypto
from ivr_designer.errors import Conflict, NotFound
from ivr_designer.inbox import operations
from ivr_designer.models import AuditEntry, Fax, OutboxDelivery, Voicemail, WebhookEndpoint


def post(client, headers, kind_path: str, item_id: int, action: str, body=None):
    return client.post(f"/api/{kind_path}/{item_id}/{action}", headers=headers, json=body)


def audit_actions(db_session, item) -> list[str]:
    db_session.expire_all()
    return list(
        db_session.execute(
            select(AuditEntry.action)
            .where(
                AuditEntry.object_type == item.__tablename__,
                AuditEntry.object_id == str(item.id),
            )
            .order_by(AuditEntry.id)
        ).scalars()
    )


@pytest.fixture
def shared(inbox, make_user, make_box, make_voicemail, db_session):
    """Box A gets a second listener, Carl, so two staff share it."""
    carl = make_user(inbox.org, name="Carl Holm")
    inbox.box_a.listeners.append(carl)
    db_session.add(inbox.box_a)
    db_session.commit()
    return carl, make_voicemail(inbox.box_a)


def test_a_claim_is_shared_and_a_second_claim_names_the_holder(
    inbox, shared, client, as_user, db_session
):
    carl, voicemail = shared
    claimed = post(client, as_user(inbox.anna), "voicemails", voicemail.id, "claim")
    assert claimed.status_code == 200
    assert claimed.json["claimed_by"] == {"id": inbox.anna.id, "name": "Anna Jensen"}
    assert claimed.json["claimed_at"] is not None
    # Carl sees who has it ...
    seen = client.get(f"/api/voicemails/{voicemail.id}", headers=as_user(carl)).json
    assert seen["claimed_by"]["name"] == "Anna Jensen"
    # ... and cannot take it, release it or finish it.
    for action in ("claim", "unclaim", "handled"):
        refused = post(client, as_user(carl), "voicemails", voicemail.id, action)
        assert refused.status_code == 409, action
        assert "Anna Jensen" in refused.json["error"]
        assert refused.json["fields"]["claimed_by"] == {"id": inbox.anna.id, "name": "Anna Jensen"}
    # Staff cannot force a take-over.
    forced = post(client, as_user(carl), "voicemails", voicemail.id, "claim", {"take_over": True})
    assert forced.status_code == 403
    # Claiming one's own claim again changes nothing.
    again = post(client, as_user(inbox.anna), "voicemails", voicemail.id, "claim")
    assert again.json["claimed_at"] == claimed.json["claimed_at"]
    assert audit_actions(db_session, voicemail) == ["claim"]


def test_an_admin_takes_over_only_when_asked(inbox, shared, client, as_user, db_session):
    _carl, voicemail = shared
    post(client, as_user(inbox.anna), "voicemails", voicemail.id, "claim")
    plain = post(client, as_user(inbox.admin), "voicemails", voicemail.id, "claim")
    assert plain.status_code == 409
    assert "take it over" in plain.json["error"]
    taken = post(
        client, as_user(inbox.admin), "voicemails", voicemail.id, "claim", {"take_over": True}
    )
    assert taken.status_code == 200
    assert taken.json["claimed_by"]["name"] == "Admin Person"
    assert audit_actions(db_session, voicemail) == ["claim", "take_over"]
    unknown = post(client, as_user(inbox.admin), "voicemails", voicemail.id, "claim", {"x": 1})
    assert unknown.status_code == 422
    assert "x" in unknown.json["fields"]


def test_handled_claims_for_me_notifies_and_reopen_returns_it(
    inbox, shared, client, as_user, db_session, app
):
    carl, voicemail = shared
    db_session.add(
        WebhookEndpoint(
            org_id=inbox.org.id,
            url="https://receiver.example/hook",
            secret_encrypted=crypto.encrypt("whsec_test", app),
            events=["voicemail.handled"],
        )
    )
    db_session.commit()
    handled = post(client, as_user(carl), "voicemails", voicemail.id, "handled")
    assert handled.status_code == 200
    body = handled.json
    assert body["claimed_by"] == body["handled_by"] == {"id": carl.id, "name": "Carl Holm"}
    assert body["handled_at"] is not None
    deliveries = (
        db_session.execute(select(OutboxDelivery).where(OutboxDelivery.subject_id == voicemail.id))
        .scalars()
        .all()
    )
    assert [(d.event, d.subject_type, d.channel) for d in deliveries] == [
        ("voicemail.handled", "voicemail", "webhook")
    ]
    # The outbox keeps his id only; the name is looked up when the message is sent.
    assert deliveries[0].payload["handled_by"] == {"id": carl.id}
    # Marking it handled again is a no-op: nothing new is sent.
    assert post(client, as_user(carl), "voicemails", voicemail.id, "handled").status_code == 200
    count = select(func.count(OutboxDelivery.id)).where(OutboxDelivery.subject_id == voicemail.id)
    assert db_session.execute(count).scalar_one() == 1
    # Claiming or releasing a handled item is refused; reopening by Anna puts it back.
    assert post(client, as_user(inbox.anna), "voicemails", voicemail.id, "claim").status_code == 409
    assert post(client, as_user(carl), "voicemails", voicemail.id, "unclaim").status_code == 409
    reopened = post(client, as_user(inbox.anna), "voicemails", voicemail.id, "reopen")
    assert reopened.status_code == 200
    assert reopened.json["handled_by"] is None
    assert reopened.json["claimed_by"] is None  # Anna did not hold it: open for everyone
    assert audit_actions(db_session, voicemail) == ["handled", "reopen"]


def test_reopen_by_the_holder_keeps_the_claim_and_unclaim_releases(
    inbox, make_voicemail, client, as_user
):
    voicemail = make_voicemail(inbox.box_a)
    headers = as_user(inbox.anna)
    post(client, headers, "voicemails", voicemail.id, "handled")
    reopened = post(client, headers, "voicemails", voicemail.id, "reopen").json
    assert reopened["claimed_by"]["id"] == inbox.anna.id
    assert reopened["handled_at"] is None
    released = post(client, headers, "voicemails", voicemail.id, "unclaim").json
    assert released["claimed_by"] is None
    assert released["claimed_at"] is None


def test_admins_finish_or_release_what_staff_hold(inbox, make_voicemail, client, as_user):
    first = make_voicemail(inbox.box_a)
    second = make_voicemail(inbox.box_a)
    for item in (first, second):
        post(client, as_user(inbox.anna), "voicemails", item.id, "claim")
    finished = post(client, as_user(inbox.admin), "voicemails", first.id, "handled").json
    assert finished["handled_by"]["name"] == "Admin Person"
    assert finished["claimed_by"]["name"] == "Anna Jensen"
    released = post(client, as_user(inbox.admin), "voicemails", second.id, "unclaim").json
    assert released["claimed_by"] is None


def test_heard_is_per_person(inbox, shared, client, as_user, db_session):
    carl, voicemail = shared
    marked = post(client, as_user(inbox.anna), "voicemails", voicemail.id, "heard")
    assert marked.status_code == 200
    assert marked.json["heard"] is True
    assert post(client, as_user(inbox.anna), "voicemails", voicemail.id, "heard").json["heard"]
    assert (
        client.get(f"/api/voicemails/{voicemail.id}", headers=as_user(carl)).json["heard"] is False
    )
    listed = client.get("/api/voicemails", headers=as_user(inbox.anna)).json
    assert [item["heard"] for item in listed] == [True]
    assert client.get("/api/voicemails", headers=as_user(carl)).json[0]["heard"] is False
    unheard = client.get("/api/voicemails?heard=false", headers=as_user(carl)).json
    assert [item["id"] for item in unheard] == [voicemail.id]
    assert client.get("/api/voicemails?heard=false", headers=as_user(inbox.anna)).json == []
    heard = client.get("/api/voicemails?heard=true", headers=as_user(inbox.anna)).json
    assert [item["id"] for item in heard] == [voicemail.id]
    assert audit_actions(db_session, voicemail) == []  # a personal bookmark, not audited


def test_delete_removes_row_files_and_marks_and_is_audited(
    inbox, make_voicemail, client, as_user, db_session, media_root
):
    voicemail = make_voicemail(inbox.box_a)
    vid = voicemail.id
    headers = as_user(inbox.anna)
    played = client.get(f"/api/voicemails/{vid}/audio", headers=headers)
    played.close()
    post(client, headers, "voicemails", vid, "heard")
    db_session.expire_all()
    stored = db_session.get(Voicemail, vid)
    files = [media_root / stored.media_path, media_root / stored.opus_path]
    assert all(path.is_file() for path in files)
    pending = OutboxDelivery(
        org_id=inbox.org.id,
        event="voicemail.created",
        subject_type="voicemail",
        subject_id=vid,
        channel="webhook",
        idempotency_key=f"test-{vid}",
    )
    db_session.add(pending)
    db_session.commit()

    assert client.delete(f"/api/voicemails/{vid}", headers=as_user(inbox.bo)).status_code == 404
    response = client.delete(f"/api/voicemails/{vid}", headers=headers)
    assert response.status_code == 204
    assert not any(path.exists() for path in files)
    db_session.expire_all()
    assert db_session.get(Voicemail, vid) is None
    assert db_session.get(OutboxDelivery, pending.id).status == "cancelled"
    entry = db_session.execute(
        select(AuditEntry).where(
            AuditEntry.object_type == "voicemail", AuditEntry.object_id == str(vid)
        )
    ).scalar_one()
    assert (entry.action, entry.actor_id) == ("delete", inbox.anna.id)
    assert entry.before["box_id"] == inbox.box_a.id
    assert client.get(f"/api/voicemails/{vid}", headers=headers).status_code == 404


def test_delete_a_fax_removes_the_pdf(inbox, make_fax, client, as_user, db_session, media_root):
    fax = make_fax(inbox.fax_box)
    fax_id, pdf = fax.id, media_root / fax.media_path
    assert client.delete(f"/api/faxes/{fax_id}", headers=as_user(inbox.admin)).status_code == 204
    assert not pdf.exists()
    db_session.expire_all()
    assert db_session.get(Fax, fax_id) is None


def test_operations_take_a_plain_user_and_check_the_org(inbox, make_voicemail, db_session):
    """The Telegram buttons call these with the linked user, in an unscoped session."""
    voicemail = make_voicemail(inbox.box_a)
    item = operations.claim(db_session, inbox.anna, "voicemail", voicemail.id)
    assert item.claimed_by_id == inbox.anna.id
    with pytest.raises(Conflict):
        operations.claim(db_session, inbox.admin, "voicemail", voicemail.id)
    with pytest.raises(NotFound):
        operations.mark_handled(db_session, inbox.stranger, "voicemail", voicemail.id)
    with pytest.raises(NotFound):
        operations.mark_heard(db_session, inbox.bo, "voicemail", voicemail.id)
    handled = operations.mark_handled(db_session, inbox.anna, "voicemail", voicemail.id)
    assert handled.handled_by_id == inbox.anna.id
    db_session.rollback()
