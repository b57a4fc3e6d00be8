"""The organisation's real data as the validator's `Catalogue`.

Validation in the app checks references against what exists now: boxes (with how
many active people receive them), numbers, flows that can be jumped to (those with a
published version, since only a published flow answers calls), and audio.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from flows.catalogue import AudioInfo, BoxInfo, Catalogue
from ivr_designer.models import (
    FaxBox,
    Flow,
    PhoneNumber,
    User,
    VoicemailBox,
    fax_box_listener,
    voicemail_box_listener,
)


def _boxes(
    session: Session, org_id: int, model: type[VoicemailBox] | type[FaxBox], link: Table
) -> dict[str, BoxInfo]:
    """Each box by key, counting only active listeners (inactive ones receive nothing)."""
    rows = session.execute(
        select(model.key, model.name, func.count(User.id))
        .select_from(model)
        .outerjoin(link, link.c.box_id == model.id)
        .outerjoin(User, (User.id == link.c.user_id) & User.active.is_(True))
        .where(model.org_id == org_id)
        .group_by(model.id, model.key, model.name)
    ).all()
    return {key: BoxInfo(id=key, name=name, listeners=count) for key, name, count in rows}


def _audio(session: Session, org_id: int) -> dict[str, AudioInfo]:
    """AUDIO: the audio issue fills this from the org's audio assets (ready, use,
    music rights). Until then no audio exists, so audio references are findings."""
    return {}


def build_catalogue(session: Session, org_id: int) -> Catalogue:
    numbers = session.execute(select(PhoneNumber.e164).where(PhoneNumber.org_id == org_id))
    flows = session.execute(
        select(Flow.name).where(Flow.org_id == org_id, Flow.published_version_id.is_not(None))
    )
    return Catalogue(
        audio=_audio(session, org_id),
        voicemail_boxes=_boxes(session, org_id, VoicemailBox, voicemail_box_listener),
        fax_boxes=_boxes(session, org_id, FaxBox, fax_box_listener),
        numbers=frozenset(numbers.scalars()),
        flows=frozenset(flows.scalars()),
        # AUDIO: the org's KODA/Gramex agreement (lines covered) comes with the audio issue.
        music_lines_covered=None,
    )
