"""One HTTP POST to an already checked address, with timeouts and no redirects.

The connection goes to the IP that :func:`integrations.notify.ssrf.check_target` vetted,
while the request still names the real host: the ``Host`` header, TLS SNI and certificate
verification all use the hostname. So a DNS answer that changes after the check (DNS
rebinding) is never consulted. ``http.client`` does not follow redirects, which is what
we want: a 3xx pointing at an internal address is just a failed delivery.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from integrations.notify.ssrf import IPAddress, Target

__all__ = ["HTTPResponse", "parse_retry_after", "post"]

MAX_BODY = 64 * 1024  # we read at most this much of an answer; only an excerpt is kept


@dataclass(frozen=True)
class HTTPResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, ip: IPAddress, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._pinned_ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._pinned_ip), self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(
        self, target: Target, ip: IPAddress, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._pinned_ip = ip
        self._pinned_context = context

    def connect(self) -> None:
        sock = socket.create_connection((str(self._pinned_ip), self.port), self.timeout)
        self.sock = self._pinned_context.wrap_socket(sock, server_hostname=self.host)


def _connection(
    target: Target, ip: IPAddress, timeout: float, context: ssl.SSLContext | None
) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPS(target, ip, timeout, context or ssl.create_default_context())
    return _PinnedHTTP(target, ip, timeout)


def post(
    target: Target,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    ssl_context: ssl.SSLContext | None = None,
) -> HTTPResponse:
    """POST ``body``, trying the checked addresses in order until one connects.

    ``timeout`` bounds each socket operation and the whole exchange (checked between
    reads). Raises ``OSError`` (incl. ``TimeoutError``) or ``http.client.HTTPException``.
    """
    deadline = time.monotonic() + timeout
    last_error: OSError | None = None
    for ip in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        conn = _connection(target, ip, remaining, ssl_context)
        try:
            try:
                conn.connect()
            except OSError as exc:
                if isinstance(exc, ssl.SSLError):
                    raise
                last_error = exc
                continue
            conn.request("POST", target.path, body=body, headers=dict(headers))
            response = conn.getresponse()
            chunks: list[bytes] = []
            size = 0
            while size < MAX_BODY:
                if time.monotonic() > deadline:
                    raise TimeoutError("the response took longer than the timeout")
                chunk = response.read1(MAX_BODY - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            names = {k.lower(): v for k, v in response.getheaders()}
            return HTTPResponse(response.status, names, b"".join(chunks))
        finally:
            conn.close()
    raise last_error or TimeoutError("no address could be reached in time")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), if valid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
