"""Playing, downloading and reading inbox media through the authenticated API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ivr_designer.models import Voicemail
from tests.conftest import MINIMAL_PDF
from tests.ivr_designer.inbox.conftest import ffprobe


def test_play_makes_ogg_opus_once_and_serves_it(
    inbox, make_voicemail, client, as_user, db_session, media_root
):
    voicemail = make_voicemail(inbox.box_a, seconds=2.0)
    headers = as_user(inbox.anna)
    response = client.get(f"/api/voicemails/{voicemail.id}/audio", headers=headers)
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "audio/ogg"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert body[:4] == b"OggS"
    stored = db_session.execute(
        select(Voicemail.opus_path).where(Voicemail.id == voicemail.id)
    ).scalar_one()
    assert stored is not None
    assert stored.endswith(".opus.ogg")
    assert Path(stored).name != Path(voicemail.media_path).name
    opus = media_root / stored
    assert opus.read_bytes() == body
    stream = ffprobe(opus)["streams"][0]
    assert stream["codec_name"] == "opus"
    assert abs(float(ffprobe(opus)["format"]["duration"]) - 2.0) < 0.2
    # The second play reuses the rendition instead of transcoding again.
    made_at = opus.stat().st_mtime_ns
    again = client.get(f"/api/voicemails/{voicemail.id}/audio", headers=headers)
    assert again.get_data() == body
    again.close()
    assert opus.stat().st_mtime_ns == made_at
    assert sorted(p.name for p in opus.parent.glob("*.ogg*")) == [opus.name]


def test_range_requests_let_the_player_seek(inbox, make_voicemail, client, as_user):
    voicemail = make_voicemail(inbox.box_a, seconds=2.0)
    headers = as_user(inbox.anna)
    full = client.get(f"/api/voicemails/{voicemail.id}/audio", headers=headers)
    whole = full.get_data()
    full.close()
    part = client.get(
        f"/api/voicemails/{voicemail.id}/audio", headers={**headers, "Range": "bytes=100-199"}
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert part.get_data() == whole[100:200]
    part.close()
    tail = client.get(
        f"/api/voicemails/{voicemail.id}/audio", headers={**headers, "Range": "bytes=-50"}
    )
    assert tail.status_code == 206
    assert tail.get_data() == whole[-50:]
    tail.close()


def test_download_is_the_original_wav(inbox, make_voicemail, client, as_user, media_root):
    voicemail = make_voicemail(inbox.box_a)
    response = client.get(f"/api/voicemails/{voicemail.id}/download", headers=as_user(inbox.anna))
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"voicemail-{voicemail.id}-" in disposition
    assert "test-" not in disposition  # the stored name stays private
    assert body == (media_root / voicemail.media_path).read_bytes()
    assert body[:4] == b"RIFF"


def test_media_still_pending_is_a_clear_409(inbox, make_voicemail, make_fax, client, as_user):
    voicemail = make_voicemail(inbox.box_a, with_media=False)
    fax = make_fax(inbox.fax_box, with_media=False)
    headers = as_user(inbox.anna)
    for path in (
        f"/api/voicemails/{voicemail.id}/audio",
        f"/api/voicemails/{voicemail.id}/download",
        f"/api/faxes/{fax.id}/document",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 409, path
        assert "still being fetched" in response.json["error"]
        assert response.json["fields"] == {"status": ["pending_media"]}
    listed = client.get(f"/api/voicemails/{voicemail.id}", headers=headers).json
    assert listed["status"] == "pending_media"


def test_media_needs_a_signed_in_listener(inbox, make_voicemail, client, as_user):
    voicemail = make_voicemail(inbox.box_a)
    assert client.get(f"/api/voicemails/{voicemail.id}/audio").status_code == 401
    assert client.get(f"/api/voicemails/{voicemail.id}/download").status_code == 401
    bo = client.get(f"/api/voicemails/{voicemail.id}/download", headers=as_user(inbox.bo))
    assert bo.status_code == 404
    stranger = client.get(f"/api/voicemails/{voicemail.id}/audio", headers=as_user(inbox.stranger))
    assert stranger.status_code == 404


def test_the_fax_document_is_the_pdf(inbox, make_fax, client, as_user):
    fax = make_fax(inbox.fax_box)
    response = client.get(f"/api/faxes/{fax.id}/document", headers=as_user(inbox.anna))
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert body == MINIMAL_PDF
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert client.get(f"/api/faxes/{fax.id}/document", headers=as_user(inbox.bo)).status_code == 404
