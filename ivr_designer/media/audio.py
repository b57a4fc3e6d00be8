"""Which audio the provider plays for an asset key, and where its file lives.

>>> AUDIO ASSETS PLUG IN HERE <<<  ``find_audio_file`` is the one place the audio
issue connects its asset table: it returns the telephony rendition of the org's asset
``key`` (inside MEDIA_FOLDER) or None. Until then every key falls back to speech or
silence, so a call never fails for want of a recording.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from flows.context import Playable
from ivr_designer.audio_lib import playback

__all__ = ["fallback_playable", "find_audio_file", "inside", "resolve_audio"]

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


def resolve_audio(
    session: Session,
    org_id: int,
    key: str,
    *,
    media_root: Path,
    signed_url: Callable[[str], str],
    language: str,
) -> Playable:
    """What to play for ``key``: a signed URL of its file, else the fallback."""
    # AUDIO: lapsed music is swapped for the default hold music (signed under its own key).
    chosen = playback.choose(session, org_id, key, media_root=media_root)
    if chosen is not None and chosen.text is not None:
        return Playable(text=chosen.text, language=chosen.language or language, name=key)
    if chosen is not None and chosen.path is not None and inside(media_root, chosen.path):
        return Playable(url=signed_url(chosen.key), name=key)
    return fallback_playable(key, language)
