"""Browser tests of the editor: the app on a real threaded WSGI server over its own
committed database, driven by Playwright in Debian's headless chromium (no browser
download: ``executable_path=/usr/bin/chromium``)."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, sync_playwright
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from ivr_designer import create_app, crypto
from ivr_designer.auth.passwords import hash_password, make_hasher
from ivr_designer.extensions import db
from ivr_designer.models import AudioAsset, Organisation, Role, User, VoicemailBox
from tests.conftest import write_test_wav
from tests.integrations.fake_telegram import FakeTelegram, FakeTelegramServer
from tests.ivr_designer import test_e2e_calls as e2e

# The committed, per-test database of the end-to-end tests.
globals().update(live_database=e2e.live_database)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The inbox test starts a voicemail's <audio> from script, not a click.
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS = Path(__file__).parents[2] / "docs" / "screenshots"
BUILD = Path(__file__).parents[2] / "ivr_designer" / "static" / "editor" / "index.html"
EMAIL = "admin@demo.example"
PASSWORD = "a-Long-enough-passphrase"
BOT_TOKEN = "777001:AAH-editor-e2e-bot-token_0123456789"


@dataclass
class Site:
    app: Flask
    url: str
    engine: Engine
    org_id: int


@dataclass
class Browser:
    page: Page
    console_errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def docs_shot(self, name: str) -> Path:
        """A test artifact; with UPDATE_SCREENSHOTS=1 also the README's copy under
        docs/screenshots/ (not on every run, so tests leave the working tree clean)."""
        path = self.shot(name)
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            DOCS.mkdir(parents=True, exist_ok=True)
            (DOCS / f"{name}.png").write_bytes(path.read_bytes())
        return path


def seed(engine: Engine, app: Flask, *, fresh: bool = False) -> int:
    """The org and its admin; unless ``fresh``, also a voicemail box and a prompt."""
    with Session(engine) as session:
        org = Organisation(name="Demo ApS", slug="demo", language="da")
        session.add(org)
        session.flush()
        admin = User(
            org_id=org.id,
            role=Role.ORG_ADMIN,
            email=EMAIL,
            name="Admin",
            password_hash=hash_password(make_hasher(app.config), PASSWORD),
        )
        if fresh:
            session.add(admin)
            session.commit()
            return org.id
        box = VoicemailBox(org_id=org.id, key="vm-main", name="Hovednummer")
        box.listeners.append(admin)
        folder = Path(app.config["MEDIA_FOLDER"]) / "audio"
        folder.mkdir(parents=True, exist_ok=True)
        write_test_wav(folder / "welcome.pcm.wav")
        welcome = AudioAsset(
            org_id=org.id,
            key="welcome",
            name="Velkomst",
            use="prompt",
            kind="upload",
            status="ready",
            rights_kind="own_recording",
            telephony_path="audio/welcome.pcm.wav",
            duration_s=0.5,
        )
        session.add_all([admin, box, welcome])
        session.commit()
        return org.id


@contextmanager
def serve(
    live_database, tmp_path: Path, extra: dict[str, Any], *, fresh: bool = False
) -> Iterator[Site]:
    assert BUILD.is_file(), "the editor is not built: run `make editor` first"
    url, engine = live_database
    app = create_app(
        {
            "TESTING": True,
            "ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": "editor-e2e-secret",
            "ENCRYPTION_KEY": crypto.generate_key(),
            "AUDIO_WORKER_THREADS": 0,
            # The admin test's webhook receiver listens on 127.0.0.1.
            "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True,
            **extra,
        }
    )
    # The browser talks plain HTTP to 127.0.0.1 even when the public URL is https.
    app.config["SESSION_COOKIE_SECURE"] = False
    org_id = seed(engine, app, fresh=fresh)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(app, f"http://127.0.0.1:{server.server_port}", engine, org_id)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        db.engine(app).dispose()


@pytest.fixture
def site(live_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    with serve(live_database, tmp_path, {}) as running:
        yield running


@pytest.fixture
def fresh_site(live_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """Only the org and its admin, as `make run` leaves a new install: whoever follows the
    README creates the voicemail box and uploads the audio through the pages."""
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    with serve(live_database, tmp_path, {}, fresh=True) as running:
        yield running


@pytest.fixture
def worker_site(live_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """Uploads longer than a second are transcoded by the in-process audio worker."""
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    extra = {"AUDIO_WORKER_THREADS": 1, "AUDIO_INLINE_MAX_SECONDS": 1}
    with serve(live_database, tmp_path, extra) as running:
        yield running


@dataclass
class TelegramSite(Site):
    telegram: FakeTelegram = field(default=None)  # type: ignore[assignment]


@pytest.fixture
def telegram_site(
    live_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TelegramSite]:
    """The app with a Telegram API base URL on the local fake and an https public URL
    (Telegram only accepts https webhooks)."""
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    with FakeTelegramServer(BOT_TOKEN) as fake:
        extra = {
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "PUBLIC_BASE_URL": "https://ivr.example.com",
        }
        with serve(live_database, tmp_path, extra) as running:
            yield TelegramSite(
                running.app, running.url, running.engine, running.org_id, telegram=fake.fake
            )


def _is_expected(message: ConsoleMessage) -> bool:
    """The shell asks /api/me before anyone signed in; the browser logs that 401."""
    return "401" in message.text and message.location.get("url", "").endswith("/api/me")


@pytest.fixture
def browser() -> Iterator[Browser]:
    profile = tempfile.mkdtemp(prefix="ivr-editor-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1440, "height": 900},
                locale="en-GB",
            )
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(15_000)
            result = Browser(page)
            page.on(
                "console",
                lambda m: (
                    result.console_errors.append(m.text)
                    if m.type == "error" and not _is_expected(m)
                    else None
                ),
            )
            page.on("pageerror", lambda exc: result.console_errors.append(str(exc)))
            try:
                yield result
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
