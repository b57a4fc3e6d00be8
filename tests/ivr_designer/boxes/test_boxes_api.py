"""Voicemail and fax boxes: listeners of the same org, fixed keys, guarded deletes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr_designer.models import AuditEntry, Fax, Voicemail


@pytest.fixture
def org(make_org):
    return make_org(name="Alpha ApS", slug="alpha")


@pytest.fixture
def headers(org, make_user, bearer):
    return bearer(make_user(org, role="org_admin"))


def test_create_with_listeners_and_read_back(client, org, headers, make_user):
    anna = make_user(org, role="staff", name="Anna")
    response = client.post(
        "/api/voicemail-boxes",
        json={"key": "vm-main", "name": "Main", "listener_ids": [anna.id], "max_length_s": 90},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    assert response.json["key"] == "vm-main"
    assert response.json["max_length_s"] == 90
    assert response.json["listeners"] == [{"id": anna.id, "name": "Anna", "email": anna.email}]
    fax = client.post("/api/fax-boxes", json={"key": "fax-main", "name": "Fax"}, headers=headers)
    assert fax.status_code == 201
    assert "max_length_s" not in fax.json
    assert client.get("/api/voicemail-boxes", headers=headers).json[0]["key"] == "vm-main"


def test_listeners_from_another_org_are_refused_without_details(
    client, org, headers, make_org, make_user
):
    outsider = make_user(make_org(name="Bravo ApS", slug="bravo"), role="staff")
    root = make_user(None, role="system_admin")
    for user in (outsider, root):
        response = client.post(
            "/api/voicemail-boxes",
            json={"key": "vm-main", "name": "Main", "listener_ids": [user.id]},
            headers=headers,
        )
        assert response.status_code == 422
        assert response.json["fields"] == {"listener_ids": [f"user {user.id} not found"]}
        assert "bravo" not in response.get_data(as_text=True).lower()


@pytest.mark.parametrize(
    ("key", "message"),
    [("VM-Main", "1-64 of a-z"), ("", "1-64 of a-z"), ("x" * 65, "1-64 of a-z")],
)
def test_keys_are_checked(client, headers, key, message):
    response = client.post("/api/fax-boxes", json={"key": key, "name": "Fax"}, headers=headers)
    assert response.status_code == 422
    assert message in response.json["fields"]["key"][0]


def test_the_key_is_fixed_and_unique(client, headers):
    box = client.post("/api/voicemail-boxes", json={"key": "vm-a", "name": "A"}, headers=headers)
    taken = client.post("/api/voicemail-boxes", json={"key": "vm-a", "name": "B"}, headers=headers)
    assert taken.status_code == 409
    assert taken.json["fields"] == {"key": ["already taken"]}
    path = f"/api/voicemail-boxes/{box.json['id']}"
    renamed = client.patch(path, json={"key": "vm-b"}, headers=headers)
    assert renamed.status_code == 422
    assert "cannot be changed" in renamed.json["fields"]["key"][0]
    same = client.patch(path, json={"key": "vm-a", "name": "Renamed"}, headers=headers)
    assert same.status_code == 200
    assert same.json["name"] == "Renamed"


def test_staff_list_only_the_boxes_they_listen_to(client, org, make_user, make_box, bearer):
    staff = make_user(org, role="staff")
    make_box(org, "vm-mine", listeners=[staff])
    make_box(org, "vm-other")
    make_box(org, "fax-mine", kind="fax", listeners=[staff])
    headers = bearer(staff)
    assert [b["key"] for b in client.get("/api/voicemail-boxes", headers=headers).json] == [
        "vm-mine"
    ]
    assert [b["key"] for b in client.get("/api/fax-boxes", headers=headers).json] == ["fax-mine"]
    mine = client.get("/api/voicemail-boxes", headers=headers).json[0]
    assert client.get(f"/api/voicemail-boxes/{mine['id']}", headers=headers).status_code == 403


def test_delete_refused_while_a_live_flow_uses_the_box(client, org, headers, make_box, make_flow):
    from tests.conftest import simple_flow_document

    box = make_box(org, "vm-main")
    make_flow(org, "main", simple_flow_document("main", box="vm-main"), published=True)
    response = client.delete(f"/api/voicemail-boxes/{box.id}", headers=headers)
    assert response.status_code == 409
    assert "main" in response.json["error"]


def test_delete_refused_while_a_number_or_messages_use_it(
    client, org, headers, make_box, make_number, db_session
):
    fax_box = make_box(org, "fax-main", kind="fax")
    make_number(org, "+4570202020", fax_box=fax_box)
    response = client.delete(f"/api/fax-boxes/{fax_box.id}", headers=headers)
    assert response.status_code == 409
    assert "+4570202020" in response.json["error"]

    vm_box = make_box(org, "vm-full")
    db_session.add(Voicemail(org_id=org.id, box_id=vm_box.id, recording_sid="RE-1"))
    other_fax = make_box(org, "fax-full", kind="fax")
    db_session.add(Fax(org_id=org.id, box_id=other_fax.id, fax_sid="FX-1"))
    db_session.commit()
    for path in (f"/api/voicemail-boxes/{vm_box.id}", f"/api/fax-boxes/{other_fax.id}"):
        held = client.delete(path, headers=headers)
        assert held.status_code == 409
        assert "holds 1 message" in held.json["error"]


def test_delete_and_update_are_audited(client, org, headers, make_box, make_user, db_session):
    staff = make_user(org, role="staff")
    box = make_box(org, "vm-old")
    path = f"/api/voicemail-boxes/{box.id}"
    assert client.patch(path, json={"listener_ids": [staff.id]}, headers=headers).status_code == 200
    assert client.delete(path, headers=headers).status_code == 204
    entries = (
        db_session.execute(
            select(AuditEntry)
            .where(AuditEntry.object_type == "voicemail_box")
            .order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    first = entries[0]
    assert (first.action, first.before, first.after) == (
        "update",
        {"listener_ids": []},
        {"listener_ids": [staff.id]},
    )
    assert entries[1].action == "delete"
    assert entries[1].before["key"] == "vm-old"
