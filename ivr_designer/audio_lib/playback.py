"""What a call plays for an audio key, decided once for the TwiML and the media route.

The rule that matters: music is only ever played while its rights hold. Music that
cannot be played (rights lapsed, marked ``rights_expired``, still processing, failed)
is replaced by the org's licence-free default hold music, so the caller hears music
and the call goes on. Speech that cannot be played falls back to the runtime's own
fallback (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.audio_lib.defaults import ensure_defaults
from ivr_designer.audio_lib.rights import agreements_of, is_usable
from ivr_designer.audio_lib.storage import rendition_path
from ivr_designer.models import AudioAsset
from ivr_designer.models.base import utcnow

__all__ = ["Choice", "audio_file", "choose"]


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
    default = ensure_defaults(session, org_id, media_root)["hold_music"]
    return Choice(
        key=default.key,
        path=rendition_path(default, "telephony", media_root),
        substituted=True,
    )


def audio_file(
    session: Session, org_id: int, key: str, media_root: Path, now: datetime | None = None
) -> Path | None:
    """The telephony file the media route may serve for ``key`` (never lapsed music)."""
    choice = choose(session, org_id, key, media_root=media_root, on=(now or utcnow()).date())
    return choice.path if choice is not None else None
