"""Erasing a person when their user account is deleted.

What goes: API tokens, sign-in attempts made with their e-mail address, Telegram chat
links and link tokens, heard marks, box memberships (the last four by the database's
ON DELETE CASCADE); what the audit log says about them as a person (their e-mail
address and IP address on entries they made, name/e-mail/phone/chat titles in the
before/after snapshots of entries about them or their Telegram chats, and any
snapshot value containing their e-mail address or phone number). Notifications
about what they did (``voicemail.handled``) hold their user id only; the outbox worker
looks the name up when it sends, so there is nothing to erase there, and one still
pending after the deletion goes out naming no one.

What stays, and why: the audit entries themselves with ``actor_id`` (a number that no
longer names anyone) so the log still shows *that* a deleted user changed something
and when (the database refuses to rewrite who/what/when); voicemails and faxes they
claimed or handled (``claimed_by``/``handled_by`` become empty); calls and messages,
which belong to the callers and follow their own retention.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, Text, delete, or_, select, update
from sqlalchemy.orm import Session

from ivr_designer.audit.record import REDACTED
from ivr_designer.models import ApiToken, AuditEntry, LoginAttempt, User

__all__ = ["PERSONAL_FIELDS", "erase_person", "redact"]

#: Fields of a user snapshot that identify the person.
PERSONAL_FIELDS = ("email", "name", "phone", "last_login_at")
# Keys that describe a person inside a snapshot about them (users, Telegram chats).
_PERSONAL_KEYS = frozenset(
    {*PERSONAL_FIELDS, "chat_title", "title", "username", "first_name", "last_name"}
)
_AUDIT: Table = AuditEntry.__table__  # type: ignore[assignment]
# The erasure must reach entries in any organisation (and none) about this person; the
# user itself was loaded through the tenant filter before.
_UNSCOPED = {"skip_tenant_scope": True}


def _mentions(text: str, needles: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(needle and needle in lowered for needle in needles)


def redact(value: Any, user_id: int, needles: tuple[str, ...], about: bool = False) -> Any:
    """``value`` with what identifies the person replaced by the redaction marker.

    ``about``: the value describes the person (so their name goes too); a nested dict
    with ``user_id`` equal to theirs is about them as well.
    """
    if isinstance(value, dict):
        about = about or value.get("user_id") == user_id
        return {
            key: REDACTED
            if about and key in _PERSONAL_KEYS and item is not None
            else redact(item, user_id, needles, about)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item, user_id, needles, about) for item in value]
    if isinstance(value, str) and _mentions(value, needles):
        return REDACTED
    return value


def _redact_audit(session: Session, user: User) -> int:
    needles = tuple(n.lower() for n in (user.email, user.phone or "") if n and len(n) >= 5)
    text_matches = [
        column.cast(Text).contains(needle, autoescape=True)
        for column in (_AUDIT.c.before, _AUDIT.c.after)
        for needle in needles
    ]
    candidates = session.execute(
        select(
            _AUDIT.c.id,
            _AUDIT.c.actor_id,
            _AUDIT.c.object_type,
            _AUDIT.c.object_id,
            _AUDIT.c.before,
            _AUDIT.c.after,
        ).where(
            or_(
                _AUDIT.c.actor_id == user.id,
                (_AUDIT.c.object_type == "users") & (_AUDIT.c.object_id == str(user.id)),
                _AUDIT.c.object_type == "telegram_chat",
                *text_matches,
            )
        ),
        execution_options=_UNSCOPED,
    ).all()
    changed = 0
    for row in candidates:
        about = row.object_type == "users" and row.object_id == str(user.id)
        values: dict[str, Any] = {}
        for name in ("before", "after"):
            old = getattr(row, name)
            new = redact(old, user.id, needles, about)
            if new != old:
                values[name] = new
        if row.actor_id == user.id:
            values |= {"actor_email": REDACTED, "ip_address": None}
        if values:
            session.execute(
                update(_AUDIT).where(_AUDIT.c.id == row.id).values(**values),
                execution_options=_UNSCOPED,
            )
            changed += 1
    return changed


def erase_person(session: Session, user: User) -> dict[str, int]:
    """Remove the person's data ahead of deleting ``user``; counts per kind."""
    session.flush()
    tokens = session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id), execution_options=_UNSCOPED
    )
    attempts = session.execute(
        delete(LoginAttempt).where(LoginAttempt.email == user.email), execution_options=_UNSCOPED
    )
    return {
        "api_tokens": int(getattr(tokens, "rowcount", 0) or 0),
        "login_attempts": int(getattr(attempts, "rowcount", 0) or 0),
        "audit_entries": _redact_audit(session, user),
    }
