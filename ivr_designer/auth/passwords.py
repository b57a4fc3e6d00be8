"""Password hashing (argon2id) and the password policy.

The hasher's cost comes from configuration so tests can run fast and operators can
raise it; a stored hash made with older parameters is upgraded at the next login.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MAX_PASSWORD_LENGTH = 1024

# A small list of the passwords that top every breach corpus, plus local favourites.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678910",
        "123123123123",
        "password1234",
        "password12345",
        "passwordpassword",
        "qwertyuiop123",
        "qwertyuiopasdf",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "abc123456789",
        "iloveyou1234",
        "welcome12345",
        "letmein12345",
        "administrator",
        "admin1234567",
        "adminadmin123",
        "changeme1234",
        "trustno11234",
        "football1234",
        "baseball1234",
        "sunshine1234",
        "princess1234",
        "dragon123456",
        "monkey123456",
        "superman1234",
        "starwars1234",
        "000000000000",
        "111111111111",
        "aaaaaaaaaaaa",
        "sommer123456",
        "vinter123456",
        "kodeord12345",
        "adgangskode1",
        "adgangskode123",
        "password123!",
        "passw0rd1234",
        "qwerty123456",
        "asdfghjkl123",
        "zaq12wsxcde3",
    }
)


def make_hasher(config: Mapping[str, Any]) -> PasswordHasher:
    return PasswordHasher(
        time_cost=int(config["ARGON2_TIME_COST"]),
        memory_cost=int(config["ARGON2_MEMORY_COST"]),
        parallelism=int(config["ARGON2_PARALLELISM"]),
    )


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hasher: PasswordHasher, stored_hash: str) -> bool:
    return hasher.check_needs_rehash(stored_hash)


def policy_problems(password: str, *, min_length: int, email: str | None = None) -> list[str]:
    """Why ``password`` is unacceptable (empty list when it is fine)."""
    problems = []
    if len(password) < min_length:
        problems.append(f"must be at least {min_length} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"must be at most {MAX_PASSWORD_LENGTH} characters long")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems.append("is too common or too easy to guess")
    if email and lowered in {email.lower(), email.split("@")[0].lower()}:
        problems.append("must not be the email address")
    return problems
