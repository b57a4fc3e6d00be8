"""Who may touch an organisation's telephony objects, and loading them safely.

Shared by flows, boxes, numbers and provider accounts: administrators write; a
system admin names the organisation; an id of another organisation is "not found"
(404 for the object in the path, 422 naming the field for an id in the body), so
nothing reveals what other tenants have.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.errors import Forbidden, Invalid, NotFound
from ivr_designer.models import Organisation
from ivr_designer.tenancy import get_scoped

T = TypeVar("T")


def require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"only administrators can manage {what}")


def target_org(session: Session, actor: Actor, org_id: int | None) -> int:
    """The organisation a new object goes into: an org admin's own, or the one a
    system admin names (required for them, since they belong to none)."""
    if actor.is_system_admin:
        if org_id is None:
            raise Invalid(
                "system administrators must name the organisation",
                {"org_id": ["required for system administrators"]},
            )
        if get_scoped(session, Organisation, org_id) is None:
            raise NotFound("organisation not found")
        return org_id
    own = actor.org_id
    if own is None or (org_id is not None and org_id != own):
        raise NotFound("organisation not found")
    return own


def list_filter(actor: Actor, org_id: int | None) -> int | None:
    """The org a list is limited to: a system admin's choice (or all), else one's own
    (the tenant filter applies anyway; naming another org finds nothing)."""
    if actor.is_system_admin:
        return org_id
    return actor.org_id if org_id is None else org_id


def load(session: Session, model: type[T], object_id: int, what: str) -> T:
    """The object named in the path, through the tenant filter; 404 otherwise."""
    obj = get_scoped(session, model, object_id)
    if obj is None:
        raise NotFound(f"{what} not found")
    return obj


def load_in_org(
    session: Session, model: type[T], object_id: int, org_id: int, field: str, what: str
) -> T:
    """An object referenced from a body field: it must belong to ``org_id``.

    The explicit org condition matters for system admins, whose session is unscoped.
    """
    obj: Any = session.execute(
        select(model).where(
            model.id == object_id,  # type: ignore[attr-defined]
            model.org_id == org_id,  # type: ignore[attr-defined]
        )
    ).scalar_one_or_none()
    if obj is None:
        raise Invalid(f"{what} not found", {field: [f"{what} {object_id} not found"]})
    result: T = obj
    return result
