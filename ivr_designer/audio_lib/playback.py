"""What a call plays for an audio key, decided once for the TwiML and the media route.

The rule that matters: music is only ever played while its rights hold. Music that
cannot be played (rights lapsed, marked ``rights_expired``, still processing, failed)
is replaced by the org's licence-free default hold music, so the caller hears music
and the call goes on. Speech that cannot be played falls back to the runtime's own
fallback (``None``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audio.errors import AudioError
from ivr_designer.audio_lib.defaults import DEFAULT_HOLD_MUSIC, ensure_defaults
from ivr_designer.audio_lib.rights import agreements_of, is_usable
from ivr_designer.audio_lib.storage import rendition_path
from ivr_designer.models import AudioAsset
from ivr_designer.models.base import utcnow

__all__ = ["Choice", "audio_file", "choose"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    """Play the file of asset ``key`` (maybe a substitute), or say ``text``."""

    key: str
    path: Path | None = None
    text: str | None = None
    language: str | None = None
    substituted: bool = False


def _by_key(session: Session, org_id: int, key: str) -> AudioAsset | None:
    return session.execute(
        select(AudioAsset).where(AudioAsset.org_id == org_id, AudioAsset.key == key)
    ).scalar_one_or_none()


def _today(on: date | None) -> date:
    return on or utcnow().date()


def choose(
    session: Session, org_id: int, key: str, *, media_root: Path, on: date | None = None
) -> Choice | None:
    """The asset to play for ``key`` on ``on`` (None: no such playable asset)."""
    asset = _by_key(session, org_id, key)
    if asset is None:
        return None
    if asset.kind == "tts":
        return Choice(key=asset.key, text=asset.tts_text or "", language=asset.tts_language)
    playable = asset.status == "ready" and is_usable(
        asset, agreements_of(session, org_id), _today(on)
    )
    path = rendition_path(asset, "telephony", media_root) if playable else None
    if path is not None:
        return Choice(key=asset.key, path=path)
    if not asset.is_music:
        return None
    default = _default_hold_music(session, org_id, media_root)
    if default is None:
        return None
    return Choice(
        key=default.key,
        path=rendition_path(default, "telephony", media_root),
        substituted=True,
    )


def _default_hold_music(session: Session, org_id: int, media_root: Path) -> AudioAsset | None:
    """The default, made on first need; a failure (two calls racing to make it, no
    ffmpeg) leaves the call to the runtime's silent fallback instead of failing it."""
    try:
        with session.begin_nested():
            return ensure_defaults(session, org_id, media_root)["hold_music"]
    except (IntegrityError, AudioError, OSError):
        log.exception("default hold music for org %s could not be made", org_id)
    found = _by_key(session, org_id, DEFAULT_HOLD_MUSIC)
    if found is None or rendition_path(found, "telephony", media_root) is None:
        return None
    return found


def audio_file(
    session: Session, org_id: int, key: str, media_root: Path, now: datetime | None = None
) -> Path | None:
    """The telephony file the media route may serve for ``key`` (never lapsed music)."""
    choice = choose(session, org_id, key, media_root=media_root, on=(now or utcnow()).date())
    return choice.path if choice is not None else None
