"""Outbox policy as pure functions: when to retry, when to give up, when to disable.

The database worker owns the rows; these functions own the decisions so they can be
tested without a clock or a database. Times are timezone-aware datetimes, delays seconds.

>>> import random
>>> from datetime import datetime, UTC
>>> now = datetime(2026, 1, 1, tzinfo=UTC)
>>> next_attempt_at(1, now, retry_after=90, rng=random.Random(1)) >= now + timedelta(seconds=90)
True
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

__all__ = [
    "DEFAULT_BASE",
    "DEFAULT_CAP",
    "DEFAULT_DISABLE_AFTER",
    "DEFAULT_DISABLE_FAILURES",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_FLOOD_WAITS",
    "MAX_RETRY_AFTER",
    "backoff_delay",
    "failure_run",
    "flood_wait_until",
    "idempotency_key",
    "next_attempt_at",
    "should_dead_letter",
    "should_disable_endpoint",
]

DEFAULT_BASE = 10.0  # seconds; the first retry waits up to this long
DEFAULT_CAP = 6 * 3600.0  # no single wait grows past six hours
DEFAULT_MAX_ATTEMPTS = 12  # with the defaults, roughly a day of trying
# Flood control says "not now", not "failed": waits are counted apart from attempts,
# and this many waits for one delivery means something is wrong (a bot stuck in a ban).
DEFAULT_MAX_FLOOD_WAITS = 50
MIN_DELAY = 1.0  # never hammer: even a zero jitter draw waits a second
MAX_RETRY_AFTER = 24 * 3600.0  # a remote cannot park a delivery for more than a day
DEFAULT_DISABLE_FAILURES = 50
DEFAULT_DISABLE_AFTER = timedelta(hours=24)


def backoff_delay(
    attempt: int,
    *,
    base: float = DEFAULT_BASE,
    cap: float = DEFAULT_CAP,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 = the first try failed).

    "Full jitter": uniform in ``[0, min(cap, base * 2**(attempt-1))]``, so many deliveries
    failing together (an outage) do not come back together. A remote's ``retry_after``
    is a floor (Telegram's flood control bans earlier retries), bounded by a day.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if base <= 0 or cap <= 0:
        raise ValueError("base and cap must be positive")
    draw = (rng or random.SystemRandom()).random()
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 62))
    delay = max(MIN_DELAY, draw * ceiling)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
    return delay


def next_attempt_at(
    attempt: int,
    now: datetime,
    *,
    base: float = DEFAULT_BASE,
    cap: float = DEFAULT_CAP,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to try again after failed attempt number ``attempt``; see :func:`backoff_delay`."""
    delay = backoff_delay(attempt, base=base, cap=cap, retry_after=retry_after, rng=rng)
    return now + timedelta(seconds=delay)


def flood_wait_until(now: datetime, retry_after: float) -> datetime:
    """When a bot under flood control may send again: ``retry_after`` (bounded), plus
    a second so the first message after the ban is not sent at its last instant.

    >>> from datetime import datetime, UTC
    >>> flood_wait_until(datetime(2026, 1, 1, tzinfo=UTC), 30).second
    31
    """
    wait = min(max(float(retry_after), 0.0), MAX_RETRY_AFTER) + MIN_DELAY
    return now + timedelta(seconds=wait)


def should_dead_letter(attempts: int, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> bool:
    """After ``attempts`` failed tries, stop and show the row to admins (with "retry")."""
    return attempts >= max_attempts


def should_disable_endpoint(
    consecutive_failures: int,
    first_failure_at: datetime | None,
    now: datetime,
    *,
    min_failures: int = DEFAULT_DISABLE_FAILURES,
    min_span: timedelta = DEFAULT_DISABLE_AFTER,
) -> bool:
    """Disable an endpoint that kept failing both often *and* for long.

    Both conditions, so a burst of failures during a short outage (many voicemails at
    once) does not disable it, and neither does one failure a day for two months.
    ``first_failure_at`` is the first failure of the current unbroken run; any success
    resets the run (the worker stores both values on the endpoint).
    """
    if first_failure_at is None or consecutive_failures < min_failures:
        return False
    return now - first_failure_at >= min_span


def failure_run(
    consecutive_failures: int, first_failure_at: datetime | None, delivered: bool, now: datetime
) -> tuple[int, datetime | None]:
    """The endpoint's failure run after one attempt: reset by a success, else extended.

    Store the pair on the endpoint and pass it to :func:`should_disable_endpoint`. Every
    failed attempt counts (retry or permanent), one per attempt, not per message.
    """
    if delivered:
        return 0, None
    return consecutive_failures + 1, first_failure_at or now


def idempotency_key(
    event: str, object_id: int | str, channel_kind: str, target_id: int | str
) -> str:
    """A stable key for one delivery: the same event, to the same target, is the same key.

    Retries and a re-created outbox row reuse it; receivers deduplicate on it (it is the
    ``webhook-id`` header). Derived, not random, so a crash between insert and commit
    cannot produce two keys for one delivery.
    """
    raw = f"{event}\x1f{object_id}\x1f{channel_kind}\x1f{target_id}".encode()
    return "msg_" + hashlib.sha256(raw).hexdigest()[:32]
