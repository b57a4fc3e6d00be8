"""A local fake telephony provider: signs webhooks exactly as Twilio does, walks a call
through the TwiML it gets back, and serves recordings and faxes over a REST API that
checks basic auth. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import base64
import io
import itertools
import threading
import wave
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from twilio.request_validator import RequestValidator

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# (status, body text)
Transport = Callable[[str, Mapping[str, str], Mapping[str, str]], tuple[int, str]]


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A real, small mono 8 kHz WAV (a 440 Hz-ish square wave)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        frames += (8000 if (i // 9) % 2 else -8000).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


WAV = wav_bytes()


class _RestHandler(BaseHTTPRequestHandler):
    server: _RestServer

    def do_GET(self) -> None:
        fake = self.server.fake
        expected = (
            "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
        )
        with fake.lock:
            fake.downloads.append(self.path)
        if self.headers.get("Authorization") != expected:
            self._send(401, b"unauthorised", "text/plain")
            return
        path = self.path.split("?")[0]
        if fake.down or path in fake.unavailable:
            self._send(503, b"unavailable", "text/plain")
            return
        media = fake.media.get(path)
        if media is None:
            self._send(404, b"not found", "text/plain")
            return
        self._send(200, media[1], media[0])

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _RestServer(ThreadingHTTPServer):
    fake: FakeProvider


@dataclass
class Exchange:
    url: str
    params: dict[str, str]
    status: int
    body: str

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.body.encode())


@dataclass
class CallScript:
    """What the fake caller does: keys to press, and how dials/queues/records end."""

    digits: list[str] = field(default_factory=list)
    dial: list[str] = field(default_factory=list)  # DialCallStatus per <Dial>
    queue: list[str] = field(default_factory=list)  # QueueResult per <Enqueue>
    record: bool = True  # leave a message at <Record>
    before_step: Callable[[int, str], None] | None = None  # hook: (step number, url)


class FakeProvider:
    """The provider's side of a call, against an app reachable through ``transport``."""

    def __init__(self, account_sid: str, auth_token: str, transport: Transport) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.transport = transport
        self.validator = RequestValidator(auth_token)
        self.media: dict[str, tuple[str, bytes]] = {}
        self.unavailable: set[str] = set()
        self.down = False
        self.downloads: list[str] = []
        self.lock = threading.Lock()
        self._sids = itertools.count(1)
        self._server: _RestServer | None = None
        self.rest_url = ""

    # --- REST side -------------------------------------------------------------
    def start(self) -> FakeProvider:
        server = _RestServer(("127.0.0.1", 0), _RestHandler)
        server.fake = self
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.rest_url = f"http://127.0.0.1:{server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def sid(self, prefix: str) -> str:
        return f"{prefix}{next(self._sids):032x}"

    def add_recording(self, sid: str) -> str:
        path = f"/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"
        self.media[path] = ("audio/x-wav", WAV)
        return self.rest_url + path

    def add_fax(self, sid: str) -> str:
        path = f"/2010-04-01/Accounts/{self.account_sid}/Faxes/{sid}/Media"
        self.media[path] = ("application/pdf", PDF)
        return self.rest_url + path

    # --- webhook side ----------------------------------------------------------
    def signature(self, url: str, params: Mapping[str, str]) -> str:
        return str(self.validator.compute_signature(url, dict(params)))

    def post(
        self, url: str, params: Mapping[str, str], *, signature: str | bool | None = True
    ) -> Exchange:
        """A signed form POST (``signature=False``: none; a string: that one)."""
        headers: dict[str, str] = {}
        if signature is True:
            headers["X-Twilio-Signature"] = self.signature(url, params)
        elif isinstance(signature, str):
            headers["X-Twilio-Signature"] = signature
        status, body = self.transport(url, params, headers)
        return Exchange(url, dict(params), status, body)

    def call(
        self, app_url: str, to: str, caller: str = "+4512345678", script: CallScript | None = None
    ) -> Call:
        """Place a call to ``to`` and follow the TwiML until it ends (bounded)."""
        script = script or CallScript()
        call = Call(self, app_url, self.sid("CA"), to, caller)
        call.run(script)
        return call


@dataclass
class Call:
    provider: FakeProvider
    app_url: str
    sid: str
    to: str
    caller: str
    exchanges: list[Exchange] = field(default_factory=list)
    recordings: list[str] = field(default_factory=list)
    faxes: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    ended: bool = False

    def base_params(self) -> dict[str, str]:
        return {
            "AccountSid": self.provider.account_sid,
            "CallSid": self.sid,
            "From": self.caller,
            "To": self.to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
        }

    def post(self, url: str, extra: Mapping[str, str] | None = None) -> Exchange:
        exchange = self.provider.post(url, {**self.base_params(), **(extra or {})})
        self.exchanges.append(exchange)
        return exchange

    def run(self, script: CallScript, limit: int = 40) -> None:
        exchange = self.post(f"{self.app_url}/hooks/voice")
        for step in range(limit):
            assert exchange.status == 200, (exchange.url, exchange.status, exchange.body)
            next_request = self._follow(exchange, script)
            if next_request is None:
                break
            if script.before_step is not None:
                script.before_step(step, next_request[0])
            exchange = self.post(*next_request)
        self.ended = True

    def status(self, status: str = "completed", duration: str = "42") -> Exchange:
        return self.post(
            f"{self.app_url}/hooks/voice/status",
            {"CallStatus": status, "CallDuration": duration},
        )

    def _follow(self, exchange: Exchange, script: CallScript) -> tuple[str, dict[str, str]] | None:
        for verb in exchange.root:
            if verb.tag == "Say":
                self.said.append(verb.text or "")
            elif verb.tag == "Gather":
                self.said.extend(child.text or "" for child in verb if child.tag == "Say")
                digits = script.digits.pop(0) if script.digits else ""
                return verb.attrib["action"], {"Digits": digits} if digits else {}
            elif verb.tag == "Redirect":
                return (verb.text or "").strip(), {}
            elif verb.tag == "Dial":
                outcome = script.dial.pop(0) if script.dial else "no-answer"
                return verb.attrib["action"], {"DialCallStatus": outcome}
            elif verb.tag == "Enqueue":
                wait = self.post(verb.attrib["waitUrl"], {"QueueTime": "5", "QueuePosition": "1"})
                assert wait.status == 200, wait.body
                outcome = script.queue.pop(0) if script.queue else "leave"
                return verb.attrib["action"], {"QueueResult": outcome, "QueueTime": "200"}
            elif verb.tag == "Record":
                return self._record(verb, script)
            elif verb.tag == "Receive":
                return self._receive(verb)
            elif verb.tag in ("Hangup", "Reject"):
                return None
        return None

    def _record(self, verb: ET.Element, script: CallScript) -> tuple[str, dict[str, str]] | None:
        if not script.record:
            return verb.attrib["action"], {}
        sid = self.provider.sid("RE")
        url = self.provider.add_recording(sid)
        self.recordings.append(sid)
        result = {"RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": "7"}
        callback = verb.attrib.get("recordingStatusCallback")
        if callback:
            self.post(callback, {**result, "RecordingStatus": "completed"})
        return verb.attrib["action"], result

    def _receive(self, verb: ET.Element) -> tuple[str, dict[str, str]]:
        sid = self.provider.sid("FX")
        url = self.provider.add_fax(sid)
        self.faxes.append(sid)
        return verb.attrib["action"], {
            "FaxSid": sid,
            "MediaUrl": url,
            "NumPages": "1",
            "FaxStatus": "received",
            "RemoteStationId": "+4598765432",
        }


def requests_transport(session: requests.Session | None = None) -> Transport:
    """POST over real HTTP (to the app served on 127.0.0.1)."""
    http = session or requests.Session()

    def post(url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> tuple[int, str]:
        response = http.post(url, data=dict(params), headers=dict(headers), timeout=20)
        return response.status_code, response.text

    return post


def client_transport(client: Any) -> Transport:
    """POST through a Flask test client (in-process tests)."""

    def post(url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> tuple[int, str]:
        response = client.post(url, data=dict(params), headers=dict(headers))
        return response.status_code, response.get_data(as_text=True)

    return post


def fake_provider(
    account_sid: str, auth_token: str, transport: Transport
) -> Iterator[FakeProvider]:
    provider = FakeProvider(account_sid, auth_token, transport).start()
    try:
        yield provider
    finally:
        provider.stop()
