"""A flow that a number or a live flow still needs cannot be deleted."""

from __future__ import annotations

from sqlalchemy import func, select

from ivr_designer.models import AuditEntry, FlowVersion
from tests.ivr_designer.callflows.conftest import document


def _goto(name, target):
    doc = document(name)
    doc["nodes"]["greeting"]["ports"] = {"next": "jump"}
    doc["nodes"]["jump"] = {"type": "goto_flow", "props": {"flow": target}, "ports": {}}
    del doc["nodes"]["end"]
    return doc


def test_deleting_a_routed_flow_names_the_numbers(api, admin, make_flow, make_number):
    flow = make_flow(admin.org, "main", published=True)
    make_number(admin.org, "+4570101010", voice_flow=flow)
    response = api("DELETE", f"/api/flows/{flow.id}")
    assert response.status_code == 409
    assert "+4570101010" in response.json["error"]
    assert response.json["fields"] == {"numbers": ["+4570101010"]}


def test_deleting_a_sub_flow_of_a_live_flow_names_that_flow(api, admin, make_flow):
    support = make_flow(admin.org, "support", published=True)
    make_flow(admin.org, "main", _goto("main", "support"), published=True)
    make_flow(admin.org, "draft-only", _goto("draft-only", "support"))
    response = api("DELETE", f"/api/flows/{support.id}")
    assert response.status_code == 409
    assert response.json["fields"] == {"flows": ["main"]}, "drafts do not block"


def test_deleting_removes_the_versions_and_is_audited(api, admin, make_flow, db_session):
    flow_id = make_flow(admin.org, "old", published=True).id
    assert api("DELETE", f"/api/flows/{flow_id}").status_code == 204
    assert api("GET", f"/api/flows/{flow_id}").status_code == 404
    db_session.expire_all()
    versions = db_session.execute(
        select(func.count()).select_from(FlowVersion).where(FlowVersion.flow_id == flow_id)
    ).scalar_one()
    assert versions == 0
    entry = db_session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "flow", AuditEntry.action == "delete")
    ).scalar_one()
    assert entry.before["name"] == "old"
    assert "draft" not in entry.before
    assert len(entry.before["draft_sha256"]) == 64


def test_staff_cannot_see_flows(client, admin, make_user, make_flow, bearer):
    flow = make_flow(admin.org, "main")
    staff = bearer(make_user(admin.org, role="staff"))
    assert client.get("/api/flows", headers=staff).status_code == 403
    assert client.get(f"/api/flows/{flow.id}", headers=staff).status_code == 403


def test_system_admins_name_the_org(client, admin, make_user, bearer):
    root = bearer(make_user(None, role="system_admin"))
    missing = client.post("/api/flows", json={"name": "x"}, headers=root)
    assert missing.status_code == 422
    assert "org_id" in missing.json["fields"]
    created = client.post("/api/flows", json={"name": "x", "org_id": admin.org.id}, headers=root)
    assert created.status_code == 201
    assert created.json["org_id"] == admin.org.id
    nowhere = client.post("/api/flows", json={"name": "x", "org_id": 999999}, headers=root)
    assert nowhere.status_code == 404
