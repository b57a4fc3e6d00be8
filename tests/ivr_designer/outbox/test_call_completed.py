"""``call.completed``: the provider's final status callback announces the call, once."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from ivr_designer.models import Call as CallRecord
from ivr_designer.models import FlowVersion
from ivr_designer.outbox.worker import deliver_due
from tests.conftest import TEST_AUTH_TOKEN
from tests.ivr_designer.fake_provider import Call, CallScript, FakeProvider, client_transport
from tests.ivr_designer.outbox.conftest import deliveries

EXAMPLES = Path(__file__).parents[3] / "flows" / "examples"
BASE = "http://localhost"
NUMBER = "+4570000001"


@pytest.fixture
def line(setup, make_flow, make_provider_account, make_number, client, db_session):
    """The main-number example (forced open) on NUMBER; calls from a fake provider."""
    document = json.loads((EXAMPLES / "main_number.json").read_text())
    document["nodes"]["hours"]["props"]["override"] = "open"
    account = make_provider_account(setup.org, account_sid="AC" + "2" * 32)
    flow = make_flow(setup.org, "main_number", document, published=True)
    make_number(setup.org, NUMBER, voice_flow=flow, provider_account=account)
    setup.endpoint.events = ["call.completed"]
    db_session.commit()
    provider = FakeProvider(account.account_sid, TEST_AUTH_TOKEN, client_transport(client)).start()
    yield {"provider": provider, "flow": flow}
    provider.stop()


def _answered_call(line):
    return line["provider"].call(
        BASE, NUMBER, caller="+4511223344", script=CallScript(digits=["2"], dial=["completed"])
    )


def test_the_final_status_callback_sends_a_signed_call_completed_once(
    app, line, setup, db_session, webhook_receiver, fake_telegram
):
    call = _answered_call(line)
    assert deliveries(db_session) == []  # nothing while the call is in progress
    assert call.status("completed", "42").status == 200
    [row] = deliveries(db_session)
    assert (row.event, row.channel, row.subject_type) == ("call.completed", "webhook", "call")
    # A repeated status callback (the provider retries) queues nothing more.
    assert call.status("completed", "42").status == 200
    assert call.status("completed", "42").status == 200
    assert len(deliveries(db_session)) == 1

    assert deliver_due(app) == 1
    [received] = webhook_receiver.received
    assert received.verified  # standardwebhooks accepted our signature
    assert received.headers["webhook-id"] == row.idempotency_key
    record = db_session.execute(
        select(CallRecord).where(CallRecord.call_sid == call.sid)
    ).scalar_one()
    version = db_session.get(FlowVersion, record.flow_version_id)
    data = received.payload["data"]
    assert received.payload["type"] == "call.completed"
    assert data["id"] == record.id
    assert (data["called"], data["caller"]) == (NUMBER, "+4511223344")
    assert data["duration_s"] == 42
    assert data["outcome"] == record.outcome == "answered"
    assert data["provider_status"] == "completed"
    assert datetime.fromisoformat(data["started_at"]) == record.started_at
    assert datetime.fromisoformat(data["ended_at"]) == record.ended_at
    assert data["flow"] == {
        "id": line["flow"].id,
        "name": line["flow"].name,
        "version_id": version.id,
        "version": version.number,
    }
    assert data["url"] == f"http://localhost/api/calls/{record.id}"
    assert fake_telegram.fake.received == []  # a webhook event only


def test_a_call_the_caller_hung_up_on_is_announced_as_abandoned(
    app, line, setup, db_session, webhook_receiver
):
    provider = line["provider"]
    call = Call(provider, BASE, provider.sid("CA"), NUMBER, "+4511223344")
    assert call.post(f"{BASE}/hooks/voice").status == 200  # hung up during the welcome
    call.status("canceled", "3")
    deliver_due(app)
    [received] = webhook_receiver.received
    assert received.payload["data"]["outcome"] == "abandoned"
    assert received.payload["data"]["provider_status"] == "canceled"


def test_a_non_final_status_or_an_unsubscribed_endpoint_queues_nothing(
    app, line, setup, db_session, webhook_receiver
):
    call = _answered_call(line)
    assert call.status("ringing", "0").status == 200
    assert call.status("in-progress", "0").status == 200
    assert deliveries(db_session) == []
    setup.endpoint.events = ["voicemail.created", "fax.received"]
    db_session.commit()
    assert call.status("completed", "42").status == 200
    assert deliveries(db_session) == []
    deliver_due(app)
    assert webhook_receiver.received == []


def test_the_link_in_the_payload_opens_the_call_record(
    app, line, setup, db_session, webhook_receiver, client, bearer
):
    call = _answered_call(line)
    call.status("busy", "0")
    deliver_due(app)
    [received] = webhook_receiver.received
    path = received.payload["data"]["url"].removeprefix("http://localhost")
    shown = client.get(path, headers=bearer(setup.admin))
    assert shown.status_code == 200
    assert shown.json["call_sid"] == call.sid
