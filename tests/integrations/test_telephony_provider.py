"""Media downloads against a local HTTP server: auth, limits, atomic files, failures."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from integrations.telephony import (
    MediaUnavailable,
    NullProvider,
    RestProvider,
    make_provider,
)

AUTH = "Basic " + base64.b64encode(b"AC123:tok").decode()
PAYLOAD = b"RIFF" + b"\x00" * 2000


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("Authorization") != AUTH:
            self.send_response(401)
            self.end_headers()
            return
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.end_headers()
            return
        body = b"" if self.path.startswith("/empty") else PAYLOAD
        self.send_response(200)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_download_with_basic_auth_to_a_random_name(server, tmp_path: Path):
    provider = RestProvider("AC123", "tok", server)
    first = provider.download_media(f"{server}/Recordings/RE1", tmp_path / "vm")
    second = provider.download_media("/Recordings/RE1", tmp_path / "vm")
    assert first.path.read_bytes() == PAYLOAD
    assert first.size == len(PAYLOAD)
    assert first.content_type == "audio/x-wav"
    assert first.path.suffix == ".wav"
    assert first.path != second.path
    assert "RE1" not in first.path.name
    assert sorted(p.name for p in (tmp_path / "vm").iterdir()) == sorted(
        [first.path.name, second.path.name]
    )


def test_wrong_credentials_fail_and_leave_no_file(server, tmp_path: Path):
    provider = RestProvider("AC123", "wrong", server)
    with pytest.raises(MediaUnavailable, match="401"):
        provider.download_media("/Recordings/RE1", tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", ["/missing", "/empty"])
def test_missing_or_empty_media(server, tmp_path: Path, path):
    with pytest.raises(MediaUnavailable):
        RestProvider("AC123", "tok", server).download_media(path, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_size_cap(server, tmp_path: Path):
    provider = RestProvider("AC123", "tok", server, max_bytes=100)
    with pytest.raises(MediaUnavailable, match="larger"):
        provider.download_media("/Recordings/RE1", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_credentials_never_go_to_another_host(server, tmp_path: Path):
    provider = RestProvider("AC123", "tok", server)
    with pytest.raises(MediaUnavailable, match="host"):
        provider.download_media("https://attacker.example/x.wav", tmp_path)


def test_provider_down(tmp_path: Path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = RestProvider("AC123", "tok", f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(MediaUnavailable, match="download failed"):
        provider.download_media("/Recordings/RE1", tmp_path)


def test_null_provider_and_factory(tmp_path: Path):
    with pytest.raises(MediaUnavailable):
        NullProvider().download_media("/x", tmp_path)
    null = make_provider("null", provider="twilio", account_sid="a", auth_token="b", base_url=None)
    assert isinstance(null, NullProvider)
    rest = make_provider("rest", provider="twilio", account_sid="a", auth_token="b", base_url=None)
    assert isinstance(rest, RestProvider)
    assert rest.base_url == "https://api.twilio.com/"
    no_space = make_provider(
        "rest", provider="signalwire", account_sid="a", auth_token="b", base_url=None
    )
    assert isinstance(no_space, NullProvider)
    with pytest.raises(ValueError, match="unknown"):
        make_provider("smoke", provider="twilio", account_sid="a", auth_token="b", base_url=None)
