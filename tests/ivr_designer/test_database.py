"""Engine set-up and the shared column types."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from ivr_designer.database import WalCheckpointer, build_engine, sqlite_file
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


def _rows_in_database_file(path, tmp_path) -> int:
    """Rows of ``t`` found in the database file alone (a copy without its -wal file)."""
    copy = tmp_path / "file-only.sqlite"
    shutil.copyfile(path, copy)
    with closing(sqlite3.connect(copy)) as connection:
        found = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 't'"
        ).fetchone()[0]
        return int(connection.execute("SELECT count(*) FROM t").fetchone()[0]) if found else 0


def test_checkpointer_moves_the_log_into_the_database_file(tmp_path):
    path = tmp_path / "x.sqlite"
    engine = build_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        # Only the checkpointer may checkpoint here: SQLite's own would hide whether it ran.
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
        for _ in range(50):
            connection.exec_driver_sql("INSERT INTO t VALUES (hex(randomblob(2000)))")
        connection.commit()
        assert _rows_in_database_file(path, tmp_path) == 0  # all of it still in the log
        checkpointer = WalCheckpointer(str(path), interval=0.05).start()
        try:
            deadline = time.monotonic() + 10
            while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert checkpointer.checkpoints >= 1
            assert _rows_in_database_file(path, tmp_path) == 50
            # The next writer starts the log over instead of growing it.
            size = (tmp_path / "x.sqlite-wal").stat().st_size
            connection.exec_driver_sql("INSERT INTO t VALUES ('one more')")
            connection.commit()
            assert (tmp_path / "x.sqlite-wal").stat().st_size <= size
        finally:
            checkpointer.stop(5)
    assert not checkpointer._thread.is_alive()
    engine.dispose()


def test_checkpointer_survives_a_database_it_cannot_open(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ivr_designer.database")
    checkpointer = WalCheckpointer(str(tmp_path / "missing" / "x.sqlite"), interval=0.02).start()
    try:
        deadline = time.monotonic() + 10
        while "background checkpoint failed" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "background checkpoint failed" in caplog.text
        assert checkpointer._thread.is_alive()  # it tries again on the next tick
        time.sleep(0.2)  # ten more failed tries, not ten more warnings
        assert caplog.text.count("background checkpoint failed") == 1
        (tmp_path / "missing").mkdir()
        time.sleep(0.1)
        assert not (tmp_path / "missing" / "x.sqlite").exists()  # not made by the checkpointer
        sqlite3.connect(tmp_path / "missing" / "x.sqlite").close()
        deadline = time.monotonic() + 10
        while "work again" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "background checkpoints work again" in caplog.text
    finally:
        checkpointer.stop(5)


def test_sqlite_file_names_only_a_file_database(tmp_path):
    assert sqlite_file(build_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")) == str(
        tmp_path / "x.sqlite"
    )
    assert sqlite_file(build_engine("sqlite://")) is None
    assert sqlite_file(build_engine("postgresql+psycopg://u@127.0.0.1:1/x")) is None
