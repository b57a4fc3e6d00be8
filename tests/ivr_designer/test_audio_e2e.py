"""Acceptance over real HTTP: upload → ready → referenced by a published flow → the
provider fetches the <Play> URL from the TwiML and gets the WAV; a tampered or
expired signature is refused."""

from __future__ import annotations

import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from ivr_designer import create_app, crypto
from ivr_designer.auth.api_tokens import new_secret
from ivr_designer.extensions import db
from ivr_designer.media.signing import derive_key, sign_audio
from ivr_designer.models import ApiToken, Organisation, ProviderAccount, Role, User
from tests.ivr_designer import test_e2e_calls as e2e
from tests.ivr_designer.fake_provider import FakeProvider, requests_transport

# The committed, per-test database of the end-to-end call tests.
globals().update(live_database=e2e.live_database)

TOKEN = "audio-live-token-0123456789"
SID = "AC" + "6" * 32
NUMBER = "+4570200001"
SECRET = "audio-live-secret"


@dataclass
class Live:
    app: Flask
    url: str
    engine: Engine
    provider: FakeProvider
    org_id: int
    account_id: int
    headers: dict[str, str]


def seed(engine: Engine, app: Flask) -> tuple[int, int, str]:
    with Session(engine) as session:
        org = Organisation(name="Lyd ApS", slug="lyd", language="da")
        session.add(org)
        session.flush()
        admin = User(
            org_id=org.id,
            role=Role.ORG_ADMIN,
            email="admin@lyd.example",
            name="Admin",
            password_hash="x",
        )
        account = ProviderAccount(
            org_id=org.id,
            provider="twilio",
            account_sid=SID,
            auth_token_encrypted=crypto.encrypt(TOKEN, app),
        )
        session.add_all([admin, account])
        session.flush()
        secret = new_secret()
        session.add(
            ApiToken(
                user_id=admin.id,
                name="e2e",
                prefix=secret.prefix,
                token_hash=secret.digest,
            )
        )
        session.commit()
        return org.id, account.id, secret.secret


@pytest.fixture
def live(live_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    url, engine = live_database
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "ENCRYPTION_KEY": crypto.generate_key(),
            "PUBLIC_BASE_URL": "https://ivr.example.invalid",
            "AUDIO_WORKER_THREADS": 0,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider = FakeProvider(SID, TOKEN, requests_transport()).start()
    org_id, account_id, secret = seed(engine, app)
    try:
        yield Live(
            app,
            f"http://127.0.0.1:{server.server_port}",
            engine,
            provider,
            org_id,
            account_id,
            {"Authorization": f"Bearer {secret}"},
        )
    finally:
        provider.stop()
        server.shutdown()
        server.server_close()
        thread.join()
        db.engine(app).dispose()


def greeting(path: Path) -> Path:
    subprocess.run(
        ["espeak-ng", "-v", "da", "-w", str(path), "Velkommen til Lyd ApS"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def test_uploaded_greeting_is_played_to_the_provider_over_http(live: Live, tmp_path: Path):
    http = requests.Session()
    http.headers.update(live.headers)
    with greeting(tmp_path / "velkommen.wav").open("rb") as fh:
        uploaded = http.post(
            f"{live.url}/api/audio",
            data={"key": "welcome", "name": "Velkomst", "rights_kind": "own_recording"},
            files={"file": ("velkommen.wav", fh, "audio/wav")},
            timeout=60,
        )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["status"] == "ready"
    document = {
        "format": 1,
        "name": "main",
        "entry": "hello",
        "nodes": {
            "hello": {"type": "play", "props": {"audio": "welcome"}, "ports": {"next": "bye"}},
            "bye": {"type": "hangup", "props": {}, "ports": {}},
        },
        "layout": {},
    }
    flow = http.post(f"{live.url}/api/flows", json={"name": "main", "document": document})
    assert flow.status_code == 201, flow.text
    published = http.post(f"{live.url}/api/flows/{flow.json()['id']}/publish", json={})
    assert published.status_code == 201, published.text
    number = http.post(
        f"{live.url}/api/numbers",
        json={
            "e164": NUMBER,
            "provider_account_id": live.account_id,
            "voice_flow_id": flow.json()["id"],
        },
    )
    assert number.status_code == 201, number.text

    call = live.provider.call(live.url, NUMBER)

    plays = [v.text for v in ET.fromstring(call.exchanges[0].body) if v.tag == "Play"]
    assert len(plays) == 1
    play_url = plays[0]
    assert urlsplit(play_url).path == f"/media/audio/{live.org_id}/welcome"
    fetched = requests.get(play_url, timeout=10)  # the provider: no session, no token
    assert fetched.status_code == 200
    assert fetched.headers["Content-Type"].startswith("audio/")
    assert fetched.content[:4] == b"RIFF"
    admin_copy = http.get(
        f"{live.url}/api/audio/{uploaded.json()['id']}/file", params={"rendition": "telephony"}
    )
    assert admin_copy.status_code == 200
    assert fetched.content == admin_copy.content

    query = parse_qs(urlsplit(play_url).query)
    base = f"{live.url}/media/audio/{live.org_id}/welcome"
    tampered_sig = query["sig"][0][:-1] + ("0" if query["sig"][0][-1] != "0" else "1")
    tampered = requests.get(f"{base}?{urlencode({'exp': query['exp'][0], 'sig': tampered_sig})}")
    assert tampered.status_code == 403
    later = str(int(query["exp"][0]) + 3600)  # a later expiry under the old signature
    assert (
        requests.get(f"{base}?{urlencode({'exp': later, 'sig': query['sig'][0]})}").status_code
        == 403
    )
    past = int(time.time()) - 60
    expired_sig = sign_audio(derive_key(SECRET), live.org_id, "welcome", past)
    expired = requests.get(f"{base}?{urlencode({'exp': past, 'sig': expired_sig})}")
    assert expired.status_code == 403
    other_key = f"{live.url}/media/audio/{live.org_id}/other?{urlsplit(play_url).query}"
    assert requests.get(other_key).status_code == 403
