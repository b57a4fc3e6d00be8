"""End to end: the app on a real threaded WSGI server, a fake provider placing calls.

Each test gets its own committed database (a SQLite file, or a PostgreSQL schema),
migrated, seeded and dropped afterwards: the server's worker threads each use their
own connections, which the rolled-back single-connection fixture cannot offer.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from ivr_designer import create_app, crypto, migrate
from ivr_designer.callflows.documents import document_sha256
from ivr_designer.calls.storage import app_provider_factory, retry_pending_media
from ivr_designer.database import build_engine
from ivr_designer.models import (
    Call,
    CallStep,
    Fax,
    FaxBox,
    Flow,
    FlowVersion,
    Organisation,
    PhoneNumber,
    ProviderAccount,
    Voicemail,
    VoicemailBox,
)
from ivr_designer.models.base import utcnow
from tests.conftest import drop_postgres_schema, postgres_engine
from tests.ivr_designer.fake_provider import PDF, WAV, CallScript, FakeProvider, requests_transport

EXAMPLES = Path(__file__).parents[2] / "flows" / "examples"
TOKEN = "live-auth-token-9876543210"
SID = "AC" + "5" * 32
MAIN = "+4570100001"
FAX = "+4570100002"
FAX_FLOW = "+4570100003"


def example(name: str, **hours: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    if hours:
        document["nodes"]["hours"]["props"].update(hours)
    return document


@pytest.fixture
def live_database(backend: str, database_url: str, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated database of its own, committed for real, dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.sqlite'}"
        engine = build_engine(url)
        schema = None
    else:
        schema = f"live_{uuid.uuid4().hex[:12]}"
        engine = postgres_engine(database_url, schema)
        url = (
            database_url
            + ("&" if "?" in database_url else "?")
            + f"options=-csearch_path%3D{schema}"
        )
    with engine.connect() as connection:
        migrate.upgrade(connection)
    yield url, engine
    engine.dispose()
    if schema is not None:
        drop_postgres_schema(database_url, schema)


@dataclass
class Live:
    app: Flask
    url: str
    engine: Engine
    provider: FakeProvider
    org_id: int
    flow_id: int

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def all(self, model: Any) -> list[Any]:
        with self.session() as session:
            return list(session.execute(select(model).order_by(model.id)).scalars())

    def publish(self, document: dict[str, Any], flow_id: int | None = None) -> int:
        with self.session() as session:
            flow = session.get(Flow, flow_id or self.flow_id)
            number = 1 + len(
                session.execute(select(FlowVersion).where(FlowVersion.flow_id == flow.id)).all()
            )
            version = FlowVersion(
                org_id=flow.org_id,
                flow_id=flow.id,
                number=number,
                document=document,
                message=f"v{number}",
                sha256=document_sha256(document),
            )
            session.add(version)
            session.flush()
            flow.published_version_id = version.id
            session.commit()
            return version.id


def seed(session: Session, app: Flask, rest_url: str) -> tuple[int, int]:
    org = Organisation(name="Live ApS", slug="live", language="da")
    session.add(org)
    session.flush()
    account = ProviderAccount(
        org_id=org.id,
        provider="twilio",
        account_sid=SID,
        auth_token_encrypted=crypto.encrypt(TOKEN, app),
        api_base_url=rest_url,
    )
    vm_box = VoicemailBox(org_id=org.id, key="vm-main", name="Main")
    fax_box = FaxBox(org_id=org.id, key="fax-main", name="Fax")
    session.add_all([account, vm_box, fax_box])
    session.flush()
    flows = {}
    for name, document in (
        ("main_number", example("main_number", override="open")),
        ("fax_line", example("fax_line")),
    ):
        flow = Flow(org_id=org.id, name=name, draft=document)
        session.add(flow)
        session.flush()
        version = FlowVersion(
            org_id=org.id,
            flow_id=flow.id,
            number=1,
            document=document,
            sha256=document_sha256(document),
        )
        session.add(version)
        session.flush()
        flow.published_version_id = version.id
        flows[name] = flow
    for e164, flow, box in (
        (MAIN, flows["main_number"], None),
        (FAX, None, fax_box),
        (FAX_FLOW, flows["fax_line"], None),
    ):
        session.add(
            PhoneNumber(
                org_id=org.id,
                e164=e164,
                provider_account_id=account.id,
                voice_flow_id=flow.id if flow else None,
                fax_box_id=box.id if box else None,
            )
        )
    session.commit()
    return org.id, flows["main_number"].id


@pytest.fixture
def live(live_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    url, engine = live_database
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": "live-secret",
            "ENCRYPTION_KEY": crypto.generate_key(),
            # Not where the server runs: the URL rebuilt from the request must match.
            "PUBLIC_BASE_URL": "https://ivr.example.invalid",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider = FakeProvider(SID, TOKEN, requests_transport()).start()
    with Session(engine) as session:
        org_id, flow_id = seed(session, app, provider.rest_url)
    try:
        yield Live(app, f"http://127.0.0.1:{server.server_port}", engine, provider, org_id, flow_id)
    finally:
        provider.stop()
        server.shutdown()
        server.server_close()
        thread.join()
        from ivr_designer.extensions import db

        db.engine(app).dispose()


def trace(live: Live, call_sid: str) -> list[tuple[str, str | None]]:
    with live.session() as session:
        call = session.execute(select(Call).where(Call.call_sid == call_sid)).scalar_one()
        steps = session.execute(
            select(CallStep).where(CallStep.call_id == call.id).order_by(CallStep.seq)
        ).scalars()
        return [(step.node_id, step.port) for step in steps]


def the_call(live: Live, call_sid: str) -> Call:
    with live.session() as session:
        return session.execute(select(Call).where(Call.call_sid == call_sid)).scalar_one()


def media_file(live: Live, relative: str) -> Path:
    return Path(live.app.config["MEDIA_FOLDER"]) / relative


def test_main_number_answer_group_overflow_to_voicemail(live):
    call = live.provider.call(live.url, MAIN, script=CallScript(digits=["1"], queue=["leave"]))
    call.status("completed", "65")
    assert trace(live, call.sid) == [
        ("hours", "open"),
        ("welcome", "next"),
        ("menu", None),
        ("menu", "1"),
        ("sales", None),
        ("sales", "overflow"),
        ("voicemail", None),
        ("voicemail", "next"),
        ("goodbye", None),
    ]
    [voicemail] = live.all(Voicemail)
    assert voicemail.status == "ready"
    assert voicemail.recording_sid == call.recordings[0]
    assert voicemail.caller == "+4512345678"
    assert voicemail.duration_s == 7
    stored = media_file(live, voicemail.media_path)
    assert stored.read_bytes() == WAV
    assert stored.parent.name == "voicemail"
    assert call.recordings[0] not in stored.name  # pseudonymised file name
    record = the_call(live, call.sid)
    assert (record.outcome, record.provider_status, record.duration_s) == (
        "voicemail",
        "completed",
        65,
    )
    assert record.ended_at is not None


def test_main_number_ring_group_no_answer_to_voicemail(live):
    script = CallScript(digits=["2"], dial=["no-answer", "busy", "no-answer"])
    call = live.provider.call(live.url, MAIN, script=script)
    nodes = trace(live, call.sid)
    # Rendered, then two retries (result + next member rendered), then the last result.
    assert nodes.count(("support", None)) == 5
    assert ("support", "no_answer") in nodes
    assert nodes[-1] == ("goodbye", None)
    assert len(live.all(Voicemail)) == 1
    assert the_call(live, call.sid).outcome == "voicemail"


def test_main_number_answered_by_the_ring_group(live):
    call = live.provider.call(live.url, MAIN, script=CallScript(digits=["2"], dial=["completed"]))
    call.status("completed", "120")
    assert the_call(live, call.sid).outcome == "answered"
    assert live.all(Voicemail) == []


def test_main_number_closed_goes_to_voicemail(live):
    live.publish(example("main_number", override="closed"))
    call = live.provider.call(live.url, MAIN)
    assert trace(live, call.sid)[:2] == [("hours", "closed"), ("closed-message", "next")]
    assert "Vi har lukket" in " ".join(call.said)
    assert the_call(live, call.sid).outcome == "voicemail"


def test_version_pinning_the_call_finishes_on_its_version(live):
    with live.session() as session:
        v1 = session.get(Flow, live.flow_id).published_version_id
    changed = example("main_number", override="open")
    changed["nodes"]["menu"]["ports"]["1"] = "goodbye"
    changed["nodes"]["menu"]["props"]["prompt"] = {"text": "Ny menu."}
    published: list[int] = []

    def publish_mid_call(step: int, url: str) -> None:
        if step == 0:
            published.append(live.publish(changed))

    call = live.provider.call(
        live.url, MAIN, script=CallScript(digits=["1"], before_step=publish_mid_call)
    )
    assert published
    assert published[0] != v1
    urls = [exchange.url for exchange in call.exchanges[1:]]
    assert all(f"/hooks/voice/{v1}/" in url for url in urls), urls
    assert ("sales", "overflow") in trace(live, call.sid)  # v1's menu: 1 → sales
    assert the_call(live, call.sid).flow_version_id == v1
    # A new call starts on v2.
    second = live.provider.call(live.url, MAIN, script=CallScript(digits=["1"]))
    assert "Ny menu." in second.said
    assert trace(live, second.sid)[-1] == ("goodbye", None)


def test_replayed_recording_callback_is_idempotent(live):
    call = live.provider.call(live.url, MAIN, script=CallScript(digits=["1"]))
    [voicemail] = live.all(Voicemail)
    files = sorted(media_file(live, "voicemail").iterdir())
    callback = next(e for e in call.exchanges if e.url.endswith("/recording"))
    for _ in range(2):
        replay = live.provider.post(callback.url, callback.params)
        assert replay.status == 200
    assert [v.id for v in live.all(Voicemail)] == [voicemail.id]
    assert sorted(media_file(live, "voicemail").iterdir()) == files


def test_download_failure_keeps_the_row_and_the_retry_fetches_it(live):
    live.provider.down = True
    call = live.provider.call(live.url, MAIN, script=CallScript(digits=["1"]))
    [voicemail] = live.all(Voicemail)
    assert (voicemail.status, voicemail.media_path) == ("pending_media", None)
    assert voicemail.media_url.startswith(live.provider.rest_url)
    assert the_call(live, call.sid).outcome == "voicemail"

    factory = app_provider_factory(live.app)
    media_root = Path(live.app.config["MEDIA_FOLDER"])
    with live.session() as session:
        counts = retry_pending_media(session, factory, utcnow(), media_root=media_root)
        session.commit()
    assert counts == {"ready": 0, "pending": 1, "failed": 0}

    live.provider.down = False
    with live.session() as session:
        counts = retry_pending_media(session, factory, utcnow(), media_root=media_root)
        session.commit()
    assert counts == {"ready": 1, "pending": 0, "failed": 0}
    [voicemail] = live.all(Voicemail)
    assert voicemail.status == "ready"
    assert voicemail.download_attempts == 3
    assert media_file(live, voicemail.media_path).read_bytes() == WAV


def test_fax_line_receives_a_pdf_once(live):
    fax = live.provider.sid("CA")
    params = {"AccountSid": SID, "CallSid": fax, "From": "+4598765432", "To": FAX}
    answer = live.provider.post(f"{live.url}/hooks/fax", params)
    assert answer.status == 200
    receive = answer.root.find("Receive")
    assert receive.attrib["action"] == f"{live.url}/hooks/fax/received"
    sid = live.provider.sid("FX")
    received = {
        **params,
        "FaxSid": sid,
        "MediaUrl": live.provider.add_fax(sid),
        "NumPages": "2",
        "FaxStatus": "received",
    }
    for _ in range(3):  # the provider repeats the callback
        assert live.provider.post(receive.attrib["action"], received).status == 200
    [stored] = live.all(Fax)
    assert (stored.status, stored.pages, stored.fax_sid, stored.caller) == (
        "ready",
        2,
        sid,
        "+4598765432",
    )
    assert media_file(live, stored.media_path).read_bytes() == PDF
    assert len(list(media_file(live, "fax").iterdir())) == 1
    assert the_call(live, fax).outcome == "fax"


def test_fax_node_in_a_voice_flow(live):
    call = live.provider.call(live.url, FAX_FLOW)
    assert trace(live, call.sid) == [("fax", None), ("fax", "next"), ("end", None)]
    [stored] = live.all(Fax)
    assert stored.fax_sid == call.faxes[0]
    assert media_file(live, stored.media_path).read_bytes() == PDF
    assert the_call(live, call.sid).outcome == "fax"


def test_forged_signature_over_http_is_refused(live):
    params = {"AccountSid": SID, "CallSid": "CAforged", "From": "+4511111111", "To": MAIN}
    assert live.provider.post(f"{live.url}/hooks/voice", params, signature=False).status == 403
    assert live.provider.post(f"{live.url}/hooks/voice", params, signature="bm9wZQ==").status == 403
    assert live.all(Call) == []


def test_unknown_number_over_http_is_rejected_politely(live):
    params = {"AccountSid": SID, "CallSid": "CAunknown", "From": "+4511111111", "To": "+4511000000"}
    answer = live.provider.post(f"{live.url}/hooks/voice", params)
    assert answer.status == 200
    assert [el.tag for el in answer.root] == ["Say", "Hangup"]


def test_concurrent_calls_never_get_the_fallback(live):
    from concurrent.futures import ThreadPoolExecutor

    def place(index: int):
        return live.provider.call(
            live.url, MAIN, caller=f"+45300000{index:02d}", script=CallScript(digits=["1"])
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        calls = list(pool.map(place, range(16)))
    for call in calls:
        assert all("teknisk fejl" not in exchange.body for exchange in call.exchanges)
        assert trace(live, call.sid)[-1] == ("goodbye", None)
    assert len(live.all(Voicemail)) == 16
    assert {c.outcome for c in live.all(Call)} == {"voicemail"}
