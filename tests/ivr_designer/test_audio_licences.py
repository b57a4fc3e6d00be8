"""Music rights end to end in-process: publishing refused without valid rights, the
daily job's warnings and expiry, and calls switching to the licence-free default."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from ivr_designer.jobs import check_audio_licences
from ivr_designer.models import AudioAsset, AuditEntry, LicenceWarning
from ivr_designer.models.base import utcnow
from tests.conftest import TEST_AUTH_TOKEN
from tests.ivr_designer.fake_provider import FakeProvider, client_transport

BASE = "http://localhost"
NUMBER = "+4570009001"


def queue_document(name: str = "main", hold: str = "moh") -> dict:
    return {
        "format": 1,
        "name": name,
        "entry": "q",
        "nodes": {
            "q": {
                "type": "queue",
                "props": {"hold_music": hold},
                "ports": {"answered": "end", "overflow": "end"},
            },
            "end": {"type": "hangup", "props": {}, "ports": {}},
        },
        "layout": {},
    }


@pytest.fixture
def today() -> date:
    return utcnow().date()


@pytest.fixture
def org(make_org):
    return make_org(language="da")


@pytest.fixture
def admin_api(client, bearer, make_user, org):
    headers = bearer(make_user(org, role="org_admin"))

    def call(method: str, path: str, **kwargs):
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


def create_flow(admin_api, document: dict) -> int:
    response = admin_api("POST", "/api/flows", json={"name": "main", "document": document})
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def play_urls(body: str) -> list[str]:
    return [(verb.text or "").strip() for verb in ET.fromstring(body) if verb.tag == "Play"]


@pytest.fixture
def line(org, make_provider_account, make_number, client):
    account = make_provider_account(org, account_sid="AC" + "9" * 32)
    provider = FakeProvider(account.account_sid, TEST_AUTH_TOKEN, client_transport(client)).start()
    yield {"account": account, "provider": provider}
    provider.stop()


def wait_twiml(line, version_id: int) -> str:
    params = {
        "CallSid": "CA" + "4" * 32,
        "From": "+4512345678",
        "To": NUMBER,
        "QueueTime": "5",
        "QueuePosition": "1",
    }
    exchange = line["provider"].post(f"{BASE}/hooks/voice/{version_id}/q/wait", params)
    assert exchange.status == 200, exchange.body
    return exchange.body


def test_publishing_hold_music_without_rights_is_refused_on_the_queue_node(
    admin_api, make_audio_asset, org
):
    make_audio_asset(org, "moh", use="hold_music")
    flow_id = create_flow(admin_api, queue_document())
    response = admin_api("POST", f"/api/flows/{flow_id}/publish", json={"message": "go"})
    assert response.status_code == 422
    findings = response.json["fields"]["findings"]
    unlicensed = [f for f in findings if f["code"] == "audio.music_unlicensed"]
    assert len(unlicensed) == 1
    assert unlicensed[0]["node"] == "q"
    assert unlicensed[0]["severity"] == "error"


def test_expired_licence_and_not_yet_ready_music_are_findings_too(
    admin_api, make_audio_asset, org, today
):
    make_audio_asset(
        org,
        "moh",
        use="hold_music",
        rights_kind="royalty_free",
        rights_source="Musik ApS",
        rights_licence_text="Licensed for telephony",
        rights_valid_until=today - timedelta(days=1),
    )
    make_audio_asset(org, "pending", use="hold_music", status="processing", with_file=False)
    flow_id = create_flow(admin_api, queue_document())
    codes = {
        f["code"]
        for f in admin_api("POST", f"/api/flows/{flow_id}/validate", json={}).json["findings"]
    }
    assert "audio.music_unlicensed" in codes
    response = admin_api(
        "PUT",
        f"/api/flows/{flow_id}/draft",
        json={"document": queue_document(hold="pending"), "draft_revision": 1},
    )
    assert response.status_code == 200, response.json
    codes = {
        f["code"]
        for f in admin_api("POST", f"/api/flows/{flow_id}/validate", json={}).json["findings"]
    }
    assert "audio.not_ready" in codes


def test_licensed_music_plays_until_the_agreement_expires_then_the_default(
    app, admin_api, make_audio_asset, make_agreement, make_number, db_session, org, line, today
):
    agreement = make_agreement(org, today - timedelta(days=5), today + timedelta(days=60))
    moh = make_audio_asset(
        org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement
    )
    flow_id = create_flow(admin_api, queue_document())
    published = admin_api("POST", f"/api/flows/{flow_id}/publish", json={"message": "go"})
    assert published.status_code == 201, published.json
    version_id = published.json["id"]
    from ivr_designer.models import Flow

    make_number(
        org, NUMBER, voice_flow=db_session.get(Flow, flow_id), provider_account=line["account"]
    )

    [before] = play_urls(wait_twiml(line, version_id))
    assert f"/media/audio/{org.id}/moh?" in before
    moh_bytes = (Path(app.config["MEDIA_FOLDER"]) / moh.telephony_path).read_bytes()
    assert line_get(app, before) == moh_bytes

    report = check_audio_licences(app, today=agreement.valid_until + timedelta(days=1))

    assert report.expired == [f"{org.id}:moh"]
    db_session.expire_all()
    assert db_session.get(AudioAsset, moh.id).status == "rights_expired"
    entry = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "audio.rights_expired")
    ).scalar_one()
    assert entry.org_id == org.id
    assert entry.after["key"] == "moh"
    assert entry.after["default"] == "default-hold-music"
    assert "expired" in entry.after["reason"]

    [after] = play_urls(wait_twiml(line, version_id))
    assert f"/media/audio/{org.id}/default-hold-music?" in after
    default = db_session.execute(
        select(AudioAsset).where(AudioAsset.key == "default-hold-music")
    ).scalar_one()
    assert default.is_default
    assert default.rights_kind == "public_domain"
    default_bytes = (Path(app.config["MEDIA_FOLDER"]) / default.telephony_path).read_bytes()
    assert line_get(app, after) == default_bytes
    # A URL of the expired music handed out earlier now serves the default, never the music.
    assert line_get(app, before) == default_bytes
    # Publishing it again is refused: the music has no valid rights any more.
    again = admin_api("POST", f"/api/flows/{flow_id}/versions/1/publish")
    assert again.status_code == 422


def line_get(app, url: str) -> bytes:
    path = url.split("://", 1)[1].split("/", 1)[1]
    with app.test_client() as http:
        response = http.get("/" + path)
        assert response.status_code == 200
        data = response.get_data()
        response.close()
    return data


def test_music_plays_the_default_without_waiting_for_the_job(
    app, make_audio_asset, make_agreement, make_flow, make_number, org, line, today, db_session
):
    """Between expiry and the job's next run, calls already get the default."""
    agreement = make_agreement(org, today - timedelta(days=90), today - timedelta(days=1))
    make_audio_asset(org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement)
    flow = make_flow(org, "main", queue_document(), published=True)
    make_number(org, NUMBER, voice_flow=flow, provider_account=line["account"])
    [url] = play_urls(wait_twiml(line, flow.published_version_id))
    assert f"/media/audio/{org.id}/default-hold-music?" in url


def test_tts_assets_are_spoken_and_unknown_keys_fall_back(
    make_audio_asset, make_flow, make_number, org, line
):
    make_audio_asset(
        org, "closed", kind="tts", tts_text="Vi har lukket", tts_language="da-DK", with_file=False
    )
    document = queue_document()
    document["entry"] = "hello"
    document["nodes"]["hello"] = {
        "type": "play",
        "props": {"audio": "closed"},
        "ports": {"next": "bye"},
    }
    document["nodes"]["bye"] = {"type": "play", "props": {"audio": "nothing-here"}, "ports": {}}
    flow = make_flow(org, "main", document, published=True)
    make_number(org, NUMBER, voice_flow=flow, provider_account=line["account"])
    exchange = line["provider"].post(
        f"{BASE}/hooks/voice", {"CallSid": "CA" + "5" * 32, "From": "+4511", "To": NUMBER}
    )
    says = [verb for verb in ET.fromstring(exchange.body) if verb.tag == "Say"]
    assert says[0].text == "Vi har lukket"
    assert says[0].attrib["language"] == "da-DK"
    assert "nothing here" in [verb.text for verb in says]


def test_warnings_go_out_at_30_and_7_days_once_each(
    app, make_audio_asset, make_agreement, org, db_session
):
    ends = date(2027, 3, 31)
    agreement = make_agreement(org, date(2026, 1, 1), ends, number="KG-1234")
    make_audio_asset(org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement)
    make_audio_asset(
        org,
        "jingle",
        name="Jingle",
        use="hold_music",
        rights_kind="royalty_free",
        rights_source="Stock ApS",
        rights_licence_text="Telephony licence",
        rights_valid_until=ends,
    )

    def warned_on(day: date) -> list[tuple[str, int]]:
        report = check_audio_licences(app, today=day)
        return sorted((w.name, w.threshold) for w in report.warnings)

    assert warned_on(ends - timedelta(days=31)) == []
    assert warned_on(ends - timedelta(days=30)) == [("Jingle", 30), ("KODA/Gramex KG-1234", 30)]
    assert warned_on(ends - timedelta(days=30)) == []
    assert warned_on(ends - timedelta(days=20)) == []
    seven = warned_on(ends - timedelta(days=7))
    assert [threshold for _name, threshold in seven] == [7, 7]
    assert warned_on(ends - timedelta(days=2)) == []

    rows = db_session.execute(select(LicenceWarning)).scalars().all()
    assert sorted((r.subject, r.threshold) for r in rows) == [
        ("agreement", 7),
        ("agreement", 30),
        ("asset", 7),
        ("asset", 30),
    ]
    entries = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == "audio.licence_warning")
    ).scalars()
    assert sorted((e.object_type, e.after["threshold"]) for e in entries) == [
        ("audio_asset", 7),
        ("audio_asset", 30),
        ("music_agreement", 7),
        ("music_agreement", 30),
    ]


def test_a_renewed_agreement_brings_expired_music_back(
    app, admin_api, make_audio_asset, make_agreement, db_session, org, today
):
    agreement = make_agreement(org, today - timedelta(days=90), today - timedelta(days=1))
    moh = make_audio_asset(
        org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement
    )
    check_audio_licences(app, today=today)
    db_session.expire_all()
    assert db_session.get(AudioAsset, moh.id).status == "rights_expired"
    renewed = admin_api(
        "PATCH",
        f"/api/music-agreements/{agreement.id}",
        json={"valid_until": (today + timedelta(days=365)).isoformat()},
    )
    assert renewed.status_code == 200, renewed.json
    check_audio_licences(app, today=today)
    db_session.expire_all()
    assert db_session.get(AudioAsset, moh.id).status == "ready"


@pytest.mark.parametrize(("lines", "over"), [(1, 1), (2, 0)])
def test_more_numbers_playing_licensed_music_than_lines_covered_is_audited(
    app,
    make_audio_asset,
    make_agreement,
    make_flow,
    make_number,
    org,
    db_session,
    today,
    lines,
    over,
):
    agreement = make_agreement(
        org, today - timedelta(days=5), today + timedelta(days=300), lines_covered=lines
    )
    make_audio_asset(org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement)
    flow = make_flow(org, "main", queue_document(), published=True)
    make_number(org, "+4570009101", voice_flow=flow)
    make_number(org, "+4570009102", voice_flow=flow)
    make_number(org, "+4570009103")  # answers with no flow: plays nothing

    report = check_audio_licences(app, today=today)

    entries = (
        db_session.execute(select(AuditEntry).where(AuditEntry.action == "audio.lines_exceeded"))
        .scalars()
        .all()
    )
    if over:
        assert report.lines_exceeded == [org.id]
        assert [e.after for e in entries] == [
            {"numbers": ["+4570009101", "+4570009102"], "lines_covered": lines, "over": over}
        ]
    else:
        assert report.lines_exceeded == []
        assert entries == []


def test_when_the_default_cannot_be_made_the_call_goes_on_in_silence(
    make_audio_asset, make_agreement, make_flow, make_number, org, line, today, caplog
):
    agreement = make_agreement(org, today - timedelta(days=90), today - timedelta(days=1))
    make_audio_asset(org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement)
    # Something else holds the default's key (as a racing request would): creating it fails.
    make_audio_asset(org, "default-hold-music", with_file=False)
    flow = make_flow(org, "main", queue_document(), published=True)
    make_number(org, NUMBER, voice_flow=flow, provider_account=line["account"])
    body = wait_twiml(line, flow.published_version_id)
    assert play_urls(body) == []
    assert "Redirect" in [verb.tag for verb in ET.fromstring(body)]
    assert "could not be made" in caplog.text


@pytest.mark.parametrize("lines", [1, 2])
def test_publishing_koda_music_past_the_lines_covered_is_refused_on_the_queue_node(
    admin_api, make_audio_asset, make_agreement, make_flow, make_number, org, today, lines
):
    agreement = make_agreement(
        org, today - timedelta(days=5), today + timedelta(days=300), lines_covered=lines
    )
    make_audio_asset(org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement)
    main = make_flow(org, "main", queue_document(), published=True)
    make_number(org, "+4570009201", voice_flow=main)
    second = make_flow(org, "second", published=True)  # no music yet
    make_number(org, "+4570009202", voice_flow=second)
    saved = admin_api(
        "PUT",
        f"/api/flows/{second.id}/draft",
        json={"document": queue_document("second"), "draft_revision": 1},
    )
    assert saved.status_code == 200, saved.json

    response = admin_api("POST", f"/api/flows/{second.id}/publish", json={"message": "music"})

    if lines == 1:
        assert response.status_code == 422, response.json
        findings = response.json["fields"]["findings"]
        [over] = [f for f in findings if f["code"] == "audio.music_lines_exceeded"]
        assert (over["node"], over["field"], over["severity"]) == ("q", "hold_music", "error")
        assert (
            "2 numbers would play KODA/Gramex music but the agreements cover 1 line"
            in (over["message"])
        )
        assert [f["code"] for f in findings if f["severity"] == "error"] == [
            "audio.music_lines_exceeded"
        ]
    else:
        assert response.status_code == 201, response.json
    # The flow already playing the music stays within the lines either way.
    validated = admin_api("POST", f"/api/flows/{main.id}/validate", json={})
    assert validated.status_code == 200, validated.json
    assert "audio.music_lines_exceeded" not in [f["code"] for f in validated.json["findings"]]


@pytest.mark.parametrize("lines", [1, 2])
def test_routing_a_number_to_koda_music_past_the_lines_covered_is_refused(
    admin_api, make_audio_asset, make_agreement, make_flow, make_number, org, today, lines
):
    agreement = make_agreement(
        org, today - timedelta(days=5), today + timedelta(days=300), lines_covered=lines
    )
    make_audio_asset(org, "moh", use="hold_music", rights_kind="koda_gramex", agreement=agreement)
    main = make_flow(org, "main", queue_document(), published=True)
    second = make_flow(org, "second", queue_document("second"), published=True)
    quiet = make_flow(org, "quiet", published=True)
    playing = make_number(org, "+4570009301", voice_flow=main)
    other = make_number(org, "+4570009302")

    routed = admin_api("PATCH", f"/api/numbers/{other.id}", json={"voice_flow_id": second.id})
    created = admin_api(
        "POST",
        "/api/numbers",
        json={
            "e164": "+4570009303",
            "provider_account_id": other.provider_account_id,
            "voice_flow_id": main.id,
        },
    )

    if lines == 1:
        for response in (routed, created):
            assert response.status_code == 422, response.json
            [message] = response.json["fields"]["voice_flow_id"]
            assert "2 numbers would play KODA/Gramex music but the agreements cover 1 line" in (
                message
            )
    else:
        assert routed.status_code == 200, routed.json
        assert created.status_code == 422  # the third number is one too many for 2 lines
    # Moving the number that already plays the music, or routing to a flow without
    # music, adds no number playing it.
    moved = admin_api("PATCH", f"/api/numbers/{playing.id}", json={"voice_flow_id": second.id})
    assert moved.status_code == 200, moved.json
    if lines == 1:
        quiet_route = admin_api(
            "PATCH", f"/api/numbers/{other.id}", json={"voice_flow_id": quiet.id}
        )
        assert quiet_route.status_code == 200, quiet_route.json
