"""Inbox media: the OGG/Opus rendition of a voicemail and signed, expiring media links.

The Opus file is made once (full band from the original WAV, for browsers and
Telegram voice messages) and kept under a random name next to the recording.

A signed link names the media kind, the item id and an expiry, and carries an HMAC
over the three made with a key derived from SECRET_KEY for this purpose only. It
never contains a file path; the public route looks the item up again, so a link to a
deleted item stops working at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from audio.errors import AudioError
from audio.loudness import TARGET_LUFS, Loudness
from audio.transcode import Trim, render_opus
from ivr_designer.audio_lib.storage import absolute, relative
from ivr_designer.errors import Conflict, NotFound
from ivr_designer.models import Fax, Voicemail

__all__ = [
    "LINK_KINDS",
    "LinkExpired",
    "LinkInvalid",
    "MediaFile",
    "SignedLink",
    "derive_link_key",
    "make_token",
    "media_file",
    "read_token",
    "signed_media_url",
    "voicemail_opus",
]

log = logging.getLogger(__name__)

OPUS_TIMEOUT_S = 120.0
# Voicemails are played as the caller was recorded: no gain, no trimming.
_AS_RECORDED = Loudness(integrated=TARGET_LUFS, peak=float("-inf"))
_PURPOSE = b"ivr-designer/inbox/signed-media/v1"

#: Link kind → one-letter code in the token. "voicemail" is the original WAV.
LINK_KINDS = {"voicemail": "v", "voicemail_opus": "o", "fax": "f"}
_CODES = {code: kind for kind, code in LINK_KINDS.items()}


def voicemail_opus(session: Session, voicemail: Voicemail, media_root: Path) -> Path | None:
    """The OGG/Opus rendition of ``voicemail``, made now if it does not exist yet.

    None while the recording is not downloaded (or ffmpeg cannot read it). Two
    callers racing both transcode, but only the first stored path is kept and the
    loser removes its file, so no unreferenced copy of a recording is left behind.
    """
    existing = absolute(voicemail.opus_path, media_root)
    if existing is not None:
        return existing
    source = absolute(voicemail.media_path, media_root)
    if voicemail.status != "ready" or source is None:
        return None
    folder = media_root / "voicemail"
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{secrets.token_hex(16)}.opus.ogg"
    partial = dest.with_name(dest.name + ".part")
    try:
        render_opus(
            source,
            partial,
            channels=1,
            loudness=_AS_RECORDED,
            trim=Trim(),
            stereo=False,
            timeout=OPUS_TIMEOUT_S,
        )
        partial.replace(dest)
    except (AudioError, OSError) as error:
        partial.unlink(missing_ok=True)
        log.warning("voicemail %s: no Opus rendition: %s", voicemail.id, error)
        return None
    stored = relative(dest, media_root)
    taken = session.execute(
        update(Voicemail)
        .where(Voicemail.id == voicemail.id, Voicemail.opus_path.is_(None))
        .values(opus_path=stored)
        .execution_options(synchronize_session=False, skip_tenant_scope=True)
    )
    if getattr(taken, "rowcount", 1) == 0:
        dest.unlink(missing_ok=True)
        session.refresh(voicemail, ["opus_path"])
        return absolute(voicemail.opus_path, media_root)
    voicemail.opus_path = stored
    session.flush()
    return dest


@dataclass(frozen=True)
class MediaFile:
    path: Path
    mimetype: str
    download_name: str  # never the stored (random) name


_WHAT = {"voicemail": "recording", "voicemail_opus": "recording", "fax": "fax document"}
_FORMATS = {
    "voicemail": ("audio/wav", "wav"),
    "voicemail_opus": ("audio/ogg", "ogg"),
    "fax": ("application/pdf", "pdf"),
}


def media_file(
    session: Session, link_kind: str, item: Voicemail | Fax, media_root: Path
) -> MediaFile:
    """The file behind ``item`` for ``link_kind`` (a key of ``LINK_KINDS``).

    ``Conflict`` (409) while the media is still being fetched from the provider or
    when fetching it failed; ``NotFound`` when the file is gone.
    """
    what = _WHAT[link_kind]
    if item.status == "pending_media":
        raise Conflict(
            f"the {what} is still being fetched from the provider; try again in a moment",
            {"status": ["pending_media"]},
        )
    if item.status == "failed":
        raise Conflict(f"the {what} could not be fetched from the provider", {"status": ["failed"]})
    if link_kind == "voicemail_opus":
        if not isinstance(item, Voicemail):
            raise TypeError("only voicemails have an Opus rendition")
        path = voicemail_opus(session, item, media_root)
        if path is None and absolute(item.media_path, media_root) is not None:
            raise Conflict("the recording could not be converted for playback; download it")
    else:
        path = absolute(item.media_path, media_root)
    if path is None:
        raise NotFound(f"the {what} file is missing")
    mimetype, extension = _FORMATS[link_kind]
    stamp = item.created_at.strftime("%Y%m%d-%H%M%S")
    prefix = "fax" if link_kind == "fax" else "voicemail"
    return MediaFile(path, mimetype, f"{prefix}-{item.id}-{stamp}.{extension}")


# --- signed links -------------------------------------------------------------------


class LinkInvalid(Exception):
    """Malformed or forged token."""


class LinkExpired(Exception):
    """A genuine token whose time is up."""


@dataclass(frozen=True)
class SignedLink:
    kind: str  # a key of LINK_KINDS
    item_id: int
    expires: int  # unix seconds


def derive_link_key(secret_key: str) -> bytes:
    """A key for media links only: a link can never pass for a session or other signature."""
    return hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(key: bytes, code: str, item_id: int, expires: int) -> str:
    message = f"{code}\n{item_id}\n{expires}".encode()
    return _b64(hmac.new(key, message, hashlib.sha256).digest())


def make_token(key: bytes, kind: str, item_id: int, expires: int) -> str:
    code = LINK_KINDS.get(kind)
    if code is None:
        raise ValueError(f"no signed links for {kind!r}; one of {sorted(LINK_KINDS)}")
    return f"{code}.{item_id}.{expires}.{_signature(key, code, item_id, expires)}"


def read_token(key: bytes, token: str, now: int) -> SignedLink:
    """The link a token stands for; ``LinkInvalid`` if forged, ``LinkExpired`` if late."""
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 200:
        raise LinkInvalid("malformed token")
    code, raw_id, raw_expires, signature = parts
    kind = _CODES.get(code)
    if kind is None or not raw_id.isdigit() or not raw_expires.isdigit():
        raise LinkInvalid("malformed token")
    item_id, expires = int(raw_id), int(raw_expires)
    if not hmac.compare_digest(_signature(key, code, item_id, expires), signature):
        raise LinkInvalid("bad signature")
    if expires < now:
        raise LinkExpired("the link has expired")
    return SignedLink(kind, item_id, expires)


def signed_media_url(kind: str, item_id: int, *, expires_in: int | None = None) -> str:
    """An absolute, expiring public URL of an item's media (needs an app context).

    ``kind``: "voicemail" (the WAV), "voicemail_opus" (OGG/Opus) or "fax" (the PDF).
    ``expires_in`` defaults to MEDIA_LINK_TTL_SECONDS.
    """
    config = current_app.config
    ttl = int(config["MEDIA_LINK_TTL_SECONDS"] if expires_in is None else expires_in)
    expires = int(time.time()) + ttl
    token = make_token(derive_link_key(config["SECRET_KEY"]), kind, item_id, expires)
    return f"{str(config['PUBLIC_BASE_URL']).rstrip('/')}/media/signed/{token}"
