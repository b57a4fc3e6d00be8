"""Reading call records: org admins their org's calls (tenant-scoped), system admins all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from ivr_designer.actor import Actor
from ivr_designer.errors import Forbidden, NotFound
from ivr_designer.models import Call, PhoneNumber


@dataclass(frozen=True)
class CallFilter:
    number: str | None = None  # E.164 of our number
    phone_number_id: int | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: Select[Any], wanted: CallFilter) -> Select[Any]:
    if wanted.number is not None:
        query = query.where(
            Call.phone_number_id.in_(
                select(PhoneNumber.id).where(PhoneNumber.e164 == wanted.number)
            )
        )
    if wanted.phone_number_id is not None:
        query = query.where(Call.phone_number_id == wanted.phone_number_id)
    if wanted.outcome is not None:
        query = query.where(Call.outcome == wanted.outcome)
    if wanted.since is not None:
        query = query.where(Call.started_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(Call.started_at < wanted.until)
    return query


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only administrators can read call records")


def list_calls(
    session: Session, actor: Actor, wanted: CallFilter, *, offset: int, limit: int
) -> tuple[list[Call], int]:
    """One page of calls, newest first, and the total number matching."""
    _require_admin(actor)
    total = session.execute(_filtered(select(func.count(Call.id)), wanted)).scalar_one()
    page = session.execute(
        _filtered(select(Call), wanted)
        .order_by(Call.started_at.desc(), Call.id.desc())
        .offset(offset)
        .limit(limit)
    ).scalars()
    return list(page), int(total)


def get_call(session: Session, actor: Actor, call_id: int) -> Call:
    """A call with its step trace (404 outside the caller's org)."""
    _require_admin(actor)
    call = session.execute(
        select(Call).where(Call.id == call_id).options(selectinload(Call.steps))
    ).scalar_one_or_none()
    if call is None:
        raise NotFound("call not found")
    return call
