"""Outgoing webhooks to a local receiver that verifies with the standardwebhooks package."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from integrations.notify import ChannelConfigError, Notification, Outcome, registry
from integrations.notify.channels.webhook import WebhookChannel, build_payload
from integrations.notify.policy import idempotency_key
from integrations.notify.signing import generate_secret, sign, signed_headers
from tests.integrations.webhook_receiver import WebhookReceiver

WHEN = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
MEDIA_URL = "https://ivr.example.org/media/vm/77?sig=abc&exp=1790000000"


def message(**overrides: Any) -> Notification:
    values: dict[str, Any] = {
        "event": "voicemail.created",
        "occurred_at": WHEN,
        "org_id": 3,
        "object_id": 77,
        "box_name": "Sales",
        "caller": "+4930123456",
        "duration_s": 42,
        "transcription": "hello",
        "media_url": MEDIA_URL,
        "media_content_type": "audio/ogg",
    }
    values.update(overrides)
    return Notification(**values)


@pytest.fixture
def channel() -> WebhookChannel:
    built = registry.get("webhook", {"allow_private_targets": True})
    assert isinstance(built, WebhookChannel)
    return built


def deliver(
    channel: WebhookChannel, receiver: WebhookReceiver, secret: str, key: str = "msg_abc"
) -> Any:
    config = {"url": receiver.url, "secret": secret}
    return channel.deliver(message(), config, idempotency_key=key, timeout=5)


def test_delivered_with_a_signature_the_standard_package_accepts(
    channel: WebhookChannel, webhook_receiver: WebhookReceiver, webhook_secret: str
) -> None:
    result = deliver(channel, webhook_receiver, webhook_secret)

    assert result.outcome is Outcome.DELIVERED
    assert result.status_code == 204
    (got,) = webhook_receiver.received
    assert got.verified
    assert got.path == "/hooks/ivr"
    assert got.headers["webhook-id"] == "msg_abc"
    assert got.headers["content-type"] == "application/json"
    assert got.payload["type"] == "voicemail.created"
    data = got.payload["data"]
    assert data["id"] == 77
    assert data["org_id"] == 3
    assert data["media_url"] == MEDIA_URL
    assert data["occurred_at"] == "2026-11-21T10:30:00+00:00"
    assert "media_path" not in data  # never a local path, never file bytes


def test_a_receiver_with_another_secret_rejects_it(
    channel: WebhookChannel, webhook_receiver: WebhookReceiver
) -> None:
    result = deliver(channel, webhook_receiver, generate_secret())
    assert not webhook_receiver.received[0].verified
    assert result.outcome is Outcome.PERMANENT
    assert result.status_code == 401
    assert "bad signature" in result.response_excerpt


def test_signature_matches_the_package_for_the_same_inputs() -> None:
    secret = generate_secret()
    body = json.dumps({"a": "é"}, ensure_ascii=False).encode()
    ours = sign(secret, "msg_1", 1_700_000_000, body)
    theirs = Webhook(secret).sign(
        "msg_1", datetime.fromtimestamp(1_700_000_000, UTC), body.decode()
    )
    assert ours == theirs
    headers = signed_headers(secret, "msg_1", 1_700_000_000, body)
    assert headers["webhook-signature"].startswith("v1,")
    assert len(base64.b64decode(headers["webhook-signature"][3:])) == 32


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_transient_statuses_retry_and_honour_retry_after(
    channel: WebhookChannel, webhook_receiver: WebhookReceiver, webhook_secret: str, status: int
) -> None:
    webhook_receiver.respond(status, {"Retry-After": "120"}, b"busy")
    result = deliver(channel, webhook_receiver, webhook_secret)
    assert result.outcome is Outcome.RETRY
    assert result.retry_after == 120
    assert result.status_code == status
    assert result.response_excerpt == "busy"


@pytest.mark.parametrize("status", [400, 404, 410, 422])
def test_other_client_errors_are_permanent_with_a_truncated_body(
    channel: WebhookChannel, webhook_receiver: WebhookReceiver, webhook_secret: str, status: int
) -> None:
    webhook_receiver.respond(status, {}, b"x" * 5000)
    result = deliver(channel, webhook_receiver, webhook_secret)
    assert result.outcome is Outcome.PERMANENT
    assert result.status_code == status
    assert result.response_excerpt == "x" * 500


def test_redirects_are_not_followed(
    channel: WebhookChannel, webhook_receiver: WebhookReceiver, webhook_secret: str
) -> None:
    webhook_receiver.respond(302, {"Location": "http://169.254.169.254/latest/meta-data"})
    result = deliver(channel, webhook_receiver, webhook_secret)
    assert result.outcome is Outcome.PERMANENT
    assert len(webhook_receiver.received) == 1


def test_outage_then_recovery_reaches_the_receiver_once_by_idempotency_key(
    channel: WebhookChannel, webhook_receiver: WebhookReceiver, webhook_secret: str
) -> None:
    key = idempotency_key("voicemail.created", 77, "webhook", 5)
    for _ in range(3):
        webhook_receiver.respond(503)
    outcomes = [deliver(channel, webhook_receiver, webhook_secret, key).outcome for _ in range(4)]
    assert outcomes == [Outcome.RETRY] * 3 + [Outcome.DELIVERED]
    # a duplicate after success (at-least-once) carries the same id
    assert deliver(channel, webhook_receiver, webhook_secret, key).ok
    assert list(webhook_receiver.unique_payloads()) == [key]


def test_connection_refused_is_a_retry(channel: WebhookChannel, webhook_secret: str) -> None:
    with WebhookReceiver(webhook_secret) as gone:
        url = gone.url
    result = channel.deliver(
        message(), {"url": url, "secret": webhook_secret}, idempotency_key="k", timeout=2
    )
    assert result.outcome is Outcome.RETRY


class _Silent(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.release.wait(5)  # type: ignore[attr-defined]


@pytest.fixture
def silent_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Silent)
    server.daemon_threads = True
    server.release = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.release.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_receiver_that_never_answers_times_out_as_a_retry(
    channel: WebhookChannel, silent_server: str, webhook_secret: str
) -> None:
    result = channel.deliver(
        message(),
        {"url": silent_server, "secret": webhook_secret},
        idempotency_key="k",
        timeout=0.3,
    )
    assert result.outcome is Outcome.RETRY
    assert "timed out" in result.reason


def test_default_settings_refuse_the_local_receiver(
    webhook_receiver: WebhookReceiver, webhook_secret: str
) -> None:
    strict = registry.get("webhook")
    config = {"url": webhook_receiver.url, "secret": webhook_secret}
    with pytest.raises(ChannelConfigError) as info:
        strict.validate_target(config)
    assert "loopback" in str(info.value.messages["url"])
    result = strict.deliver(message(), config, idempotency_key="k", timeout=2)
    assert result.outcome is Outcome.PERMANENT
    assert webhook_receiver.received == []


def test_config_schema_rejects_bad_urls_secrets_and_events(channel: WebhookChannel) -> None:
    with pytest.raises(ChannelConfigError) as info:
        channel.load_config({"url": "ftp://x.example", "secret": "whsec_!!", "events": ["nope"]})
    assert set(info.value.messages) == {"url", "secret", "events"}
    loaded = channel.load_config(
        {"url": "https://hooks.example.com/x", "secret": generate_secret()}
    )
    assert loaded["events"] == [
        "voicemail.created",
        "voicemail.handled",
        "voicemail.transcribed",
        "fax.received",
        "call.completed",
        "licence.expiring",
    ]


def test_payload_carries_extra_fields_and_drops_empty_ones() -> None:
    payload = build_payload(
        message(
            transcription=None,
            media_url=None,
            extra={"handled_by": "Ann"},
            event="voicemail.handled",
        )
    )
    assert payload["type"] == "voicemail.handled"
    assert payload["data"]["handled_by"] == "Ann"
    assert "transcription" not in payload["data"]
    assert "media_content_type" not in payload["data"]
