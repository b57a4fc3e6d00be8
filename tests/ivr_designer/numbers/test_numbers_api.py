"""Phone numbers: E.164, unique across orgs, routed only to the org's own things."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr_designer.models import Call, PhoneNumber


@pytest.fixture
def account(alpha, make_provider_account):
    return make_provider_account(alpha)


def _create(client, headers, **body):
    return client.post("/api/numbers", json=body, headers=headers)


def test_create_routed_number(client, alpha, headers, account, make_flow, make_box):
    flow = make_flow(alpha, "main", published=True)
    fax_box = make_box(alpha, "fax-main", kind="fax")
    response = _create(
        client,
        headers,
        e164="+45 70 12-34 56",
        label="Reception",
        provider_account_id=account.id,
        voice_flow_id=flow.id,
        fax_box_id=fax_box.id,
    )
    assert response.status_code == 201, response.json
    assert response.json["e164"] == "+4570123456"
    assert response.json["voice_flow_name"] == "main"
    assert response.json["fax_box_id"] == fax_box.id
    assert [n["e164"] for n in client.get("/api/numbers", headers=headers).json] == ["+4570123456"]


@pytest.mark.parametrize(
    "e164",
    ["4570123456", "+4512345", "+1234567890123456", "+45701234ab", "+0570123456", "", "++4570"],
)
def test_e164_is_checked(client, headers, account, e164):
    response = _create(client, headers, e164=e164, provider_account_id=account.id)
    assert response.status_code == 422
    assert "E.164" in response.json["fields"]["e164"][0]


@pytest.mark.parametrize("e164", ["+45701234", "+123456789012345"])
def test_e164_bounds_are_accepted(client, headers, account, e164):
    assert _create(client, headers, e164=e164, provider_account_id=account.id).status_code == 201


def test_a_number_of_another_org_is_a_conflict_that_tells_nothing(
    client, headers, account, bravo, make_number
):
    make_number(bravo, "+4570999999")
    response = _create(client, headers, e164="+4570999999", provider_account_id=account.id)
    assert response.status_code == 409
    assert response.json == {
        "error": "this number is already in use",
        "fields": {"e164": ["already in use"]},
    }
    mine = _create(client, headers, e164="+4570999998", provider_account_id=account.id).json
    moved = client.patch(
        f"/api/numbers/{mine['id']}", json={"e164": "+4570999999"}, headers=headers
    )
    assert moved.status_code == 409
    assert "bravo" not in moved.get_data(as_text=True).lower()


def test_the_voice_flow_must_be_published(client, alpha, headers, account, make_flow):
    draft = make_flow(alpha, "draft-only")
    response = _create(
        client, headers, e164="+4570000100", provider_account_id=account.id, voice_flow_id=draft.id
    )
    assert response.status_code == 422
    assert response.json["fields"] == {
        "voice_flow_id": ['flow "draft-only" is not published; publish it first']
    }


def test_foreign_ids_are_not_found_without_data(
    client, headers, account, bravo, make_flow, make_box, make_provider_account
):
    foreign = {
        "voice_flow_id": make_flow(bravo, "bravo-secret-flow", published=True).id,
        "fax_box_id": make_box(bravo, "fax-bravo", kind="fax").id,
        "provider_account_id": make_provider_account(bravo, label="bravo account").id,
    }
    for field, foreign_id in foreign.items():
        body = {"e164": "+4570000200", "provider_account_id": account.id, field: foreign_id}
        response = _create(client, headers, **body)
        assert response.status_code == 422, field
        assert list(response.json["fields"]) == [field]
        assert "not found" in response.json["fields"][field][0]
        assert "bravo" not in response.get_data(as_text=True).lower()


def test_foreign_numbers_are_404(client, headers, bravo, make_number):
    number = make_number(bravo)
    for method in ("GET", "PATCH", "DELETE"):
        body = {"label": "x"} if method == "PATCH" else None
        response = client.open(
            f"/api/numbers/{number.id}", method=method, json=body, headers=headers
        )
        assert response.status_code == 404
        assert number.e164 not in response.get_data(as_text=True)


def test_update_checks_links_and_unrouting_works(client, alpha, headers, account, make_flow):
    flow = make_flow(alpha, "main", published=True)
    number = _create(
        client, headers, e164="+4570000300", provider_account_id=account.id, voice_flow_id=flow.id
    ).json
    path = f"/api/numbers/{number['id']}"
    assert client.patch(path, json={"voice_flow_id": 999999}, headers=headers).status_code == 422
    missing_account = client.patch(path, json={"provider_account_id": None}, headers=headers)
    assert missing_account.status_code == 422
    unrouted = client.patch(path, json={"voice_flow_id": None}, headers=headers)
    assert unrouted.status_code == 200
    assert unrouted.json["voice_flow_id"] is None


def test_deleting_a_number_keeps_its_call_records(client, alpha, headers, make_number, db_session):
    number = make_number(alpha)
    number_id = number.id
    call = Call(org_id=alpha.id, call_sid="CA-keep", phone_number_id=number.id, called=number.e164)
    db_session.add(call)
    db_session.commit()
    assert client.delete(f"/api/numbers/{number_id}", headers=headers).status_code == 204
    db_session.expire_all()
    assert db_session.get(Call, call.id).phone_number_id is None
    assert (
        db_session.execute(select(PhoneNumber).where(PhoneNumber.id == number_id)).first() is None
    )
