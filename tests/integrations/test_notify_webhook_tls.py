"""HTTPS delivery to a pinned address still verifies the certificate for the hostname.

A local TLS server with a throwaway certificate for ``hooks.internal.test``; the channel
resolves that name to 127.0.0.1 (pinned), sends SNI for the name, and checks the
certificate against it, so pinning does not weaken TLS.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from integrations.notify import Notification, Outcome
from integrations.notify.channels.webhook import WebhookChannel

HOST = "hooks.internal.test"


def make_cert(tmp: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.hosts.append(self.headers.get("Host"))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path, list[str]]]:
    (tmp_path / "server").mkdir()
    cert, key = make_cert(tmp_path / "server", HOST)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    names: list[str] = []
    server_ctx.sni_callback = lambda sock, name, ctx: names.append(name or "")  # type: ignore[assignment,func-returns-value]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.hosts = []  # type: ignore[attr-defined]
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server.server_address[1], cert, names
    assert all(host == f"{HOST}:{server.server_address[1]}" for host in server.hosts)  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join(5)


def _send(channel: WebhookChannel, port: int, secret: str) -> Any:
    message = Notification(
        event="call.completed", occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), object_id=5
    )
    config = {"url": f"https://{HOST}:{port}/in", "secret": secret}
    return channel.deliver(message, config, idempotency_key="k", timeout=5)


def test_https_to_a_pinned_address_sends_sni_and_verifies_the_name(
    tls_server: tuple[int, Path, list[str]], webhook_secret: str
) -> None:
    port, cert, names = tls_server
    channel = WebhookChannel(
        allow_private_targets=True,
        resolver=lambda host, _port: ["127.0.0.1"],
        ssl_context=ssl.create_default_context(cafile=str(cert)),
    )
    result = _send(channel, port, webhook_secret)
    assert result.ok, result.reason
    assert names == [HOST]


def test_a_certificate_for_another_name_fails_as_a_retry(
    tmp_path: Path, tls_server: tuple[int, Path, list[str]], webhook_secret: str
) -> None:
    port, _, _ = tls_server
    (tmp_path / "other").mkdir()
    other_cert, _ = make_cert(tmp_path / "other", "other.example")  # not the server's cert
    channel = WebhookChannel(
        allow_private_targets=True,
        resolver=lambda host, _port: ["127.0.0.1"],
        ssl_context=ssl.create_default_context(cafile=str(other_cert)),
    )
    result = _send(channel, port, webhook_secret)
    assert result.outcome is Outcome.RETRY
    assert "TLS" in result.reason
