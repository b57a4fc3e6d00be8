"""Signed, expiring media links: the only way to the media without signing in."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from ivr_designer.inbox.media import (
    LinkExpired,
    LinkInvalid,
    derive_link_key,
    make_token,
    read_token,
    signed_media_url,
)
from tests.conftest import MINIMAL_PDF
from tests.ivr_designer.inbox.conftest import ffprobe

KEY = derive_link_key("secret")


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_tokens_verify_and_refuse_forgeries():
    now = 1_800_000_000
    token = make_token(KEY, "voicemail", 42, now + 60)
    assert read_token(KEY, token, now).item_id == 42
    code, item_id, expires, signature = token.split(".")
    forged = [
        f"{code}.43.{expires}.{signature}",  # another item
        f"f.{item_id}.{expires}.{signature}",  # another kind
        f"{code}.{item_id}.{int(expires) + 3600}.{signature}",  # a longer life
        f"{code}.{item_id}.{expires}.{signature[:-2]}AA",
        make_token(derive_link_key("other secret"), "voicemail", 42, now + 60),
        "garbage",
        "v.1.2",
        "x.1.2.abc",
        "v.-1.2.abc",
    ]
    for bad in forged:
        with pytest.raises(LinkInvalid):
            read_token(KEY, bad, now)
    with pytest.raises(LinkExpired):
        read_token(KEY, token, now + 61)
    assert derive_link_key("secret ") != KEY
    assert b"secret" not in KEY


def test_a_valid_link_serves_the_wav_without_a_session(
    inbox, make_voicemail, app, client, media_root
):
    voicemail = make_voicemail(inbox.box_a)
    with app.app_context():
        url = signed_media_url("voicemail", voicemail.id)
    assert url.startswith("http://localhost/media/signed/")
    assert "voicemail/" not in url  # no stored path in the link
    assert voicemail.media_path.split("/")[-1] not in url
    response = client.get(path_of(url))
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert body == (media_root / voicemail.media_path).read_bytes()
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The default lifetime is MEDIA_LINK_TTL_SECONDS.
    expires = int(path_of(url).rsplit("/", 1)[1].split(".")[2])
    ttl = app.config["MEDIA_LINK_TTL_SECONDS"]
    assert abs(expires - (time.time() + ttl)) < 5


def test_opus_and_fax_links(inbox, make_voicemail, make_fax, app, client, tmp_path):
    voicemail = make_voicemail(inbox.box_a, seconds=1.0)
    fax = make_fax(inbox.fax_box)
    with app.app_context():
        opus_url = signed_media_url("voicemail_opus", voicemail.id, expires_in=60)
        fax_url = signed_media_url("fax", fax.id, expires_in=60)
    opus = client.get(path_of(opus_url))
    saved = tmp_path / "link.ogg"
    saved.write_bytes(opus.get_data())
    opus.close()
    assert opus.mimetype == "audio/ogg"
    assert ffprobe(saved)["streams"][0]["codec_name"] == "opus"
    document = client.get(path_of(fax_url))
    assert document.mimetype == "application/pdf"
    assert document.get_data() == MINIMAL_PDF
    document.close()


def test_expired_forged_deleted_and_pending_links(inbox, make_voicemail, app, client, as_user):
    voicemail = make_voicemail(inbox.box_a)
    pending = make_voicemail(inbox.box_a, with_media=False)
    with app.app_context():
        expired = signed_media_url("voicemail", voicemail.id, expires_in=-1)
        valid = signed_media_url("voicemail", voicemail.id, expires_in=60)
        waiting = signed_media_url("voicemail", pending.id, expires_in=60)
    gone = client.get(path_of(expired))
    assert gone.status_code == 410
    assert gone.json == {"error": "this media link has expired", "fields": {}}
    token = path_of(valid).rsplit("/", 1)[1]
    forged = client.get(f"/media/signed/{token[:-3]}abc")
    assert forged.status_code == 404
    assert set(forged.json) == {"error", "fields"}
    assert client.get(path_of(waiting)).status_code == 409
    # Deleting the voicemail kills its links at once.
    assert (
        client.delete(f"/api/voicemails/{voicemail.id}", headers=as_user(inbox.anna)).status_code
        == 204
    )
    assert client.get(path_of(valid)).status_code == 404


def test_a_link_works_for_a_browser_signed_in_to_another_org(
    inbox, make_voicemail, app, client, sign_in
):
    """The tenant filter of a signed-in session must not hide the linked item."""
    voicemail = make_voicemail(inbox.box_a)
    sign_in(inbox.stranger)
    with app.app_context():
        url = signed_media_url("voicemail", voicemail.id, expires_in=60)
    response = client.get(path_of(url))
    assert response.status_code == 200
    response.close()


def test_unknown_link_kinds_are_a_programming_error(app):
    with app.app_context(), pytest.raises(ValueError, match="no signed links"):
        signed_media_url("call", 1)
