"""POST /api/flows/<id>/validate checks references against the org's real data."""

from __future__ import annotations

from tests.ivr_designer.callflows.conftest import document


def _codes(response):
    assert response.status_code == 200, response.json
    return {(f["severity"], f["code"], f["node"]) for f in response.json["findings"]}


def test_a_missing_box_then_a_box_nobody_receives_then_a_good_one(api, admin, make_user):
    flow = api("POST", "/api/flows", json={"document": document("main", box="vm-main")}).json
    validate = f"/api/flows/{flow['id']}/validate"

    missing = api("POST", validate, json={})
    assert ("error", "ref.voicemail_box_missing", "vm") in _codes(missing)
    assert missing.json["publishable"] is False
    assert api("POST", f"/api/flows/{flow['id']}/publish", json={}).status_code == 422

    box = api("POST", "/api/voicemail-boxes", json={"key": "vm-main", "name": "Main"}).json
    lonely = api("POST", validate, json={})
    assert _codes(lonely) == {("warning", "voicemail_box.no_listeners", "vm")}
    assert lonely.json["errors"] == 0
    assert lonely.json["warnings"] == 1
    assert lonely.json["publishable"] is True

    staff = make_user(admin.org, role="staff")
    api("PATCH", f"/api/voicemail-boxes/{box['id']}", json={"listener_ids": [staff.id]})
    assert _codes(api("POST", validate, json={})) == set()


def test_inactive_listeners_do_not_count(api, admin, make_user):
    gone = make_user(admin.org, role="staff", active=False)
    api(
        "POST",
        "/api/voicemail-boxes",
        json={"key": "vm-main", "name": "M", "listener_ids": [gone.id]},
    )
    flow = api("POST", "/api/flows", json={"document": document("main", box="vm-main")}).json
    codes = _codes(api("POST", f"/api/flows/{flow['id']}/validate", json={}))
    assert codes == {("warning", "voicemail_box.no_listeners", "vm")}


def test_an_unsaved_document_can_be_validated(api):
    flow = api("POST", "/api/flows", json={"name": "main"}).json
    entry_missing = _codes(api("POST", f"/api/flows/{flow['id']}/validate", json={}))
    assert ("error", "flow.entry_missing", None) in entry_missing
    unsaved = api("POST", f"/api/flows/{flow['id']}/validate", json={"document": document("x")})
    assert _codes(unsaved) == set()
    assert api("GET", f"/api/flows/{flow['id']}").json["draft_revision"] == 1, "nothing saved"


def _goto(name, target):
    doc = document(name)
    doc["nodes"]["greeting"]["ports"] = {"next": "jump"}
    doc["nodes"]["jump"] = {"type": "goto_flow", "props": {"flow": target}, "ports": {}}
    del doc["nodes"]["end"]
    return doc


def test_sub_flows_must_be_published_and_must_not_form_a_cycle(api):
    support = api("POST", "/api/flows", json={"document": document("support")}).json
    main = api("POST", "/api/flows", json={"document": _goto("main", "support")}).json
    validate_main = f"/api/flows/{main['id']}/validate"
    assert ("error", "ref.flow_missing", "jump") in _codes(api("POST", validate_main, json={}))

    assert api("POST", f"/api/flows/{support['id']}/publish", json={}).status_code == 201
    assert _codes(api("POST", validate_main, json={})) == set()
    assert api("POST", f"/api/flows/{main['id']}/publish", json={}).status_code == 201

    back = api(
        "PUT",
        f"/api/flows/{support['id']}/draft",
        json={"document": _goto("support", "main"), "draft_revision": 1},
    )
    assert back.status_code == 200, back.json
    cycle = api("POST", f"/api/flows/{support['id']}/validate", json={})
    assert ("error", "flow.subflow_cycle", "jump") in _codes(cycle)
    refused = api("POST", f"/api/flows/{support['id']}/publish", json={})
    assert refused.status_code == 422
    assert any(f["code"] == "flow.subflow_cycle" for f in refused.json["fields"]["findings"])
