"""Reading the audit log: org admins their own org, system admins everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.errors import Forbidden
from ivr_designer.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    org_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: Select[Any], wanted: AuditFilter) -> Select[Any]:
    for column, value in (
        (AuditEntry.org_id, wanted.org_id),
        (AuditEntry.actor_id, wanted.actor_id),
        (AuditEntry.action, wanted.action),
        (AuditEntry.object_type, wanted.object_type),
        (AuditEntry.object_id, wanted.object_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if wanted.since is not None:
        query = query.where(AuditEntry.created_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.created_at < wanted.until)
    return query


def list_entries(
    session: Session, actor: Actor, wanted: AuditFilter, *, offset: int, limit: int
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and the total number matching."""
    if not actor.is_admin:
        raise Forbidden("only administrators can read the audit log")
    query = _filtered(select(AuditEntry), wanted)
    total = session.execute(_filtered(select(func.count(AuditEntry.id)), wanted)).scalar_one()
    page = session.execute(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    ).scalars()
    return list(page), int(total)
