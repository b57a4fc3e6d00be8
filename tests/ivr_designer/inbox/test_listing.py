"""Who sees which items, filters, pagination and the item view."""

from __future__ import annotations

import json

from sqlalchemy import update

from ivr_designer.models import Voicemail


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json]


def test_staff_see_only_the_boxes_they_listen_to(inbox, make_voicemail, client, as_user):
    mine = make_voicemail(inbox.box_a)
    theirs = make_voicemail(inbox.box_b)
    make_voicemail(inbox.foreign_box)
    assert ids(client.get("/api/voicemails", headers=as_user(inbox.anna))) == [mine.id]
    assert ids(client.get("/api/voicemails", headers=as_user(inbox.bo))) == [theirs.id]
    # Another box of the same org, and another org: not found either way.
    for path in (f"/api/voicemails/{theirs.id}", f"/api/voicemails/{theirs.id}/audio"):
        response = client.get(path, headers=as_user(inbox.anna))
        assert response.status_code == 404
        assert set(response.json) == {"error", "fields"}
    claim = client.post(f"/api/voicemails/{theirs.id}/claim", headers=as_user(inbox.anna))
    assert claim.status_code == 404
    # Asking for the other box by id finds nothing rather than its items.
    query = f"/api/voicemails?box_id={inbox.box_b.id}"
    assert ids(client.get(query, headers=as_user(inbox.anna))) == []


def test_admins_see_the_org_and_system_admins_choose_the_org(
    inbox, make_voicemail, client, as_user
):
    a = make_voicemail(inbox.box_a)
    b = make_voicemail(inbox.box_b)
    foreign = make_voicemail(inbox.foreign_box)
    assert set(ids(client.get("/api/voicemails", headers=as_user(inbox.admin)))) == {a.id, b.id}
    assert (
        client.get(f"/api/voicemails/{foreign.id}", headers=as_user(inbox.admin)).status_code == 404
    )
    assert ids(client.get("/api/voicemails", headers=as_user(inbox.stranger))) == [foreign.id]
    everything = set(ids(client.get("/api/voicemails", headers=as_user(inbox.root))))
    assert {a.id, b.id, foreign.id} <= everything
    one_org = ids(
        client.get(f"/api/voicemails?org_id={inbox.foreign.id}", headers=as_user(inbox.root))
    )
    assert one_org == [foreign.id]
    # An org admin naming another org still sees only their own.
    named = client.get(f"/api/voicemails?org_id={inbox.foreign.id}", headers=as_user(inbox.admin))
    assert ids(named) == []


def test_item_shape_and_state_filters(inbox, make_voicemail, client, as_user, db_session):
    first = make_voicemail(inbox.box_a, caller="+4522334455", duration_s=7)
    second = make_voicemail(inbox.box_a)
    third = make_voicemail(inbox.box_a)
    headers = as_user(inbox.anna)
    assert client.post(f"/api/voicemails/{second.id}/claim", headers=headers).status_code == 200
    assert client.post(f"/api/voicemails/{third.id}/handled", headers=headers).status_code == 200

    def state(name: str) -> set[int]:
        return set(ids(client.get(f"/api/voicemails?state={name}", headers=headers)))

    assert state("open") == {first.id}
    assert state("claimed") == {second.id}
    assert state("handled") == {third.id}
    assert state("all") == {first.id, second.id, third.id}
    item = client.get(f"/api/voicemails/{first.id}", headers=headers).json
    assert item == {
        "id": first.id,
        "org_id": inbox.org.id,
        "box_id": inbox.box_a.id,
        "box_name": "Reception",
        "caller": "+4522334455",
        "duration_s": 7,
        "created_at": item["created_at"],
        "status": "ready",
        "transcription": None,
        "heard": False,
        "claimed_by": None,
        "claimed_at": None,
        "handled_by": None,
        "handled_at": None,
    }
    handled = client.get(f"/api/voicemails/{third.id}", headers=headers).json
    assert handled["handled_by"] == {"id": inbox.anna.id, "name": "Anna Jensen"}
    assert handled["claimed_by"] == {"id": inbox.anna.id, "name": "Anna Jensen"}
    bad = client.get("/api/voicemails?state=lost", headers=headers)
    assert bad.status_code == 422
    assert "state" in bad.json["fields"]


def test_newest_first_with_pagination(inbox, make_voicemail, client, as_user, db_session):
    made = [make_voicemail(inbox.box_a) for _ in range(5)]
    for offset, voicemail in enumerate(made):  # distinct times, oldest first
        db_session.execute(
            update(Voicemail)
            .where(Voicemail.id == voicemail.id)
            .values(created_at=voicemail.created_at.replace(year=2025, second=offset))
        )
    db_session.commit()
    headers = as_user(inbox.anna)
    page = client.get("/api/voicemails?page=2&per_page=2", headers=headers)
    assert ids(page) == [made[2].id, made[1].id]
    pagination = json.loads(page.headers["X-Pagination"])
    assert (pagination["total"], pagination["total_pages"]) == (5, 3)


def test_faxes_list_with_pages_and_scoping(inbox, make_box, make_fax, client, as_user):
    other_box = make_box(inbox.org, "fax-other", kind="fax", listeners=[inbox.bo])
    fax = make_fax(inbox.fax_box, pages=3)
    hidden = make_fax(other_box)
    listed = client.get("/api/faxes", headers=as_user(inbox.anna))
    assert ids(listed) == [fax.id]
    assert listed.json[0]["pages"] == 3
    assert "transcription" not in listed.json[0]
    assert client.get(f"/api/faxes/{hidden.id}", headers=as_user(inbox.anna)).status_code == 404
    assert client.get("/api/faxes", headers={}).status_code == 401
