"""The retention sweep: per organisation and data class, delete what is past its horizon.

Rows go in batches of ``batch_size``, each batch its own short transaction whose first
statement is the DELETE (so SQLite takes the write lock at once instead of failing to
upgrade a read snapshot, and PostgreSQL holds row locks only for one batch). The media
files of deleted voicemails and faxes (WAV, Opus rendition, PDF) are unlinked after
their batch commits: a failed commit leaves row and file together, never a row whose
file is gone. Each organisation that lost anything gets one audit entry with counts;
a sweep of audit entries of no (or a deleted) organisation writes one system-level
entry (no organisation, ``object_type`` "system") with its counts.

Only age decides; a claimed or unhandled voicemail past its horizon goes too (the
retention promise is about how long a message is kept, not whether it was answered).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, or_, select
from sqlalchemy.orm import Session

from ivr_designer.models import (
    AuditEntry,
    Call,
    CallStep,
    DeliveryAttempt,
    Fax,
    Organisation,
    OutboxDelivery,
    Voicemail,
)
from ivr_designer.models.base import utcnow
from ivr_designer.retention.policy import POLICIES, effective_days, horizons

log = logging.getLogger(__name__)

__all__ = ["AUDIT_ACTION", "SYSTEM_OBJECT", "SweepReport", "sweep"]

AUDIT_ACTION = "retention_sweep"
SYSTEM_OBJECT = "system"  # object_type of the sweep's entry about org-less audit entries
FINISHED_DELIVERIES = ("delivered", "dead", "cancelled")


@dataclass
class SweepReport:
    """What one sweep did; ``longest_batch_s`` is the longest single transaction."""

    deleted: dict[int, dict[str, int]] = field(default_factory=dict)
    files_deleted: int = 0
    batches: int = 0
    longest_batch_s: float = 0.0
    in_transactions_s: float = 0.0
    seconds: float = 0.0
    audit_entries: int = 0

    def total(self, name: str) -> int:
        return sum(counts.get(name, 0) for counts in self.deleted.values())

    def note_batch(self, seconds: float) -> None:
        self.batches += 1
        self.longest_batch_s = max(self.longest_batch_s, seconds)
        self.in_transactions_s += seconds


@dataclass(frozen=True)
class _Target:
    """One table swept for one data class; ``files`` are media path columns."""

    name: str
    data_class: str
    table: Table
    when: str
    files: tuple[str, ...] = ()
    finished_only: bool = False


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


TARGETS = (
    _Target("voicemail", "voicemail", _table(Voicemail), "created_at", ("media_path", "opus_path")),
    _Target("fax", "fax", _table(Fax), "created_at", ("media_path",)),
    _Target("call", "call", _table(Call), "started_at"),
    _Target("delivery_attempt", "delivery_log", _table(DeliveryAttempt), "attempted_at"),
    _Target("outbox_delivery", "delivery_log", _table(OutboxDelivery), "created_at", (), True),
    _Target("audit_entry", "audit", _table(AuditEntry), "created_at"),
)


def _conditions(target: _Target, org_filter: ColumnElement[bool], horizon: datetime) -> list[Any]:
    table = target.table
    conditions: list[Any] = [org_filter, table.c[target.when] < horizon]
    if target.finished_only:
        conditions.append(table.c.status.in_(FINISHED_DELIVERIES))
    return conditions


def remove_media(media_root: Path, relative: str | None) -> bool:
    """Unlink one media file; refuses paths that point outside the media folder."""
    if not relative:
        return False
    root = media_root.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path == root:
        log.warning("retention: refusing to delete %s (outside the media folder)", relative)
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _delete_batch(
    session: Session, target: _Target, conditions: Sequence[Any], batch_size: int
) -> tuple[list[Any], int]:
    """Delete up to ``batch_size`` rows; return (their id + file columns, steps deleted)."""
    table = target.table
    chosen = select(table.c.id).where(*conditions).order_by(table.c.id).limit(batch_size)
    steps = 0
    if target.name == "call":
        # Counted before the cascade takes them; also the batch's first write.
        result = session.execute(
            delete(_table(CallStep)).where(_table(CallStep).c.call_id.in_(chosen.scalar_subquery()))
        )
        steps = int(getattr(result, "rowcount", 0) or 0)
    returning = [table.c.id, *(table.c[name] for name in target.files)]
    rows = session.execute(
        delete(table).where(table.c.id.in_(chosen.scalar_subquery())).returning(*returning)
    ).all()
    return list(rows), steps


def _sweep_target(
    new_session: Callable[[], Session],
    target: _Target,
    org_filter: ColumnElement[bool],
    horizon: datetime,
    media_root: Path,
    batch_size: int,
    report: SweepReport,
    counts: dict[str, int],
) -> None:
    conditions = _conditions(target, org_filter, horizon)
    while True:
        started = time.perf_counter()
        with new_session() as session:
            rows, steps = _delete_batch(session, target, conditions, batch_size)
            session.commit()
        report.note_batch(time.perf_counter() - started)
        if rows:
            counts[target.name] = counts.get(target.name, 0) + len(rows)
        if steps:
            counts["call_step"] = counts.get("call_step", 0) + steps
        for row in rows:
            for relative in row[1:]:
                if remove_media(media_root, relative):
                    counts["files"] = counts.get("files", 0) + 1
                    report.files_deleted += 1
        if len(rows) < batch_size:
            return


def _write_audit(
    new_session: Callable[[], Session],
    org_id: int | None,
    counts: dict[str, int],
    days: dict[str, int],
    run_by: str,
) -> None:
    """One entry per organisation swept; ``org_id=None``: the system-level one for
    audit entries of no (or a deleted) organisation."""
    with new_session() as session:
        session.add(
            AuditEntry(
                actor_id=None,
                actor_email="scheduler",
                org_id=org_id,
                action=AUDIT_ACTION,
                object_type="organisations" if org_id is not None else SYSTEM_OBJECT,
                object_id=str(org_id) if org_id is not None else "audit",
                after={"deleted": dict(sorted(counts.items())), "days": days, "run_by": run_by},
            )
        )
        session.commit()


def sweep(
    new_session: Callable[[], Session],
    media_root: Path,
    *,
    now: datetime | None = None,
    batch_size: int = 500,
    run_by: str = "",
    org_ids: Sequence[int] | None = None,
) -> SweepReport:
    """Sweep every organisation (or ``org_ids``); audit entries of no (or a deleted)
    organisation are kept for the default audit period."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    now = now or utcnow()
    report = SweepReport()
    with new_session() as session:
        query = select(Organisation).order_by(Organisation.id)
        if org_ids is not None:
            query = query.where(Organisation.id.in_(org_ids))
        orgs = [(org.id, effective_days(session, org)) for org in session.execute(query).scalars()]
    for org_id, days in orgs:
        limits = horizons(days, now)
        counts: dict[str, int] = {}
        for target in TARGETS:
            org_filter = target.table.c.org_id == org_id
            _sweep_target(
                new_session,
                target,
                org_filter,
                limits[target.data_class],
                media_root,
                batch_size,
                report,
                counts,
            )
        report.deleted[org_id] = counts
        if counts:
            _write_audit(new_session, org_id, counts, days, run_by)
            report.audit_entries += 1
            log.info("retention: org %s deleted %s", org_id, counts)
    if org_ids is None:
        _sweep_orphan_audit(new_session, now, batch_size, media_root, report, run_by)
    report.seconds = time.perf_counter() - started
    return report


def _sweep_orphan_audit(
    new_session: Callable[[], Session],
    now: datetime,
    batch_size: int,
    media_root: Path,
    report: SweepReport,
    run_by: str,
) -> None:
    """System-level entries and those of deleted organisations: the default period.

    What went is itself audited, in one system-level entry (no organisation).
    """
    target = TARGETS[-1]
    column = target.table.c.org_id
    orphan = or_(column.is_(None), column.not_in(select(_table(Organisation).c.id)))
    days = {"audit": POLICIES["audit"].default_days}
    horizon = horizons(days, now)["audit"]
    counts: dict[str, int] = {}
    _sweep_target(new_session, target, orphan, horizon, media_root, batch_size, report, counts)
    if counts:
        report.deleted[0] = counts
        _write_audit(new_session, None, counts, days, run_by)
        report.audit_entries += 1
        log.info("retention: org-less audit entries deleted %s", counts)
