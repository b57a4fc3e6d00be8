"""Webhooks in-process: signatures, unknown numbers, steps, fallbacks, status, media."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from flows.errors import FlowError
from flows.fileformat import flow_from_dict
from flows.runtime import load_node
from ivr_designer.models import Call, CallStep, Voicemail
from tests.conftest import TEST_AUTH_TOKEN
from tests.ivr_designer.fake_provider import CallScript, FakeProvider, client_transport

EXAMPLES = Path(__file__).parents[2] / "flows" / "examples"
BASE = "http://localhost"


def example(name: str, **hours_props) -> dict:
    document = json.loads((EXAMPLES / f"{name}.json").read_text())
    if hours_props and "hours" in document["nodes"]:
        document["nodes"]["hours"]["props"].update(hours_props)
    return document


@pytest.fixture
def line(make_org, make_flow, make_box, make_provider_account, make_number, client):
    """An org with the main-number example (forced open) on +4570000001."""
    org = make_org(language="da")
    make_box(org, "vm-main")
    make_box(org, "fax-main", kind="fax")
    account = make_provider_account(org, account_sid="AC" + "1" * 32)
    flow = make_flow(org, "main_number", example("main_number", override="open"), published=True)
    number = make_number(org, "+4570000001", voice_flow=flow, provider_account=account)
    provider = FakeProvider(account.account_sid, TEST_AUTH_TOKEN, client_transport(client)).start()
    # Downloads go to the fake's REST API on 127.0.0.1.
    account.api_base_url = provider.rest_url
    yield {"org": org, "flow": flow, "number": number, "account": account, "provider": provider}
    provider.stop()


@pytest.fixture
def rest_line(line, db_session):
    db_session.add(line["account"])
    db_session.commit()
    return line


def params(**extra):
    return {"CallSid": "CA" + "0" * 32, "From": "+4512345678", "To": "+4570000001", **extra}


def verbs(body: str) -> list[str]:
    return [el.tag for el in ET.fromstring(body)]


def test_missing_and_forged_signatures_are_refused(line, caplog):
    provider = line["provider"]
    missing = provider.post(f"{BASE}/hooks/voice", params(), signature=False)
    forged = provider.post(f"{BASE}/hooks/voice", params(), signature="Zm9yZ2Vk")
    other_url = provider.signature(f"{BASE}/hooks/fax", params())
    replayed = provider.post(f"{BASE}/hooks/voice", params(), signature=other_url)
    assert (missing.status, forged.status, replayed.status) == (403, 403, 403)
    assert "signature missing" in caplog.text
    assert "signature invalid" in caplog.text


def test_wrong_token_is_refused(line, client):
    other = FakeProvider(line["account"].account_sid, "not-the-token", client_transport(client))
    assert other.post(f"{BASE}/hooks/voice", params()).status == 403


def test_unknown_number_gets_a_polite_rejection(line):
    answer = line["provider"].post(f"{BASE}/hooks/voice", params(To="+4599999999"))
    assert answer.status == 200
    assert verbs(answer.body) == ["Say", "Hangup"]
    assert "ikke i brug" in answer.body


def test_incoming_call_renders_the_published_entry_pinned_to_its_version(line, db_session):
    answer = line["provider"].post(f"{BASE}/hooks/voice", params())
    assert answer.status == 200
    gather = answer.root.find("Gather")
    version_id = line["flow"].published_version_id
    assert gather.attrib["action"].startswith(f"{BASE}/hooks/voice/{version_id}/menu/result?")
    call = db_session.execute(select(Call)).scalar_one()
    assert (call.caller, call.called, call.outcome) == ("+4512345678", "+4570000001", "in_progress")
    assert call.flow_version_id == version_id
    steps = db_session.execute(select(CallStep).order_by(CallStep.seq)).scalars().all()
    assert [(s.seq, s.node_id, s.port) for s in steps] == [
        (1, "hours", "open"),
        (2, "welcome", "next"),
        (3, "menu", None),
    ]


def test_missing_audio_falls_back_to_speech_not_failure(line):
    answer = line["provider"].post(f"{BASE}/hooks/voice", params())
    assert answer.root.find("Play") is None
    assert answer.root.find("Say").text == "welcome"


@pytest.mark.parametrize("digits", ["", "7", "12345678901234567890", "\x00\xff", "1' OR 1=1"])
def test_garbage_digits_never_fail(line, digits):
    version_id = line["flow"].published_version_id
    url = f"{BASE}/hooks/voice/{version_id}/menu/result"
    answer = line["provider"].post(url, params(Digits=digits))
    assert answer.status == 200
    assert answer.root.tag == "Response"


@pytest.mark.parametrize(
    "path",
    [
        "/hooks/voice/{v}/ghost",
        "/hooks/voice/{v}/ghost/result",
        "/hooks/voice/{v}/menu/wait",
        "/hooks/voice/999999/menu/result",
        "/hooks/voice/abc/menu/result",
        "/hooks/voice/{v}/menu/result?tries=zz",
    ],
)
def test_bad_step_urls_get_the_fallback(line, path, caplog):
    url = BASE + path.format(v=line["flow"].published_version_id)
    answer = line["provider"].post(url, params())
    assert answer.status == 200
    if "tries=zz" in path:
        return  # garbage state is tolerated by the node itself
    said = [el.text for el in answer.root.iter("Say")]
    assert said[0] == "Beklager, der er opstået en teknisk fejl."
    # The flow's voicemail box takes a message after the apology.
    assert answer.root.find("Record") is not None


def test_another_orgs_version_is_not_reachable(line, make_org, make_flow):
    foreign = make_flow(make_org(), "secret", published=True)
    url = f"{BASE}/hooks/voice/{foreign.published_version_id}/greeting"
    answer = line["provider"].post(url, params())
    assert answer.status == 200
    assert "Hej" not in answer.body
    assert "teknisk fejl" in answer.body


BROKEN_PROPS = {
    "play": {"text": 5},
    "menu": {"prompt": "not a prompt"},
    "hours": {"schedule": "always"},
    "ring_group": {"members": "everyone"},
    "queue": {"kind": "nope"},
    "voicemail": {"box": 5},
    "fax": {"box": ["x"]},
    "transfer": {"number": "not a number"},
    "goto_flow": {"flow": 5},
    "hangup": {"goodbye": 5},
}


def test_the_broken_props_table_covers_every_node_type():
    from flows import registry

    assert set(BROKEN_PROPS) == set(registry.all_types())
    for type_name, props in BROKEN_PROPS.items():
        flow = flow_from_dict(broken_document(type_name, props))
        with pytest.raises(FlowError):
            load_node(flow.nodes["broken"])


def broken_document(type_name: str, props: dict) -> dict:
    return {
        "format": 1,
        "name": "broken",
        "entry": "broken",
        "nodes": {
            "broken": {"type": type_name, "props": props, "ports": {}},
            "vm": {"type": "voicemail", "props": {"box": "vm-main"}, "ports": {}},
        },
        "layout": {},
    }


@pytest.mark.parametrize("type_name", sorted(BROKEN_PROPS))
def test_fault_in_every_node_type_answers_the_fallback(
    type_name, line, make_flow, make_number, db_session
):
    org = line["org"]
    flow = make_flow(
        org,
        f"broken-{type_name}",
        broken_document(type_name, BROKEN_PROPS[type_name]),
        published=True,
    )
    make_number(org, "+4570000099", voice_flow=flow, provider_account=line["account"])
    answer = line["provider"].post(f"{BASE}/hooks/voice", params(To="+4570000099"))
    assert answer.status == 200
    assert verbs(answer.body)[0] == "Say"
    assert "teknisk fejl" in answer.body
    record = answer.root.find("Record")
    assert record is not None  # the flow's voicemail after the apology
    assert record.attrib["action"].endswith(f"/hooks/voice/{flow.published_version_id}/vm/result")
    steps = db_session.execute(select(CallStep)).scalars().all()
    assert [(s.node_type, s.ended) for s in steps] == [("error", "error")]


def test_fallback_without_a_usable_voicemail_hangs_up(line, make_flow, make_number):
    org = line["org"]
    document = broken_document("play", {"text": 5})
    document["nodes"]["vm"]["props"] = {"box": 5}
    flow = make_flow(org, "doubly-broken", document, published=True)
    make_number(org, "+4570000098", voice_flow=flow, provider_account=line["account"])
    answer = line["provider"].post(f"{BASE}/hooks/voice", params(To="+4570000098"))
    assert answer.status == 200
    assert verbs(answer.body) == ["Say", "Hangup"]


def test_a_number_without_a_flow_gets_the_fallback(line, make_number):
    make_number(line["org"], "+4570000097", provider_account=line["account"])
    answer = line["provider"].post(f"{BASE}/hooks/voice", params(To="+4570000097"))
    assert answer.status == 200
    assert verbs(answer.body) == ["Say", "Hangup"]


def test_status_callback_closes_the_call(line, db_session):
    provider = line["provider"]
    provider.post(f"{BASE}/hooks/voice", params())
    answer = provider.post(
        f"{BASE}/hooks/voice/status", params(CallStatus="completed", CallDuration="17")
    )
    assert answer.status == 200
    call = db_session.execute(select(Call)).scalar_one()
    db_session.refresh(call)
    assert (call.outcome, call.provider_status, call.duration_s) == ("abandoned", "completed", 17)
    assert call.ended_at is not None


def test_status_callback_for_unknown_number_is_refused(line):
    answer = line["provider"].post(f"{BASE}/hooks/voice/status", params(To="+4599999999"))
    assert answer.status == 403


def test_main_number_in_process_to_voicemail(rest_line, db_session, app):
    provider = rest_line["provider"]
    call = provider.call(
        BASE, "+4570000001", script=CallScript(digits=["2"], dial=["no-answer"] * 3)
    )
    assert call.recordings
    voicemail = db_session.execute(select(Voicemail)).scalar_one()
    assert voicemail.status == "ready"
    stored = Path(app.config["MEDIA_FOLDER"]) / voicemail.media_path
    assert stored.read_bytes()[:4] == b"RIFF"
    db_call = db_session.execute(select(Call)).scalar_one()
    db_session.refresh(db_call)
    assert db_call.outcome == "voicemail"


def test_behind_a_tls_terminator_the_https_url_is_verified_and_reused(line, app, client):
    app.config["TRUSTED_PROXY_COUNT"] = 1
    app.config["PUBLIC_BASE_URL"] = ""
    public = "https://ivr.example.dk/hooks/voice"
    form = params()
    headers = {
        "X-Twilio-Signature": line["provider"].signature(public, form),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "ivr.example.dk",
    }
    response = client.post("http://backend:8000/hooks/voice", data=form, headers=headers)
    assert response.status_code == 200
    action = ET.fromstring(response.data).find("Gather").attrib["action"]
    assert action.startswith("https://ivr.example.dk/hooks/voice/")
    # The same headers from an untrusted hop are ignored: the signature no longer fits.
    app.config["TRUSTED_PROXY_COUNT"] = 0
    refused = client.post("http://backend:8000/hooks/voice", data=form, headers=headers)
    assert refused.status_code == 403


def test_queue_wait_url_plays_hold_music_then_leaves(line):
    version_id = line["flow"].published_version_id
    url = f"{BASE}/hooks/voice/{version_id}/sales/wait"
    waiting = line["provider"].post(url, params(QueueTime="5", QueuePosition="1"))
    assert waiting.status == 200
    assert "Redirect" in verbs(waiting.body)
    leaving = line["provider"].post(url, params(QueueTime="500", QueuePosition="1"))
    assert verbs(leaving.body) == ["Leave"]


def test_transcription_callback_fills_the_voicemail(rest_line, db_session):
    provider = rest_line["provider"]
    call = provider.call(BASE, "+4570000001", script=CallScript(digits=["1"]))
    callback = next(e for e in call.exchanges if e.url.endswith("/recording"))
    text = {"TranscriptionText": "Ring mig tilbage", "TranscriptionStatus": "completed"}
    assert provider.post(callback.url, {**callback.params, **text}).status == 200
    voicemail = db_session.execute(select(Voicemail)).scalar_one()
    db_session.refresh(voicemail)
    assert voicemail.transcription == "Ring mig tilbage"


def test_recording_callback_for_a_non_voicemail_node_stores_nothing(line, db_session):
    version_id = line["flow"].published_version_id
    url = f"{BASE}/hooks/voice/{version_id}/menu/recording"
    answer = line["provider"].post(
        url, params(RecordingSid="RE1", RecordingUrl="/x", RecordingStatus="completed")
    )
    assert answer.status == 200
    assert db_session.execute(select(Voicemail)).first() is None


def test_write_phase_durability_per_backend(db_session, backend):
    from sqlalchemy import text

    from ivr_designer.hooks.transactions import begin_writes

    db_session.execute(select(Call.id)).all()  # a reading phase first
    begin_writes(db_session, relaxed=True)
    begin_writes(db_session, relaxed=True)  # idempotent within the transaction
    if backend == "postgresql":
        assert db_session.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
        begin_writes(db_session, relaxed=False)  # a message joined: durable again
        assert db_session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
        begin_writes(db_session, relaxed=True)
        assert db_session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
    else:
        assert db_session.in_transaction()
    db_session.rollback()


def test_json_webhook_with_body_hash_is_verified(line, client):
    import hashlib

    from twilio.request_validator import RequestValidator

    body = json.dumps(params())
    url = f"{BASE}/hooks/voice?bodySHA256={hashlib.sha256(body.encode()).hexdigest()}"
    signature = RequestValidator(TEST_AUTH_TOKEN).compute_signature(url, {})
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/json"}
    accepted = client.post(url, data=body, headers=headers)
    assert accepted.status_code == 200
    assert ET.fromstring(accepted.data).find("Gather") is not None
    tampered = client.post(url, data=body.replace("+4512345678", "+4599999999"), headers=headers)
    assert tampered.status_code == 403


def test_sqlite_webhook_writers_queue_at_the_gate_until_the_first_one_ends(tmp_path):
    import threading
    import time

    from sqlalchemy.orm import Session as OrmSession

    from ivr_designer.database import build_engine
    from ivr_designer.hooks.transactions import begin_writes
    from ivr_designer.models import Base

    engine = build_engine(f"sqlite:///{tmp_path / 'gate.sqlite'}")
    Base.metadata.create_all(engine)
    first, second = OrmSession(engine), OrmSession(engine)
    entered: list[float] = []

    def writer() -> None:
        begin_writes(second, relaxed=True)
        entered.append(time.monotonic())
        second.commit()

    try:
        for finish in (first.commit, first.rollback, first.close):
            entered.clear()
            first.execute(select(Call.id)).all()
            begin_writes(first, relaxed=True)
            thread = threading.Thread(target=writer)
            thread.start()
            time.sleep(0.3)
            assert entered == []  # waiting for the first writer, not failing
            released = time.monotonic()
            finish()
            thread.join(timeout=5)
            assert entered
            assert entered[0] >= released
    finally:
        first.close()
        second.close()
        engine.dispose()


def test_a_long_answer_is_traced_in_order_across_insert_chunks(line, db_session):
    from datetime import UTC, datetime

    from ivr_designer.calls.operations import StepRecord, open_call, record_steps

    org, number = line["org"], line["number"]
    now = datetime.now(UTC)
    handle = open_call(
        db_session,
        org_id=org.id,
        number_id=number.id,
        call_sid="CA-long",
        caller="+4512345678",
        called=number.e164,
        flow_version_id=None,
        now=now,
        new=True,
    )
    steps = [StepRecord("main", f"play-{n}", "play", port="next") for n in range(11)]
    record_steps(db_session, org.id, handle, steps, now=now, duration_ms=3)
    again = open_call(
        db_session,
        org_id=org.id,
        number_id=number.id,
        call_sid="CA-long",
        caller="+4512345678",
        called=number.e164,
        flow_version_id=None,
        now=now,
    )
    assert (again.id, again.next_seq) == (handle.id, 12)
    record_steps(
        db_session, org.id, again, [StepRecord("main", "bye", "hangup")], now=now, duration_ms=None
    )
    rows = db_session.execute(
        select(CallStep.seq, CallStep.node_id)
        .where(CallStep.call_id == handle.id)
        .order_by(CallStep.seq)
    ).all()
    assert [tuple(row) for row in rows] == [
        *((n + 1, f"play-{n}") for n in range(11)),
        (12, "bye"),
    ]


def test_a_changed_auth_token_takes_effect_at_once(line, client, app, db_session):
    from ivr_designer import crypto

    assert line["provider"].post(f"{BASE}/hooks/voice", params()).status == 200  # remembered
    account = line["account"]
    account.auth_token_encrypted = crypto.encrypt("the-new-token", app)
    db_session.add(account)
    db_session.commit()
    old = line["provider"].post(f"{BASE}/hooks/voice", params(CallSid="CA" + "2" * 32))
    assert old.status == 403
    renewed = FakeProvider(account.account_sid, "the-new-token", client_transport(client))
    assert renewed.post(f"{BASE}/hooks/voice", params(CallSid="CA" + "3" * 32)).status == 200
