"""Role x endpoint x own/foreign organisation: who gets what, and nothing leaks.

Every route of the app must appear in ENDPOINTS (checked below), so a new endpoint
cannot ship without stating its access rules.
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from ivr_designer.callflows.documents import document_sha256
from ivr_designer.models import AuditEntry, Call, FlowVersion, Organisation, User
from tests.conftest import simple_flow_document, write_test_wav
from tests.ivr_designer.access_rows import ROLES, Endpoint, World, _all, _expect, extra_rows

FOREIGN_MARKER = "bravo"


def _telephony(org, listener, factories, db_session) -> dict[str, Any]:
    """A live flow at version 2 (so a rollback to 1 is a real change), a spare draft,
    boxes, provider accounts, and a number answered by the live flow."""
    make_flow, make_box, make_provider_account, make_number = factories
    main = make_flow(org, "main", published=True)
    changed = simple_flow_document("main")
    changed["nodes"]["greeting"]["props"] = {"text": "Version two"}
    second = FlowVersion(
        org_id=org.id,
        flow_id=main.id,
        number=2,
        document=changed,
        message="second",
        sha256=document_sha256(changed),
    )
    db_session.add(second)
    db_session.flush()
    main.published_version_id = second.id
    db_session.commit()
    fax_box = make_box(org, "fax-main", kind="fax", listeners=[listener])
    number = make_number(org, voice_flow=main, fax_box=fax_box)
    call = Call(
        org_id=org.id,
        call_sid=f"CA{org.id:032d}",
        phone_number_id=number.id,
        caller="+4512345678",
        called=number.e164,
        flow_version_id=second.id,
    )
    db_session.add(call)
    db_session.commit()
    return {
        "call": call,
        "main": main,
        "spare": make_flow(org, "spare"),
        "vm_box": make_box(org, "vm-main", listeners=[listener]),
        "spare_vm_box": make_box(org, "vm-spare"),
        "fax_box": fax_box,
        "spare_fax_box": make_box(org, "fax-spare", kind="fax"),
        "account": number.provider_account,
        "spare_account": make_provider_account(org, label="spare"),
        "number": number,
        "spare_number": make_number(org),
    }


def _audio(org, make_audio_asset, make_agreement) -> dict[str, Any]:
    """Audio assets (one to read, one to delete) and music agreements (issue 5)."""
    agreement = make_agreement(org, date(2026, 1, 1), date(2099, 12, 31))
    return {
        "audio": make_audio_asset(org, "hold", use="hold_music", agreement=agreement),
        "spare_audio": make_audio_asset(org, "spare-audio"),
        "agreement": agreement,
        "spare_agreement": make_agreement(org, date(2026, 1, 1), date(2026, 12, 31)),
    }


@pytest.fixture
def world(
    make_org,
    make_user,
    make_token,
    db_session,
    make_flow,
    make_box,
    make_provider_account,
    make_number,
    make_audio_asset,
    make_agreement,
    request,
) -> World:
    alpha = make_org(name="Alpha ApS", slug="alpha")
    bravo = make_org(name="Bravo ApS", slug="bravo")
    callers = {
        "system_admin": make_user(None, role="system_admin", email="root@system.example"),
        "org_admin": make_user(alpha, role="org_admin", email="admin@alpha.example"),
        "staff": make_user(alpha, role="staff", email="staff@alpha.example"),
    }
    make_user(bravo, role="org_admin", email="admin@bravo.example")
    victims = {
        "own": make_user(alpha, email="victim@alpha.example"),
        "foreign": make_user(bravo, email="victim@bravo.example"),
    }
    tokens = {key: make_token(user, name=f"token-{user.email}")[0] for key, user in victims.items()}
    # Something in the foreign org's audit log that must never be shown to alpha.
    db_session.add(
        AuditEntry(
            org_id=bravo.id,
            actor_email="admin@bravo.example",
            action="update",
            object_type="organisations",
            object_id=str(bravo.id),
            after={"name": "Bravo ApS"},
        )
    )
    db_session.commit()
    factories = (make_flow, make_box, make_provider_account, make_number)
    things = {
        "own": _telephony(alpha, callers["staff"], factories, db_session),
        "foreign": _telephony(bravo, victims["foreign"], factories, db_session),
    }
    for target, org in (("own", alpha), ("foreign", bravo)):
        things[target] |= _audio(org, make_audio_asset, make_agreement)
    world = World({"own": alpha, "foreign": bravo}, callers, victims, tokens, things)
    for module in extra_rows():
        seed = getattr(module, "seed", None)
        if seed is not None:
            for target, org in world.orgs.items():
                things[target] |= seed(org, target, world, request)
    db_session.commit()
    return world


ENDPOINTS = {
    "me": Endpoint("GET", "/api/me", lambda w, t: "/api/me", _expect(401, 200, 200, 200)),
    "csrf": Endpoint("GET", "/api/auth/csrf", lambda w, t: "/api/auth/csrf", _all(200)),
    "logout": Endpoint("POST", "/api/auth/logout", lambda w, t: "/api/auth/logout", _all(204)),
    "login-wrong-password": Endpoint(
        "POST",
        "/api/auth/login",
        lambda w, t: "/api/auth/login",
        _all(401),
        body=lambda w, t: {"email": w.victims[t].email, "password": "wrong-password-123"},
    ),
    "orgs-list": Endpoint(
        "GET", "/api/orgs", lambda w, t: "/api/orgs", _expect(401, 403, 403, 200)
    ),
    "orgs-create": Endpoint(
        "POST",
        "/api/orgs",
        lambda w, t: "/api/orgs",
        _expect(401, 403, 403, 201),
        body=lambda w, t: {"name": "Charlie ApS", "slug": "charlie"},
        writes=True,
    ),
    "org-read": Endpoint(
        "GET",
        "/api/orgs/<int:org_id>",
        lambda w, t: f"/api/orgs/{w.orgs[t].id}",
        _expect(401, (403, 403), (200, 404), (200, 200)),
    ),
    "org-update": Endpoint(
        "PATCH",
        "/api/orgs/<int:org_id>",
        lambda w, t: f"/api/orgs/{w.orgs[t].id}",
        _expect(401, (403, 403), (200, 404), (200, 200)),
        body=lambda w, t: {"cdr_retention_days": 7},
        writes=True,
    ),
    "users-list": Endpoint(
        "GET",
        "/api/users",
        lambda w, t: f"/api/users?org_id={w.orgs[t].id}",
        _expect(401, (403, 403), (200, 200), (200, 200)),
    ),
    "users-create": Endpoint(
        "POST",
        "/api/users",
        lambda w, t: "/api/users",
        _expect(401, (403, 403), (201, 404), (201, 201)),
        body=lambda w, t: {
            "email": f"new-{t}@example.com",
            "name": "New Person",
            "password": "another-long-passphrase",
            "org_id": w.orgs[t].id,
        },
        writes=True,
    ),
    "user-read": Endpoint(
        "GET",
        "/api/users/<int:user_id>",
        lambda w, t: f"/api/users/{w.victims[t].id}",
        _expect(401, (404, 404), (200, 404), (200, 200)),
    ),
    "user-update": Endpoint(
        "PATCH",
        "/api/users/<int:user_id>",
        lambda w, t: f"/api/users/{w.victims[t].id}",
        _expect(401, (403, 403), (200, 404), (200, 200)),
        body=lambda w, t: {"name": "Renamed"},
        writes=True,
    ),
    "user-delete": Endpoint(
        "DELETE",
        "/api/users/<int:user_id>",
        lambda w, t: f"/api/users/{w.victims[t].id}",
        _expect(401, (403, 403), (204, 404), (204, 204)),
        writes=True,
    ),
    "tokens-list": Endpoint(
        "GET", "/api/tokens", lambda w, t: "/api/tokens", _expect(401, 200, 200, 200)
    ),
    "tokens-create": Endpoint(
        "POST",
        "/api/tokens",
        lambda w, t: "/api/tokens",
        _expect(401, 201, 201, 201),
        body=lambda w, t: {"name": "script"},
        writes=True,
    ),
    # Tokens are personal: another user's token is not found, whatever the role.
    "token-revoke-other-user": Endpoint(
        "DELETE",
        "/api/tokens/<int:token_id>",
        lambda w, t: f"/api/tokens/{w.tokens[t].id}",
        _expect(401, 404, 404, 404),
        writes=True,
    ),
    "audit-list": Endpoint(
        "GET", "/api/audit", lambda w, t: "/api/audit", _expect(401, 403, 200, 200)
    ),
    "health": Endpoint("GET", "/healthz", lambda w, t: "/healthz", _all(200)),
    "openapi": Endpoint("GET", "/api/openapi.json", lambda w, t: "/api/openapi.json", _all(200)),
}

# --- issue 4: flows, boxes, provider accounts, numbers ---------------------------------
ADMINS_ONLY = _expect(401, (403, 403), (200, 404), (200, 200))


def _thing(name: str, attribute: str = "id") -> Any:
    return lambda w, t: getattr(w.things[t][name], attribute)


def _flow_path(suffix: str = "", flow: str = "spare") -> Any:
    return lambda w, t: f"/api/flows/{w.things[t][flow].id}{suffix}"


def _edited_spare(w: World, t: str) -> dict[str, Any]:
    document = simple_flow_document("spare")
    document["nodes"]["greeting"]["props"] = {"text": "Edited"}
    return {"document": document, "draft_revision": 1}


FLOW_ENDPOINTS = {
    "flows-list": Endpoint(
        "GET",
        "/api/flows",
        lambda w, t: f"/api/flows?org_id={w.orgs[t].id}",
        _expect(401, (403, 403), (200, 200), (200, 200)),
    ),
    "flows-create": Endpoint(
        "POST",
        "/api/flows",
        lambda w, t: "/api/flows",
        _expect(401, (403, 403), (201, 404), (201, 201)),
        body=lambda w, t: {"name": "new-flow", "org_id": w.orgs[t].id},
        writes=True,
    ),
    "flows-import": Endpoint(
        "POST",
        "/api/flows/import",
        lambda w, t: "/api/flows/import",
        _expect(401, (403, 403), (201, 404), (201, 201)),
        body=lambda w, t: {
            "text": json.dumps(simple_flow_document("imported")),
            "org_id": w.orgs[t].id,
        },
        writes=True,
    ),
    "flow-read": Endpoint("GET", "/api/flows/<int:flow_id>", _flow_path(), ADMINS_ONLY),
    "flow-delete": Endpoint(
        "DELETE",
        "/api/flows/<int:flow_id>",
        _flow_path(),
        _expect(401, (403, 403), (204, 404), (204, 204)),
        writes=True,
    ),
    "flow-save-draft": Endpoint(
        "PUT",
        "/api/flows/<int:flow_id>/draft",
        _flow_path("/draft"),
        ADMINS_ONLY,
        body=_edited_spare,
        writes=True,
    ),
    "flow-validate": Endpoint(
        "POST",
        "/api/flows/<int:flow_id>/validate",
        _flow_path("/validate"),
        ADMINS_ONLY,
        body=lambda w, t: {},
    ),
    "flow-publish": Endpoint(
        "POST",
        "/api/flows/<int:flow_id>/publish",
        _flow_path("/publish"),
        _expect(401, (403, 403), (201, 404), (201, 201)),
        body=lambda w, t: {"message": "go live"},
        writes=True,
    ),
    "flow-versions": Endpoint(
        "GET", "/api/flows/<int:flow_id>/versions", _flow_path("/versions", "main"), ADMINS_ONLY
    ),
    "flow-version": Endpoint(
        "GET",
        "/api/flows/<int:flow_id>/versions/<int:number>",
        _flow_path("/versions/1", "main"),
        ADMINS_ONLY,
    ),
    "flow-rollback": Endpoint(
        "POST",
        "/api/flows/<int:flow_id>/versions/<int:number>/publish",
        _flow_path("/versions/1/publish", "main"),
        _expect(401, (403, 403), (201, 404), (201, 201)),
        writes=True,
    ),
    "flow-diff": Endpoint(
        "GET",
        "/api/flows/<int:flow_id>/diff",
        _flow_path("/diff?from=1&to=published", "main"),
        ADMINS_ONLY,
    ),
    "flow-export": Endpoint(
        "GET",
        "/api/flows/<int:flow_id>/export",
        _flow_path("/export?version=1", "main"),
        ADMINS_ONLY,
    ),
}
ENDPOINTS |= FLOW_ENDPOINTS

EDITOR_ENDPOINTS = {
    "node-types": Endpoint(
        "GET", "/api/node-types", lambda w, t: "/api/node-types", _expect(401, 403, 200, 200)
    ),
    "flow-validate-document": Endpoint(
        "POST",
        "/api/flows/<int:flow_id>/validate-document",
        _flow_path("/validate-document"),
        ADMINS_ONLY,
        body=lambda w, t: {"document": simple_flow_document("spare")},
    ),
    "flow-simulate": Endpoint(
        "POST",
        "/api/flows/<int:flow_id>/simulate",
        _flow_path("/simulate", "main"),
        ADMINS_ONLY,
        body=lambda w, t: {"version": "published", "at": "2026-03-03T10:00:00"},
    ),
    # The app shell is public (it signs in through the API); without a build it says so.
    "home": Endpoint("GET", "/", lambda w, t: "/", _all(302)),
    "editor-shell": Endpoint("GET", "/editor/", lambda w, t: "/editor/", _all(200)),
    "editor-asset": Endpoint(
        "GET",
        "/editor/assets/<path:filename>",
        lambda w, t: "/editor/assets/missing-0000.js",
        _all(404),
    ),
}
ENDPOINTS |= EDITOR_ENDPOINTS


def _collection(
    kind: str, path: str, body: Any, change: dict[str, Any], listable_by_staff: bool = False
) -> dict[str, Endpoint]:
    """List/create/read/update/delete rows for one org-owned collection."""
    spare = f"spare_{kind}"
    item = f"{path}/<int:{kind.split('_')[-1]}_id>"
    item_path = lambda w, t: f"{path}/{w.things[t][spare].id}"  # noqa: E731
    list_staff = (200, 200) if listable_by_staff else (403, 403)
    return {
        f"{kind}-list": Endpoint(
            "GET",
            path,
            lambda w, t: f"{path}?org_id={w.orgs[t].id}",
            _expect(401, list_staff, (200, 200), (200, 200)),
        ),
        f"{kind}-create": Endpoint(
            "POST",
            path,
            lambda w, t: path,
            _expect(401, (403, 403), (201, 404), (201, 201)),
            body=lambda w, t: {**body(w, t), "org_id": w.orgs[t].id},
            writes=True,
        ),
        f"{kind}-read": Endpoint("GET", item, item_path, ADMINS_ONLY),
        f"{kind}-update": Endpoint(
            "PATCH", item, item_path, ADMINS_ONLY, body=lambda w, t: change, writes=True
        ),
        f"{kind}-delete": Endpoint(
            "DELETE",
            item,
            item_path,
            _expect(401, (403, 403), (204, 404), (204, 204)),
            writes=True,
        ),
    }


ENDPOINTS |= _collection(
    "vm_box",
    "/api/voicemail-boxes",
    lambda w, t: {"key": "vm-new", "name": "New box", "listener_ids": []},
    {"name": "Renamed"},
    listable_by_staff=True,
)
ENDPOINTS |= _collection(
    "fax_box",
    "/api/fax-boxes",
    lambda w, t: {"key": "fax-new", "name": "New fax box"},
    {"name": "Renamed"},
    listable_by_staff=True,
)
ENDPOINTS |= _collection(
    "account",
    "/api/provider-accounts",
    lambda w, t: {"provider": "twilio", "account_sid": "AC123", "auth_token": "new-secret"},
    {"label": "Renamed"},
)
ENDPOINTS |= _collection(
    "number",
    "/api/numbers",
    lambda w, t: {
        "e164": "+4580000001" if t == "own" else "+4580000002",
        "provider_account_id": w.things[t]["account"].id,
    },
    {"label": "Reception"},
)

# Provider webhooks answer anyone with TwiML (unknown number: a polite rejection) or 403
# (callbacks that cannot be verified); sessions and tokens play no part under /hooks/.
HOOK_ENDPOINTS = {
    "hooks-voice": Endpoint("POST", "/hooks/voice", lambda w, t: "/hooks/voice", _all(200)),
    "hooks-voice-status": Endpoint(
        "POST", "/hooks/voice/status", lambda w, t: "/hooks/voice/status", _all(403)
    ),
    **{
        f"hooks-voice-{suffix or 'step'}": Endpoint(
            "POST",
            "/hooks/voice/<version>/<node>" + (f"/{suffix}" if suffix else ""),
            lambda w, t, s=suffix: (
                f"/hooks/voice/{w.things[t]['main'].published_version_id}/greeting"
                + (f"/{s}" if s else "")
            ),
            _all(403 if suffix == "recording" else 200),
        )
        for suffix in ("", "result", "wait", "recording")
    },
    "hooks-fax": Endpoint("POST", "/hooks/fax", lambda w, t: "/hooks/fax", _all(200)),
    "hooks-fax-received": Endpoint(
        "POST", "/hooks/fax/received", lambda w, t: "/hooks/fax/received", _all(403)
    ),
    # Only with a valid signature (none here), whoever asks.
    "media-audio": Endpoint(
        "GET",
        "/media/audio/<int:org_id>/<key>",
        lambda w, t: f"/media/audio/{w.orgs[t].id}/welcome",
        _all(403),
    ),
    "calls-list": Endpoint(
        "GET", "/api/calls", lambda w, t: "/api/calls", _expect(401, 403, 200, 200)
    ),
    "call-read": Endpoint(
        "GET",
        "/api/calls/<int:call_id>",
        lambda w, t: f"/api/calls/{w.things[t]['call'].id}",
        ADMINS_ONLY,
    ),
}
ENDPOINTS |= HOOK_ENDPOINTS

# --- issue 5: audio library and music agreements ---------------------------------------


def _audio_path(suffix: str = "", thing: str = "audio") -> Any:
    return lambda w, t: f"/api/audio/{w.things[t][thing].id}{suffix}"


def _upload_form(w: World, t: str) -> dict[str, Any]:
    wav = io.BytesIO()
    write_test_wav(wav, seconds=1.0)
    wav.seek(0)
    return {"key": "new-audio", "org_id": str(w.orgs[t].id), "file": (wav, "hej.wav")}


STAFF_READS = _expect(401, (200, 404), (200, 404), (200, 200))
ADMIN_CREATES = _expect(401, (403, 403), (201, 404), (201, 201))
AUDIO_ENDPOINTS = {
    "audio-list": Endpoint(
        "GET",
        "/api/audio",
        lambda w, t: f"/api/audio?org_id={w.orgs[t].id}",
        _expect(401, (200, 200), (200, 200), (200, 200)),
    ),
    "audio-upload": Endpoint(
        "POST",
        "/api/audio",
        lambda w, t: "/api/audio",
        ADMIN_CREATES,
        form=_upload_form,
        writes=True,
    ),
    "audio-tts": Endpoint(
        "POST",
        "/api/audio/tts",
        lambda w, t: "/api/audio/tts",
        ADMIN_CREATES,
        body=lambda w, t: {
            "key": "tts-new",
            "name": "Closed",
            "text": "Vi har lukket",
            "language": "da-DK",
            "org_id": w.orgs[t].id,
        },
        writes=True,
    ),
    "audio-read": Endpoint("GET", "/api/audio/<int:asset_id>", _audio_path(), STAFF_READS),
    "audio-update": Endpoint(
        "PATCH",
        "/api/audio/<int:asset_id>",
        _audio_path(),
        _expect(401, (403, 403), (200, 404), (200, 200)),
        body=lambda w, t: {"name": "Renamed"},
        writes=True,
    ),
    "audio-delete": Endpoint(
        "DELETE",
        "/api/audio/<int:asset_id>",
        _audio_path(thing="spare_audio"),
        _expect(401, (403, 403), (204, 404), (204, 204)),
        writes=True,
    ),
    "audio-file": Endpoint(
        "GET",
        "/api/audio/<int:asset_id>/file",
        _audio_path("/file"),
        _expect(401, (403, 403), (200, 404), (200, 200)),
    ),
    "audio-peaks": Endpoint(
        "GET", "/api/audio/<int:asset_id>/peaks", _audio_path("/peaks"), STAFF_READS
    ),
}
ENDPOINTS |= AUDIO_ENDPOINTS
ENDPOINTS |= _collection(
    "agreement",
    "/api/music-agreements",
    lambda w, t: {
        "number": "KG-NEW",
        "lines_covered": 3,
        "valid_from": "2026-01-01",
        "valid_until": "2027-12-31",
    },
    {"lines_covered": 5},
)

for _module in extra_rows():
    ENDPOINTS |= getattr(_module, "ENDPOINTS", {})

CASES = [
    pytest.param(name, role, target, id=f"{name}-{role}-{target}")
    for name in ENDPOINTS
    for role in ROLES
    for target in ("own", "foreign")
]


def _audit_count(db_session) -> int:
    db_session.expire_all()
    return db_session.execute(select(func.count(AuditEntry.id))).scalar_one()


@pytest.mark.parametrize(("name", "role", "target"), CASES)
def test_access(name, role, target, world, client, bearer, db_session):
    endpoint = ENDPOINTS[name]
    expected = endpoint.expected[role]
    if isinstance(expected, tuple):
        expected = expected[0] if target == "own" else expected[1]
    headers = bearer(world.callers[role]) if role != "anonymous" else {}
    body = endpoint.body(world, target) if endpoint.body else None
    audit_before = _audit_count(db_session)

    if endpoint.form:
        response = client.open(
            endpoint.path(world, target),
            method=endpoint.method,
            data=endpoint.form(world, target),
            headers=headers,
            content_type="multipart/form-data",
        )
    else:
        response = client.open(
            endpoint.path(world, target), method=endpoint.method, json=body, headers=headers
        )

    body_bytes = response.get_data()
    response.close()  # file downloads hold their file open until closed
    assert response.status_code == expected, body_bytes
    if response.status_code >= 400:
        assert response.is_json
        assert set(response.json) == {"error", "fields"}
    if role not in ("system_admin",) and name != "openapi":
        # Neither data nor names of the foreign org reach its neighbours.
        assert FOREIGN_MARKER.encode() not in body_bytes.lower()  # bytes: audio too
    if endpoint.writes:
        audit_after = _audit_count(db_session)
        if response.status_code < 300:
            assert audit_after > audit_before, "an admin write left no audit entry"
        else:
            assert audit_after == audit_before, "a refused write still wrote something"


def test_every_route_is_in_the_matrix(app):
    covered = {(e.rule, e.method) for e in ENDPOINTS.values()}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (rule.rule, method) in covered, f"{method} {rule.rule} has no access row"


def test_lists_are_scoped_to_the_callers_org(world, client, bearer):
    headers = bearer(world.callers["org_admin"])
    users = client.get("/api/users", headers=headers).json
    assert users
    assert {user["org_id"] for user in users} == {world.orgs["own"].id}
    entries = client.get("/api/audit", headers=headers).json
    assert all(entry["org_id"] == world.orgs["own"].id for entry in entries)


def test_system_admin_sees_every_org(world, client, bearer):
    headers = bearer(world.callers["system_admin"])
    slugs = {org["slug"] for org in client.get("/api/orgs", headers=headers).json}
    assert {"alpha", "bravo"} <= slugs
    org_ids = {user["org_id"] for user in client.get("/api/users", headers=headers).json}
    assert {world.orgs["own"].id, world.orgs["foreign"].id, None} <= org_ids


def test_staff_reads_only_themselves(world, client, bearer):
    staff = world.callers["staff"]
    response = client.get(f"/api/users/{staff.id}", headers=bearer(staff))
    assert response.status_code == 200
    assert response.json["email"] == staff.email
    assert "password" not in response.get_data(as_text=True)


def test_token_list_shows_only_own_tokens(world, client, make_token):
    victim = world.victims["own"]
    _token, secret = make_token(victim, name="mine")
    names = {
        t["name"]
        for t in client.get("/api/tokens", headers={"Authorization": f"Bearer {secret}"}).json
    }
    assert names == {"mine", f"token-{victim.email}"}


def test_foreign_writes_leave_the_foreign_org_untouched(world, client, bearer, db_session):
    headers = bearer(world.callers["org_admin"])
    foreign = world.orgs["foreign"]
    victim = world.victims["foreign"]
    client.patch(f"/api/orgs/{foreign.id}", json={"name": "Hacked"}, headers=headers)
    client.patch(f"/api/users/{victim.id}", json={"name": "Hacked"}, headers=headers)
    client.delete(f"/api/users/{victim.id}", headers=headers)
    db_session.expire_all()
    assert db_session.get(Organisation, foreign.id).name == "Bravo ApS"
    assert db_session.get(User, victim.id).name != "Hacked"
