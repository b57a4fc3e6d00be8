"""GET/PUT /api/retention: org admins read and change days within bounds; audited."""

from __future__ import annotations

from sqlalchemy import select

from ivr_designer.models import AuditEntry, Organisation, RetentionSetting
from ivr_designer.retention.policy import POLICIES


def _by_class(response):
    return {item["data_class"]: item for item in response.json}


def test_defaults_and_bounds_are_listed(client, bearer, make_org, make_user):
    org = make_org()
    admin = make_user(org, role="org_admin")
    response = client.get("/api/retention", headers=bearer(admin))
    assert response.status_code == 200
    listed = _by_class(response)
    assert list(listed) == ["voicemail", "fax", "call", "delivery_log", "audit"]
    assert listed["call"] == {
        "data_class": "call",
        "days": 14,
        "default_days": 14,
        "min_days": 1,
        "max_days": 90,
    }
    assert {k: v["days"] for k, v in listed.items()} == {
        "voicemail": 30,
        "fax": 30,
        "call": 14,
        "delivery_log": 30,
        "audit": 365,
    }


def test_partial_update_is_stored_audited_and_mirrored(
    client, bearer, make_org, make_user, db_session
):
    org = make_org()
    admin = make_user(org, role="org_admin")
    response = client.put(
        "/api/retention", json={"voicemail": 60, "call": 7}, headers=bearer(admin)
    )
    assert response.status_code == 200, response.json
    listed = _by_class(response)
    assert (listed["voicemail"]["days"], listed["call"]["days"], listed["fax"]["days"]) == (
        60,
        7,
        30,
    )
    db_session.expire_all()
    stored = dict(
        db_session.execute(
            select(RetentionSetting.data_class, RetentionSetting.days).where(
                RetentionSetting.org_id == org.id
            )
        ).all()
    )
    assert stored == {"voicemail": 60, "call": 7}
    refreshed = db_session.get(Organisation, org.id)
    assert (refreshed.voicemail_retention_days, refreshed.cdr_retention_days) == (60, 7)
    [entry] = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "update_retention")
    ).scalars()
    assert (entry.actor_id, entry.org_id) == (admin.id, org.id)
    assert entry.before == {"voicemail": 30, "call": 14}
    assert entry.after == {"voicemail": 60, "call": 7}

    # Setting the same again changes nothing and writes nothing.
    assert (
        client.put("/api/retention", json={"voicemail": 60}, headers=bearer(admin)).status_code
        == 200
    )
    assert len(db_session.execute(select(AuditEntry)).all()) == 1


def test_out_of_bounds_is_400_naming_the_field(client, bearer, make_org, make_user, db_session):
    org = make_org()
    admin = make_user(org, role="org_admin")
    for body, field in (
        ({"call": 91}, "call"),
        ({"audit": 29}, "audit"),
        ({"voicemail": 0}, "voicemail"),
        ({"fax": 366, "voicemail": 10}, "fax"),
    ):
        response = client.put("/api/retention", json=body, headers=bearer(admin))
        assert response.status_code == 400, body
        assert field in response.json["fields"]
    assert (
        client.put(
            "/api/retention", json={"audit": POLICIES["audit"].max_days}, headers=bearer(admin)
        ).status_code
        == 200
    )
    # Nothing of the refused requests was kept.
    db_session.expire_all()
    assert db_session.execute(select(RetentionSetting.data_class)).scalars().all() == ["audit"]


def test_wrong_types_and_unknown_classes_are_refused(client, bearer, make_org, make_user):
    org = make_org()
    admin = make_user(org, role="org_admin")
    for body, field in (({"voicemail": "30"}, "voicemail"), ({"recordings": 5}, "recordings")):
        response = client.put("/api/retention", json=body, headers=bearer(admin))
        assert response.status_code == 422
        assert field in response.json["fields"]


def test_staff_may_not_read_or_change(client, bearer, make_org, make_user):
    org = make_org()
    staff = make_user(org)
    assert client.get("/api/retention", headers=bearer(staff)).status_code == 403
    assert client.put("/api/retention", json={"fax": 10}, headers=bearer(staff)).status_code == 403


def test_system_admin_names_the_org(client, bearer, make_org, make_user):
    org = make_org()
    root = make_user(None, role="system_admin")
    response = client.get("/api/retention", headers=bearer(root))
    assert response.status_code == 422
    assert "org_id" in response.json["fields"]
    response = client.put(f"/api/retention?org_id={org.id}", json={"fax": 10}, headers=bearer(root))
    assert _by_class(response)["fax"]["days"] == 10
    other = make_org()
    assert (
        _by_class(client.get(f"/api/retention?org_id={other.id}", headers=bearer(root)))["fax"][
            "days"
        ]
        == 30
    )
