"""/api/calls: the org's call records, filtered and paginated, with the step trace."""

from __future__ import annotations

from datetime import timedelta

from ivr_designer.models import Call, CallStep
from ivr_designer.models.base import utcnow


def add_call(db_session, org, number, sid, outcome="voicemail", minutes_ago=0, steps=()):
    call = Call(
        org_id=org.id,
        call_sid=sid,
        phone_number_id=number.id,
        caller="+4512345678",
        called=number.e164,
        started_at=utcnow() - timedelta(minutes=minutes_ago),
        outcome=outcome,
    )
    db_session.add(call)
    db_session.flush()
    for seq, (node, port) in enumerate(steps, start=1):
        db_session.add(
            CallStep(
                org_id=org.id,
                call_id=call.id,
                seq=seq,
                flow_name="main",
                node_id=node,
                node_type="play",
                port=port,
            )
        )
    db_session.commit()
    return call


def test_list_filters_and_paginates(make_org, make_user, make_number, bearer, client, db_session):
    org = make_org()
    other = make_org()
    admin = make_user(org, role="org_admin")
    first = make_number(org)
    second = make_number(org)
    add_call(db_session, org, first, "CA1", "voicemail", minutes_ago=30)
    add_call(db_session, org, first, "CA2", "answered", minutes_ago=20)
    add_call(db_session, org, second, "CA3", "voicemail", minutes_ago=10)
    add_call(db_session, other, make_number(other), "CA4", "voicemail")
    headers = bearer(admin)

    everything = client.get("/api/calls", headers=headers)
    assert [c["call_sid"] for c in everything.json] == ["CA3", "CA2", "CA1"]  # newest first
    by_outcome = client.get("/api/calls?outcome=voicemail", headers=headers).json
    assert [c["call_sid"] for c in by_outcome] == ["CA3", "CA1"]
    by_number = client.get("/api/calls", query_string={"number": first.e164}, headers=headers).json
    assert [c["call_sid"] for c in by_number] == ["CA2", "CA1"]
    since = (utcnow() - timedelta(minutes=15)).isoformat()
    recent = client.get("/api/calls", query_string={"since": since}, headers=headers).json
    assert [c["call_sid"] for c in recent] == ["CA3"]
    page = client.get("/api/calls?page=2&page_size=2", headers=headers)
    assert [c["call_sid"] for c in page.json] == ["CA1"]
    assert '"total": 3' in page.headers["X-Pagination"]
    assert client.get("/api/calls?outcome=nonsense", headers=headers).status_code == 422


def test_read_shows_the_trace_in_order(
    make_org, make_user, make_number, bearer, client, db_session
):
    org = make_org()
    admin = make_user(org, role="org_admin")
    call = add_call(
        db_session, org, make_number(org), "CA9", steps=[("hours", "open"), ("menu", None)]
    )
    body = client.get(f"/api/calls/{call.id}", headers=bearer(admin)).json
    assert body["call_sid"] == "CA9"
    assert [(s["seq"], s["node_id"], s["port"]) for s in body["steps"]] == [
        (1, "hours", "open"),
        (2, "menu", None),
    ]


def test_other_orgs_calls_are_not_found(
    make_org, make_user, make_number, bearer, client, db_session
):
    org = make_org()
    other = make_org()
    admin = make_user(org, role="org_admin")
    foreign = add_call(db_session, other, make_number(other), "CAX")
    assert client.get(f"/api/calls/{foreign.id}", headers=bearer(admin)).status_code == 404
    assert client.get("/api/calls", headers=bearer(admin)).json == []
