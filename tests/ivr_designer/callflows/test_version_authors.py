"""Who published a version: the author's name is looked up when the history is read,
so deleting the user removes the name from it (nothing personal is kept on versions)."""

from __future__ import annotations

from ivr_designer.models import FlowVersion
from tests.ivr_designer.callflows.conftest import document


def _publish(client, headers, flow_id: int, message: str):
    response = client.post(
        f"/api/flows/{flow_id}/publish", json={"message": message}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json


def test_versions_name_their_authors_until_the_author_is_deleted(
    client, api, admin, make_user, bearer, db_session
):
    flow = api("POST", "/api/flows", json={"name": "main", "document": document("main")}).json
    first = _publish(client, admin.headers, flow["id"], "first")
    assert (first["author_id"], first["author_name"]) == (admin.user.id, admin.user.name)

    colleague = make_user(admin.org, role="org_admin", name="Karen Kollega")
    colleague_id = colleague.id
    draft = api("GET", f"/api/flows/{flow['id']}").json
    changed = document("main")
    changed["nodes"]["greeting"]["props"] = {"text": "Goddag"}
    saved = api(
        "PUT",
        f"/api/flows/{flow['id']}/draft",
        json={"document": changed, "draft_revision": draft["draft_revision"]},
    )
    assert saved.status_code == 200, saved.json
    second = _publish(client, bearer(colleague), flow["id"], "second")
    assert second["author_name"] == "Karen Kollega"

    listed = api("GET", f"/api/flows/{flow['id']}/versions").json
    assert [(v["number"], v["author_name"]) for v in listed] == [
        (2, "Karen Kollega"),
        (1, admin.user.name),
    ]
    assert "document" not in listed[0], "the list stays small"
    one = api("GET", f"/api/flows/{flow['id']}/versions/2").json
    assert (one["author_name"], one["document"]["nodes"]["greeting"]["props"]) == (
        "Karen Kollega",
        {"text": "Goddag"},
    )

    assert api("DELETE", f"/api/users/{colleague_id}").status_code == 204
    db_session.expire_all()
    listed = api("GET", f"/api/flows/{flow['id']}/versions").json
    assert (listed[0]["author_id"], listed[0]["author_name"]) == (None, None)
    assert "Karen" not in api("GET", f"/api/flows/{flow['id']}/versions/2").get_data(as_text=True)
    assert db_session.get(FlowVersion, second["id"]) is not None, "the version itself stays"

    rollback = api("POST", f"/api/flows/{flow['id']}/versions/1/publish")
    assert rollback.status_code == 201, rollback.json
    assert rollback.json["author_name"] == admin.user.name


def test_a_system_admin_author_is_named_to_the_org_admins(client, api, admin, make_user, bearer):
    flow = api("POST", "/api/flows", json={"name": "main", "document": document("main")}).json
    root = make_user(None, role="system_admin", name="Driftsansvarlig")
    _publish(client, bearer(root), flow["id"], "published by operations")
    listed = api("GET", f"/api/flows/{flow['id']}/versions").json
    assert listed[0]["author_name"] == "Driftsansvarlig"
