"""Writing audit entries, with secrets redacted, and refusing to rewrite them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ivr_designer.actor import Actor
from ivr_designer.models import AuditEntry

REDACTED = "[redacted]"
#: Column names whose values never reach the log, only the fact that they changed.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "secret", "api_key", "bot_token"})
# Bookkeeping columns that change on every write and would only add noise.
_SKIPPED_COLUMNS = frozenset({"updated_at", "last_used_at", "last_login_at"})


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """The object's columns as JSON-safe values, secrets replaced by a marker."""
    values: dict[str, Any] = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in _SKIPPED_COLUMNS:
            continue
        value = getattr(obj, column.key)
        values[column.key] = REDACTED if column.key in SECRET_COLUMNS else _json_value(value)
    return values


def changed_only(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep the keys that differ, so an update entry shows just the change."""
    keys = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    session: Session,
    actor: Actor,
    action: str,
    obj: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    org_id: int | None = None,
) -> AuditEntry:
    """Append one entry for ``action`` on ``obj``; the caller's flush/commit persists it."""
    session.flush()
    entry = AuditEntry(
        actor_id=actor.user_id,
        actor_email=actor.email,
        org_id=org_id if org_id is not None else getattr(obj, "org_id", None),
        action=action,
        object_type=obj.__tablename__,
        object_id=str(obj.id),
        before=before,
        after=after,
        ip_address=actor.ip_address,
    )
    session.add(entry)
    session.flush()
    return entry


class AuditEntryImmutable(RuntimeError):
    """Raised when code tries to change or delete an audit entry through the ORM."""


@event.listens_for(Session, "before_flush")
def _refuse_rewrites(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditEntryImmutable("audit entries are append-only")
