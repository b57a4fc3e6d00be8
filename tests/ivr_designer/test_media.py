"""Signed audio URLs: only a valid, unexpired signature over org + key gets through."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from flows.context import Playable
from ivr_designer.media import audio as media_audio
from ivr_designer.media.audio import fallback_playable, inside
from ivr_designer.media.signing import audio_path, derive_key, verify_audio

KEY = derive_key("secret")


def test_derived_key_depends_on_the_secret_and_is_not_the_secret():
    assert derive_key("secret") == KEY
    assert derive_key("other") != KEY
    assert b"secret" not in KEY


def test_signed_path_verifies_and_expires():
    now = 1_700_000_000
    path = audio_path(KEY, 3, "welcome", now, ttl=60)
    parts = urlsplit(path)
    assert parts.path == "/media/audio/3/welcome"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert int(query["exp"]) > now + 60
    assert verify_audio(KEY, 3, "welcome", query["exp"], query["sig"], now)
    assert not verify_audio(KEY, 3, "welcome", query["exp"], query["sig"], int(query["exp"]) + 1)
    assert not verify_audio(KEY, 4, "welcome", query["exp"], query["sig"], now)
    assert not verify_audio(KEY, 3, "welcome2", query["exp"], query["sig"], now)
    assert not verify_audio(derive_key("x"), 3, "welcome", query["exp"], query["sig"], now)
    later = str(int(query["exp"]) + 3600)
    assert not verify_audio(KEY, 3, "welcome", later, query["sig"], now)


@pytest.mark.parametrize(("exp", "sig"), [(None, None), ("", "x"), ("abc", "x"), ("1" * 20, "x")])
def test_garbage_signatures_fail(exp, sig):
    assert not verify_audio(KEY, 1, "k", exp, sig, 0)


def test_expiry_is_rounded_so_urls_are_stable_within_the_hour():
    start = 1_700_000_000 - 1_700_000_000 % 3600
    assert audio_path(KEY, 1, "k", start + 10) == audio_path(KEY, 1, "k", start + 3000)


def test_fallback_speaks_names_and_keeps_music_silent():
    assert fallback_playable("welcome-sales", "da-DK") == Playable(
        text="welcome sales", language="da-DK", name="welcome-sales"
    )
    assert fallback_playable("hold-default", "da-DK").text == ""


def test_inside_refuses_escapes(tmp_path: Path):
    root = tmp_path / "media"
    (root / "audio").mkdir(parents=True)
    (root / "audio" / "a.wav").write_bytes(b"x")
    (tmp_path / "secret.txt").write_text("no")
    assert inside(root, Path("audio/a.wav")) == (root / "audio" / "a.wav").resolve()
    assert inside(root, Path("../secret.txt")) is None
    assert inside(root, tmp_path / "secret.txt") is None
    assert inside(root, Path("audio/missing.wav")) is None
    assert inside(root, Path(".")) is None


def test_route_refuses_missing_forged_and_expired_signatures(client):
    assert client.get("/media/audio/1/welcome").status_code == 403
    assert client.get("/media/audio/1/welcome?exp=9999999999&sig=00").status_code == 403
    expired = audio_path(derive_key("test-secret-key"), 1, "welcome", 0, ttl=0)
    response = client.get(expired)
    assert response.status_code == 403
    assert response.json["error"]


def test_route_without_an_asset_is_404_even_when_signed(app, client):
    path = audio_path(derive_key(app.config["SECRET_KEY"]), 1, "welcome", int(time.time()))
    assert client.get(path).status_code == 404


def test_route_serves_a_resolved_file_inside_the_media_folder(app, client, monkeypatch):
    root = Path(app.config["MEDIA_FOLDER"])
    (root / "audio").mkdir(parents=True)
    (root / "audio" / "welcome.wav").write_bytes(b"RIFFdata")
    monkeypatch.setattr(
        media_audio, "find_audio_file", lambda session, org, key, media: Path("audio/welcome.wav")
    )
    from ivr_designer.media import views

    monkeypatch.setattr(views, "find_audio_file", media_audio.find_audio_file)
    path = audio_path(derive_key(app.config["SECRET_KEY"]), 1, "welcome", int(time.time()))
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.data == b"RIFFdata"


def test_nothing_else_under_media_is_public(client):
    for path in ("/media/voicemail/x.wav", "/media/fax/x.pdf", "/media/audio/1", "/media/"):
        assert client.get(path).status_code == 404


def test_remembered_audio_decisions_follow_every_change(
    app, db_session, make_org, make_audio_asset, make_agreement
):
    from datetime import date, timedelta

    from ivr_designer.media.audio import AudioCache, resolve_audio

    org = make_org()
    root = Path(app.config["MEDIA_FOLDER"])
    cache = AudioCache()
    today = date.today()

    def play(key: str, on: date = today) -> Playable:
        return resolve_audio(
            db_session,
            org.id,
            key,
            media_root=root,
            signed_url=lambda asset_key: f"signed:{asset_key}",
            language="da-DK",
            cache=cache,
            today=on,
        )

    assert play("welcome").text == "welcome"  # no asset: spoken fallback
    asset = make_audio_asset(org, "welcome", status="processing")
    assert play("welcome").text == "welcome"
    asset.status = "ready"
    db_session.commit()
    assert play("welcome").url == "signed:welcome"
    assert play("welcome").url == "signed:welcome"  # remembered
    asset.kind, asset.tts_text, asset.tts_language = "tts", "Velkommen", "da-DK"
    db_session.commit()
    assert play("welcome").text == "Velkommen"
    db_session.delete(asset)
    db_session.commit()
    assert play("welcome").text == "welcome"

    agreement = make_agreement(org, today - timedelta(days=5), today + timedelta(days=5))
    make_audio_asset(org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement)
    assert play("moh").url == "signed:moh"
    assert play("moh", today + timedelta(days=6)).url != "signed:moh"  # the day counts
    assert play("moh").url == "signed:moh"
    agreement.valid_until = today - timedelta(days=1)
    db_session.commit()
    assert play("moh").url != "signed:moh"  # the agreement lapsed: never the music
