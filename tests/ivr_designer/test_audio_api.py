"""Audio library API: TTS, reading, updates, deletes, downloads, peaks, agreements."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ivr_designer.models import AudioAsset, AuditEntry, MusicAgreement


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def api(client, bearer, make_user, org):
    headers = bearer(make_user(org, role="org_admin"))

    def call(method: str, path: str, **kwargs):
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


@pytest.fixture
def staff_api(client, bearer, make_user, org):
    headers = bearer(make_user(org, role="staff"))

    def call(method: str, path: str, **kwargs):
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


def test_tts_asset_is_ready_at_once(api):
    response = api(
        "POST",
        "/api/audio/tts",
        json={"key": "closed", "name": "Lukket", "text": "Vi har lukket", "language": "da-DK"},
    )
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "tts"
    assert response.json["status"] == "ready"
    assert response.json["tts_text"] == "Vi har lukket"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"use": "hold_music"}, "use"),
        ({"language": "Danish!"}, "language"),
        ({"text": ""}, "text"),
        ({"key": "../x"}, "key"),
    ],
)
def test_tts_refuses_bad_fields(api, body, field):
    payload = {"key": "closed", "name": "L", "text": "Hej", "language": "da", **body}
    response = api("POST", "/api/audio/tts", json=payload)
    assert response.status_code == 422
    assert field in response.json["fields"]


def test_staff_read_admins_change(api, staff_api, make_audio_asset, org):
    asset = make_audio_asset(org, "welcome", name="Velkomst")
    assert [a["key"] for a in staff_api("GET", "/api/audio").json] == ["welcome"]
    assert staff_api("GET", f"/api/audio/{asset.id}").json["name"] == "Velkomst"
    assert staff_api("PATCH", f"/api/audio/{asset.id}", json={"name": "X"}).status_code == 403
    assert staff_api("GET", f"/api/audio/{asset.id}/file").status_code == 403
    changed = api(
        "PATCH", f"/api/audio/{asset.id}", json={"name": "Goddag", "use": "queue_message"}
    )
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["use"]) == ("Goddag", "queue_message")


def test_update_audits_only_the_change(api, make_audio_asset, org, db_session):
    asset = make_audio_asset(org, "welcome", name="Velkomst")
    api("PATCH", f"/api/audio/{asset.id}", json={"name": "Goddag"})
    entry = db_session.execute(select(AuditEntry).where(AuditEntry.action == "update")).scalar_one()
    assert entry.before == {"name": "Velkomst"}
    assert entry.after == {"name": "Goddag"}


def test_delete_is_refused_while_a_published_flow_plays_it(
    api, make_audio_asset, make_flow, org, db_session, app
):
    asset = make_audio_asset(org, "welcome")
    document = {
        "format": 1,
        "name": "main",
        "entry": "hello",
        "nodes": {
            "hello": {"type": "play", "props": {"audio": "welcome"}, "ports": {"next": "bye"}},
            "bye": {"type": "hangup", "props": {}, "ports": {}},
        },
        "layout": {},
    }
    make_flow(org, "main", document, published=True)
    refused = api("DELETE", f"/api/audio/{asset.id}")
    assert refused.status_code == 409
    assert refused.json["fields"]["flows"] == ["main"]
    spare = make_audio_asset(org, "spare")
    file = Path(app.config["MEDIA_FOLDER"]) / spare.telephony_path
    assert file.exists()
    assert api("DELETE", f"/api/audio/{spare.id}").status_code == 204
    assert not file.exists()
    db_session.expire_all()
    keys = db_session.execute(select(AudioAsset.key)).scalars().all()
    assert keys == ["welcome"]


def test_default_sounds_cannot_be_changed_or_deleted(api, make_audio_asset, org):
    default = make_audio_asset(org, "default-hold-music", use="hold_music", is_default=True)
    assert api("DELETE", f"/api/audio/{default.id}").status_code == 409
    assert api("PATCH", f"/api/audio/{default.id}", json={"name": "x"}).status_code == 409


def test_download_renditions(api, make_audio_asset, org, app):
    asset = make_audio_asset(org, "welcome")
    response = api("GET", f"/api/audio/{asset.id}/file?rendition=telephony")
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert "welcome.wav" in response.headers["Content-Disposition"]
    data = response.get_data()
    response.close()
    assert data == (Path(app.config["MEDIA_FOLDER"]) / asset.telephony_path).read_bytes()
    missing = api("GET", f"/api/audio/{asset.id}/file?rendition=opus")
    assert missing.status_code == 404
    assert api("GET", f"/api/audio/{asset.id}/file?rendition=mp3").status_code == 422


def test_peaks_for_the_editor(staff_api, make_audio_asset, org):
    asset = make_audio_asset(org, "welcome")
    response = staff_api("GET", f"/api/audio/{asset.id}/peaks?buckets=50")
    assert response.status_code == 200
    body = response.json
    assert body["buckets"] == 50
    assert len(body["peaks"]) == 50
    assert body["duration"] == pytest.approx(0.5)
    low, high = body["peaks"][10]
    assert low < 0 < high
    assert staff_api("GET", f"/api/audio/{asset.id + 999}/peaks").status_code == 404


def test_text_to_speech_has_no_waveform(staff_api, make_audio_asset, org):
    tts = make_audio_asset(org, "closed", kind="tts", tts_text="Lukket", tts_language="da")
    assert staff_api("GET", f"/api/audio/{tts.id}/peaks").status_code == 404


def test_rights_update_on_expired_music_restores_it(api, make_audio_asset, org, db_session):
    asset = make_audio_asset(
        org,
        "moh",
        use="hold_music",
        status="rights_expired",
        rights_kind="royalty_free",
        rights_source="Stock",
        rights_licence_text="Licence",
        rights_valid_until=date(2020, 1, 1),
    )
    response = api("PATCH", f"/api/audio/{asset.id}", json={"rights_valid_until": None})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"


def test_agreements_crud(api, org, make_audio_asset, db_session):
    created = api(
        "POST",
        "/api/music-agreements",
        json={
            "number": "KG-77",
            "lines_covered": 4,
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
    )
    assert created.status_code == 201, created.json
    agreement_id = created.json["id"]
    assert api("GET", "/api/music-agreements").json[0]["number"] == "KG-77"
    bad = api("PATCH", f"/api/music-agreements/{agreement_id}", json={"valid_until": "2025-01-01"})
    assert bad.status_code == 422
    assert "valid_until" in bad.json["fields"]
    make_audio_asset(
        org,
        "moh",
        use="hold_music",
        rights_kind="koda_gramex",
        agreement=db_session.get(MusicAgreement, agreement_id),
    )
    refused = api("DELETE", f"/api/music-agreements/{agreement_id}")
    assert refused.status_code == 409
    assert refused.json["fields"]["audio"] == ["moh"]
    reversed_dates = api(
        "POST",
        "/api/music-agreements",
        json={
            "number": "KG-78",
            "lines_covered": 1,
            "valid_from": "2026-06-01",
            "valid_until": "2026-01-01",
        },
    )
    assert reversed_dates.status_code == 422
    assert db_session.execute(select(MusicAgreement)).scalars().all()[0].number == "KG-77"
