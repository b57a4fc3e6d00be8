"""How a webhook's writes start: after all reading, downloading and rendering is done.

SQLite: a deferred transaction that read first fails at once ("database is locked")
when another writer commits before its first write; so the reads are committed and the
write phase starts with a write (a no-op UPDATE takes the lock like BEGIN IMMEDIATE),
waiting its turn under the busy timeout. Slow work (downloads) never holds the lock.

PostgreSQL: call-step traces (``relaxed``) commit without waiting for the WAL flush; a
crash may lose the last moments of a trace. Anything durable in the same transaction
(a voicemail or fax) switches it back; the default (synchronous) is then kept.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["begin_writes"]

_STATE = "ivr_designer.hooks.write_phase"


def begin_writes(session: Session, *, relaxed: bool) -> None:
    """Enter the write phase of the current request (idempotent per transaction)."""
    dialect = session.get_bind().dialect.name
    transaction = session.get_transaction()
    state = session.info.get(_STATE)
    mine = state is not None and transaction is not None and state[0] is transaction
    if dialect == "sqlite":
        if not mine:
            session.commit()  # ends the reading transaction
            session.connection().exec_driver_sql("UPDATE call SET id = id WHERE 0 = 1")
            session.info[_STATE] = (session.get_transaction(), "durable")
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
