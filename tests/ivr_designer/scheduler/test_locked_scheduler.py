"""Two schedulers in one process on one database: the lease decides who runs jobs."""

from __future__ import annotations

import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING, STATE_STOPPED
from sqlalchemy import select

from ivr_designer import create_app
from ivr_designer.extensions import db
from ivr_designer.jobs import HOLDER_KEY
from ivr_designer.models import SchedulerLock
from ivr_designer.retention.sweep import SweepReport
from ivr_designer.scheduler import LockedScheduler, build_scheduler, start_embedded
from tests.conftest import FAST_HASHING


def _app(url, instance, monkeypatch, **config):
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(instance))
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "SCHEDULER_LOCK_SECONDS": 0.9,
            "NOTIFY_WORKER_THREADS": 0,
            "AUDIO_WORKER_THREADS": 0,
            **FAST_HASHING,
            **config,
        }
    )


def _holder(engine):
    with engine.connect() as connection:
        return connection.execute(select(SchedulerLock.holder)).scalar_one_or_none()


def test_only_the_holder_runs_jobs_and_a_standby_takes_over(own_database, tmp_path, monkeypatch):
    url, engine = own_database
    said: list[str] = []
    app_a = _app(url, tmp_path / "a", monkeypatch, NOTIFY_WORKER_THREADS=1)
    app_b = _app(url, tmp_path / "b", monkeypatch)
    a = LockedScheduler(app_a, holder="h:1:a")
    b = LockedScheduler(app_b, holder="h:2:b", announce=said.append)
    try:
        a.step()
        assert a.active
        assert a.lease.held
        assert a.scheduler.state == STATE_RUNNING
        assert _holder(engine) == "h:1:a"
        [outbox] = a.services  # the outbox worker runs only in the holder
        assert outbox.running

        b.step()
        assert not b.active
        assert not b.lease.held
        assert b.scheduler.state == STATE_STOPPED
        assert any("standby" in message for message in said)

        a.step()  # a heartbeat renews
        assert a.active
        assert _holder(engine) == "h:1:a"

        time.sleep(1.0)  # a stops renewing (hung or killed): its lease lapses
        assert not a.lease.held  # its jobs refuse to run from now on
        b.step()
        assert b.active
        assert b.scheduler.state == STATE_RUNNING
        assert _holder(engine) == "h:2:b"

        a.step()  # a wakes up and finds the lock taken: it stops its jobs
        assert not a.active
        assert a.scheduler.state == STATE_PAUSED
        assert a.services == []
        assert not outbox.running
        assert b.services == []  # b's config runs no worker threads (the job polls instead)
    finally:
        a.close()
        b.close()
        db.engine(app_a).dispose()
        db.engine(app_b).dispose()
    assert _holder(engine) is None  # a clean stop releases the lock at once


def test_a_job_runs_only_while_the_guard_says_so(app):
    def job_call(guard, job_id="retention-sweep"):
        scheduler = build_scheduler(app, BackgroundScheduler, guard=guard)
        job = scheduler.get_job(job_id)
        return job.func(*job.args)

    assert job_call(lambda: False) is None
    assert isinstance(job_call(lambda: True), SweepReport)


def test_the_embedded_scheduler_takes_the_same_lock(own_database, tmp_path, monkeypatch):
    url, engine = own_database
    app = _app(url, tmp_path / "run", monkeypatch)
    runner = start_embedded(app)  # what `ivr-designer run --scheduler` does
    try:
        deadline = time.monotonic() + 20
        while not runner.active and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runner.active
        assert _holder(engine) == runner.holder
        assert app.extensions[HOLDER_KEY] == runner.holder
    finally:
        runner.stop()
        db.engine(app).dispose()
    assert _holder(engine) is None
