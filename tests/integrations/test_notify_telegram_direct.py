"""PTB's bot on our blocking request: the same requests on the wire, PTB's errors kept."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Bot, InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from integrations.notify.telegram_direct import (
    DirectRequest,
    encode_multipart,
    proxy_applies,
    run_blocking,
)
from tests.integrations.conftest import BOT_TOKEN
from tests.integrations.fake_telegram import FakeTelegramServer

CHAT = 555003
OGG = b"OggS\x00\x02" + bytes(range(256)) * 40


@pytest.fixture
def keep_alive() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer(BOT_TOKEN, keep_alive=True) as server:
        server.fake.chats[CHAT] = "ok"
        yield server


def bot(base_url: str, request: DirectRequest) -> Bot:
    return Bot(BOT_TOKEN, base_url=f"{base_url}/bot", request=request)


def send_voice(base_url: str, request: DirectRequest, tmp_path: Path) -> int:
    voice = tmp_path / "vm.ogg"
    voice.write_bytes(OGG)
    with voice.open("rb") as handle:
        sent = run_blocking(
            bot(base_url, request).send_voice(
                CHAT, voice=handle, caption="<b>Sales</b> &amp; co", duration=7
            )
        )
    return sent.message_id


def test_an_upload_arrives_whole_with_every_field(
    keep_alive: FakeTelegramServer, tmp_path: Path
) -> None:
    request = DirectRequest(5)
    assert send_voice(keep_alive.base_url, request, tmp_path) > 0
    (call,) = keep_alive.fake.calls("sendVoice")
    assert call.files["voice"] == ("vm.ogg", OGG)
    assert call.fields["caption"] == "<b>Sales</b> &amp; co"
    assert call.fields["duration"] == "7"
    assert call.fields["chat_id"] == str(CHAT)
    request.close()


def test_a_call_without_files_is_sent_as_a_form(keep_alive: FakeTelegramServer) -> None:
    request = DirectRequest(5)
    sent = run_blocking(bot(keep_alive.base_url, request).send_message(CHAT, "text & more"))
    assert sent.text == "text & more"
    (call,) = keep_alive.fake.calls("sendMessage")
    assert call.fields["text"] == "text & more"
    request.close()


def test_one_connection_carries_every_message(
    keep_alive: FakeTelegramServer, tmp_path: Path
) -> None:
    request = DirectRequest(5)
    ids = [send_voice(keep_alive.base_url, request, tmp_path) for _ in range(5)]
    assert len(set(ids)) == 5
    assert keep_alive.connections == 1
    request.close()


def test_a_connection_the_server_closed_while_idle_is_replaced(
    keep_alive: FakeTelegramServer, tmp_path: Path
) -> None:
    request = DirectRequest(5)
    send_voice(keep_alive.base_url, request, tmp_path)
    keep_alive.drop_connections()
    time.sleep(0.1)  # the close reaches our socket
    send_voice(keep_alive.base_url, request, tmp_path)  # no error: a new connection
    assert keep_alive.connections == 2
    assert len(keep_alive.fake.calls("sendVoice")) == 2
    request.close()


def test_an_http_1_0_server_gets_a_connection_per_request(
    fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    fake_telegram.fake.chats[CHAT] = "ok"
    request = DirectRequest(5)
    for _ in range(3):
        send_voice(fake_telegram.base_url, request, tmp_path)
    assert fake_telegram.connections == 3


def test_an_error_answer_is_ptbs_error_and_keeps_the_connection(
    keep_alive: FakeTelegramServer, tmp_path: Path
) -> None:
    keep_alive.fake.fail_next(429, "Too Many Requests: retry after 9", retry_after=9)
    request = DirectRequest(5)
    with pytest.raises(RetryAfter):
        send_voice(keep_alive.base_url, request, tmp_path)
    # the connection is still good after an error answer
    send_voice(keep_alive.base_url, request, tmp_path)
    assert keep_alive.connections == 1
    request.close()


def test_a_slow_answer_times_out(keep_alive: FakeTelegramServer, tmp_path: Path) -> None:
    keep_alive.fake.delay = 1.0
    request = DirectRequest(0.2)
    started = time.monotonic()
    with pytest.raises(TimedOut) as raised:
        send_voice(keep_alive.base_url, request, tmp_path)
    assert time.monotonic() - started < 0.9
    assert BOT_TOKEN not in str(raised.value)
    assert "/bot<token>/sendVoice" in str(raised.value)


def test_an_unreachable_api_is_a_network_error(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError) as raised:
        send_voice(f"http://127.0.0.1:{port}", DirectRequest(2), tmp_path)
    assert not isinstance(raised.value, TimedOut)
    assert BOT_TOKEN not in str(raised.value)


def test_an_answer_dripping_in_is_cut_off_at_the_sum_of_the_timeouts(tmp_path: Path) -> None:
    """Each byte comes within the read timeout; the whole answer never does."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def drip() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(TimedOut):
            send_voice(f"http://127.0.0.1:{port}", DirectRequest(0.3), tmp_path)
        # connect + write + read: 0.9 s at most, though no read ever waited 0.3 s
        assert time.monotonic() - started < 2.0
    finally:
        stop.set()
        thread.join(5)
        server.close()


def test_a_coroutine_that_suspends_is_refused_not_left_hanging() -> None:
    async def waits() -> int:
        await asyncio.sleep(0)
        return 1

    async def finishes() -> int:
        return 2

    call = waits()
    with pytest.raises(RuntimeError, match="waited"):
        run_blocking(call)
    assert call.cr_frame is None  # closed
    assert run_blocking(finishes()) == 2


def test_part_and_file_names_cannot_break_out_of_their_quotes() -> None:
    upload = InputFile(b"%PDF-1.4", filename='fax"\r\nX-Evil: 2.pdf')
    data = RequestData(
        [
            RequestParameter.from_input('a"b\r\nX-Evil: 1', "value"),
            RequestParameter.from_input("document", upload),
        ]
    )
    body, content_type = encode_multipart(data)
    boundary = content_type.split("boundary=", 1)[1]
    assert content_type.startswith("multipart/form-data; ")
    assert b'name="a%22b%0D%0AX-Evil: 1"' in body
    assert b'filename="fax%22%0D%0AX-Evil: 2.pdf"' in body
    assert b"\r\nX-Evil" not in body
    assert body.endswith(f"--{boundary}--\r\n".encode())


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, False),
        ({"HTTPS_PROXY": "http://proxy.local:3128"}, True),
        ({"https_proxy": "http://proxy.local:3128", "no_proxy": "api.telegram.org"}, False),
        ({"ALL_PROXY": "socks5://proxy.local:1080"}, True),
        ({"HTTP_PROXY": "http://proxy.local:3128"}, False),  # not for an https URL
    ],
)
def test_a_proxy_in_the_environment_is_noticed(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: bool
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert proxy_applies("https://api.telegram.org") is expected
