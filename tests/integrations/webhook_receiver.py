"""A local webhook receiver that verifies Standard Webhooks signatures with the package.

Verification uses ``standardwebhooks`` (not our own code), so a passing test means a
third-party receiver would accept our deliveries. Answers can be scripted per request
(status, headers) to simulate outages, rate limits and refusals.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class ReceivedWebhook:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    verified: bool
    payload: Any


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = Webhook(receiver.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            payload, verified = None, False
        with receiver.lock:
            receiver.received.append(ReceivedWebhook(self.path, headers, body, verified, payload))
            status, extra, text = receiver.scripted.pop(0) if receiver.scripted else (204, {}, b"")
        if not verified and status < 300:
            status, text = 401, b"bad signature"
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: WebhookReceiver


class WebhookReceiver:
    """Context manager; ``url`` to register, ``received`` to inspect, ``respond`` to script."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.received: list[ReceivedWebhook] = []
        self.scripted: list[tuple[int, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = str(self._server.server_address[0]), self._server.server_address[1]
        return f"http://{host}:{port}/hooks/ivr"

    def respond(
        self, status: int, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> None:
        self.scripted.append((status, headers or {}, body))

    def unique_payloads(self) -> dict[str, Any]:
        """Verified deliveries by ``webhook-id``: what an idempotent receiver keeps."""
        return {r.headers["webhook-id"]: r.payload for r in self.received if r.verified}

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def as_json(body: bytes) -> Any:
    return json.loads(body)
