"""Uploads through the API: ready inline, processing off the request, bad input refused.

Media is generated at test time with espeak-ng, sox and ffmpeg (tests/audio/conftest).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from ivr_designer.jobs import process_audio
from ivr_designer.models import AudioAsset, AuditEntry
from tests.audio import conftest as audio_fixtures
from tests.audio.conftest import ffmpeg, ffprobe

# The media generated for tests/audio (espeak-ng, sox, ffmpeg), as fixtures of this module.
globals().update(media=audio_fixtures.media, broken=audio_fixtures.broken)


def post_multipart(client: Any, form: dict[str, Any], headers: dict[str, str]) -> Any:
    """POST /api/audio; the builder's spooled body (large uploads) is closed afterwards."""
    builder = EnvironBuilder(
        path="/api/audio",
        method="POST",
        data=form,
        headers=headers,
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def admin(make_org, make_user):
    return make_user(make_org(), role="org_admin")


@pytest.fixture
def upload(client, bearer, admin):
    headers = bearer(admin)

    def post(path: Path | bytes, filename: str = "", **fields: Any):
        data = path if isinstance(path, bytes) else path.read_bytes()
        name = filename or (path.name if isinstance(path, Path) else "upload.wav")
        form = {"key": "welcome", "use": "prompt", **fields, "file": (io.BytesIO(data), name)}
        return post_multipart(client, form, headers)

    return post


@pytest.fixture
def media_root(app) -> Path:
    return Path(app.config["MEDIA_FOLDER"])


def test_short_upload_is_ready_with_renditions(upload, media, media_root, db_session):
    response = upload(media.formats["mp3"], name="Velkomst", rights_kind="own_recording")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "ready"
    assert body["name"] == "Velkomst"
    assert body["original_filename"] == "speech.mp3"
    assert body["kind"] == "upload"
    assert 3 < body["duration_s"] < 10
    assert body["sample_rate"] == 44100
    assert body["channels"] == 2
    assert len(body["sha256"]) == 64
    asset = db_session.get(AudioAsset, body["id"])
    telephony = ffprobe(media_root / asset.telephony_path)
    assert (telephony.sample_rate, telephony.channels) == (8000, 1)
    assert ffprobe(media_root / asset.opus_path).codec == "opus"
    # Renditions only: the original is not kept once converted.
    assert set(files_under(media_root)) == {
        media_root / asset.telephony_path,
        media_root / asset.ulaw_path,
        media_root / asset.opus_path,
    }
    entry = db_session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "audio_asset")
    ).scalar_one()
    assert entry.action == "create"
    assert entry.after["key"] == "welcome"


def test_long_upload_is_processed_by_the_job(app, upload, media, media_root, db_session):
    app.config["AUDIO_INLINE_MAX_SECONDS"] = 2
    response = upload(media.music, key="hold", use="hold_music")
    assert response.status_code == 201, response.json
    assert response.json["status"] == "processing"
    assert response.json["duration_s"] == pytest.approx(20, abs=0.5)
    waiting = files_under(media_root)
    assert len(waiting) == 1
    assert waiting[0].parent.name == "incoming"

    assert process_audio(app) == [response.json["id"]]

    db_session.expire_all()
    asset = db_session.get(AudioAsset, response.json["id"])
    assert asset.status == "ready"
    assert asset.upload_path is None
    assert asset.music_label == "music"
    assert not asset.needs_review  # declared as hold music, so no surprise
    assert files_under(media_root / "audio" / "incoming") == []
    assert ffprobe(media_root / asset.telephony_path).sample_rate == 8000
    assert process_audio(app) == []  # nothing left to do


def test_a_file_that_breaks_in_processing_fails_with_the_reason(
    app, upload, broken, media_root, db_session
):
    app.config["AUDIO_INLINE_MAX_SECONDS"] = 0
    response = upload(broken["truncated.mp3"], key="cut")
    assert response.status_code == 201, response.json
    assert response.json["status"] == "processing"

    process_audio(app)

    db_session.expire_all()
    asset = db_session.get(AudioAsset, response.json["id"])
    assert asset.status == "failed"
    assert asset.failure_code == "truncated"
    assert asset.failure_reason
    assert files_under(media_root) == []


def test_speech_that_sounds_like_music_is_flagged_for_review(app, upload, media):
    app.config["AUDIO_INLINE_MAX_SECONDS"] = 30
    response = upload(media.music, key="jingle", use="prompt", rights_kind="own_recording")
    assert response.status_code == 201, response.json
    assert response.json["music_label"] == "music"
    assert response.json["needs_review"] is True
    assert response.json["is_music"] is True  # so the music rules apply to it
    speech = upload(media.speech, key="speech", use="prompt").json
    assert speech["needs_review"] is False


def test_processing_claim_is_taken_once(app, upload, media, db_session):
    from datetime import timedelta

    from ivr_designer.audio_lib.processing import claim
    from ivr_designer.models.base import utcnow

    app.config["AUDIO_INLINE_MAX_SECONDS"] = 0
    asset_id = upload(media.speech, key="slow").json["id"]
    now = utcnow()
    assert claim(db_session, asset_id, now, timedelta(minutes=30))
    assert not claim(db_session, asset_id, now, timedelta(minutes=30))
    # A claim older than the stale limit (a dead worker) is taken over.
    assert claim(db_session, asset_id, now + timedelta(hours=1), timedelta(minutes=30))


BAD = [
    ("pdf-renamed.mp3", "not_audio"),
    ("text.wav", "not_audio"),
    ("zero.mp3", "empty"),
    ("truncated.wav", "truncated"),
    ("truncated.flac", "truncated"),
    ("channels-bomb.wav", "implausible_stream"),
    ("rate-bomb.wav", "implausible_stream"),
    ("duration-bomb.flac", "too_long"),
    ("ac3", "unsupported_codec"),
    ("adpcm.wav", "unsupported_codec"),
]


@pytest.mark.parametrize(("name", "code"), BAD, ids=[name for name, _ in BAD])
def test_bad_upload_is_a_clear_422_and_leaves_nothing(
    app, upload, broken, media_root, db_session, name, code
):
    app.config["AUDIO_INLINE_MAX_SECONDS"] = 60
    response = upload(broken[name], key="bad", use="hold_music")
    assert response.status_code == 422, response.json
    assert response.json["fields"]["code"] == code
    assert response.json["fields"]["file"] == [response.json["error"]]
    assert files_under(media_root) == []
    assert db_session.execute(select(AudioAsset)).first() is None


def test_ten_hour_file_is_refused(upload, media, media_root):
    response = upload(media.ten_hours, key="long", use="hold_music")
    assert response.status_code == 422
    assert response.json["fields"]["code"] == "too_long"
    assert "15:00" in response.json["error"] or "15 min" in response.json["error"]
    assert files_under(media_root) == []


def test_prompt_over_two_minutes_is_refused(upload, media, media_root):
    response = upload(media.long_prompt, key="long")
    assert response.status_code == 422
    assert response.json["fields"]["code"] == "too_long"
    assert files_under(media_root) == []


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd.mp3", "a/b.mp3", "evil\x07.mp3", "rtl\u202egpm.exe", "..", " "]
)
def test_names_with_separators_or_control_characters_are_refused(
    upload, media, media_root, filename
):
    response = upload(media.formats["mp3"], filename=filename)
    assert response.status_code == 422
    assert response.json["fields"]["code"] == "bad_filename"
    assert files_under(media_root) == []


def test_backslashes_never_reach_the_stored_name(upload, media):
    """Multipart quoting turns a backslash into an escape; whatever arrives has none."""
    response = upload(media.formats["mp3"], filename="C:\\Users\\x\\hej.mp3")
    assert response.status_code == 201
    assert "\\" not in response.json["original_filename"]
    assert response.json["original_filename"].endswith("hej.mp3")


def test_oversize_upload_is_413_and_leaves_nothing(app, upload, media, media_root):
    app.config["AUDIO_MAX_BYTES"] = 10_000
    response = upload(media.formats["wav"])
    assert response.status_code == 413
    assert files_under(media_root) == []


def test_upload_larger_than_the_json_limit_is_accepted(app, upload, tmp_path):
    """MAX_CONTENT_LENGTH (1 MB) is for JSON; uploads have AUDIO_MAX_BYTES."""
    app.config["AUDIO_INLINE_MAX_SECONDS"] = 0
    big = tmp_path / "big.wav"  # 15 s of 44.1 kHz stereo PCM: about 2.6 MB
    ffmpeg("-f", "lavfi", "-i", "sine=f=330:d=15", "-ac", "2", "-ar", "44100", str(big))
    assert big.stat().st_size > app.config["MAX_CONTENT_LENGTH"]
    response = upload(big, key="big", use="hold_music")
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"use": "ringtone"}, "use"),
        ({"rights_kind": "stolen"}, "rights_kind"),
        ({"rights_kind": "koda_gramex"}, "agreement_id"),
        ({"agreement_id": "999999"}, "agreement_id"),
        ({"key": "default-hold-music"}, "key"),
        ({"name": "a/b"}, "name"),
        ({"name": "bell\x07"}, "name"),
    ],
)
def test_bad_form_fields_name_the_field(upload, media, media_root, fields, field):
    response = upload(media.formats["wav"], **fields)
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    assert files_under(media_root) == []


def test_missing_file_and_json_body_are_refused(client, bearer, admin, media_root):
    headers = bearer(admin)
    response = client.post(
        "/api/audio", data={"key": "x"}, headers=headers, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "file" in response.json["fields"]
    response = client.post("/api/audio", json={"key": "x"}, headers=headers)
    assert response.status_code == 422
    assert "file" in response.json["fields"]


def test_duplicate_key_is_409_and_leaves_only_the_first(upload, media, media_root):
    assert upload(media.formats["wav"]).status_code == 201
    before = files_under(media_root)
    response = upload(media.formats["wav"])
    assert response.status_code == 409
    assert "key" in response.json["fields"]
    assert files_under(media_root) == before
