"""Login throttling kept in the database, so every worker sees the same counts.

An account locks after too many failures since its last success inside the window;
an IP address locks after too many failures in the window whatever the account
(a success does not reset it, or an attacker could unlock by signing into their own
account). A lock lasts until the newest counted failure leaves the window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr_designer.models import LoginAttempt


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta
    max_per_account: int
    max_per_ip: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottlePolicy:
        return cls(
            window=timedelta(seconds=int(config["LOGIN_WINDOW_SECONDS"])),
            max_per_account=int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
            max_per_ip=int(config["LOGIN_MAX_FAILURES_PER_IP"]),
        )


def _failures(session: Session, condition: Any, since: datetime) -> tuple[int, datetime | None]:
    count, newest = session.execute(
        select(func.count(), func.max(LoginAttempt.created_at)).where(
            condition, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at > since
        )
    ).one()
    return int(count), _aware(newest)


def _aware(value: Any) -> datetime | None:
    """Aggregates bypass the column type, so SQLite hands back naive text or datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def seconds_locked(
    session: Session, policy: ThrottlePolicy, *, email: str, ip_address: str, now: datetime
) -> int:
    """Seconds until a login for ``email`` from ``ip_address`` may be tried again (0 = now)."""
    since = now - policy.window
    last_success = session.execute(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    ).scalar_one_or_none()
    last_success = _aware(last_success)
    account_since = since if last_success is None else max(since, last_success)
    waits = [0]
    for condition, since_at, limit in (
        (LoginAttempt.email == email, account_since, policy.max_per_account),
        (LoginAttempt.ip_address == ip_address, since, policy.max_per_ip),
    ):
        count, newest = _failures(session, condition, since_at)
        if count >= limit and newest is not None:
            waits.append(math.ceil((newest + policy.window - now).total_seconds()))
    return max(waits)


def record_attempt(
    session: Session, *, email: str, ip_address: str, succeeded: bool, now: datetime
) -> None:
    session.add(
        LoginAttempt(email=email, ip_address=ip_address, succeeded=succeeded, created_at=now)
    )
    session.flush()
