from __future__ import annotations

import pytest

from ivr_designer.auth.passwords import (
    hash_password,
    make_hasher,
    needs_rehash,
    policy_problems,
    verify_password,
)
from tests.conftest import FAST_HASHING


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("password1234", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("anna@example.com", "email"),
        ("x" * 1025, "at most"),
    ],
)
def test_policy_rejects(password, problem):
    problems = policy_problems(password, min_length=12, email="anna@example.com")
    assert any(problem in p for p in problems), problems


def test_policy_accepts_a_passphrase():
    assert policy_problems("correct horse battery", min_length=12) == []


def test_policy_follows_the_configured_length():
    assert policy_problems("eleven-char", min_length=10) == []
    assert policy_problems("eleven-char", min_length=16)


def test_hash_roundtrip_and_rehash_detection():
    weak = make_hasher(FAST_HASHING)
    stored = hash_password(weak, "correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(weak, stored, "correct horse battery")
    assert not verify_password(weak, stored, "wrong")
    assert not verify_password(weak, "not-a-hash", "wrong")
    stronger = make_hasher({**FAST_HASHING, "ARGON2_TIME_COST": 2})
    assert needs_rehash(stronger, stored)
    assert not needs_rehash(weak, stored)
