"""The worker for real: its own threads and connections, and as a process killed mid-send.

These tests need a committed database (a SQLite file, or a PostgreSQL schema of their
own): worker threads and processes cannot join the rolled-back test transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from ivr_designer import create_app, crypto, migrate
from ivr_designer.database import build_engine
from ivr_designer.extensions import db
from ivr_designer.models import (
    DeliveryAttempt,
    Organisation,
    OutboxDelivery,
    TelegramBot,
    TelegramChat,
    User,
    Voicemail,
    VoicemailBox,
)
from ivr_designer.outbox import worker
from ivr_designer.outbox.enqueue import enqueue_voicemail
from ivr_designer.outbox.worker import start_worker
from tests.conftest import drop_postgres_schema, postgres_engine, write_test_wav
from tests.integrations.fake_telegram import FakeTelegramServer
from tests.ivr_designer.outbox.conftest import BOT_TOKEN, LISTENER_CHAT

CLI = Path(sys.executable).with_name("ivr-designer")


@dataclass
class Live:
    url: str
    engine: Engine
    env: dict[str, str]
    app: Flask
    org_id: int
    box_id: int

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def store_voicemail(self) -> int:
        """A voicemail with its deliveries, committed together (as the callback does)."""
        media = Path(self.app.config["MEDIA_FOLDER"]) / "voicemail"
        media.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.wav"
        write_test_wav(media / name, seconds=0.5)
        # The INSERT comes first, so on SQLite this transaction holds the write lock
        # from its first statement (as the recording callback's write phase does).
        with self.session() as session:
            voicemail = Voicemail(
                org_id=self.org_id,
                box_id=self.box_id,
                recording_sid=f"RE{uuid.uuid4().hex}",
                caller="+4511223344",
                duration_s=1,
                media_path=f"voicemail/{name}",
                status="ready",
            )
            session.add(voicemail)
            session.flush()
            enqueue_voicemail(session, voicemail)
            session.commit()
            return voicemail.id

    def delivery(self, voicemail_id: int) -> OutboxDelivery:
        with self.session() as session:
            return session.execute(
                select(OutboxDelivery).where(OutboxDelivery.subject_id == voicemail_id)
            ).scalar_one()

    def sending(self, voicemail_id: int) -> bool:
        """Prepared (its Opus rendition made) and claimed: the upload is under way."""
        with self.session() as session:
            voicemail = session.get(Voicemail, voicemail_id)
            prepared = voicemail is not None and voicemail.opus_path is not None
        return prepared and self.delivery(voicemail_id).status == "delivering"

    def attempts(self, delivery_id: int) -> list[DeliveryAttempt]:
        with self.session() as session:
            return list(
                session.execute(
                    select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id)
                ).scalars()
            )


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _seed(engine: Engine, app: Flask) -> tuple[int, int]:
    with Session(engine) as session:
        org = Organisation(name="Live ApS", slug=f"live-{uuid.uuid4().hex[:6]}", language="en")
        session.add(org)
        session.flush()
        listener = User(
            org_id=org.id,
            role="staff",
            email=f"{uuid.uuid4().hex[:8]}@live.example",
            name="Lis",
            password_hash="x",
        )
        box = VoicemailBox(org_id=org.id, key="vm-main", name="Main line")
        box.listeners = [listener]
        session.add_all([listener, box])
        session.flush()
        session.add(
            TelegramBot(
                org_id=org.id,
                token_encrypted=crypto.encrypt(BOT_TOKEN, app),
                webhook_secret_encrypted=crypto.encrypt("hook-secret", app),
            )
        )
        session.add(
            TelegramChat(
                org_id=org.id, chat_id=LISTENER_CHAT, chat_type="private", user_id=listener.id
            )
        )
        session.commit()
        return org.id, box.id


@pytest.fixture
def live(
    backend: str,
    database_url: str,
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Live]:
    yield from _live(backend, database_url, tmp_path, fake_telegram, monkeypatch)


@pytest.fixture
def sqlite_live(
    tmp_path: Path, fake_telegram: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Live]:
    """SQLite whatever the run's backend: where the sending threads get a process."""
    yield from _live("sqlite", "", tmp_path, fake_telegram, monkeypatch)


def _live(
    backend: str,
    database_url: str,
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Live]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.sqlite'}"
        engine, schema = build_engine(url), None
    else:
        schema = f"outbox_{uuid.uuid4().hex[:12]}"
        engine = postgres_engine(database_url, schema)
        joiner = "&" if "?" in database_url else "?"
        url = f"{database_url}{joiner}options=-csearch_path%3D{schema}"
    with engine.connect() as connection:
        migrate.upgrade(connection)
    instance = tmp_path / "instance"
    instance.mkdir()
    # Settings only the instance config file sets: a short lease and a quick poll.
    (instance / "config.py").write_text("NOTIFY_LEASE_SECONDS = 2\nNOTIFY_POLL_SECONDS = 0.2\n")
    env = {
        **os.environ,
        "IVR_INSTANCE_PATH": str(instance),
        "DATABASE_URL": url,
        "SECRET_KEY": "live-secret",
        "ENCRYPTION_KEY": crypto.generate_key(),
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "IVR_ENV": "testing",
    }
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(instance))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": env["SECRET_KEY"],
            "ENCRYPTION_KEY": env["ENCRYPTION_KEY"],
            "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        }
    )
    fake_telegram.fake.chats[LISTENER_CHAT] = "ok"
    try:
        yield Live(url, engine, env, app, *_seed(engine, app))
    finally:
        db.engine(app).dispose()
        engine.dispose()
        if schema is not None:
            drop_postgres_schema(database_url, schema)


def test_worker_threads_deliver_what_is_stored_without_being_asked(
    live, fake_telegram, monkeypatch
):
    rounds: list[float] = []
    settle_and_claim = worker.settle_and_claim

    def timed_round(*args: Any) -> list[int]:
        if threading.current_thread().name == "outbox-dispatch":  # not stop()'s last one
            rounds.append(time.monotonic())
        return settle_and_claim(*args)

    monkeypatch.setattr(worker, "settle_and_claim", timed_round)  # watched, not replaced
    handle = start_worker(live.app, threads=2)
    try:
        assert live.app.config["NOTIFY_LEASE_SECONDS"] == 2  # from the instance config
        # SQLite: the worker's process checkpoints the log, off the webhooks' commits.
        checkpointer = handle.checkpointer
        assert (checkpointer is not None) == (live.engine.dialect.name == "sqlite")
        ids = [live.store_voicemail() for _ in range(7)]
        for voicemail_id in ids:
            wait_until(
                lambda v=voicemail_id: live.delivery(v).status == "delivered",
                20,
                "the worker to deliver",
            )
    finally:
        handle.stop()
    assert not handle.running
    assert checkpointer is None or not checkpointer._thread.is_alive()
    assert len(fake_telegram.fake.calls("sendVoice")) == 7
    # Never two of the dispatcher's rounds (each a write transaction) closer than
    # ROUND_GAP, even while finished deliveries keep waking it.
    gaps = [later - earlier for earlier, later in pairwise(rounds)]
    assert min(gaps) >= worker.ROUND_GAP - 0.01


def _sending_policies(handle: Any) -> set[int]:
    """The scheduling policy of every thread that sends, as the kernel reports it."""
    if handle.sender is not None:  # SQLite: all threads of the sending process
        tasks = Path(f"/proc/{handle.sender.pid}/task").iterdir()
        return {os.sched_getscheduler(int(task.name)) for task in tasks}
    return {os.sched_getscheduler(thread.native_id) for thread in handle._deliverers}


@pytest.mark.parametrize("background", [True, False])
def test_sending_yields_the_cpu_to_webhooks_but_the_dispatcher_does_not(
    live, fake_telegram, background
):
    live.app.config["NOTIFY_SEND_IN_BACKGROUND"] = background
    handle = start_worker(live.app, threads=2)
    try:
        voicemail_id = live.store_voicemail()
        wait_until(lambda: live.delivery(voicemail_id).status == "delivered", 30, "a delivery")
        sending = _sending_policies(handle)
        dispatcher = os.sched_getscheduler(handle._dispatcher.native_id)
    finally:
        handle.stop()
    # SQLite sends from a child process (the dispatcher needs its GIL while it holds the
    # write lock webhooks queue for); PostgreSQL from lowered threads of the worker.
    assert (handle.sender is not None) == (background and live.engine.dialect.name == "sqlite")
    assert sending == {os.SCHED_IDLE if background else os.SCHED_OTHER}
    assert dispatcher == os.SCHED_OTHER
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the caller's thread is untouched


def test_a_sending_process_that_dies_is_replaced_and_the_message_still_arrives(
    sqlite_live, fake_telegram
):
    live, fake = sqlite_live, fake_telegram.fake
    fake.delay = 3.0  # Telegram is slow: the kill lands while the upload is in flight
    handle = start_worker(live.app, threads=1)
    try:
        assert handle.sender is not None
        first = handle.sender.pid
        voicemail_id = live.store_voicemail()

        wait_until(lambda: live.sending(voicemail_id), 30, "the delivery to start")
        time.sleep(0.5)
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: handle.sender.pid != first, 20, "a new sending process")
        assert live.delivery(voicemail_id).status == "delivering"  # nothing was written
        fake.delay = 0
        wait_until(
            lambda: live.delivery(voicemail_id).status == "delivered",
            30,
            "the delivery to be retried after its lease",
        )
    finally:
        handle.stop()
    assert not handle.running
    delivery = live.delivery(voicemail_id)
    # At least once: the first upload reached Telegram before the kill, then the retry.
    wait_until(lambda: len(fake.calls("sendVoice")) == 2, 10, "both uploads")
    assert delivery.attempts == 1
    assert delivery.remote_id is not None


def test_the_sending_process_ends_with_the_worker(sqlite_live, fake_telegram, tmp_path):
    """A worker killed outright takes its sending process with it (nothing sends on)."""
    log = tmp_path / "worker.log"
    worker = _worker(sqlite_live, log)
    try:
        children = wait_until(lambda: _children(worker.pid), 60, "the sending process")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    for child in children:
        wait_until(lambda c=child: not Path(f"/proc/{c}").exists() or _zombie(c), 10, "its end")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        listed = task / "children"
        if listed.exists():
            found += [int(child) for child in listed.read_text().split()]
    return found


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def _worker(live: Live, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(CLI), "worker", "--threads", "1"],
            env=live.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def test_a_worker_killed_mid_delivery_is_replaced_and_the_message_still_arrives(
    live, fake_telegram, tmp_path
):
    fake = fake_telegram.fake
    fake.delay = 4.0  # Telegram is slow: the kill lands while the upload is in flight
    first = _worker(live, tmp_path / "first.log")
    try:
        voicemail_id = live.store_voicemail()

        wait_until(lambda: live.sending(voicemail_id), 30, "the delivery to start")
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    row = live.delivery(voicemail_id)
    assert (row.status, row.attempts) == ("delivering", 0)  # claimed, never finished

    fake.delay = 0.0
    log = tmp_path / "second.log"
    second = _worker(live, log)
    try:
        wait_until(lambda: live.delivery(voicemail_id).status == "delivered", 30, "the redelivery")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    output = log.read_bytes()
    assert second.returncode == 0, output
    assert b"Outbox worker stopped" in output
    row = live.delivery(voicemail_id)
    assert row.attempts == 1
    assert [a.outcome for a in live.attempts(row.id)] == ["delivered"]
    voices = fake.calls("sendVoice")
    assert voices  # at least once (the killed upload may have landed too)
    assert all(v.files["voice"][1].startswith(b"OggS") for v in voices)


def test_sigterm_lets_the_delivery_in_flight_finish(live, fake_telegram, tmp_path):
    fake_telegram.fake.delay = 2.0
    log = tmp_path / "worker.log"
    worker = _worker(live, log)
    try:
        voicemail_id = live.store_voicemail()
        wait_until(lambda: live.delivery(voicemail_id).status == "delivering", 30, "the delivery")
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, log.read_bytes()
    assert live.delivery(voicemail_id).status == "delivered"


def _in_transaction(connection: Any) -> bool:
    """Whether the DBAPI connection under a SQLAlchemy connection has a transaction open."""
    raw = connection.connection.dbapi_connection
    if hasattr(raw, "info"):  # psycopg
        return bool(raw.info.transaction_status != raw.info.transaction_status.IDLE)
    return bool(raw.in_transaction)  # sqlite3


def test_a_delivery_reads_without_holding_a_transaction_on_postgresql(live, fake_telegram):
    """PostgreSQL: the reads before sending run as single statements (no BEGIN/COMMIT
    round trips); the connection goes back to the pool transactional as before."""
    engine = db.engine(live.app)
    voicemail_id = live.store_voicemail()
    with live.app.app_context():
        (delivery_id,) = worker.claim_due(live.app, 10)
    after: list[tuple[str, bool]] = []

    def watch(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        after.append((statement, _in_transaction(connection)))

    event.listen(engine, "after_cursor_execute", watch)
    try:
        with live.app.app_context():
            assert worker.deliver_one(live.app, delivery_id) == "delivered"
    finally:
        event.remove(engine, "after_cursor_execute", watch)
    assert live.delivery(voicemail_id).status == "delivered"
    assert len(fake_telegram.fake.calls("sendVoice")) == 1
    statement, open_after_read = next(item for item in after if item[0] != "BEGIN")
    assert "outbox_delivery" in statement  # the joined read of the delivery
    assert open_after_read is (engine.dialect.name == "sqlite")
    # The writes (the rendition's path, the outcome) ran in transactions: on SQLite
    # every statement does; on PostgreSQL autocommit must not have leaked past the read.
    writes = [open_ for text_, open_ in after if text_.lstrip().upper().startswith("UPDATE")]
    assert writes
    assert all(writes)
    with engine.connect() as connection:  # a connection from the pool, reset
        connection.exec_driver_sql("SELECT 1")
        assert _in_transaction(connection)


def test_a_postponed_delivery_is_written_in_a_transaction_after_the_plain_read(live):
    """The write after a read without a transaction (PostgreSQL) gets one of its own."""
    engine = db.engine(live.app)
    voicemail_id = live.store_voicemail()
    with live.session() as session:  # the recording is still being fetched
        session.execute(
            update(Voicemail).where(Voicemail.id == voicemail_id).values(status="pending_media")
        )
        session.commit()
    with live.app.app_context():
        (delivery_id,) = worker.claim_due(live.app, 10)
    after: list[tuple[str, bool]] = []

    def watch(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        after.append((statement, _in_transaction(connection)))

    event.listen(engine, "after_cursor_execute", watch)
    try:
        with live.app.app_context():
            assert worker.deliver_one(live.app, delivery_id) == "postponed"
    finally:
        event.remove(engine, "after_cursor_execute", watch)
    assert live.delivery(voicemail_id).status == "pending"
    writes = [open_ for text_, open_ in after if text_.lstrip().upper().startswith("UPDATE")]
    assert writes
    assert all(writes)


def test_a_separate_worker_is_woken_by_the_commit_not_by_its_poll(
    live, fake_telegram, tmp_path, backend
):
    """PostgreSQL: NOTIFY at commit wakes the other process (its poll is 30 s here).
    SQLite has no cross-process signal; the worker's short poll finds the row."""
    if backend == "postgresql":
        config = Path(live.env["IVR_INSTANCE_PATH"]) / "config.py"
        config.write_text("NOTIFY_LEASE_SECONDS = 2\nNOTIFY_POLL_SECONDS = 30\n")
    log = tmp_path / "worker.log"
    worker = _worker(live, log)
    try:
        wait_until(lambda: b"running" in log.read_bytes(), 30, "the worker to start")
        time.sleep(1.0)  # its first round (at start) is over; now it waits
        voicemail_id = live.store_voicemail()
        stored = time.monotonic()
        wait_until(lambda: live.delivery(voicemail_id).status == "delivered", 20, "delivery")
        assert time.monotonic() - stored < 15  # well before the next poll
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert worker.returncode == 0, log.read_bytes()
