"""The organisation's real data as the validator's `Catalogue`.

Validation in the app checks references against what exists now: boxes (with how
many active people receive them), numbers, flows that can be jumped to (those with a
published version, since only a published flow answers calls), and audio.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from flows.catalogue import AudioInfo, BoxInfo, Catalogue
from ivr_designer.audio_lib.catalogue import (
    audio_infos,
    music_lines_covered,
    numbers_playing_licensed_music,
)
from ivr_designer.models import (
    FaxBox,
    Flow,
    PhoneNumber,
    User,
    VoicemailBox,
    fax_box_listener,
    voicemail_box_listener,
)
from ivr_designer.models.base import utcnow


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
    """AUDIO: the org's audio assets (ready, use, music rights valid today)."""
    return audio_infos(session, org_id, utcnow().date())


def _music_numbers(session: Session, org_id: int, flow_id: int | None) -> tuple[int, int]:
    """AUDIO: (numbers playing KODA/Gramex music through the org's other live flows,
    numbers answering with ``flow_id``); (0, 0) without a flow."""
    if flow_id is None:
        return 0, 0
    elsewhere = numbers_playing_licensed_music(session, org_id, except_flow_id=flow_id)
    own = session.execute(
        select(func.count())
        .select_from(PhoneNumber)
        .where(PhoneNumber.org_id == org_id, PhoneNumber.voice_flow_id == flow_id)
    ).scalar_one()
    return len(elsewhere), own


def build_catalogue(session: Session, org_id: int, flow_id: int | None = None) -> Catalogue:
    """The org's catalogue; with ``flow_id`` also the KODA/Gramex line counts that
    validating that flow needs (which numbers would play licensed music)."""
    numbers = session.execute(select(PhoneNumber.e164).where(PhoneNumber.org_id == org_id))
    elsewhere, own = _music_numbers(session, org_id, flow_id)
    flows = session.execute(
        select(Flow.name).where(Flow.org_id == org_id, Flow.published_version_id.is_not(None))
    )
    return Catalogue(
        audio=_audio(session, org_id),
        voicemail_boxes=_boxes(session, org_id, VoicemailBox, voicemail_box_listener),
        fax_boxes=_boxes(session, org_id, FaxBox, fax_box_listener),
        numbers=frozenset(numbers.scalars()),
        flows=frozenset(flows.scalars()),
        # AUDIO: lines covered by the org's KODA/Gramex agreements valid today.
        music_lines_covered=music_lines_covered(session, org_id, utcnow().date()),
        music_numbers_elsewhere=elsewhere,
        numbers_for_flow=own,
    )
