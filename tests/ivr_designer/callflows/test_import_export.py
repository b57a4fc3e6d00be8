"""Flows as files: export gives the canonical text, import takes JSON or YAML."""

from __future__ import annotations

import json

import yaml
from sqlalchemy import select

from flows.fileformat import dump_flow, flow_from_dict, flow_to_dict, load_flow
from ivr_designer.models import AuditEntry
from tests.ivr_designer.callflows.conftest import document


def test_export_is_the_canonical_file_as_an_attachment(api):
    doc = document("main")
    doc["layout"] = {"greeting": {"x": 1.234, "y": 5}}
    flow = api("POST", "/api/flows", json={"document": doc}).json
    response = api("GET", f"/api/flows/{flow['id']}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == "attachment; filename=main.json"
    assert response.get_data(as_text=True) == dump_flow(flow_from_dict(doc))

    api("POST", f"/api/flows/{flow['id']}/publish", json={})
    v1 = api("GET", f"/api/flows/{flow['id']}/export?version=1")
    assert v1.headers["Content-Disposition"] == "attachment; filename=main-v1.json"
    assert v1.get_data() == response.get_data()
    live = api("GET", f"/api/flows/{flow['id']}/export?version=published")
    assert live.headers["Content-Disposition"] == "attachment; filename=main-v1.json"
    assert api("GET", f"/api/flows/{flow['id']}/export?version=7").status_code == 404


def test_yaml_import_creates_then_updates_and_round_trips(api, db_session):
    doc = document("support")
    text = yaml.safe_dump(doc, allow_unicode=True)
    created = api("POST", "/api/flows/import", json={"text": text})
    assert created.status_code == 201, created.json
    assert created.json["name"] == "support"
    flow_id = created.json["id"]
    exported = api("GET", f"/api/flows/{flow_id}/export").get_data(as_text=True)
    assert exported == dump_flow(load_flow(text))
    assert json.loads(exported) == created.json["draft"]

    doc["nodes"]["greeting"]["props"] = {"text": "Opdateret"}
    updated = api("POST", "/api/flows/import", json={"text": yaml.safe_dump(doc)})
    assert updated.status_code == 200, updated.json
    assert updated.json["id"] == flow_id
    assert updated.json["draft_revision"] == 2
    assert updated.json["draft"]["nodes"]["greeting"]["props"] == {"text": "Opdateret"}

    again = api("POST", "/api/flows/import", json={"text": exported})
    assert again.status_code == 200
    assert api("GET", f"/api/flows/{flow_id}/export").get_data(as_text=True) == exported
    actions = db_session.execute(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "flow", AuditEntry.object_id == str(flow_id)
        )
    ).scalars()
    assert list(actions) == ["import", "import", "import"]


def test_export_file_names_are_safe(api):
    flow = api("POST", "/api/flows", json={"document": document("Hovednummer / åbent")}).json
    response = api("GET", f"/api/flows/{flow['id']}/export")
    assert response.headers["Content-Disposition"] == "attachment; filename=Hovednummer_bent.json"


def test_a_document_body_imports_too(api):
    created = api("POST", "/api/flows/import", json=document("fax"))
    assert created.status_code == 201, created.json
    assert created.json["draft"] == flow_to_dict(flow_from_dict(document("fax")))


def test_bad_imports_are_422_naming_the_problem(api):
    broken = api("POST", "/api/flows/import", json={"text": "format: 1\nname: x\nnodes: [1]\n"})
    assert broken.status_code == 422
    assert 'field "nodes"' in broken.json["fields"]["text"][0]
    both = api("POST", "/api/flows/import", json={"text": "x", **document("main")})
    assert both.status_code == 422
    neither = api("POST", "/api/flows/import", json={})
    assert neither.status_code == 422
    assert api("GET", "/api/flows").json == []
