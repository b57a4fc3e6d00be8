"""Call records (CDRs) and their step traces, written by the webhooks.

Each step URL request finds its call by the provider's CallSid (one query that also
gives the next step number) and appends the nodes it ran; outcomes only ever move
forward (in progress → answered → voicemail/fax), and the provider's final status
closes the call.

These run on every call step, so they are Core statements built once and executed on
the session's connection: no ORM objects, and SQLAlchemy's compiled cache always hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ivr_designer.models import Call, CallStep
from ivr_designer.outbox.enqueue import enqueue_call_completed

__all__ = [
    "FINAL_STATUSES",
    "CallHandle",
    "StepRecord",
    "apply_status",
    "open_call",
    "record_steps",
    "set_outcome",
]

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
CALL_TABLE: Table = Call.__table__  # type: ignore[assignment]
STEP_TABLE: Table = CallStep.__table__  # type: ignore[assignment]
# Later outcomes win over earlier ones; abandoned/failed come only from the status.
_RANK = {"in_progress": 0, "abandoned": 1, "failed": 1, "answered": 2, "voicemail": 3, "fax": 3}
_WEAKER = {
    outcome: sorted(name for name, rank in _RANK.items() if rank < _RANK[outcome])
    for outcome in _RANK
}

_FIND = (
    select(CALL_TABLE.c.id, func.coalesce(func.max(STEP_TABLE.c.seq), 0))
    .select_from(CALL_TABLE.outerjoin(STEP_TABLE, STEP_TABLE.c.call_id == CALL_TABLE.c.id))
    .where(CALL_TABLE.c.call_sid == bindparam("call_sid"))
    .group_by(CALL_TABLE.c.id)
)
_CALL_COLUMNS = (
    "org_id",
    "call_sid",
    "phone_number_id",
    "caller",
    "called",
    "flow_version_id",
    "started_at",
    "outcome",
)
_CALL_VALUES: dict[str, Any] = {name: bindparam(name) for name in _CALL_COLUMNS}
# Insert the call unless its SID exists: no savepoint, no second round trip.
_INSERT_CALL: dict[str, Any] = {
    "postgresql": pg_insert(CALL_TABLE)
    .values(_CALL_VALUES)
    .on_conflict_do_nothing()
    .returning(CALL_TABLE.c.id),
    "sqlite": sqlite_insert(CALL_TABLE)
    .values(_CALL_VALUES)
    .on_conflict_do_nothing()
    .returning(CALL_TABLE.c.id),
}
# executemany + RETURNING: SQLAlchemy's "insertmanyvalues" sends one multi-row INSERT
# (one round trip) from a statement compiled once. A VALUES list written into the
# statement is never cached (it compiled on every step), and a plain executemany is
# a pipeline of one statement per row on psycopg.
_INSERT_STEPS = insert(STEP_TABLE).returning(STEP_TABLE.c.id)
_SET_OUTCOME = (
    update(CALL_TABLE)
    .where(
        CALL_TABLE.c.id == bindparam("call_id"),
        CALL_TABLE.c.outcome.in_(bindparam("weaker", expanding=True)),
    )
    .values(outcome=bindparam("outcome"))
)


@dataclass(frozen=True)
class CallHandle:
    id: int
    next_seq: int


@dataclass(frozen=True)
class StepRecord:
    flow_name: str
    node_id: str
    node_type: str
    input: str | None = None
    port: str | None = None
    ended: str | None = None


def _clip(value: str | None, limit: int) -> str | None:
    return None if value is None else value[:limit]


def _find(session: Session, call_sid: str) -> CallHandle | None:
    row = session.connection().execute(_FIND, {"call_sid": call_sid}).first()
    return CallHandle(row[0], row[1] + 1) if row is not None else None


def _insert_call(session: Session, values: dict[str, object]) -> int | None:
    """Insert the call unless its SID exists (None then)."""
    connection = session.connection()
    statement = _INSERT_CALL.get(connection.dialect.name)
    if statement is None:  # pragma: no cover - other backends are not supported
        raise NotImplementedError(connection.dialect.name)
    new_id: int | None = connection.execute(statement, values).scalar_one_or_none()
    return new_id


def open_call(
    session: Session,
    *,
    org_id: int,
    number_id: int,
    call_sid: str,
    caller: str,
    called: str,
    flow_version_id: int | None,
    now: datetime,
    new: bool = False,
) -> CallHandle:
    """The call's record, created on the first webhook of the call (race-safe).

    ``new``: the call has most likely just started, so try the insert first.
    """
    if not new:
        handle = _find(session, call_sid)
        if handle is not None:
            return handle
    call_id = _insert_call(
        session,
        {
            "org_id": org_id,
            "call_sid": call_sid[:64],
            "phone_number_id": number_id,
            "caller": caller[:64],
            "called": called[:64],
            "flow_version_id": flow_version_id,
            "started_at": now,
            "outcome": "in_progress",
        },
    )
    if call_id is not None:
        return CallHandle(call_id, 1)
    handle = _find(session, call_sid[:64])  # it existed, or another worker just made it
    if handle is None:
        raise LookupError(f"call {call_sid!r} could neither be created nor found")
    return handle


def record_steps(
    session: Session,
    org_id: int,
    handle: CallHandle,
    steps: Sequence[StepRecord],
    *,
    now: datetime,
    duration_ms: int | None,
) -> None:
    """Append ``steps`` (the nodes one webhook answer ran) to the call's trace."""
    if not steps:
        return
    rows = [
        {
            "org_id": org_id,
            "call_id": handle.id,
            "seq": handle.next_seq + offset,
            "flow_name": step.flow_name[:200],
            "node_id": step.node_id[:64],
            "node_type": step.node_type[:32],
            "input": _clip(step.input, 255),
            "port": _clip(step.port, 32),
            "ended": _clip(step.ended, 32),
            "at": now + timedelta(microseconds=offset),
            "duration_ms": duration_ms,
        }
        for offset, step in enumerate(steps)
    ]
    session.connection().execute(_INSERT_STEPS, rows).all()


def set_outcome(session: Session, call_id: int, outcome: str) -> None:
    """Move the call's outcome forward (never back: a voicemail stays a voicemail)."""
    session.connection().execute(
        _SET_OUTCOME, {"call_id": call_id, "weaker": _WEAKER[outcome], "outcome": outcome}
    )


def apply_status(
    session: Session, call_sid: str, status: str, duration: str | None, now: datetime
) -> bool:
    """The provider's call status callback; a final status closes the call record.

    Closing announces ``call.completed`` in the same transaction, once: the row is
    locked (PostgreSQL) so two callbacks for one call cannot both close it, and a
    repeated callback finds it closed already.
    """
    status = status.strip().lower()[:32]
    call = session.execute(
        select(Call).where(Call.call_sid == call_sid).with_for_update()
    ).scalar_one_or_none()
    if call is None:
        return False
    call.provider_status = status
    if status in FINAL_STATUSES:
        closing = call.ended_at is None
        call.ended_at = call.ended_at or now
        if duration and duration.strip().isdigit() and len(duration.strip()) < 9:
            call.duration_s = int(duration.strip())
        if call.outcome == "in_progress":
            call.outcome = "failed" if status == "failed" else "abandoned"
        if closing:
            session.flush()
            enqueue_call_completed(session, call)
    return True
