"""The scheduler lease on the database: acquire, renew, refuse, take over, release."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ivr_designer.models import SchedulerLock
from ivr_designer.models.base import utcnow
from ivr_designer.scheduler import LOCK_NAME, release, try_acquire


def _row(connection):
    return connection.execute(select(SchedulerLock.__table__)).one_or_none()


def test_first_scheduler_takes_the_missing_lock(connection):
    now = utcnow()
    expires = try_acquire(connection, "a", 30, now=now)
    assert expires == now + timedelta(seconds=30)
    row = _row(connection)
    assert (row.name, row.holder, row.expires_at, row.acquired_at) == (LOCK_NAME, "a", expires, now)


def test_a_second_scheduler_is_refused_while_the_lease_runs(connection):
    now = utcnow()
    try_acquire(connection, "a", 30, now=now)
    assert try_acquire(connection, "b", 30, now=now + timedelta(seconds=29)) is None
    assert _row(connection).holder == "a"


def test_the_holder_renews_and_keeps_its_acquired_time(connection):
    start = utcnow()
    try_acquire(connection, "a", 30, now=start)
    later = start + timedelta(seconds=10)
    assert try_acquire(connection, "a", 30, now=later) == later + timedelta(seconds=30)
    row = _row(connection)
    assert (row.holder, row.acquired_at) == ("a", start)
    assert row.expires_at == later + timedelta(seconds=30)


def test_a_lapsed_lease_is_taken_over(connection):
    start = utcnow()
    try_acquire(connection, "a", 30, now=start)
    after = start + timedelta(seconds=31)
    assert try_acquire(connection, "b", 30, now=after) == after + timedelta(seconds=30)
    row = _row(connection)
    assert (row.holder, row.acquired_at) == ("b", after)
    # The old holder cannot renew any more: it must stop running jobs.
    assert try_acquire(connection, "a", 30, now=after + timedelta(seconds=1)) is None


def test_release_only_by_the_holder(connection):
    now = utcnow()
    try_acquire(connection, "a", 30, now=now)
    assert release(connection, "b") is False
    assert _row(connection).holder == "a"
    assert release(connection, "a") is True
    assert _row(connection) is None
    assert try_acquire(connection, "b", 30, now=now) is not None


def test_locks_by_name_are_independent(connection):
    now = utcnow()
    assert try_acquire(connection, "a", 30, name="jobs", now=now)
    assert try_acquire(connection, "b", 30, name="other", now=now)
