"""Outbox policy: backoff bounds and jitter, retry_after, dead letter, auto-disable, keys."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from integrations.notify.policy import (
    MAX_RETRY_AFTER,
    backoff_delay,
    failure_run,
    idempotency_key,
    next_attempt_at,
    should_dead_letter,
    should_disable_endpoint,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("attempt", [1, 2, 3, 5, 8, 20, 200])
def test_delay_stays_within_the_full_jitter_bounds(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(600.0, 5.0 * 2 ** (attempt - 1))
    delays = [backoff_delay(attempt, base=5, cap=600, rng=rng) for _ in range(2000)]
    assert min(delays) >= 1.0
    assert max(delays) <= ceiling
    assert max(delays) > ceiling * 0.95  # the whole range is used


def test_jitter_is_spread_uniformly() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(10, base=10, cap=1000, rng=rng) for _ in range(10_000)]
    # uniform on [0, 1000] (floored at 1s): mean ~500, each tenth holds ~10%
    assert 480 < statistics.fmean(delays) < 520
    deciles = [sum(1 for d in delays if i * 100 <= d < (i + 1) * 100) for i in range(10)]
    assert all(850 < count < 1150 for count in deciles), deciles


def test_the_ceiling_doubles_until_the_cap() -> None:
    class Top(random.Random):
        def random(self) -> float:
            return 1.0

    assert [backoff_delay(n, base=10, cap=100, rng=Top()) for n in range(1, 7)] == [
        10,
        20,
        40,
        80,
        100,
        100,
    ]


def test_retry_after_is_a_floor_bounded_by_a_day() -> None:
    rng = random.Random(1)
    for _ in range(200):
        assert backoff_delay(1, base=10, retry_after=90, rng=rng) >= 90
    assert backoff_delay(1, base=10, retry_after=10**9, rng=rng) == MAX_RETRY_AFTER

    # a short retry_after does not shorten a long backoff
    class Top(random.Random):
        def random(self) -> float:
            return 1.0

    assert backoff_delay(6, base=10, retry_after=3, rng=Top()) == 320


def test_next_attempt_at_adds_the_delay_to_now() -> None:
    when = next_attempt_at(1, NOW, base=10, retry_after=37, rng=random.Random(3))
    assert NOW + timedelta(seconds=37) <= when <= NOW + timedelta(seconds=37.001)


def test_attempt_and_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="attempt"):
        backoff_delay(0)
    with pytest.raises(ValueError, match="positive"):
        backoff_delay(1, base=0)


def test_dead_letter_after_max_attempts() -> None:
    assert not should_dead_letter(4, 5)
    assert should_dead_letter(5, 5)
    assert should_dead_letter(6, 5)


def test_endpoint_disabled_only_after_many_failures_over_a_long_time() -> None:
    start = NOW - timedelta(hours=30)
    assert should_disable_endpoint(50, start, NOW)
    assert not should_disable_endpoint(49, start, NOW)  # not enough failures
    assert not should_disable_endpoint(500, NOW - timedelta(hours=2), NOW)  # a burst
    assert not should_disable_endpoint(50, None, NOW)  # no current run
    assert should_disable_endpoint(
        3, NOW - timedelta(hours=1), NOW, min_failures=3, min_span=timedelta(minutes=30)
    )


def test_idempotency_key_is_stable_per_delivery_and_distinct_across() -> None:
    key = idempotency_key("voicemail.created", 77, "telegram", 5)
    assert key == idempotency_key("voicemail.created", 77, "telegram", 5)
    assert key.startswith("msg_")
    others = {
        idempotency_key("voicemail.handled", 77, "telegram", 5),
        idempotency_key("voicemail.created", 78, "telegram", 5),
        idempotency_key("voicemail.created", 77, "webhook", 5),
        idempotency_key("voicemail.created", 77, "telegram", 6),
        idempotency_key("voicemail.created", "7", "telegram", "75"),
    }
    assert key not in others
    assert len(others) == 5


def test_failure_run_counts_until_a_success_resets_it() -> None:
    run: tuple[int, datetime | None] = (0, None)
    for hour in range(60):
        run = failure_run(*run, delivered=False, now=NOW + timedelta(hours=hour / 2))
    assert run == (60, NOW)
    assert should_disable_endpoint(*run, NOW + timedelta(hours=30))
    run = failure_run(*run, delivered=True, now=NOW + timedelta(hours=31))
    assert run == (0, None)
    assert not should_disable_endpoint(*run, NOW + timedelta(hours=31))
