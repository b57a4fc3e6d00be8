"""The org's audio as the flow validator sees it (``flows.catalogue.AudioInfo``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audio.rights import RightsKind
from flows.catalogue import AudioInfo, AudioUse
from ivr_designer.audio_lib.rights import agreements_of, is_usable
from ivr_designer.callflows.references import document_references
from ivr_designer.models import AudioAsset, Flow, FlowVersion, PhoneNumber

__all__ = [
    "audio_infos",
    "licensed_music_keys",
    "music_lines_covered",
    "numbers_playing_licensed_music",
    "plays_licensed_music",
]


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
            collective_licence=asset.rights_kind == RightsKind.KODA_GRAMEX.value,
        )
        for asset in assets
    }


def music_lines_covered(session: Session, org_id: int, on: date) -> int | None:
    """Lines covered by the org's KODA/Gramex agreements valid on ``on`` (None: none)."""
    agreements = [a for a in agreements_of(session, org_id) if a.valid_from <= on <= a.valid_until]
    if not agreements:
        return None
    return sum(a.lines_covered for a in agreements)


def licensed_music_keys(session: Session, org_id: int) -> set[str]:
    """Keys of the org's assets declared as music under its KODA/Gramex agreement."""
    return set(
        session.execute(
            select(AudioAsset.key).where(
                AudioAsset.org_id == org_id,
                AudioAsset.rights_kind == RightsKind.KODA_GRAMEX.value,
            )
        ).scalars()
    )


def plays_licensed_music(document: dict[str, Any], keys: Collection[str]) -> bool:
    """Whether a flow document references any of ``keys`` as audio."""
    return bool(keys) and any(
        kind == "audio" and ref in keys for kind, ref in document_references(document)
    )


def numbers_playing_licensed_music(
    session: Session, org_id: int, *, except_flow_id: int | None = None
) -> list[str]:
    """The org's numbers whose live flow plays music under a KODA/Gramex agreement,
    leaving out the numbers answering with ``except_flow_id``.

    Counts the flow a number answers with; music reached only through a sub-flow is
    not followed (a known simplification)."""
    keys = licensed_music_keys(session, org_id)
    if not keys:
        return []
    query = (
        select(PhoneNumber.e164, FlowVersion.document)
        .join(Flow, Flow.id == PhoneNumber.voice_flow_id)
        .join(FlowVersion, FlowVersion.id == Flow.published_version_id)
        .where(PhoneNumber.org_id == org_id)
        .order_by(PhoneNumber.e164)
    )
    if except_flow_id is not None:
        query = query.where(Flow.id != except_flow_id)
    rows = session.execute(query).all()
    return [e164 for e164, document in rows if plays_licensed_music(document, keys)]
