"""The provider's REST side: fetching recordings and faxes we were told about.

``RestProvider`` talks to Twilio or a TwiML-compatible provider (SignalWire space URL,
Telnyx, a local fake in tests) with HTTP basic auth ``account_sid:auth_token``, over
the same ``requests`` transport the twilio client uses (its ``HttpClient`` decodes
bodies as text, which would mangle audio). ``NullProvider`` downloads nothing, for
installations without a provider (and for tests of the retry path).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import requests

__all__ = [
    "DEFAULT_BASE_URLS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "MediaFile",
    "MediaUnavailable",
    "NullProvider",
    "RestProvider",
    "TelephonyProvider",
    "make_provider",
]

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_BASE_URLS = {
    "twilio": "https://api.twilio.com",
    "telnyx": "https://api.telnyx.com",
}
_EXTENSIONS = {
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "application/pdf": ".pdf",
    "image/tiff": ".tif",
}


class MediaUnavailable(Exception):
    """The media could not be fetched now; the caller keeps the row and retries later."""


@dataclass(frozen=True)
class MediaFile:
    path: Path  # final location, a random name inside the destination folder
    size: int
    content_type: str


class TelephonyProvider(Protocol):
    def download_media(self, url: str, dest: Path, suffix: str = "") -> MediaFile:
        """Fetch ``url`` into a new randomly named file in the folder ``dest``."""
        ...


class NullProvider:
    """No provider configured: every download is unavailable (rows stay pending)."""

    def download_media(self, url: str, dest: Path, suffix: str = "") -> MediaFile:
        raise MediaUnavailable("no telephony provider is configured")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class RestProvider:
    """Downloads with basic auth, a timeout, a size cap and an atomic write."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        session: requests.Session | None = None,
    ) -> None:
        self.account_sid = account_sid
        self._auth = (account_sid, auth_token)
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._session = session or requests.Session()

    def media_url(self, url: str) -> str:
        """``url`` resolved against the base URL; refused on any other host.

        The credentials go only to the provider's own host, whatever a callback says.
        """
        absolute = urljoin(self.base_url, url)
        if _origin(absolute) != _origin(self.base_url):
            raise MediaUnavailable(f"media URL is not on the provider's host: {absolute}")
        return absolute

    def download_media(self, url: str, dest: Path, suffix: str = "") -> MediaFile:
        target = self.media_url(url)
        dest.mkdir(parents=True, exist_ok=True)
        partial = dest / f".{secrets.token_hex(8)}.part"
        try:
            with self._session.get(
                target, auth=self._auth, timeout=self.timeout, stream=True, allow_redirects=True
            ) as response:
                if response.status_code != 200:
                    raise MediaUnavailable(f"provider answered {response.status_code}")
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
                size = self._write(response, partial)
            final = dest / (
                secrets.token_urlsafe(24) + (suffix or _EXTENSIONS.get(content_type, ""))
            )
            os.replace(partial, final)
            return MediaFile(final, size, content_type)
        except requests.RequestException as exc:
            raise MediaUnavailable(f"download failed: {exc.__class__.__name__}") from exc
        finally:
            partial.unlink(missing_ok=True)

    def _write(self, response: requests.Response, partial: Path) -> int:
        size = 0
        with partial.open("wb") as handle:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise MediaUnavailable(f"media larger than {self.max_bytes} bytes")
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if size == 0:
            raise MediaUnavailable("provider sent an empty file")
        return size


def make_provider(
    kind: str,
    *,
    provider: str,
    account_sid: str,
    auth_token: str,
    base_url: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> TelephonyProvider:
    """``kind`` "rest" (the real one) or "null"; the base URL defaults per provider."""
    if kind == "null":
        return NullProvider()
    if kind != "rest":
        raise ValueError(f"unknown telephony provider kind {kind!r} (rest, null)")
    base = base_url or DEFAULT_BASE_URLS.get(provider)
    if not base:
        return NullProvider()  # a SignalWire account without its space URL
    return RestProvider(account_sid, auth_token, base, timeout=timeout, max_bytes=max_bytes)
