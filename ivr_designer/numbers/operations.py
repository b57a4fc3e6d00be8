"""Managing phone numbers and where they route.

A number is unique across all organisations (the provider's ``To`` alone selects
the org), so taking one that exists is a conflict that says nothing about who owns
it. Everything a number points at must be the same org's: a published flow for
voice, a fax box, a provider account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audio_lib.catalogue import (
    licensed_music_keys,
    music_lines_covered,
    numbers_playing_licensed_music,
    plays_licensed_music,
)
from ivr_designer.audit.record import changed_only, record, snapshot
from ivr_designer.callflows.access import (
    list_filter,
    load,
    load_in_org,
    require_admin,
    target_org,
)
from ivr_designer.errors import Conflict, Invalid
from ivr_designer.models import FaxBox, Flow, PhoneNumber, ProviderAccount
from ivr_designer.models.base import utcnow

WHAT = "phone numbers"
EDITABLE = ("e164", "label", "provider_account_id", "voice_flow_id", "fax_box_id")


def list_numbers(session: Session, actor: Actor, *, org_id: int | None = None) -> list[PhoneNumber]:
    require_admin(actor, WHAT)
    query = select(PhoneNumber).order_by(PhoneNumber.org_id, PhoneNumber.e164)
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(PhoneNumber.org_id == org)
    return list(session.execute(query).scalars())


def get_number(session: Session, actor: Actor, number_id: int) -> PhoneNumber:
    require_admin(actor, WHAT)
    return load(session, PhoneNumber, number_id, "phone number")


def _e164_taken(session: Session, e164: str, except_id: int | None = None) -> bool:
    # Looks past the tenant filter, answering only yes/no.
    count = session.execute(
        select(func.count())
        .select_from(PhoneNumber)
        .where(PhoneNumber.e164 == e164, PhoneNumber.id != (except_id or -1)),
        execution_options={"skip_tenant_scope": True},
    ).scalar_one()
    return bool(count)


def _check_music_lines(
    session: Session, org_id: int, flow: Flow, number: PhoneNumber | None
) -> None:
    """Routing a number to a flow playing KODA/Gramex music may not make more numbers
    play it than the org's agreements cover (the validator's rule, at routing time)."""
    if number is not None and number.voice_flow_id == flow.id:
        return  # already counted: not a new number playing the music
    assert flow.published_version is not None  # _check_links checked it
    keys = licensed_music_keys(session, org_id)
    if not plays_licensed_music(flow.published_version.document, keys):
        return
    covered = music_lines_covered(session, org_id, utcnow().date())
    if covered is None:
        return  # no agreement: the music's rights are invalid, reported elsewhere
    others = numbers_playing_licensed_music(session, org_id)
    wanted = len([e164 for e164 in others if number is None or e164 != number.e164]) + 1
    if wanted > covered:
        lines = f"{covered} line{'' if covered == 1 else 's'}"
        raise Invalid(
            "the KODA/Gramex agreements do not cover another number playing their music",
            {
                "voice_flow_id": [
                    f'flow "{flow.name}" plays KODA/Gramex music; {wanted} numbers would '
                    f"play KODA/Gramex music but the agreements cover {lines}"
                ]
            },
        )


def _check_links(
    session: Session, org_id: int, values: dict[str, Any], number: PhoneNumber | None = None
) -> None:
    """Every id a number points at must be of ``org_id``; a voice flow must be live and
    may not take KODA/Gramex music past the lines covered."""
    if values.get("provider_account_id") is not None:
        load_in_org(
            session,
            ProviderAccount,
            values["provider_account_id"],
            org_id,
            "provider_account_id",
            "provider account",
        )
    if values.get("voice_flow_id") is not None:
        flow = load_in_org(session, Flow, values["voice_flow_id"], org_id, "voice_flow_id", "flow")
        if flow.published_version_id is None:
            raise Invalid(
                "the flow has no published version to answer calls",
                {"voice_flow_id": [f'flow "{flow.name}" is not published; publish it first']},
            )
        _check_music_lines(session, org_id, flow, number)
    if values.get("fax_box_id") is not None:
        load_in_org(session, FaxBox, values["fax_box_id"], org_id, "fax_box_id", "fax box")


def create_number(
    session: Session,
    actor: Actor,
    *,
    e164: str,
    provider_account_id: int,
    label: str = "",
    voice_flow_id: int | None = None,
    fax_box_id: int | None = None,
    org_id: int | None = None,
) -> PhoneNumber:
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    values = {
        "e164": e164,
        "label": label,
        "provider_account_id": provider_account_id,
        "voice_flow_id": voice_flow_id,
        "fax_box_id": fax_box_id,
    }
    _check_links(session, org, values)
    if _e164_taken(session, e164):
        raise Conflict("this number is already in use", {"e164": ["already in use"]})
    number = PhoneNumber(org_id=org, **values)
    session.add(number)
    session.flush()
    record(session, actor, "create", number, after=snapshot(number))
    return number


def update_number(
    session: Session, actor: Actor, number_id: int, changes: dict[str, Any]
) -> PhoneNumber:
    number = get_number(session, actor, number_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable phone number fields: {sorted(unknown)}")
    if "provider_account_id" in changes and changes["provider_account_id"] is None:
        raise Invalid("a number needs a provider account", {"provider_account_id": ["required"]})
    _check_links(session, number.org_id, changes, number)
    if "e164" in changes and _e164_taken(session, changes["e164"], except_id=number.id):
        raise Conflict("this number is already in use", {"e164": ["already in use"]})
    before = snapshot(number)
    for field, value in changes.items():
        setattr(number, field, value)
    session.flush()
    old, new = changed_only(before, snapshot(number))
    if new:
        record(session, actor, "update", number, before=old, after=new)
    return number


def delete_number(session: Session, actor: Actor, number_id: int) -> None:
    """Call records keep their data; their link to the number is cleared."""
    number = get_number(session, actor, number_id)
    record(session, actor, "delete", number, before=snapshot(number))
    session.delete(number)
    session.flush()
