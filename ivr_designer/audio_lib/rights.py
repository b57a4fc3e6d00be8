"""Rows as the ``audio.rights`` rules see them, so every caller applies the same rules."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audio import rights as domain
from ivr_designer.models import AudioAsset, MusicAgreement

__all__ = ["agreements_of", "asset_rights", "declaration", "is_usable", "to_domain"]


def declaration(asset: AudioAsset) -> domain.RightsDeclaration | None:
    if not asset.rights_kind:
        return None
    return domain.RightsDeclaration(
        kind=domain.RightsKind(asset.rights_kind),
        source=asset.rights_source or "",
        licence_text=asset.rights_licence_text or "",
        valid_until=asset.rights_valid_until,
        agreement_id=str(asset.agreement_id) if asset.agreement_id is not None else None,
    )


def asset_rights(asset: AudioAsset) -> domain.AssetRights:
    return domain.AssetRights(
        id=str(asset.id), name=asset.name, is_music=asset.is_music, rights=declaration(asset)
    )


def to_domain(agreement: MusicAgreement) -> domain.MusicAgreement:
    return domain.MusicAgreement(
        id=str(agreement.id),
        number=agreement.number,
        lines_covered=agreement.lines_covered,
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
    )


def agreements_of(session: Session, org_id: int) -> list[domain.MusicAgreement]:
    rows = session.execute(select(MusicAgreement).where(MusicAgreement.org_id == org_id))
    return [to_domain(row) for row in rows.scalars()]


def is_usable(
    asset: AudioAsset, agreements: list[domain.MusicAgreement], on: date
) -> domain.RightsCheck:
    """May the asset be played on ``on``? ``rights_expired`` never is, whatever the dates."""
    if asset.status == "rights_expired":
        return domain.RightsCheck(False, "rights_expired", "The rights to this audio expired.")
    return domain.usable(asset_rights(asset), agreements, on)
