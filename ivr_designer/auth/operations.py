"""Signing in: throttle check, password check, rehash, attempt bookkeeping."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.auth import passwords, throttle
from ivr_designer.errors import TooManyAttempts, Unauthorized
from ivr_designer.models import User


class LoginRefused(Unauthorized):
    """Wrong email, wrong password or a disabled account; the message never says which."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not-a-real-password-only-for-timing")


def login(
    session: Session,
    hasher: PasswordHasher,
    policy: throttle.ThrottlePolicy,
    *,
    email: str,
    password: str,
    ip_address: str,
    now: datetime,
) -> User:
    """Return the user for valid credentials; record every attempt (flush only).

    A refused login raises after flushing its attempt row: the caller must commit
    before answering, or the lock-out would never trigger.
    """
    email = normalise_email(email)
    wait = throttle.seconds_locked(session, policy, email=email, ip_address=ip_address, now=now)
    if wait > 0:
        raise TooManyAttempts("too many failed logins; try again later", retry_after=wait)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    # Verify against a dummy hash for unknown emails so timing does not reveal them.
    stored = user.password_hash if user is not None else _dummy_hash(hasher)
    password_ok = passwords.verify_password(hasher, stored, password)
    if user is None or not password_ok or not user.active:
        throttle.record_attempt(
            session, email=email, ip_address=ip_address, succeeded=False, now=now
        )
        raise LoginRefused("invalid email or password, or the account is disabled")
    if passwords.needs_rehash(hasher, user.password_hash):
        user.password_hash = passwords.hash_password(hasher, password)
    user.last_login_at = now
    throttle.record_attempt(session, email=email, ip_address=ip_address, succeeded=True, now=now)
    return user
