"""The channel registry and the console channel; subscriber failures are contained."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from integrations.notify import (
    Channel,
    DeliveryResult,
    Notification,
    Outcome,
    UnknownChannel,
    build,
    get,
    kinds,
)
from integrations.notify.channels import console
from integrations.notify.telegram_format import format_duration, format_local_time, render

WHEN = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)


def test_channels_are_discovered_from_their_modules() -> None:
    assert kinds() == ["console", "telegram", "webhook"]
    channels = build({"allow_private_targets": True})
    assert {c.kind for c in channels.values()} == set(kinds())
    assert channels["webhook"].allow_private_targets is True  # type: ignore[attr-defined]
    assert get("webhook").allow_private_targets is False  # type: ignore[attr-defined]
    with pytest.raises(UnknownChannel):
        get("pager")


def test_console_channel_delivers_and_records() -> None:
    message = Notification(event="voicemail.created", occurred_at=WHEN, object_id=1)
    result = get("console").deliver(message, {"record": True}, idempotency_key="k1", timeout=1)
    assert result.outcome is Outcome.DELIVERED
    assert console.SENT[-1] == ("k1", message)


class Exploding(Channel):
    kind = "exploding-test"
    config_schema = console.ConsoleConfig

    def deliver(
        self,
        message: Notification,
        config: Mapping[str, Any],
        *,
        idempotency_key: str,
        timeout: float,
    ) -> DeliveryResult:
        raise RuntimeError("boom")


def test_a_bug_in_one_channel_becomes_a_logged_retry(caplog: pytest.LogCaptureFixture) -> None:
    message = Notification(event="call.completed", occurred_at=WHEN)
    with caplog.at_level(logging.ERROR):
        result = Exploding().safe_deliver(message, {}, idempotency_key="k", timeout=1)
    assert result.outcome is Outcome.RETRY
    assert "RuntimeError" in result.reason
    assert "exploding-test" in caplog.text


def test_notification_validates_event_and_timezone(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="event"):
        Notification(event="voicemail.deleted", occurred_at=WHEN)
    with pytest.raises(ValueError, match="timezone-aware"):
        Notification(event="call.completed", occurred_at=datetime(2026, 1, 1))


def test_rendering_uses_language_timezone_and_fallbacks() -> None:
    message = Notification(
        event="voicemail.created",
        occurred_at=WHEN,
        box_name="Vertrieb",
        duration_s=5,
        timezone="Not/AZone",
        language="de-AT",
    )
    text = render(message, limit=1024)
    assert text.startswith("<b>Neue Sprachnachricht · Vertrieb</b>")
    assert "unbekannter Anrufer" in text
    assert "2026-11-21 10:30 UTC" in text  # unknown zone falls back to UTC
    assert format_duration(3725) == "62:05"
    assert format_duration(None) == ""
    plus_two = datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_local_time(plus_two, "UTC") == "2025-12-31 23:00 UTC"
