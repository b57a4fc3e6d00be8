"""Which audio the provider plays for an asset key, and where its file lives.

>>> AUDIO ASSETS PLUG IN HERE <<<  ``find_audio_file`` is the one place the audio
issue connects its asset table: it returns the telephony rendition of the org's asset
``key`` (inside MEDIA_FOLDER) or None. Until then every key falls back to speech or
silence, so a call never fails for want of a recording.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from flows.context import Playable
from ivr_designer.audio_lib import playback
from ivr_designer.models import AudioAsset, MusicAgreement
from ivr_designer.models.base import utcnow

__all__ = ["AudioCache", "fallback_playable", "find_audio_file", "inside", "resolve_audio"]

# Keys that name music are better left silent than read out.
_SILENT_HINTS = ("hold", "music", "moh")


def find_audio_file(session: Session, org_id: int, key: str, media_root: Path) -> Path | None:
    """The telephony-ready file of the org's audio asset ``key``, or None (no asset yet)."""
    return playback.audio_file(session, org_id, key, media_root)  # AUDIO: ivr_designer.audio_lib


def inside(root: Path, candidate: Path) -> Path | None:
    """``candidate`` resolved, if it lies within ``root`` (no escape via .. or links)."""
    resolved_root = root.resolve()
    resolved = (resolved_root / candidate).resolve()
    if resolved == resolved_root or resolved_root not in resolved.parents:
        return None
    return resolved if resolved.is_file() else None


def fallback_playable(key: str, language: str) -> Playable:
    """Speech of the key's name ("welcome-sales" → "welcome sales"), silence for music."""
    lowered = key.lower()
    if any(hint in lowered for hint in _SILENT_HINTS):
        return Playable(text="", language=language, name=key)
    spoken = " ".join(lowered.replace("_", "-").split("-")).strip()
    return Playable(text=spoken, language=language, name=key)


_ASSETS: Table = AudioAsset.__table__  # type: ignore[assignment]
_AGREEMENTS: Table = MusicAgreement.__table__  # type: ignore[assignment]
_ORG_AGREEMENTS = _AGREEMENTS.c.org_id == bindparam("org_id")
# The asset's version and the org's agreements' version, in one round trip.
_FINGERPRINT = select(
    _ASSETS.c.id,
    _ASSETS.c.updated_at,
    select(func.count()).where(_ORG_AGREEMENTS).scalar_subquery(),
    select(func.max(_AGREEMENTS.c.updated_at)).where(_ORG_AGREEMENTS).scalar_subquery(),
).where(_ASSETS.c.org_id == bindparam("org_id"), _ASSETS.c.key == bindparam("key"))


@dataclass(frozen=True)
class _Decision:
    """What ``playback.choose`` decided, without the per-request signed URL."""

    text: str | None = None
    language: str | None = None
    file_key: str | None = None  # play this asset's file (signed per request)


class AudioCache:
    """Per-process memory of ``playback.choose`` decisions, valid while nothing changed.

    Keyed on (media root, org, key) and stamped with the asset's id and ``updated_at``,
    the org's music agreements (count, latest ``updated_at``) and the day (rights
    expire by date): any upload, edit, reprocessing, deletion or agreement change
    gives a different stamp, so the next call decides afresh. Checking the stamp is
    one indexed query per prompt instead of loading the asset and its agreements.
    A substituted default hold music is never remembered (it depends on another row).
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: dict[tuple[str, int, str], tuple[tuple[Any, ...], _Decision | None]] = {}
        self._lock = threading.Lock()

    def get(
        self, slot: tuple[str, int, str], stamp: tuple[Any, ...]
    ) -> tuple[bool, _Decision | None]:
        """(known, decision); a known None decision means: use the fallback."""
        found = self._items.get(slot)
        if found is None or found[0] != stamp:
            return False, None
        return True, found[1]

    def put(
        self, slot: tuple[str, int, str], stamp: tuple[Any, ...], value: _Decision | None
    ) -> None:
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[slot] = (stamp, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _decide(
    session: Session, org_id: int, key: str, media_root: Path, on: date | None
) -> tuple[_Decision | None, bool]:
    """(decision, may it be remembered)."""
    # AUDIO: lapsed music is swapped for the default hold music (signed under its own key).
    chosen = playback.choose(session, org_id, key, media_root=media_root, on=on)
    if chosen is None:
        return None, True
    if chosen.text is not None:
        return _Decision(text=chosen.text, language=chosen.language), True
    if chosen.path is not None and inside(media_root, chosen.path):
        return _Decision(file_key=chosen.key), not chosen.substituted
    return None, not chosen.substituted


def resolve_audio(
    session: Session,
    org_id: int,
    key: str,
    *,
    media_root: Path,
    signed_url: Callable[[str], str],
    language: str,
    cache: AudioCache | None = None,
    today: date | None = None,
) -> Playable:
    """What to play for ``key``: a signed URL of its file, else the fallback."""
    decision: _Decision | None
    if cache is None:
        decision, _ = _decide(session, org_id, key, media_root, today)
    else:
        row = session.connection().execute(_FINGERPRINT, {"org_id": org_id, "key": key}).first()
        if row is None:  # no such asset: nothing to remember or look up
            return fallback_playable(key, language)
        slot = (str(media_root), org_id, key)
        day = today or utcnow().date()
        stamp = (*tuple(row), day)
        known, decision = cache.get(slot, stamp)
        if not known:
            decision, keep = _decide(session, org_id, key, media_root, day)
            if keep:
                cache.put(slot, stamp, decision)
    if decision is not None and decision.text is not None:
        return Playable(text=decision.text, language=decision.language or language, name=key)
    if decision is not None and decision.file_key is not None:
        return Playable(url=signed_url(decision.file_key), name=key)
    return fallback_playable(key, language)
