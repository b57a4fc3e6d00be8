"""The org's audio as the flow validator sees it (``flows.catalogue.AudioInfo``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.catalogue import AudioInfo, AudioUse
from ivr_designer.audio_lib.rights import agreements_of, is_usable
from ivr_designer.models import AudioAsset

__all__ = ["audio_infos", "music_lines_covered"]


def audio_infos(session: Session, org_id: int, on: date) -> dict[str, AudioInfo]:
    """Every asset by key: ready when playable (TTS always), music when declared, used as
    hold music or heard as music, and whether its rights hold on ``on``."""
    agreements = agreements_of(session, org_id)
    assets = session.execute(select(AudioAsset).where(AudioAsset.org_id == org_id)).scalars()
    return {
        asset.key: AudioInfo(
            id=asset.key,
            name=asset.name,
            use=AudioUse(asset.use),
            ready=asset.kind == "tts" or asset.status in ("ready", "rights_expired"),
            is_music=asset.is_music,
            rights_valid=is_usable(asset, agreements, on).ok,
        )
        for asset in assets
    }


def music_lines_covered(session: Session, org_id: int, on: date) -> int | None:
    """Lines covered by the org's KODA/Gramex agreements valid on ``on`` (None: none)."""
    agreements = [a for a in agreements_of(session, org_id) if a.valid_from <= on <= a.valid_until]
    if not agreements:
        return None
    return sum(a.lines_covered for a in agreements)
