"""The editor's helper endpoints: node types, live validation of unsaved documents,
simulated calls, and the /editor/ shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flows.registry import describe
from tests.ivr_designer.test_e2e_calls import example


@pytest.fixture
def org(make_org):
    return make_org(name="Editor ApS", slug="editor")


@pytest.fixture
def admin(org, make_user):
    return make_user(org, role="org_admin")


@pytest.fixture
def headers(admin, sign_in) -> dict[str, str]:
    return sign_in(admin)


@pytest.fixture
def main(org, admin, make_flow, make_box):
    make_box(org, "vm-main", listeners=[admin])
    return make_flow(org, "main_number", example("main_number"), published=True)


def test_node_types_are_the_registry(client, headers):
    response = client.get("/api/node-types")
    assert response.status_code == 200
    assert response.json == json.loads(json.dumps(describe()))
    types = {t["type"]: t for t in response.json}
    assert {p["name"] for p in types["hours"]["ports"]} == {"open", "closed", "holiday"}
    assert types["voicemail"]["properties"]["properties"]["box"]["format"] == "voicemail_box"


def test_staff_get_no_node_types(client, org, make_user, sign_in):
    sign_in(make_user(org, role="staff"))
    assert client.get("/api/node-types").status_code == 403


def test_validate_document_checks_the_unsaved_document_against_the_org(client, headers, main):
    document = example("main_number")
    document["nodes"]["voicemail"]["props"]["box"] = "no-such-box"
    del document["nodes"]["menu"]["ports"]["fallback"]
    response = client.post(
        f"/api/flows/{main.id}/validate-document", json={"document": document}, headers=headers
    )
    assert response.status_code == 200
    body = response.json
    assert body["publishable"] is False
    codes = {(f["node"], f["port"], f["code"]) for f in body["findings"]}
    assert ("menu", "fallback", "port.required_open") in codes
    assert any(f["node"] == "voicemail" and f["severity"] == "error" for f in body["findings"])
    # Nothing was saved: the draft has neither problem.
    draft = client.get(f"/api/flows/{main.id}").json["draft"]
    clean = client.post(
        f"/api/flows/{main.id}/validate-document", json={"document": draft}, headers=headers
    )
    assert clean.status_code == 200
    assert not [f for f in clean.json["findings"] if f["node"] in ("menu", "voicemail")]


def test_validate_document_needs_a_document(client, headers, main):
    response = client.post(f"/api/flows/{main.id}/validate-document", json={}, headers=headers)
    assert response.status_code == 422
    assert "document" in response.json["fields"]


def test_validate_document_refuses_a_malformed_document(client, headers, main):
    response = client.post(
        f"/api/flows/{main.id}/validate-document",
        json={"document": {"format": 1, "nodes": "nope"}},
        headers=headers,
    )
    assert response.status_code == 422


def _path(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(step["node"], step["port"]) for step in body["steps"]]


def test_simulate_holiday_and_weekday_with_digits(client, headers, main):
    holiday = client.post(
        f"/api/flows/{main.id}/simulate",
        json={"version": "published", "at": "2026-12-25T10:00:00"},
        headers=headers,
    )
    assert holiday.status_code == 200, holiday.json
    assert _path(holiday.json)[:2] == [("hours", "holiday"), ("holiday-message", "next")]
    assert holiday.json["end"] == "voicemail"
    assert holiday.json["timezone"] == "Europe/Copenhagen"

    weekday = client.post(
        f"/api/flows/{main.id}/simulate",
        json={"at": "2026-11-24T10:00:00", "digits": ["2"], "outcomes": ["answered"]},
        headers=headers,
    )
    body = weekday.json
    assert [node for node, _ in _path(body)][:4] == ["hours", "welcome", "menu", "support"]
    menu = next(step for step in body["steps"] if step["node"] == "menu")
    assert menu["pressed"] == "2"
    assert menu["port"] == "2"
    assert "<Gather" in menu["twiml"]
    assert body["end"] == "answered"


def test_simulate_an_unsaved_document(client, headers, main):
    document = example("main_number", override="closed")
    response = client.post(
        f"/api/flows/{main.id}/simulate",
        json={"document": document, "at": "2026-11-24T10:00:00"},
        headers=headers,
    )
    assert _path(response.json)[0] == ("hours", "closed")


def test_simulate_refuses_an_outcome_that_does_not_fit(client, headers, main):
    response = client.post(
        f"/api/flows/{main.id}/simulate",
        json={"at": "2026-11-24T10:00:00", "digits": ["2"], "outcomes": ["overflow"]},
        headers=headers,
    )
    assert response.status_code == 422
    assert "overflow" in response.json["error"]


def test_simulate_a_missing_version_is_not_found(client, headers, main):
    response = client.post(
        f"/api/flows/{main.id}/simulate",
        json={"version": "7", "at": "2026-11-24T10:00:00"},
        headers=headers,
    )
    assert response.status_code == 404


def test_editor_shell_without_a_build_says_how_to_build(app, client, tmp_path: Path):
    app.config["EDITOR_BUILD_FOLDER"] = str(tmp_path / "nothing")
    response = client.get("/editor/")
    assert response.status_code == 200
    assert b"make editor" in response.data
    assert b"make run" in response.data


def test_editor_shell_and_assets_from_the_build(app, client, tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>editor</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    app.config["EDITOR_BUILD_FOLDER"] = str(tmp_path)
    shell = client.get("/editor/")
    assert shell.status_code == 200
    assert b"<title>editor</title>" in shell.data
    assert shell.headers["Cache-Control"] == "no-cache"
    shell.close()
    asset = client.get("/editor/assets/index-abc.js")
    assert asset.status_code == 200
    assert asset.data == b"console.log(1)"
    assert "max-age=31536000" in asset.headers["Cache-Control"]
    asset.close()
    assert client.get("/editor/assets/../index.html").status_code == 404
    assert client.get("/editor").status_code in (301, 308)


def test_the_root_leads_to_the_editor(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/editor/")
