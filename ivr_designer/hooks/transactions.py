"""How a webhook's writes start: after all reading, downloading and rendering is done.

SQLite: a deferred transaction that read first fails at once ("database is locked")
when another writer commits before its first write; so the reads are committed and the
write phase starts with a write (a no-op UPDATE takes the lock like BEGIN IMMEDIATE),
waiting its turn under the busy timeout. Slow work (downloads) never holds the lock.

The SQLite write lock is polled: a writer that finds it taken sleeps 1, 2, 5, 10 ... ms
before looking again, so under load the webhooks' own short writes made each other
wait far longer than they ran. Webhook write phases therefore queue at a gate first (a
thread lock inside the process, an ``flock`` on ``<database>.hooks-lock`` between
processes): the next one starts the moment the last one commits. Other writers (API,
scheduler) still meet the busy timeout as before.

PostgreSQL: call-step traces (``relaxed``) commit without waiting for the WAL flush; a
crash may lose the last moments of a trace. Anything durable in the same transaction
(a voicemail or fax) switches it back; the default (synchronous) is then kept.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

__all__ = ["begin_writes"]

_STATE = "ivr_designer.hooks.write_phase"
_GATE = "ivr_designer.hooks.write_gate"


class _WriteGate:
    """One SQLite database's queue for webhook writers (re-entrant within a thread)."""

    def __init__(self, path: str | None) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._pid = 0  # a forked worker opens its own (flock is per open file)
        self._path = f"{path}.hooks-lock" if path else None

    def acquire(self) -> None:
        self._lock.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                if self._fd is None or self._pid != os.getpid():
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                    self._pid = os.getpid()
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._lock.release()
            raise
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()


_gates: dict[str, _WriteGate] = {}
_gates_lock = threading.Lock()


def _gate_for(database: str | None) -> _WriteGate:
    key = os.path.abspath(database) if database and database != ":memory:" else ""
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = _WriteGate(key or None)
        return gate


@event.listens_for(Session, "after_transaction_end")
def _leave_gate(session: Session, transaction: SessionTransaction) -> None:
    held: Any = session.info.get(_GATE)
    if held is not None and held[0] is transaction:
        del session.info[_GATE]
        held[1].release()


def begin_writes(session: Session, *, relaxed: bool) -> None:
    """Enter the write phase of the current request (idempotent per transaction)."""
    dialect = session.get_bind().dialect.name
    transaction = session.get_transaction()
    state = session.info.get(_STATE)
    mine = state is not None and transaction is not None and state[0] is transaction
    if dialect == "sqlite":
        if not mine:
            session.commit()  # ends the reading transaction
            gate = _gate_for(session.get_bind().engine.url.database)
            gate.acquire()
            try:
                session.connection().exec_driver_sql("UPDATE call SET id = id WHERE 0 = 1")
            except BaseException:
                gate.release()
                raise
            writing = session.get_transaction()
            session.info[_GATE] = (writing, gate)
            session.info[_STATE] = (writing, "durable")
        return
    if dialect != "postgresql":
        return
    mode = state[1] if mine and state is not None else None
    if relaxed and mode is None:
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        session.info[_STATE] = (transaction, "relaxed")
    elif not relaxed and mode != "durable":
        if mode == "relaxed":
            session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO ON")
        session.info[_STATE] = (transaction, "durable")
