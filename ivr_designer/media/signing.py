"""Expiring HMAC-signed URLs for audio the provider must fetch (<Play>).

The key is derived from SECRET_KEY for this one purpose, so a signature here can
never be replayed as a session cookie or anything else signed with the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlencode

__all__ = ["DEFAULT_TTL", "audio_path", "derive_key", "sign_audio", "verify_audio"]

DEFAULT_TTL = 6 * 3600  # covers the longest call that may still <Play> the URL
_PURPOSE = b"ivr-designer/media/audio/v1"


def derive_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()


def _message(org_id: int, key: str, expires: int) -> bytes:
    return f"{org_id}\n{key}\n{expires}".encode()


def sign_audio(derived_key: bytes, org_id: int, key: str, expires: int) -> str:
    return hmac.new(derived_key, _message(org_id, key, expires), hashlib.sha256).hexdigest()


def verify_audio(
    derived_key: bytes, org_id: int, key: str, expires: str | None, signature: str | None, now: int
) -> bool:
    """Valid signature (constant-time compare) and not yet expired."""
    if not expires or not signature or not expires.isdigit() or len(expires) > 12:
        return False
    expected = sign_audio(derived_key, org_id, key, int(expires))
    if not hmac.compare_digest(expected, signature):
        return False
    return int(expires) >= now


def audio_path(derived_key: bytes, org_id: int, key: str, now: int, ttl: int = DEFAULT_TTL) -> str:
    """The path + query of a signed audio URL (prefix it with the public base URL).

    Expiry is rounded up to the hour so that the TwiML of one flow stays cacheable
    and identical for every caller within that hour.
    """
    expires = ((now + ttl) // 3600 + 1) * 3600
    query = urlencode({"exp": expires, "sig": sign_audio(derived_key, org_id, key, expires)})
    return f"/media/audio/{org_id}/{quote(key, safe='')}?{query}"
