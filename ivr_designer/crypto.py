"""Encryption at rest for secrets the app must read back (provider auth tokens).

``ENCRYPTION_KEY`` holds one or more Fernet keys separated by commas: the first
encrypts, every one of them decrypts (MultiFernet), so a key is rotated by putting
the new key first, running :func:`rotate` over the stored values, then dropping the
old key. In development a key is generated once into the instance folder; in
production it must be set. Neither keys nor plaintexts are ever logged.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

__all__ = [
    "DecryptionFailed",
    "InvalidKey",
    "decrypt",
    "encrypt",
    "generate_key",
    "parse_keys",
    "rotate",
]

_EXTENSION = "ivr_designer.crypto"


class InvalidKey(ValueError):
    """ENCRYPTION_KEY is not a list of Fernet keys (the message never holds the key)."""


class DecryptionFailed(RuntimeError):
    """A stored value was encrypted with a key that is no longer configured, or is damaged."""


def generate_key() -> str:
    """A new random key in the form ENCRYPTION_KEY expects."""
    return Fernet.generate_key().decode("ascii")


def _split(value: str | Sequence[str]) -> list[str]:
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [part.strip() for part in parts if part and part.strip()]


def parse_keys(value: str | Sequence[str]) -> MultiFernet:
    """Build the cipher from ``value``; the first key encrypts, all of them decrypt."""
    keys = _split(value)
    if not keys:
        raise InvalidKey("no key given")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise InvalidKey(
                f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return MultiFernet(fernets)


def _cipher(app: Flask | None) -> MultiFernet:
    app = app or current_app
    value = app.config["ENCRYPTION_KEY"]
    cached = app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != value:
        cached = (value, parse_keys(value))
        app.extensions[_EXTENSION] = cached
    cipher: MultiFernet = cached[1]
    return cipher


def encrypt(plaintext: str, app: Flask | None = None) -> str:
    """Encrypt with the first configured key; the result is ASCII text for a column."""
    return _cipher(app).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str, app: Flask | None = None) -> str:
    """Decrypt a value from :func:`encrypt` with any configured key."""
    try:
        return _cipher(app).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionFailed(
            "a stored secret cannot be decrypted with the configured ENCRYPTION_KEY"
        ) from None


def rotate(token: str, app: Flask | None = None) -> str:
    """Re-encrypt a stored value with the first (newest) key."""
    try:
        return _cipher(app).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise DecryptionFailed(
            "a stored secret cannot be decrypted with the configured ENCRYPTION_KEY"
        ) from None
