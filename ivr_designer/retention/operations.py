"""Reading and changing an organisation's retention (org admins; audited)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.audit.record import record
from ivr_designer.callflows.access import target_org
from ivr_designer.errors import DomainError, Forbidden, Invalid
from ivr_designer.models import Organisation, RetentionSetting
from ivr_designer.retention.policy import POLICIES, effective_days
from ivr_designer.tenancy import get_scoped

__all__ = ["OutOfBounds", "get_retention", "set_retention"]


class OutOfBounds(DomainError):
    """A number of days outside the data class's range (400, naming the class)."""

    status = 400


# The organisation's older per-class fields, kept equal so both screens agree.
_ORG_FIELDS = {
    "voicemail": ("voicemail_retention_days",),
    "fax": ("fax_retention_days",),
    "call": ("call_log_retention_days", "cdr_retention_days"),
}


def _org(session: Session, actor: Actor, org_id: int | None) -> Organisation:
    if not actor.is_admin:
        raise Forbidden("only administrators can manage retention")
    org = get_scoped(session, Organisation, target_org(session, actor, org_id))
    assert org is not None  # target_org checked it exists
    return org


def _listing(session: Session, org: Organisation) -> list[dict[str, Any]]:
    days = effective_days(session, org)
    return [
        {
            "data_class": data_class,
            "days": days[data_class],
            "default_days": policy.default_days,
            "min_days": policy.min_days,
            "max_days": policy.max_days,
        }
        for data_class, policy in POLICIES.items()
    ]


def get_retention(
    session: Session, actor: Actor, org_id: int | None = None
) -> list[dict[str, Any]]:
    return _listing(session, _org(session, actor, org_id))


def set_retention(
    session: Session, actor: Actor, changes: dict[str, int], org_id: int | None = None
) -> list[dict[str, Any]]:
    """Store days per data class (only those given); one audit entry for the change."""
    org = _org(session, actor, org_id)
    for data_class, days in changes.items():
        policy = POLICIES.get(data_class)
        if policy is None:
            raise Invalid("unknown data class", {data_class: ["unknown data class"]})
        if policy.clamp(days) != days:
            raise OutOfBounds(
                "retention out of bounds",
                {data_class: [f"must be between {policy.min_days} and {policy.max_days}"]},
            )
    before = effective_days(session, org)
    existing = {
        row.data_class: row
        for row in session.execute(
            select(RetentionSetting).where(RetentionSetting.org_id == org.id)
        ).scalars()
    }
    for data_class, days in changes.items():
        row = existing.get(data_class)
        if row is None:
            session.add(RetentionSetting(org_id=org.id, data_class=data_class, days=days))
        else:
            row.days = days
        for name in _ORG_FIELDS.get(data_class, ()):
            setattr(org, name, days)
    session.flush()
    after = effective_days(session, org)
    old = {k: v for k, v in before.items() if after[k] != v}
    new = {k: after[k] for k in old}
    if new:
        record(session, actor, "update_retention", org, before=old, after=new)
    return _listing(session, org)
