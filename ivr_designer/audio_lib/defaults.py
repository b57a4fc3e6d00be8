"""The org's licence-free default hold music and beep, synthesised on first need.

Created lazily (the first time a call needs the fallback, or when the licence job
swaps expired music) rather than with every organisation, so creating an org stays
cheap and needs no ffmpeg; any later need finds them in place.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from audio.ingest import ingest
from audio.synth import DEFAULT_RIGHTS, write_defaults
from ivr_designer.audio_lib.processing import apply_result
from ivr_designer.audio_lib.storage import audio_dir, rendition_path
from ivr_designer.models import AudioAsset

__all__ = ["DEFAULT_BEEP", "DEFAULT_HOLD_MUSIC", "ensure_defaults"]

DEFAULT_HOLD_MUSIC = "default-hold-music"
DEFAULT_BEEP = "default-beep"
_DEFAULTS = {
    "hold_music": (DEFAULT_HOLD_MUSIC, "Default hold music (licence-free)", "hold_music"),
    "beep": (DEFAULT_BEEP, "Default beep", "prompt"),
}


def ensure_defaults(session: Session, org_id: int, media_root: Path) -> dict[str, AudioAsset]:
    """The org's default assets by ``hold_music``/``beep``, made (and flushed) when missing
    or when their files are gone."""
    found = {
        asset.key: asset
        for asset in session.execute(
            select(AudioAsset).where(AudioAsset.org_id == org_id, AudioAsset.is_default.is_(True))
        ).scalars()
    }
    result: dict[str, AudioAsset] = {}
    missing: list[str] = []
    for name, (key, _title, _use) in _DEFAULTS.items():
        asset = found.get(key)
        if asset is not None and rendition_path(asset, "telephony", media_root) is not None:
            result[name] = asset
        else:
            missing.append(name)
    if not missing:
        return result
    with tempfile.TemporaryDirectory() as scratch:
        sources = write_defaults(scratch)
        for name in missing:
            key, title, use = _DEFAULTS[name]
            asset = found.get(key) or AudioAsset(org_id=org_id, key=key)
            ingested = ingest(Path(sources[name]), audio_dir(media_root), use=use)
            asset.name = title
            asset.use = use
            asset.kind = "upload"
            asset.is_default = True
            asset.original_filename = Path(sources[name]).name
            asset.rights_kind = DEFAULT_RIGHTS.kind.value
            asset.rights_source = DEFAULT_RIGHTS.source
            asset.rights_licence_text = ""
            asset.rights_valid_until = None
            asset.agreement_id = None
            apply_result(asset, ingested, media_root)
            asset.needs_review = False
            session.add(asset)
            result[name] = asset
    session.flush()
    return result
