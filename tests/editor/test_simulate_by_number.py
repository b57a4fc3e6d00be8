"""Simulating a call to one of the org's numbers: the number's voice flow at its
published version (as the runtime picks it), not the draft being edited."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_designer.callflows.documents import canonical_document, parse_document
from tests.ivr_designer.test_e2e_calls import example

AT = "2026-11-24T10:00:00"  # a Tuesday morning: open


@pytest.fixture
def org(make_org):
    return make_org(name="Numbers ApS", slug="numbers")


@pytest.fixture
def admin(org, make_user):
    return make_user(org, role="org_admin")


@pytest.fixture
def headers(admin, sign_in) -> dict[str, str]:
    return sign_in(admin)


@pytest.fixture
def main(org, admin, make_flow, make_box, db_session):
    """Live: the main-number example. Draft: the same, closed by manual override."""
    make_box(org, "vm-main", listeners=[admin])
    flow = make_flow(org, "main_number", example("main_number"), published=True)
    flow.draft = canonical_document(parse_document(example("main_number", override="closed")))
    db_session.commit()
    return flow


def _nodes(body: dict[str, Any]) -> list[str]:
    return [step["node"] for step in body["steps"]]


def test_the_number_call_takes_the_published_version_not_the_draft(
    client, headers, org, main, make_number
):
    number = make_number(org, "+4570121212", voice_flow=main, label="Reception")
    response = client.post(
        f"/api/numbers/{number.id}/simulate",
        json={"at": AT, "digits": ["2"], "outcomes": ["answered"], "caller": "+4520304050"},
        headers=headers,
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert _nodes(body)[:4] == ["hours", "welcome", "menu", "support"]
    assert body["steps"][0]["port"] == "open", "the draft's closed override is not live"
    assert body["end"] == "answered"
    assert body["called"] == "+4570121212"
    assert body["number_id"] == number.id
    assert (body["flow_id"], body["flow_name"], body["version"]) == (main.id, "main_number", 1)
    assert body["timezone"] == "Europe/Copenhagen"

    # The flow's own simulator still runs the draft: the two differ only by version.
    draft = client.post(f"/api/flows/{main.id}/simulate", json={"at": AT}, headers=headers)
    assert draft.json["steps"][0]["port"] == "closed"


def test_a_number_without_a_live_voice_flow_is_a_conflict_naming_it(
    client, headers, org, make_number, make_flow, make_box
):
    fax_only = make_number(org, "+4570343434", fax_box=make_box(org, "fax-in", kind="fax"))
    unpublished = make_number(org, "+4570565656", voice_flow=make_flow(org, "not_live"))
    for number in (fax_only, unpublished):
        response = client.post(
            f"/api/numbers/{number.id}/simulate", json={"at": AT}, headers=headers
        )
        assert response.status_code == 409, response.json
        assert number.e164 in response.json["error"]
        assert number.e164 in response.json["fields"]["number_id"][0]


def test_another_orgs_number_is_not_found_and_staff_may_not(
    client, sign_in, org, main, make_org, make_user, make_flow, make_number
):
    other = make_org(name="Other ApS", slug="other")
    foreign = make_number(other, "+4570787878", voice_flow=make_flow(other, published=True))
    own = make_number(org, "+4570909090", voice_flow=main)
    headers = sign_in(make_user(org, role="org_admin"))
    response = client.post(f"/api/numbers/{foreign.id}/simulate", json={"at": AT}, headers=headers)
    assert response.status_code == 404
    assert "+4570787878" not in response.get_data(as_text=True)
    missing = client.post("/api/numbers/999999/simulate", json={"at": AT}, headers=headers)
    assert missing.status_code == 404

    staff_headers = sign_in(make_user(org, role="staff"))
    response = client.post(
        f"/api/numbers/{own.id}/simulate", json={"at": AT}, headers=staff_headers
    )
    assert response.status_code == 403


def test_the_script_is_checked_and_a_document_cannot_be_sent(
    client, headers, org, main, make_number
):
    number = make_number(org, voice_flow=main)
    response = client.post(
        f"/api/numbers/{number.id}/simulate",
        json={"at": AT, "document": example("main_number")},
        headers=headers,
    )
    assert response.status_code == 422
    assert "document" in response.json["fields"]
    response = client.post(f"/api/numbers/{number.id}/simulate", json={}, headers=headers)
    assert response.status_code == 422
    assert "at" in response.json["fields"]
