"""The Telegram channel against the fake Bot API: uploads, captions, buttons, errors."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from telegram.error import InvalidToken

from integrations.notify import DeliveryResult, Notification, Outcome, registry
from integrations.notify.channels.telegram import TelegramChannel, bot_username
from integrations.notify.telegram_format import utf16_len
from integrations.notify.telegram_links import derive_key, verify_callback
from tests.integrations.conftest import BOT_TOKEN
from tests.integrations.fake_telegram import FakeTelegramServer, visible_text

CHAT = 555001
OGG = b"OggS\x00\x02" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n" + b"0" * 3000 + b"\n%%EOF\n"
SECRET = "app-secret-for-tests"
WHEN = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)


@pytest.fixture(params=[True, False], ids=["direct", "httpx"])
def direct(request: pytest.FixtureRequest) -> bool:
    """Both ways to the API: our blocking request, and PTB's httpx one (behind a proxy)."""
    return bool(request.param)


@pytest.fixture
def channel(fake_telegram: FakeTelegramServer, direct: bool) -> TelegramChannel:
    fake_telegram.fake.chats[CHAT] = "ok"
    built = registry.get(
        "telegram",
        {"telegram_base_url": fake_telegram.base_url, "telegram_callback_secret": SECRET},
    )
    assert isinstance(built, TelegramChannel)
    assert built.direct  # no proxy in the test environment
    built.direct = direct
    return built


def voicemail(tmp_path: Path, **overrides: object) -> Notification:
    path = tmp_path / "vm.ogg"
    path.write_bytes(OGG)
    values: dict[str, object] = {
        "event": "voicemail.created",
        "occurred_at": WHEN,
        "object_id": 77,
        "box_name": "Sales",
        "caller": "+4930123456",
        "duration_s": 65,
        "transcription": "Please call me back about the order.",
        "media_path": path,
        "timezone": "Europe/Berlin",
    }
    values.update(overrides)
    return Notification(**values)  # type: ignore[arg-type]


def send(
    channel: TelegramChannel, message: Notification, chat: int = CHAT, token: str = BOT_TOKEN
) -> DeliveryResult:
    config = {"bot_token": token, "chat_id": chat}
    return channel.deliver(message, config, idempotency_key="msg_1", timeout=5)


def test_voicemail_is_sent_as_voice_with_caption_and_signed_buttons(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    result = send(channel, voicemail(tmp_path))

    assert result.outcome is Outcome.DELIVERED
    (call,) = fake_telegram.fake.calls("sendVoice")
    assert call.files["voice"][1] == OGG
    assert call.fields["chat_id"] == str(CHAT)
    assert call.fields["parse_mode"] == "HTML"
    assert call.fields["duration"] == "65"
    shown = visible_text(call.fields["caption"])
    assert "Sales" in shown
    assert "+4930123456" in shown
    assert "2026-11-21 11:30 CET" in shown  # local time of Europe/Berlin
    assert "1:05" in shown
    assert "Please call me back about the order." in shown
    buttons = call.reply_markup["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["Claim", "Handled"]
    key = derive_key(SECRET)
    assert [verify_callback(key, b["callback_data"]) for b in buttons] == [
        (77, "claim"),
        (77, "handled"),
    ]
    assert result.remote_id is not None
    assert fake_telegram.fake.calls("getMe") == []  # no extra round trip per delivery


def test_caption_escapes_markup_in_names_and_keeps_emoji(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    message = voicemail(
        tmp_path,
        box_name="R&D <Support>",
        caller='"Bob" <b>',
        transcription="a < b && c > d 😀 </i>",
    )
    assert send(channel, message).ok
    caption = fake_telegram.fake.calls("sendVoice")[0].fields["caption"]
    shown = visible_text(caption)  # the fake rejects unbalanced or unknown markup
    assert "R&D <Support>" in shown
    assert '"Bob" <b>' in shown
    assert "a < b && c > d 😀 </i>" in shown
    assert "<Support>" not in caption


def test_long_transcription_is_cut_to_the_caption_limit_with_an_ellipsis(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    text = "Hello & <goodbye> 😀 " * 200
    result = send(channel, voicemail(tmp_path, transcription=text))

    assert result.ok, result.reason
    shown = visible_text(fake_telegram.fake.calls("sendVoice")[0].fields["caption"])
    assert utf16_len(shown) <= 1024
    assert utf16_len(shown) > 1000  # the room is used, not thrown away
    assert shown.endswith("…")


def test_fax_is_sent_as_pdf_document(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    pdf = tmp_path / "fax.pdf"
    pdf.write_bytes(PDF)
    message = Notification(
        event="fax.received", occurred_at=WHEN, object_id=9, box_name="Fax", pages=3, media_path=pdf
    )
    assert send(channel, message).ok
    (call,) = fake_telegram.fake.calls("sendDocument")
    assert call.files["document"] == ("fax-9.pdf", PDF)
    assert "3 pages" in visible_text(call.fields["caption"])
    assert "reply_markup" not in call.fields


def test_other_events_are_text_messages_cut_to_4096(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer
) -> None:
    message = Notification(
        event="licence.expiring", occurred_at=WHEN, text="Licence <X> & more " * 400
    )
    assert send(channel, message).ok
    (call,) = fake_telegram.fake.calls("sendMessage")
    shown = visible_text(call.fields["text"])
    assert utf16_len(shown) <= 4096
    assert shown.endswith("…")


def test_voicemail_without_its_file_still_notifies_as_text(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    message = voicemail(tmp_path, media_path=tmp_path / "gone.ogg")
    assert send(channel, message).ok
    (call,) = fake_telegram.fake.calls("sendMessage")
    assert call.reply_markup["inline_keyboard"][0][0]["text"] == "Claim"


def test_without_a_callback_secret_no_buttons_are_sent(
    fake_telegram: FakeTelegramServer, tmp_path: Path, direct: bool
) -> None:
    fake_telegram.fake.chats[CHAT] = "ok"
    channel = TelegramChannel(base_url=fake_telegram.base_url, direct=direct)
    assert send(channel, voicemail(tmp_path)).ok
    assert "reply_markup" not in fake_telegram.fake.calls("sendVoice")[0].fields


def test_flood_control_is_a_retry_with_retry_after(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    fake_telegram.fake.fail_next(429, "Too Many Requests: retry after 37", retry_after=37)
    result = send(channel, voicemail(tmp_path))
    assert result.outcome is Outcome.RETRY
    assert result.retry_after == 37
    # and the next attempt goes through
    assert send(channel, voicemail(tmp_path)).ok


def test_server_error_is_a_retry(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    fake_telegram.fake.fail_next(502, "Bad Gateway")
    result = send(channel, voicemail(tmp_path))
    assert result.outcome is Outcome.RETRY
    assert result.retry_after is None


def test_chat_not_found_is_permanent(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    result = send(channel, voicemail(tmp_path), chat=999)
    assert result.outcome is Outcome.PERMANENT
    assert "chat not found" in result.reason.lower()


def test_blocked_bot_is_permanent(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    fake_telegram.fake.chats[CHAT] = "blocked"
    result = send(channel, voicemail(tmp_path))
    assert result.outcome is Outcome.PERMANENT
    assert "blocked" in result.reason
    assert result.status_code == 403


def test_wrong_token_is_permanent_and_the_reason_hides_the_token(
    channel: TelegramChannel, tmp_path: Path
) -> None:
    wrong = "999999:BBB-wrong-token_xxxxxxxxxxxxxxxxx"
    result = send(channel, voicemail(tmp_path), token=wrong)
    assert result.outcome is Outcome.PERMANENT
    assert result.status_code == 401
    assert wrong not in result.reason


def test_unreachable_api_is_a_retry_without_the_token_in_the_reason(
    tmp_path: Path, direct: bool
) -> None:
    with FakeTelegramServer(BOT_TOKEN) as server:
        base = server.base_url
    # the server is gone: connection refused on that port
    channel = TelegramChannel(base_url=base, direct=direct)
    result = send(channel, voicemail(tmp_path))
    assert result.outcome is Outcome.RETRY
    assert BOT_TOKEN not in result.reason


def test_slow_api_times_out_as_a_retry(
    fake_telegram: FakeTelegramServer, tmp_path: Path, direct: bool
) -> None:
    fake_telegram.fake.chats[CHAT] = "ok"
    fake_telegram.fake.delay = 1.5
    channel = TelegramChannel(base_url=fake_telegram.base_url, direct=direct)
    result = channel.deliver(
        voicemail(tmp_path),
        {"bot_token": BOT_TOKEN, "chat_id": CHAT},
        idempotency_key="k",
        timeout=0.3,
    )
    assert result.outcome is Outcome.RETRY


def test_invalid_config_is_permanent_through_safe_deliver(
    channel: TelegramChannel, tmp_path: Path
) -> None:
    result = channel.safe_deliver(
        voicemail(tmp_path), {"bot_token": "nope", "chat_id": "x"}, idempotency_key="k", timeout=1
    )
    assert result.outcome is Outcome.PERMANENT
    assert "bot_token" in result.reason


def test_bot_username_checks_the_token(fake_telegram: FakeTelegramServer) -> None:
    assert bot_username(BOT_TOKEN, base_url=fake_telegram.base_url, timeout=5) == "ivr_test_bot"
    with pytest.raises(InvalidToken):
        bot_username("1:" + "x" * 30, base_url=fake_telegram.base_url, timeout=5)


def test_request_logs_do_not_show_the_bot_token(
    channel: TelegramChannel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert send(channel, voicemail(tmp_path)).ok
    assert "/bot<token>/sendVoice" in caplog.text  # the request was logged...
    assert BOT_TOKEN not in caplog.text  # ...without the token


def test_a_transcription_edits_the_caption_and_a_repeat_changes_nothing(
    channel: TelegramChannel, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    sent = send(channel, voicemail(tmp_path, transcription=None))
    assert sent.remote_id is not None
    buttons = [("Claim", "c1"), ("Handled", "h1")]
    edit = voicemail(tmp_path, event="voicemail.transcribed", media_path=None)
    config = {
        "bot_token": BOT_TOKEN,
        "chat_id": CHAT,
        "message_id": int(sent.remote_id),
        "buttons": buttons,
    }
    for _ in range(2):  # the second try finds the caption up to date: delivered too
        result = channel.deliver(edit, config, idempotency_key="msg_2", timeout=5)
        assert (result.outcome, result.remote_id) == (Outcome.DELIVERED, sent.remote_id)
    first, _repeat = fake_telegram.fake.calls("editMessageCaption")
    shown = fake_telegram.fake.messages[(CHAT, int(sent.remote_id))]
    assert shown["caption"].startswith("New voicemail · Sales")  # the voicemail's layout
    assert "Please call me back about the order." in shown["caption"]
    assert [b["callback_data"] for b in first.reply_markup["inline_keyboard"][0]] == ["c1", "h1"]


def test_an_edit_without_a_message_id_is_permanent(
    channel: TelegramChannel, tmp_path: Path
) -> None:
    edit = voicemail(tmp_path, event="voicemail.transcribed")
    result = send(channel, edit)
    assert result.outcome is Outcome.PERMANENT


def test_the_fake_refuses_a_broken_upload_as_a_bad_request(
    fake_telegram: FakeTelegramServer,
) -> None:
    """The fake checks what it receives: a multipart body cut short is a 400, not a file."""
    body = b'--b\r\nContent-Disposition: form-data; name="voice"; filename="v.ogg"\r\n\r\nOggS'
    answer = httpx.post(
        f"{fake_telegram.base_url}/bot{BOT_TOKEN}/sendVoice",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert answer.status_code == 400
    assert answer.json()["ok"] is False
    assert answer.json()["description"].startswith("Bad Request: can't parse")
    assert fake_telegram.fake.calls("sendVoice") == []


def test_a_kept_connection_serves_every_bot_of_a_thread_until_released(tmp_path: Path) -> None:
    other = "654321:BBB-other-bot_token-0123456789"
    with FakeTelegramServer(BOT_TOKEN, keep_alive=True) as server:
        server.fake.add_bot(other, "other_bot")
        server.fake.chats[CHAT] = "ok"
        channel = TelegramChannel(base_url=server.base_url, keep_connections=True)
        for token in (BOT_TOKEN, other, BOT_TOKEN, other):
            assert send(channel, voicemail(tmp_path), token=token).ok
        assert server.connections == 1
        assert [c.token for c in server.fake.calls("sendVoice")] == [BOT_TOKEN, other] * 2
        channel.release()
        assert send(channel, voicemail(tmp_path)).ok  # a released thread opens a new one
        assert server.connections == 2
        channel.release()


def test_behind_a_proxy_the_channel_keeps_ptbs_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.local:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert not TelegramChannel(base_url="https://api.telegram.org").direct
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert TelegramChannel(base_url="https://api.telegram.org").direct
