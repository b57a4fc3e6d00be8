"""Creating, reading and changing organisations.

System admins manage every organisation; an org admin reads and changes only their
own (the tenant filter hides the rest); staff have no access here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import changed_only, record, snapshot
from ivr_designer.errors import Conflict, Forbidden, NotFound
from ivr_designer.models import Organisation
from ivr_designer.tenancy import get_scoped

#: Settings an org admin may change for their own organisation.
SETTINGS = (
    "name",
    "time_zone",
    "language",
    "call_log_retention_days",
    "cdr_retention_days",
    "voicemail_retention_days",
    "fax_retention_days",
    "password_min_length",
)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only administrators can manage organisations")


def list_orgs(session: Session, actor: Actor) -> list[Organisation]:
    if not actor.is_system_admin:
        raise Forbidden("only system administrators can list organisations")
    return list(session.execute(select(Organisation).order_by(Organisation.id)).scalars())


def get_org(session: Session, actor: Actor, org_id: int) -> Organisation:
    _require_admin(actor)
    org = get_scoped(session, Organisation, org_id)
    if org is None:
        raise NotFound("organisation not found")
    return org


def find_by_slug(session: Session, slug: str) -> Organisation | None:
    return session.execute(
        select(Organisation).where(Organisation.slug == slug)
    ).scalar_one_or_none()


def create_org(
    session: Session, actor: Actor, *, name: str, slug: str, **settings: Any
) -> Organisation:
    if not actor.is_system_admin:
        raise Forbidden("only system administrators can create organisations")
    if find_by_slug(session, slug) is not None:
        raise Conflict("an organisation with this slug exists", {"slug": ["already taken"]})
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown organisation settings: {sorted(unknown)}")
    org = Organisation(name=name, slug=slug, **settings)
    session.add(org)
    session.flush()
    record(session, actor, "create", org, after=snapshot(org))
    return org


def update_org(
    session: Session, actor: Actor, org_id: int, changes: dict[str, Any]
) -> Organisation:
    org = get_org(session, actor, org_id)
    before = snapshot(org)
    for key, value in changes.items():
        if key == "slug":
            if not actor.is_system_admin:
                raise Forbidden("only system administrators can change the slug")
            other = find_by_slug(session, value)
            if other is not None and other.id != org.id:
                raise Conflict("an organisation with this slug exists", {"slug": ["already taken"]})
        elif key not in SETTINGS:
            raise ValueError(f"unknown organisation setting: {key}")
        setattr(org, key, value)
    session.flush()
    old, new = changed_only(before, snapshot(org))
    if new:
        record(session, actor, "update", org, before=old, after=new)
    return org
