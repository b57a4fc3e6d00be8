"""Standard Webhooks signatures (https://www.standardwebhooks.com/) for outgoing webhooks.

``webhook-signature: v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`` with a
``whsec_<base64>`` secret. Implemented here with the standard library (a dozen lines);
the tests verify our output with the ``standardwebhooks`` package, so a receiver using
any Standard Webhooks library accepts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["SECRET_PREFIX", "generate_secret", "sign", "signed_headers", "validate_secret"]

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def generate_secret(nbytes: int = 32) -> str:
    """A new endpoint secret to show the admin once: ``whsec_`` + base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(nbytes)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except ValueError:
        raise ValueError("the webhook secret is not valid base64") from None
    if len(key) < 16:
        raise ValueError("the webhook secret is too short (need at least 16 bytes)")
    return key


def validate_secret(secret: str) -> None:
    """Raise ``ValueError`` unless ``secret`` is a usable ``whsec_`` secret."""
    _key(secret)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one message."""
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers; ``msg_id`` is the delivery's idempotency key."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
