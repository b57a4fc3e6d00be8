"""The worker for real: its own threads and connections, and as a process killed mid-send.

These tests need a committed database (a SQLite file, or a PostgreSQL schema of their
own): worker threads and processes cannot join the rolled-back test transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select
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


def test_worker_threads_deliver_what_is_stored_without_being_asked(live, fake_telegram):
    handle = start_worker(live.app, threads=2)
    try:
        assert live.app.config["NOTIFY_LEASE_SECONDS"] == 2  # from the instance config
        ids = [live.store_voicemail() for _ in range(3)]
        for voicemail_id in ids:
            wait_until(
                lambda v=voicemail_id: live.delivery(v).status == "delivered",
                20,
                "the worker to deliver",
            )
    finally:
        handle.stop()
    assert not handle.running
    assert len(fake_telegram.fake.calls("sendVoice")) == 3


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

        def in_flight() -> bool:
            with live.session() as session:
                voicemail = session.get(Voicemail, voicemail_id)
                prepared = voicemail is not None and voicemail.opus_path is not None
            return prepared and live.delivery(voicemail_id).status == "delivering"

        wait_until(in_flight, 30, "the delivery to start")
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
