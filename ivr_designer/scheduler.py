"""APScheduler wiring behind a database lease: only the lock holder runs the jobs.

Any number of ``ivr-designer scheduler`` processes (and ``ivr-designer run
--scheduler``) may start; each tries to take the ``scheduler_lock`` row. The holder
renews its lease every third of ``SCHEDULER_LOCK_SECONDS`` and runs
:mod:`ivr_designer.jobs` and the services (outbox worker threads); the others wait as
standbys and take over once the lease lapses (holder killed, machine gone, database
unreachable from it). A holder that cannot renew stops running jobs at its lease's
end, before anyone else may take the lock. A job already running when the lease is
lost finishes; jobs are written to be safe to run twice.

Taking the lock is one conditional UPDATE (``holder = me OR expires_at < now``), and an
INSERT decided by the primary key when the row does not exist yet: atomic on SQLite
and PostgreSQL alike. Lease times come from each process's clock, so machines running
schedulers must keep their clocks in sync (NTP); the lease dwarfs normal skew.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import Connection, Engine, Table, case, delete, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ivr_designer.extensions import db
from ivr_designer.jobs import HOLDER_KEY, Job, jobs_for, services_for
from ivr_designer.models import SchedulerLock
from ivr_designer.models.base import utcnow

log = logging.getLogger(__name__)

__all__ = [
    "LOCK_NAME",
    "LockedScheduler",
    "SchedulerLease",
    "build_scheduler",
    "make_holder",
    "release",
    "start_embedded",
    "try_acquire",
]

LOCK_NAME = "jobs"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
_TABLE: Table = SchedulerLock.__table__  # type: ignore[assignment]


def make_holder() -> str:
    """Names this process in the lock row: host, pid and a random part."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def try_acquire(
    connection: Connection,
    holder: str,
    lease_seconds: float,
    *,
    name: str = LOCK_NAME,
    now: datetime | None = None,
) -> datetime | None:
    """Take or renew the lease; the new expiry, or None while someone else holds it.

    Runs inside the caller's transaction; the caller commits.
    """
    now = now or utcnow()
    expires = now + timedelta(seconds=lease_seconds)
    at = literal(now, _TABLE.c.acquired_at.type)
    renewed = connection.execute(
        update(_TABLE)
        .where(
            _TABLE.c.name == name,
            or_(_TABLE.c.holder == holder, _TABLE.c.expires_at < now),
        )
        .values(
            holder=holder,
            expires_at=expires,
            acquired_at=case((_TABLE.c.holder == holder, _TABLE.c.acquired_at), else_=at),
        )
    )
    if renewed.rowcount == 1:
        return expires
    if connection.execute(select(_TABLE.c.name).where(_TABLE.c.name == name)).first():
        return None
    try:
        with connection.begin_nested():
            connection.execute(
                insert(_TABLE).values(name=name, holder=holder, acquired_at=now, expires_at=expires)
            )
    except IntegrityError:
        return None  # another process inserted it first
    return expires


def release(connection: Connection, holder: str, *, name: str = LOCK_NAME) -> bool:
    """Give the lock up (a clean stop), so a standby need not wait for the lease."""
    result = connection.execute(
        delete(_TABLE).where(_TABLE.c.name == name, _TABLE.c.holder == holder)
    )
    return result.rowcount == 1


class SchedulerLease:
    """This process's view of the lock: held until the last renewal's expiry."""

    def __init__(
        self, engine: Engine, holder: str, lease_seconds: float, *, name: str = LOCK_NAME
    ) -> None:
        self.engine = engine
        self.holder = holder
        self.lease_seconds = lease_seconds
        self.name = name
        self.held_until: datetime | None = None

    @property
    def held(self) -> bool:
        return self.held_until is not None and utcnow() < self.held_until

    def refresh(self) -> bool:
        """Try to take or renew; a database error keeps the current lease running out."""
        try:
            with self.engine.connect() as connection:
                expires = try_acquire(connection, self.holder, self.lease_seconds, name=self.name)
                connection.commit()
        except SQLAlchemyError as error:
            log.warning("scheduler lock: cannot reach the database (%s)", error.__class__.__name__)
            return self.held
        self.held_until = expires
        return expires is not None

    def release(self) -> None:
        if self.held_until is None:
            return
        self.held_until = None
        try:
            with self.engine.connect() as connection:
                release(connection, self.holder, name=self.name)
                connection.commit()
        except SQLAlchemyError:
            log.warning("scheduler lock: could not release; it lapses by itself")


def _run_job(job: Job, app: Flask, guard: Callable[[], bool] | None) -> Any:
    if guard is not None and not guard():
        log.info("job %s skipped: this process does not hold the scheduler lock", job.id)
        return None
    log.debug("job %s running", job.id)
    return job.run(app)


def build_scheduler(
    app: Flask,
    scheduler_class: type[Any] = BlockingScheduler,
    guard: Callable[[], bool] | None = None,
) -> BaseScheduler:
    """The jobs of :mod:`ivr_designer.jobs`; with ``guard``, a job runs only while it
    answers True (the lease is held)."""
    scheduler: BaseScheduler = scheduler_class(timezone="UTC", job_defaults=JOB_DEFAULTS)
    for job in jobs_for(app):
        scheduler.add_job(
            _run_job,
            job.trigger,
            args=[job, app, guard],
            id=job.id,
            name=job.id,
            replace_existing=True,
            **job.trigger_args,
        )
    return scheduler


class LockedScheduler:
    """Jobs and services that run only while this process holds the lease."""

    def __init__(
        self,
        app: Flask,
        *,
        holder: str | None = None,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        lease_seconds = float(app.config["SCHEDULER_LOCK_SECONDS"])
        self.lease = SchedulerLease(db.engine(app), holder or make_holder(), lease_seconds)
        self.heartbeat_seconds = lease_seconds / 3
        self.scheduler = build_scheduler(app, BackgroundScheduler, guard=lambda: self.lease.held)
        self.active = False
        self._announce_to = announce
        self._services: list[Any] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._standby_said = False
        app.extensions[HOLDER_KEY] = self.lease.holder

    @property
    def holder(self) -> str:
        return self.lease.holder

    @property
    def services(self) -> list[Any]:
        """Handles of the services running now (empty while standby)."""
        return list(self._services)

    def _say(self, message: str) -> None:
        if self._announce_to is None:
            log.info(message)
        else:
            self._announce_to(message)

    def step(self) -> None:
        """One heartbeat: renew or try to take the lease, and follow the outcome."""
        held = self.lease.refresh()
        if held and not self.active:
            self._become_active()
        elif not held and self.active:
            self._say(f"scheduler {self.holder}: lost the lock; jobs stopped, now standby")
            self._become_standby()
        elif not held and not self._standby_said:
            self._say(f"scheduler {self.holder}: standby, another process holds the lock")
            self._standby_said = True

    def _become_active(self) -> None:
        self.active = True
        self._standby_said = False
        self._say(f"scheduler {self.holder}: holding the lock; running jobs")
        if not self.scheduler.running:
            self.scheduler.start()
        else:
            self.scheduler.resume()
        for service in services_for(self.app):
            try:
                handle = service.start(self.app)
            except Exception:  # the jobs still run; the service is retried on takeover
                log.exception("scheduler: service %s did not start", service.id)
                continue
            if handle is not None:
                self._services.append(handle)

    def _become_standby(self) -> None:
        self.active = False
        if self.scheduler.running:
            self.scheduler.pause()
        self._stop_services()

    def _stop_services(self) -> None:
        while self._services:
            handle = self._services.pop()
            try:
                handle.stop()
            except Exception:  # one service failing to stop must not keep the others
                log.exception("scheduler: a service did not stop cleanly")

    def run(self) -> None:
        """Heartbeat until :meth:`stop` (blocks; the CLI's main thread)."""
        try:
            self.step()
            while not self._stopping.wait(self.heartbeat_seconds):
                self.step()
        finally:
            self.close()

    def start(self) -> LockedScheduler:
        """Heartbeat in a background thread (``ivr-designer run --scheduler``)."""
        self._thread = threading.Thread(target=self.run, name="scheduler-lock", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def close(self) -> None:
        """Stop jobs and services and give the lock up (also after :meth:`step` use)."""
        was_active = self.active
        self._become_standby()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.lease.release()
        if was_active:
            self._say(f"scheduler {self.holder}: stopped and released the lock")


def start_embedded(app: Flask) -> LockedScheduler:
    """For ``ivr-designer run``: the same lock and jobs in a background thread."""
    return LockedScheduler(app).start()
