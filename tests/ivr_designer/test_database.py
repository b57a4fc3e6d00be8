"""Engine set-up and the shared column types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from ivr_designer.database import build_engine
from ivr_designer.models import LoginAttempt


def test_sqlite_gets_wal_and_foreign_keys(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    engine.dispose()


def test_datetimes_come_back_aware_in_utc(db_session):
    copenhagen = timezone(timedelta(hours=1))
    when = datetime(2026, 1, 2, 13, 0, tzinfo=copenhagen)
    db_session.add(
        LoginAttempt(email="a@b.example", ip_address="::1", succeeded=True, created_at=when)
    )
    db_session.commit()
    db_session.expire_all()
    stored = db_session.execute(select(LoginAttempt.created_at)).scalar_one()
    assert stored == when
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored.hour == 12
    assert stored.tzinfo == UTC or stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db_session):
    db_session.add(
        LoginAttempt(
            email="a@b.example", ip_address="::1", succeeded=True, created_at=datetime(2026, 1, 1)
        )
    )
    with pytest.raises(StatementError, match="naive"):
        db_session.flush()
    db_session.rollback()
