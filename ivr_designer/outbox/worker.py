"""The outbox worker: claim due rows, deliver them outside any transaction, record the end.

A claim is one short transaction that marks rows ``delivering`` with a lease; the
remote call happens after it committed; a second short transaction records the
outcome. A worker killed mid-delivery leaves its rows leased: when the lease runs out
any worker claims them again (at least once; receivers deduplicate on the key).
PostgreSQL claims with ``FOR UPDATE SKIP LOCKED`` so several workers share the table;
SQLite runs one worker.

:func:`deliver_due` does one round in the calling thread (tests, the scheduler job);
:func:`start_worker` runs a dispatcher and delivery threads until ``stop()``. The
delivery threads run at idle CPU priority (see :func:`background_priority`), on SQLite
in a child process (see ``sender.py``); the dispatcher, which writes, never does.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from integrations.notify import registry
from integrations.notify.base import Channel, DeliveryResult
from ivr_designer.database import WalCheckpointer, sqlite_file
from ivr_designer.extensions import db
from ivr_designer.hooks.transactions import begin_writes
from ivr_designer.models import OutboxDelivery
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.enqueue import NOTIFY_CHANNEL, WAKE
from ivr_designer.outbox.message import Cancel, Postpone, load, prepare
from ivr_designer.outbox.outcomes import apply_result, cancel, postpone
from ivr_designer.outbox.sender import SenderProcess, separate_process_wanted
from ivr_designer.outbox.settle import Attempted, settle

__all__ = ["WorkerHandle", "channels_for", "claim", "deliver_due", "deliver_one", "start_worker"]

log = logging.getLogger(__name__)
#: Seconds between two dispatcher rounds at least (outcomes written, new rows claimed).
ROUND_GAP = 0.2
#: Claimed deliveries per delivery thread a round may hand out (running + queued), at
#: most; fewer when the lease is short (see :func:`lookahead`).
LOOKAHEAD = 3
_EXTENSION = "ivr_designer.outbox.channels"


def channel_settings(app: Flask) -> dict[str, Any]:
    """Installation settings for the channels (never an org admin's choice)."""
    return {
        "telegram_base_url": app.config["TELEGRAM_API_BASE_URL"],
        # The Telegram webhook derives the same key from SECRET_KEY to check buttons.
        "telegram_callback_secret": app.config["SECRET_KEY"],
        "allow_private_targets": bool(app.config["WEBHOOKS_ALLOW_PRIVATE_TARGETS"]),
        # Each delivery thread keeps its Telegram connection; it releases it on stop.
        "telegram_keep_connections": True,
    }


def release_channels(app: Flask) -> None:
    """Close what the calling thread's deliveries kept open (Telegram connections)."""
    for channel in channels_for(app).values():
        try:
            channel.release()
        except Exception:
            log.exception("closing the %s channel failed", channel.kind)


def channels_for(app: Flask) -> dict[str, Channel]:
    built: dict[str, Channel] | None = app.extensions.get(_EXTENSION)
    if built is None:
        built = registry.build(channel_settings(app))
        app.extensions[_EXTENSION] = built
    return built


def _claim_statement(due: Any, skip_locked: bool) -> Any:
    """Mark rows matching ``due`` delivering, oldest first; built once per kind.

    The dispatcher claims several times a second, and building the expression each
    time was most of an idle round's CPU.
    """
    candidates = (
        select(OutboxDelivery.id)
        .where(due)
        .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
        .limit(bindparam("b_limit"))
    )
    if skip_locked:
        candidates = candidates.with_for_update(skip_locked=True)
    return (
        update(OutboxDelivery)
        .where(OutboxDelivery.id.in_(candidates.scalar_subquery()))
        .values(
            status="delivering", lease_until=bindparam("b_lease"), updated_at=bindparam("b_now")
        )
        .returning(OutboxDelivery.id, OutboxDelivery.next_attempt_at)
        .execution_options(synchronize_session=False)
    )


# Two statements, not one with an OR: PostgreSQL runs an OR of two index conditions as
# a bitmap scan, which visits every dead row version the index still points to (every
# claimed and every delivered row leaves one until a vacuum). A plain index scan marks
# the dead entries it meets, and the next scan skips them. With autovacuum off, after
# 25,000 deliveries an idle claim touched 1,492 pages before and 4 now
# (bench/outbox_claim.py).
_EXPIRED = (OutboxDelivery.status == "delivering") & (
    OutboxDelivery.lease_until < bindparam("b_now")
)
_PENDING = (OutboxDelivery.status == "pending") & (
    OutboxDelivery.next_attempt_at <= bindparam("b_now")
)
_CLAIM = {
    skip_locked: (_claim_statement(_EXPIRED, skip_locked), _claim_statement(_PENDING, skip_locked))
    for skip_locked in (False, True)
}


def claim(
    session: Session, limit: int, lease_seconds: float, now: datetime | None = None
) -> list[int]:
    """Mark up to ``limit`` due rows ``delivering`` and commit; their ids, oldest first.

    Due rows are rows whose lease ran out (their worker died), taken first so they
    never wait behind a backlog, then pending rows whose time came. Each kind is one
    UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]): SQLite takes the write
    lock with the first statement (no read-then-write upgrade), and PostgreSQL workers
    skip each other's rows instead of waiting.
    """
    now = now or utcnow()
    postgresql = session.get_bind().dialect.name == "postgresql"
    expired, pending = _CLAIM[postgresql]
    params = {"b_now": now, "b_limit": limit, "b_lease": now + timedelta(seconds=lease_seconds)}
    claimed = list(session.execute(expired, params).all())
    if len(claimed) < limit:
        params["b_limit"] = limit - len(claimed)
        claimed += session.execute(pending, params).all()
    session.commit()
    return [row.id for row in sorted(claimed, key=lambda r: (r.next_attempt_at, r.id))]


def _begin_writes(session: Session) -> None:
    """Start a transaction that writes, queued with the call webhooks' writers.

    SQLite: take the write lock with the first statement (a read-then-write transaction
    fails at once when another connection committed meanwhile), after waiting at the
    webhooks' write gate: a worker that met the busy handler instead would make waiting
    webhooks sleep-poll for the lock (see ``ivr_designer.hooks.transactions``).
    """
    begin_writes(session, relaxed=False)


def _finish(session: Session, delivery_id: int, action: Any) -> str:
    """Apply ``action`` to the freshly loaded row in a short write transaction."""
    _begin_writes(session)
    delivery = session.get(OutboxDelivery, delivery_id, populate_existing=True)
    if delivery is None:
        session.rollback()
        return "gone"
    status: str = action(delivery)
    session.commit()
    return status


def settle_and_claim(app: Flask, attempted: list[Attempted], limit: int) -> list[int]:
    """One write transaction per round: the outcomes of finished calls, then new claims.

    On SQLite every write transaction queues behind (and holds up) call webhooks; a
    round instead of two transactions per message keeps those waits rare and short.
    """
    with app.app_context():
        session = db.new_session()
        try:
            _begin_writes(session)
            settle(session, app, attempted)
            if limit > 0:
                return claim(session, limit, _lease(app))
            session.commit()
            return []
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()


def _read_outside_transactions(session: Session) -> None:
    """PostgreSQL: let the delivery's reads run each on its own (autocommit).

    A delivery reads before it sends and writes only after it committed those reads;
    in a transaction of their own the reads cost a ``BEGIN`` and a ``COMMIT``, two of
    the four round trips of its usual read (with the pool's liveness check and the
    ``SELECT``; measured: 0.11 ms less CPU per read, client and server). Under READ
    COMMITTED, PostgreSQL's default, each statement of a transaction takes its own
    snapshot anyway, so the reads see what they saw before. The connection is reset
    when it goes back to the pool; writes after the reads' commit get a connection in
    a normal transaction. A session bound to a connection (the tests' wrapping
    transaction) is left as it is.
    """
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def deliver_one(
    app: Flask, delivery_id: int, *, defer: Callable[[Attempted], None] | None = None
) -> str:
    """Deliver one claimed row; returns its new status. Needs an app context.

    With ``defer`` the outcome (or a cancellation, a postponement found while preparing)
    is handed over instead of written ("attempted"): nothing is written here then.
    """
    session = db.new_session()
    try:
        _read_outside_transactions(session)
        delivery = load(session, delivery_id)
        if delivery is None or delivery.status != "delivering":
            session.rollback()
            return "skipped"
        now = utcnow()
        key, channel_kind, org_id = delivery.idempotency_key, delivery.channel, delivery.org_id
        try:
            prepared = prepare(session, app, delivery, now)
        except (Cancel, Postpone) as exc:
            if defer is not None:  # the dispatcher writes it, as it does outcomes
                session.rollback()
                reason = str(exc)
                defer(
                    Attempted(
                        delivery_id,
                        DeliveryResult.permanent(reason),
                        0,
                        now,
                        channel_kind,
                        org_id,
                        cancelled=reason if isinstance(exc, Cancel) else None,
                        postponed_until=exc.until if isinstance(exc, Postpone) else None,
                    )
                )
                return "attempted"
            session.rollback()  # the write below gets a transaction of its own
            if isinstance(exc, Postpone):
                until = exc.until
                return _finish(session, delivery_id, lambda row: postpone(row, until, now))
            reason = str(exc)
            return _finish(session, delivery_id, lambda row: cancel(row, reason, now))
        session.commit()  # nothing is held while the remote answers
        channel = channels_for(app).get(channel_kind)
        started = time.perf_counter()
        if channel is None:
            result = DeliveryResult.permanent(f"unknown channel {channel_kind!r}")
        else:
            result = channel.safe_deliver(
                prepared.message,
                prepared.config,
                idempotency_key=key,
                timeout=float(app.config["NOTIFY_TIMEOUT_SECONDS"]),
            )
        elapsed = int((time.perf_counter() - started) * 1000)
        if defer is not None:
            session.rollback()
            defer(Attempted(delivery_id, result, elapsed, utcnow(), channel_kind, org_id))
            return "attempted"
        return _finish(
            session,
            delivery_id,
            lambda row: apply_result(session, app, row, result, now=utcnow(), duration_ms=elapsed),
        )
    except Exception:
        session.rollback()
        log.exception(
            "outbox delivery %s failed; its lease will expire and it retries", delivery_id
        )
        return "error"
    finally:
        session.close()


def _lease(app: Flask) -> float:
    return float(app.config["NOTIFY_LEASE_SECONDS"])


def lookahead(app: Flask) -> int:
    """How many claimed deliveries a thread may have (one sending, the rest queued).

    A queued delivery's lease runs while it waits: the last in line must still be
    sent before the lease is over, or another round (or worker) claims it again and
    it goes out twice. A Telegram delivery takes up to three timeouts (the whole call
    is bounded at that); defaults: 3 x 3 x 10 s within a 120 s lease.
    """
    worst = 3 * float(app.config["NOTIFY_TIMEOUT_SECONDS"])
    return max(1, min(LOOKAHEAD, int(_lease(app) // worst)))


def claim_due(app: Flask, limit: int) -> list[int]:
    with app.app_context():
        session = db.new_session()
        try:
            return claim(session, limit, _lease(app))
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()


def deliver_due(app: Flask, limit: int = 100) -> int:
    """Claim and deliver up to ``limit`` due rows in this thread; how many were tried."""
    ids = claim_due(app, limit)
    with app.app_context():
        try:
            for delivery_id in ids:
                deliver_one(app, delivery_id)
        finally:
            release_channels(app)
    return len(ids)


def serve(
    app: Flask,
    take: Callable[[], int | None],
    defer: Callable[[Attempted], None],
    finished: Callable[[int, str], None],
) -> None:
    """A delivery thread's life: deliver what ``take`` returns until it returns None.

    Outcomes go to ``defer`` (the dispatcher writes them); ``finished(id, status)``
    follows each delivery, whatever became of it. Used by the worker's threads and by
    the SQLite sending process's (``sender.py``).
    """
    with app.app_context():
        try:
            while (delivery_id := take()) is not None:
                status = "error"
                try:
                    status = deliver_one(app, delivery_id, defer=defer)
                finally:
                    finished(delivery_id, status)
        finally:
            release_channels(app)


def background_priority() -> bool:
    """Run the calling thread only when no other task wants the CPU (Linux SCHED_IDLE).

    For the sending threads: building and uploading a message is CPU work (PTB, HTTP,
    the ORM) that must not delay a call webhook on the same machine. Never in the
    dispatcher's process on SQLite: the dispatcher holds the write lock the webhooks
    queue for, and needs the GIL while it does; a lowered thread that holds the GIL but
    gets no CPU stalls it (measured: webhook p99 11 ms -> 224 ms), hence ``sender.py``.
    Returns whether the priority changed.
    """
    policy = getattr(os, "SCHED_IDLE", None)
    if policy is None or not hasattr(os, "sched_setscheduler"):
        return False  # not Linux: nothing to do
    try:
        os.sched_setscheduler(0, policy, os.sched_param(0))  # 0: this thread only
    except OSError as exc:
        log.warning("outbox: the sending thread keeps its CPU priority (%s)", exc)
        return False
    return True


class WorkerHandle:
    """Delivery threads fed by one dispatcher; ``stop()`` lets in-flight work finish."""

    def __init__(self, app: Flask, threads: int) -> None:
        self.app = app
        self.threads = max(1, threads)
        self.poll = float(app.config["NOTIFY_POLL_SECONDS"])
        self._stopping = threading.Event()
        # Claimed ids a round may hand out: one running per thread and the rest queued,
        # so threads stay busy while the dispatcher spaces its rounds (ROUND_GAP).
        self._slots = threading.Semaphore(self.threads * lookahead(app))
        self._queue: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[Attempted] = queue.SimpleQueue()
        self._deliverers = [
            threading.Thread(target=self._deliver, name=f"outbox-{n}") for n in range(self.threads)
        ]
        self._dispatcher = threading.Thread(target=self._dispatch, name="outbox-dispatch")
        self._listener: threading.Thread | None = None
        self._dialect = ""
        self._lower_threads = False
        # SQLite: the delivery threads run in a child process instead (see sender.py).
        self.sender: SenderProcess | None = None
        # SQLite: this process, the installation's one worker, also checkpoints the log.
        self.checkpointer: WalCheckpointer | None = None

    def start(self) -> WorkerHandle:
        engine = db.engine(self.app)
        self._dialect = engine.dialect.name
        path = sqlite_file(engine)
        if path is not None:
            self.checkpointer = WalCheckpointer(path).start()
        if self._dialect == "postgresql":
            self._listener = threading.Thread(
                target=self._listen, name="outbox-listen", daemon=True
            )
            self._listener.start()
        # Idle priority for the delivery threads; on SQLite only in a process of their
        # own, never next to the dispatcher (see sender.py).
        if separate_process_wanted(self.app, self._dialect):
            self.sender = SenderProcess(self.app, self.threads, self._sent).start()
        else:
            background = bool(self.app.config["NOTIFY_SEND_IN_BACKGROUND"])
            self._lower_threads = background and self._dialect != "sqlite"
            for thread in self._deliverers:
                thread.start()
        self._dispatcher.start()
        return self

    def _sent(self, item: Attempted | None) -> None:
        """A delivery handed to the sending process finished."""
        if item is not None:
            self._results.put(item)
        self._slots.release()
        WAKE.set()  # a thread is free: look for more

    def _submit(self, delivery_id: int) -> None:
        if self.sender is not None:
            self.sender.submit(delivery_id)
        else:
            self._queue.put(delivery_id)

    def stop(self, timeout: float | None = None) -> None:
        """No new claims; deliveries already claimed finish, then the threads end."""
        self._stopping.set()
        WAKE.set()
        self._dispatcher.join(timeout)
        if self.sender is not None:
            self.sender.stop(timeout)
        else:
            for _ in self._deliverers:
                self._queue.put(None)
            for thread in self._deliverers:
                thread.join(timeout)
        try:
            settle_and_claim(self.app, self._drain(), 0)
        except Exception:
            log.exception("outbox: writing the last outcomes failed; those rows will retry")
        if self.checkpointer is not None:
            self.checkpointer.stop(timeout)

    @property
    def running(self) -> bool:
        return self._dispatcher.is_alive()

    def _deliver(self) -> None:
        if self._lower_threads:
            background_priority()
        serve(self.app, self._queue.get, self._results.put, self._thread_free)

    def _thread_free(self, _delivery_id: int, _status: str) -> None:
        self._slots.release()
        WAKE.set()  # a thread is free: look for more

    def _drain(self) -> list[Attempted]:
        done: list[Attempted] = []
        while True:
            try:
                done.append(self._results.get_nowait())
            except queue.Empty:
                return done

    def _free_slots(self) -> int:
        free = 0
        while self._slots.acquire(blocking=False):
            free += 1
        return free

    def _dispatch(self) -> None:
        last_round = -ROUND_GAP
        while not self._stopping.is_set():
            # Rounds at most every ROUND_GAP: each is a write transaction (on SQLite one
            # the call webhooks queue behind) at normal priority; a round per finished
            # delivery cost the webhooks more than the outcomes waiting a moment.
            if self._stopping.wait(last_round + ROUND_GAP - time.monotonic()):
                break
            last_round = time.monotonic()
            WAKE.clear()
            free = self._free_slots()
            attempted = self._drain()
            ids: list[int] = []
            if free or attempted:
                try:
                    ids = settle_and_claim(self.app, attempted, free)
                except Exception:
                    log.exception("outbox round failed; its rows retry after their lease")
            for _ in range(free - len(ids)):
                self._slots.release()
            for delivery_id in ids:
                self._submit(delivery_id)
            if not ids or len(ids) == free:
                WAKE.wait(self.poll)  # nothing due, or every slot taken

    def _listen(self) -> None:
        """PostgreSQL: LISTEN on a connection of its own; each NOTIFY wakes the dispatcher."""
        engine = db.engine(self.app)
        while not self._stopping.is_set():
            try:
                raw = engine.raw_connection()
                try:
                    connection: Any = raw.driver_connection
                    connection.autocommit = True
                    connection.execute(text(f"LISTEN {NOTIFY_CHANNEL}").text)
                    while not self._stopping.is_set():
                        for _notice in connection.notifies(timeout=1.0, stop_after=1):
                            WAKE.set()
                finally:
                    raw.invalidate()
            except Exception:
                log.exception("outbox LISTEN connection failed; polling meanwhile")
                self._stopping.wait(5)


def start_worker(app: Flask, threads: int | None = None) -> WorkerHandle:
    """Start delivering in background threads (NOTIFY_WORKER_THREADS by default)."""
    count = int(app.config["NOTIFY_WORKER_THREADS"]) if threads is None else threads
    return WorkerHandle(app, count).start()
