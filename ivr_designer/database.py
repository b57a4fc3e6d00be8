"""The database handle: one engine per app, one session per app context.

Plain SQLAlchemy instead of Flask-SQLAlchemy keeps the models usable outside Flask
(scheduler, CLI, tests) and lets tests bind the session to an outer transaction.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_EXTENSION = "ivr_designer.db"
log = logging.getLogger(__name__)


def normalise_database_url(url: str) -> str:
    """Accept the spellings hosting platforms hand out and pin the psycopg 3 driver.

    >>> normalise_database_url("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL for concurrent readers, and real SAVEPOINT support.

    pysqlite's own transaction handling fights SAVEPOINT; handing BEGIN to SQLAlchemy
    is the documented workaround and is what lets tests wrap each test in a
    transaction.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if sqlite_file(engine) is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL's documented safe level: never corrupts; a power cut (not an app
            # crash) may undo the last commits. FULL would fsync on every webhook commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def sqlite_file(engine: Engine) -> str | None:
    """The database file of a SQLite engine; None for PostgreSQL and in-memory SQLite."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return None
    return str(database)


class WalCheckpointer:
    """SQLite: copy the write-ahead log into the database file from a background thread.

    Left to itself, SQLite checkpoints inside whichever commit takes the log past 1,000
    pages: under call load that is a webhook's commit, once or twice a second, and it
    copies some 4 MB and waits for the disk while the webhooks queued behind it at the
    write gate wait too. Checkpointing more often from here keeps the log below that
    mark, so no commit has to. PASSIVE: it never waits for, nor
    blocks, readers and writers; a checkpoint it cannot finish (a reader on an old
    snapshot) is finished by a later one, or by SQLite's own as before.
    """

    def __init__(self, path: str, interval: float = 0.2) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0  # those that found frames to copy
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        failing = False
        while not self._stopping.wait(self.interval):
            try:
                if connection is None:
                    # mode=rw: never create an empty database where the real one is gone.
                    connection = sqlite3.connect(
                        f"file:{quote(self.path)}?mode=rw", uri=True, isolation_level=None
                    )
                # (busy, frames in the log, frames copied); -1s when not in WAL mode.
                row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if row[2] > 0:
                    self.checkpoints += 1
                if failing:
                    log.info("sqlite: background checkpoints work again")
                failing = False
            except sqlite3.Error as exc:  # retried on the next tick, on a new connection
                if not failing:  # once per outage: five times a second would flood the log
                    log.warning("sqlite: background checkpoint failed (%s); retrying", exc)
                failing = True
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()


def build_engine(url: str, **options: Any) -> Engine:
    """Create an engine for ``url``; no connection is opened until first use."""
    url = normalise_database_url(url)
    engine_options: dict[str, Any] = {"future": True}
    if make_url(url).get_backend_name() != "sqlite":
        engine_options["pool_pre_ping"] = True
    engine_options.update(options)
    engine = create_engine(url, **engine_options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


class _State:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker: sessionmaker[Session] = sessionmaker(bind=engine, expire_on_commit=False)


class Database:
    """Per-app engine and per-app-context session (``db.session``)."""

    def init_app(self, app: Flask) -> None:
        app.extensions[_EXTENSION] = _State(build_engine(app.config["DATABASE_URL"]))
        app.after_request(self._finish_request)
        app.teardown_appcontext(self._close_session)

    def _state(self, app: Flask | None = None) -> _State:
        state: _State = (app or current_app).extensions[_EXTENSION]
        return state

    def engine(self, app: Flask | None = None) -> Engine:
        return self._state(app).engine

    @property
    def session(self) -> Session:
        """The session of the current app context, created on first use."""
        session: Session | None = g.get("_db_session")
        if session is None:
            session = self._state().sessionmaker()
            g._db_session = session
        return session

    def new_session(self) -> Session:
        """A session independent of ``db.session`` (its own transaction)."""
        return self._state().sessionmaker()

    def bind(self, app: Flask, bind: Any) -> None:
        """Point every future session at ``bind``.

        Tests bind an open connection so that the app's commits become savepoints
        of a transaction the test rolls back.
        """
        self._state(app).sessionmaker = sessionmaker(
            bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    def _finish_request(self, response: Response) -> Response:
        """The request boundary: keep the work of a successful request, drop the rest."""
        session: Session | None = g.get("_db_session")
        if session is not None:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        return response

    def _close_session(self, _exc: BaseException | None) -> None:
        session: Session | None = g.pop("_db_session", None)
        if session is not None:
            session.close()
