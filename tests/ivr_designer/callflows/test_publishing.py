"""Draft → publish → versions → rollback → diff, through the API."""

from __future__ import annotations

from sqlalchemy import select

from ivr_designer.models import AuditEntry
from tests.ivr_designer.callflows.conftest import document


def _create(api, name="main", doc=None):
    response = api("POST", "/api/flows", json={"name": name, "document": doc or document(name)})
    assert response.status_code == 201, response.json
    return response.json


def _save(api, flow, doc):
    response = api(
        "PUT",
        f"/api/flows/{flow['id']}/draft",
        json={"document": doc, "draft_revision": flow["draft_revision"]},
    )
    assert response.status_code == 200, response.json
    return response.json


def _greeting(doc, text):
    doc = {**doc, "nodes": {**doc["nodes"]}}
    doc["nodes"]["greeting"] = {**doc["nodes"]["greeting"], "props": {"text": text}}
    return doc


def test_a_new_flow_starts_unpublished_at_revision_1(api):
    created = api("POST", "/api/flows", json={"name": "empty"}).json
    assert created["draft_revision"] == 1
    assert created["published_version"] is None
    assert created["draft"]["name"] == "empty"
    assert created["draft"]["nodes"] == {}
    listed = api("GET", "/api/flows").json
    assert [flow["name"] for flow in listed] == ["empty"]
    assert "draft" not in listed[0], "lists stay small"


def test_names_are_unique_per_org(api):
    _create(api, "main")
    response = api("POST", "/api/flows", json={"name": "main"})
    assert response.status_code == 409
    assert response.json["fields"] == {"name": ["already taken"]}


def test_publish_edit_publish_rollback(api, admin, db_session):
    flow = _create(api)
    first = api("POST", f"/api/flows/{flow['id']}/publish", json={"message": "first"})
    assert first.status_code == 201, first.json
    assert first.json["number"] == 1
    assert first.json["message"] == "first"
    assert first.json["author_id"] == admin.user.id
    assert len(first.json["sha256"]) == 64
    v1_document = first.json["document"]

    flow = _save(api, api("GET", f"/api/flows/{flow['id']}").json, _greeting(v1_document, "Hi"))
    assert flow["draft_revision"] == 2
    assert flow["published_version"] == 1, "saving a draft does not change what is live"
    second = api("POST", f"/api/flows/{flow['id']}/publish", json={"message": "second"}).json
    assert second["number"] == 2
    assert second["document"]["nodes"]["greeting"]["props"] == {"text": "Hi"}

    rollback = api("POST", f"/api/flows/{flow['id']}/versions/1/publish")
    assert rollback.status_code == 201, rollback.json
    assert rollback.json["number"] == 3
    assert rollback.json["message"] == "Rollback to v1"
    assert rollback.json["document"] == v1_document
    assert rollback.json["sha256"] == first.json["sha256"]

    current = api("GET", f"/api/flows/{flow['id']}").json
    assert current["published_version"] == 3
    assert current["draft"]["nodes"]["greeting"]["props"] == {"text": "Hi"}, "draft kept"
    versions = api("GET", f"/api/flows/{flow['id']}/versions").json
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert "document" not in versions[0]
    assert api("GET", f"/api/flows/{flow['id']}/versions/2").json["document"] == second["document"]
    assert api("GET", f"/api/flows/{flow['id']}/versions/9").status_code == 404

    actions = db_session.execute(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "flow", AuditEntry.object_id == str(flow["id"]))
        .order_by(AuditEntry.id)
    ).scalars()
    assert list(actions) == ["create", "publish", "update", "publish", "rollback"]
    rollback_entry = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "rollback")
    ).scalar_one()
    assert rollback_entry.before == {"published_version": 2}
    assert rollback_entry.after["published_version"] == 3
    assert rollback_entry.after["rolled_back_to"] == 1


def test_publishing_an_invalid_draft_is_refused_with_the_findings(api):
    broken = document("main")
    broken["nodes"]["greeting"]["ports"] = {}
    flow = _create(api, "main", broken)
    response = api("POST", f"/api/flows/{flow['id']}/publish", json={})
    assert response.status_code == 422
    findings = response.json["fields"]["findings"]
    assert any(f["code"] == "port.required_open" and f["node"] == "greeting" for f in findings)
    assert api("GET", f"/api/flows/{flow['id']}/versions").json == []
    assert api("GET", f"/api/flows/{flow['id']}").json["published_version"] is None


def test_republishing_the_live_document_is_a_conflict(api):
    flow = _create(api)
    api("POST", f"/api/flows/{flow['id']}/publish", json={})
    again = api("POST", f"/api/flows/{flow['id']}/publish", json={})
    assert again.status_code == 409
    assert api("POST", f"/api/flows/{flow['id']}/versions/1/publish").status_code == 409


def test_stale_revision_is_a_conflict_and_keeps_the_newer_draft(api):
    flow = _create(api)
    edited = _save(api, flow, _greeting(flow["draft"], "first editor"))
    stale = api(
        "PUT",
        f"/api/flows/{flow['id']}/draft",
        json={"document": _greeting(flow["draft"], "second editor"), "draft_revision": 1},
    )
    assert stale.status_code == 409
    assert stale.json["fields"] == {"draft_revision": ["the draft is at revision 2"]}
    kept = api("GET", f"/api/flows/{flow['id']}").json
    assert kept["draft_revision"] == edited["draft_revision"] == 2
    assert kept["draft"]["nodes"]["greeting"]["props"] == {"text": "first editor"}


def test_an_unchanged_save_keeps_the_revision(api):
    flow = _create(api)
    assert _save(api, flow, flow["draft"])["draft_revision"] == 1


def test_malformed_documents_are_422_naming_node_and_field(api):
    flow = _create(api)
    doc = document("main")
    doc["nodes"]["greeting"]["ports"] = {"next": 7}
    response = api(
        "PUT", f"/api/flows/{flow['id']}/draft", json={"document": doc, "draft_revision": 1}
    )
    assert response.status_code == 422
    message = response.json["fields"]["document"][0]
    assert 'node "greeting"' in message
    assert 'field "ports.next"' in message
    other = api(
        "PUT",
        f"/api/flows/{flow['id']}/draft",
        json={"document": document("renamed"), "draft_revision": 1},
    )
    assert other.status_code == 422
    assert 'field "name"' in other.json["fields"]["document"][0]
    missing = api("PUT", f"/api/flows/{flow['id']}/draft", json={"document": doc})
    assert missing.status_code == 422
    assert "draft_revision" in missing.json["fields"]


def test_diff_between_versions_draft_and_published(api):
    flow = _create(api)
    api("POST", f"/api/flows/{flow['id']}/publish", json={})
    edited = _greeting(flow["draft"], "Changed")
    edited["layout"] = {"greeting": {"x": 10, "y": 20}}
    _save(api, flow, edited)

    response = api("GET", f"/api/flows/{flow['id']}/diff?from=published&to=draft")
    assert response.status_code == 200, response.json
    changes = response.json["changes"]
    assert changes["logic_changed"] is True
    assert changes["nodes_changed"] == [
        {
            "node": "greeting",
            "type": "play",
            "props": [{"path": "text", "change": "changed", "old": "Hej", "new": "Changed"}],
        }
    ]
    assert changes["layout_changed"] == ["greeting"]
    assert '"Hej" → "Changed"' in response.json["text"]
    same = api("GET", f"/api/flows/{flow['id']}/diff?from=1&to=published").json
    assert same["changes"]["logic_changed"] is False
    assert same["text"] == "no changes"


def test_diff_parameters_are_checked(api):
    flow = _create(api)
    assert api("GET", f"/api/flows/{flow['id']}/diff?from=draft&to=published").status_code == 404
    assert api("GET", f"/api/flows/{flow['id']}/diff?from=2&to=draft").status_code == 404
    bad = api("GET", f"/api/flows/{flow['id']}/diff?from=latest&to=draft")
    assert bad.status_code == 422
    assert "from" in bad.json["fields"]
