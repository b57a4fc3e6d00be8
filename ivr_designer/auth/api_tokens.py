"""Bearer token secrets: random, shown once, stored only as a SHA-256.

SHA-256 (not argon2) is right here: the secret has 256 bits of entropy, so a fast
hash cannot be brute-forced, and lookups must be a single indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "ivrd_"  # noqa: S105 - a public marker that makes leaked tokens greppable
VISIBLE_CHARS = 12


@dataclass(frozen=True)
class NewSecret:
    secret: str
    prefix: str
    digest: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> NewSecret:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewSecret(secret=secret, prefix=secret[:VISIBLE_CHARS], digest=digest(secret))
