"""KODA/Gramex agreements of an organisation (administrators only, audited)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import changed_only, record, snapshot
from ivr_designer.callflows.access import list_filter, load, require_admin, target_org
from ivr_designer.errors import Conflict, Invalid
from ivr_designer.models import AudioAsset, MusicAgreement

__all__ = [
    "create_agreement",
    "delete_agreement",
    "get_agreement",
    "list_agreements",
    "update_agreement",
]

WHAT = "music agreements"


def _check_dates(agreement: MusicAgreement) -> None:
    if agreement.valid_until < agreement.valid_from:
        raise Invalid("ends before it starts", {"valid_until": ["must not be before valid_from"]})


def list_agreements(
    session: Session, actor: Actor, *, org_id: int | None = None
) -> list[MusicAgreement]:
    require_admin(actor, WHAT)
    query = select(MusicAgreement).order_by(MusicAgreement.org_id, MusicAgreement.valid_from)
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(MusicAgreement.org_id == org)
    return list(session.execute(query).scalars())


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> MusicAgreement:
    require_admin(actor, WHAT)
    return load(session, MusicAgreement, agreement_id, "music agreement")


def create_agreement(
    session: Session, actor: Actor, *, org_id: int | None = None, **fields: Any
) -> MusicAgreement:
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    agreement = MusicAgreement(org_id=org, **fields)
    _check_dates(agreement)
    session.add(agreement)
    session.flush()
    record(session, actor, "create", agreement, after=snapshot(agreement))
    return agreement


def update_agreement(
    session: Session, actor: Actor, agreement_id: int, changes: dict[str, Any]
) -> MusicAgreement:
    """A renewal is an update of ``valid_until``: its music plays on, warnings start over."""
    agreement = get_agreement(session, actor, agreement_id)
    before = snapshot(agreement)
    for field, value in changes.items():
        setattr(agreement, field, value)
    _check_dates(agreement)
    session.flush()
    old, new = changed_only(before, snapshot(agreement))
    record(session, actor, "update", agreement, before=old, after=new)
    return agreement


def delete_agreement(session: Session, actor: Actor, agreement_id: int) -> None:
    """Refused (409) while music declares it: the music would silently lose its rights."""
    agreement = get_agreement(session, actor, agreement_id)
    keys = list(
        session.execute(
            select(AudioAsset.key).where(AudioAsset.agreement_id == agreement.id)
        ).scalars()
    )
    if keys:
        raise Conflict(
            "audio declares this agreement; change its rights first", {"audio": sorted(keys)}
        )
    record(session, actor, "delete", agreement, before=snapshot(agreement))
    session.delete(agreement)
    session.flush()
