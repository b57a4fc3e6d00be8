"""Telegram's incoming side: signed buttons, deep links, /start and /stop, the secret header."""

from __future__ import annotations

import pytest

from integrations.notify.telegram_links import (
    InvalidCallback,
    check_secret_token,
    deep_link,
    derive_key,
    make_link_token,
    make_webhook_secret,
    parse_callback_query,
    parse_link_command,
    sign_callback,
    verify_callback,
)

KEY = derive_key("app-secret")


def press(data: str, user: int = 901) -> dict[str, object]:
    return {
        "update_id": 1,
        "callback_query": {
            "id": "cbq-1",
            "from": {"id": user, "is_bot": False, "first_name": "Ann"},
            "message": {"message_id": 12, "chat": {"id": -100200, "type": "supergroup"}},
            "data": data,
        },
    }


def test_signed_callback_round_trips_and_fits_64_bytes() -> None:
    data = sign_callback(KEY, 12345678901234567890, "handled")
    assert len(data.encode()) <= 64
    assert data.startswith("vm:12345678901234567890:handled:")
    assert verify_callback(KEY, data) == (12345678901234567890, "handled")


@pytest.mark.parametrize(
    "forge",
    [
        lambda d: d.replace("vm:77:", "vm:78:"),  # other voicemail
        lambda d: d.replace(":claim:", ":handled:"),  # other action
        lambda d: d[:-1] + ("A" if d[-1] != "A" else "B"),  # tampered mac
        lambda d: "vm:77:claim",  # unsigned
        lambda d: "vm:-1:claim:" + d.rsplit(":", 1)[1],
        lambda d: sign_callback(derive_key("other-install"), 77, "claim"),  # other key
    ],
)
def test_forged_callbacks_are_refused(forge) -> None:  # type: ignore[no-untyped-def]
    data = sign_callback(KEY, 77, "claim")
    with pytest.raises(InvalidCallback):
        verify_callback(KEY, forge(data))


def test_callback_query_update_is_parsed() -> None:
    action = parse_callback_query(press(sign_callback(KEY, 77, "claim")), KEY)
    assert action is not None
    assert (action.voicemail_id, action.action, action.from_user_id) == (77, "claim", 901)
    assert (action.chat_id, action.message_id, action.callback_query_id) == (-100200, 12, "cbq-1")


def test_callback_query_with_forged_data_raises_and_other_updates_are_none() -> None:
    with pytest.raises(InvalidCallback):
        parse_callback_query(press("vm:77:claim:AAAAAAAAAAAAAAAA"), KEY)
    assert parse_callback_query({"update_id": 2, "message": {"text": "hi"}}, KEY) is None


def test_unknown_actions_cannot_be_signed() -> None:
    with pytest.raises(ValueError, match="action"):
        sign_callback(KEY, 1, "delete")


def test_deep_links() -> None:
    token = make_link_token()
    assert len(token) <= 64
    assert deep_link("@ivr_test_bot", token) == f"https://t.me/ivr_test_bot?start={token}"
    assert (
        deep_link("ivr_test_bot", "abc", group=True) == "https://t.me/ivr_test_bot?startgroup=abc"
    )
    with pytest.raises(ValueError, match="token"):
        deep_link("ivr_test_bot", "has space")
    with pytest.raises(ValueError, match="username"):
        deep_link("bad/name", "abc")


def message(text: str, chat_type: str = "private") -> dict[str, object]:
    return {
        "update_id": 5,
        "message": {
            "message_id": 3,
            "from": {"id": 901, "is_bot": False, "first_name": "Ann", "username": "ann"},
            "chat": {"id": 901 if chat_type == "private" else -100300, "type": chat_type},
            "text": text,
        },
    }


def test_start_with_token_and_stop_are_parsed() -> None:
    start = parse_link_command(message("/start abc_DEF-123"))
    assert start is not None
    assert (start.command, start.token, start.chat_id, start.user_id, start.username) == (
        "start",
        "abc_DEF-123",
        901,
        901,
        "ann",
    )
    stop = parse_link_command(message("/stop"))
    assert stop is not None
    assert (stop.command, stop.token) == ("stop", None)


def test_group_commands_addressed_to_another_bot_are_ignored() -> None:
    mine = parse_link_command(message("/start@ivr_test_bot tok", "supergroup"), "ivr_test_bot")
    assert mine is not None
    assert (mine.token, mine.chat_type, mine.chat_id) == ("tok", "supergroup", -100300)
    assert parse_link_command(message("/start@other_bot tok", "group"), "ivr_test_bot") is None


@pytest.mark.parametrize("text", ["hello", "/help", "/startx tok", "start tok", ""])
def test_other_messages_are_not_commands(text: str) -> None:
    assert parse_link_command(message(text)) is None


def test_start_with_a_malformed_token_has_no_token() -> None:
    parsed = parse_link_command(message("/start " + "x" * 65))
    assert parsed is not None
    assert parsed.token is None


def test_secret_token_header_check() -> None:
    secret = make_webhook_secret()
    assert check_secret_token(secret, secret)
    assert not check_secret_token(secret + "x", secret)
    assert not check_secret_token(None, secret)
    assert not check_secret_token("", "")  # unconfigured refuses everything
