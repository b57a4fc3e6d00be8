"""Where asset files live: random names under MEDIA_FOLDER/audio/, stored relative."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from flask import Flask

from audio.limits import Limits
from ivr_designer.models import AudioAsset

__all__ = ["audio_dir", "incoming_dir", "limits_from", "relative", "remove", "rendition_path"]

RENDITIONS = {"telephony": "telephony_path", "ulaw": "ulaw_path", "opus": "opus_path"}


def audio_dir(media_root: Path) -> Path:
    return media_root / "audio"


def incoming_dir(media_root: Path) -> Path:
    """Originals waiting for the worker (deleted once processed)."""
    return media_root / "audio" / "incoming"


def relative(path: Path, media_root: Path) -> str:
    return str(path.resolve().relative_to(media_root.resolve()))


def absolute(stored: str | None, media_root: Path) -> Path | None:
    """The file behind a stored relative path, if it lies inside ``media_root``."""
    if not stored:
        return None
    root = media_root.resolve()
    path = (root / stored).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def rendition_path(asset: AudioAsset, rendition: str, media_root: Path) -> Path | None:
    return absolute(getattr(asset, RENDITIONS[rendition]), media_root)


def stored_files(asset: AudioAsset) -> list[str]:
    names = [asset.upload_path, asset.telephony_path, asset.ulaw_path, asset.opus_path]
    return [name for name in names if name]


def remove(stored: Iterable[str], media_root: Path) -> None:
    """Delete stored files; missing ones are fine."""
    for name in stored:
        path = absolute(name, media_root)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()


def limits_from(app: Flask) -> Limits:
    config = app.config
    return Limits(
        max_bytes=int(config["AUDIO_MAX_BYTES"]),
        max_music_seconds=float(config["AUDIO_MAX_MUSIC_SECONDS"]),
        max_prompt_seconds=float(config["AUDIO_MAX_PROMPT_SECONDS"]),
    )
