"""Uploads as one buffered body: the same request on the wire, PTB's errors kept."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from integrations.notify.telegram_request import BufferedUploadRequest
from tests.integrations.conftest import BOT_TOKEN
from tests.integrations.fake_telegram import FakeTelegramServer

CHAT = 555002
OGG = b"OggS\x00\x02" + bytes(range(256)) * 40


def _run_bot(base_url: str, timeout: float, action: str, tmp_path: Path) -> object:
    voice = tmp_path / "vm.ogg"
    voice.write_bytes(OGG)

    async def run() -> object:
        request = BufferedUploadRequest(
            connection_pool_size=1,
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
            pool_timeout=timeout,
            media_write_timeout=timeout,
        )
        await request.initialize()
        bot = Bot(BOT_TOKEN, base_url=f"{base_url}/bot", request=request)
        try:
            if action == "voice":
                with voice.open("rb") as handle:
                    return await bot.send_voice(
                        CHAT, voice=handle, caption="<b>Sales</b> &amp; co", duration=7
                    )
            return await bot.send_message(CHAT, "text only")
        finally:
            await request.shutdown()

    return asyncio.run(run())


def test_an_upload_arrives_whole_with_every_field(
    fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    fake_telegram.fake.chats[CHAT] = "ok"
    _run_bot(fake_telegram.base_url, 5, "voice", tmp_path)
    (call,) = fake_telegram.fake.calls("sendVoice")
    assert call.files["voice"][1] == OGG
    assert call.fields["caption"] == "<b>Sales</b> &amp; co"
    assert str(call.fields["duration"]) == "7"
    assert str(call.fields["chat_id"]) == str(CHAT)


def test_a_request_without_files_is_left_to_ptb(
    fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    fake_telegram.fake.chats[CHAT] = "ok"
    _run_bot(fake_telegram.base_url, 5, "text", tmp_path)
    (call,) = fake_telegram.fake.calls("sendMessage")
    assert call.fields["text"] == "text only"


def test_a_slow_upload_times_out_as_ptb_would(
    fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    fake_telegram.fake.chats[CHAT] = "ok"
    fake_telegram.fake.delay = 1.0
    with pytest.raises(TimedOut):
        _run_bot(fake_telegram.base_url, 0.2, "voice", tmp_path)


def test_an_unreachable_api_is_a_network_error(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError) as raised:
        _run_bot(f"http://127.0.0.1:{port}", 2, "voice", tmp_path)
    assert not isinstance(raised.value, TimedOut)
