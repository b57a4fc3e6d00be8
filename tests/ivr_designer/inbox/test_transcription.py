"""A transcription stored by the real provider callback shows in the inbox item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import TEST_AUTH_TOKEN
from tests.ivr_designer.fake_provider import CallScript, FakeProvider, client_transport

EXAMPLES = Path(__file__).parents[3] / "flows" / "examples"
BASE = "http://localhost"


@pytest.fixture
def line(
    make_org, make_user, make_flow, make_box, make_provider_account, make_number, client, db_session
):
    """The main-number example (forced open) whose voicemail box Anna listens to."""
    org = make_org(language="da")
    anna = make_user(org, name="Anna Jensen")
    make_box(org, "vm-main", listeners=[anna])
    make_box(org, "fax-main", kind="fax")
    account = make_provider_account(org, account_sid="AC" + "7" * 32)
    document = json.loads((EXAMPLES / "main_number.json").read_text())
    document["nodes"]["hours"]["props"]["override"] = "open"
    flow = make_flow(org, "main_number", document, published=True)
    make_number(org, "+4570000077", voice_flow=flow, provider_account=account)
    provider = FakeProvider(account.account_sid, TEST_AUTH_TOKEN, client_transport(client)).start()
    account.api_base_url = provider.rest_url  # recordings download from the fake's REST API
    db_session.add(account)
    db_session.commit()
    yield anna, provider
    provider.stop()


def test_the_transcription_callback_text_appears_in_the_inbox(line, client, bearer):
    anna, provider = line
    call = provider.call(BASE, "+4570000077", script=CallScript(digits=["1"]))
    callback = next(e for e in call.exchanges if e.url.endswith("/recording"))
    headers = bearer(anna)
    before = client.get("/api/voicemails", headers=headers).json
    assert len(before) == 1
    assert before[0]["transcription"] is None
    text = {
        "TranscriptionText": "Ring mig tilbage på 12 34 56 78",
        "TranscriptionStatus": "completed",
    }
    assert provider.post(callback.url, {**callback.params, **text}).status == 200
    item = client.get(f"/api/voicemails/{before[0]['id']}", headers=headers).json
    assert item["transcription"] == "Ring mig tilbage på 12 34 56 78"
    assert item["status"] == "ready"
    # The downloaded recording plays as Opus.
    audio = client.get(f"/api/voicemails/{item['id']}/audio", headers=headers)
    assert audio.status_code == 200
    assert audio.get_data()[:4] == b"OggS"
    audio.close()
