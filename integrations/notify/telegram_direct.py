"""A python-telegram-bot request that calls the Bot API directly, without asyncio.

PTB's own request runs on httpx and asyncio. For one message at a time from a worker
thread, that machinery (an event loop turn, httpx's client and connection pool, anyio)
cost more CPU than building and parsing the message, CPU the call webhooks on the same
machine then miss. :class:`DirectRequest` is a :class:`telegram.request.BaseRequest`
(the interface PTB offers for other HTTP clients) on one kept-alive ``http.client``
connection. Its ``do_request`` never suspends, so a PTB call made with it finishes in
one step and :func:`run_blocking` drives it without an event loop.

- Uploads go out as one buffered multipart body; other calls as a form, as PTB's
  httpx request sends them.
- Timeouts: each socket operation is bounded by its PTB timeout (connect, write,
  read), and the whole exchange by their sum, checked between reads. Looking up the
  API's host name is bounded by the system resolver's own timeouts.
- A kept connection the server closed while idle is noticed before it is used.
- Errors become PTB's: ``TimedOut`` for a timeout, ``NetworkError`` for the rest.
- Proxies: httpx honours ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``; this client
  does not. :func:`proxy_applies` tells the channel to keep PTB's request then.
"""

from __future__ import annotations

import http.client
import logging
import re
import secrets
import select
import socket
import ssl
import time
import urllib.request
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["DirectRequest", "encode_multipart", "proxy_applies", "run_blocking"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_ODV = BaseRequest.DEFAULT_NONE
_TOKEN_IN_PATH = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
# Part names and file names go inside quotes; escape what would end the quote or the
# header line (the HTML form-encoding rules browsers and httpx follow).
_QUOTED = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A"})


def run_blocking(call: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never suspends, without an event loop.

    A PTB call whose request is a :class:`DirectRequest` is such a coroutine. If it does
    suspend after all (a PTB change that awaits something real), it is closed and a
    ``RuntimeError`` says so, rather than waiting on a loop that is not there.
    """
    try:
        call.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    call.close()
    raise RuntimeError("a Telegram call waited for something; DirectRequest cannot run it")


def proxy_applies(base_url: str) -> bool:
    """Whether the environment names a proxy for ``base_url`` (httpx would use it)."""
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies_environment()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


def encode_multipart(request_data: RequestData) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of PTB's parameters and files, and its content type."""
    boundary = secrets.token_hex(16)
    dash = f"--{boundary}\r\n".encode("ascii")
    chunks: list[bytes] = []
    for name, value in request_data.json_parameters.items():
        chunks += (
            dash,
            f'Content-Disposition: form-data; name="{name.translate(_QUOTED)}"\r\n\r\n'.encode(),
            value.encode(),
            b"\r\n",
        )
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        disposition = f'form-data; name="{name.translate(_QUOTED)}"'
        if filename:
            disposition += f'; filename="{filename.translate(_QUOTED)}"'
        head = f"Content-Disposition: {disposition}\r\n"
        head += f"Content-Type: {mimetype or 'application/octet-stream'}\r\n\r\n"
        chunks += (dash, head.encode(), data, b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _given(value: ODVInput[float], default: float) -> float:
    if isinstance(value, DefaultValue) or value is None:
        return default
    return float(value)


class DirectRequest(BaseRequest):
    """Blocking Bot API calls over one kept-alive connection; one thread uses it.

    ``timeout`` is the default for every phase (connect, write, read), as the channel
    builds PTB's request. ``ssl_context`` verifies the API's certificate (https).
    """

    def __init__(self, timeout: float, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._timeout = timeout
        self._ssl_context = ssl_context
        self._connection: http.client.HTTPConnection | None = None
        self._origin: tuple[str, str, int] | None = None

    @property
    def read_timeout(self) -> float:
        return self._timeout

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._origin = None

    def _connect(self, scheme: str, host: str, port: int, timeout: float) -> None:
        if scheme == "https":
            context = self._ssl_context or ssl.create_default_context()
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.connect()
        if connection.sock is not None:
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._connection, self._origin = connection, (scheme, host, port)

    def _usable(self, origin: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        """The kept connection, if it goes to ``origin`` and the server has not closed it.

        An idle keep-alive socket that is readable has been closed by the server (or
        holds bytes nobody asked for): either way it is not reused.
        """
        connection = self._connection
        if connection is None or self._origin != origin or connection.sock is None:
            self.close()
            return None
        if _readable(connection.sock):
            self.close()
            return None
        return connection

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = _ODV,
        write_timeout: ODVInput[float] = _ODV,
        connect_timeout: ODVInput[float] = _ODV,
        pool_timeout: ODVInput[float] = _ODV,
    ) -> tuple[int, bytes]:
        return self.perform(
            url,
            method,
            request_data,
            connect=_given(connect_timeout, self._timeout),
            write=_given(write_timeout, self._timeout),
            read=_given(read_timeout, self._timeout),
        )

    def perform(
        self,
        url: str,
        method: str,
        request_data: RequestData | None,
        *,
        connect: float,
        write: float,
        read: float,
    ) -> tuple[int, bytes]:
        """One exchange; returns the status and the body. Raises PTB's errors."""
        parts = urlsplit(url)
        scheme = parts.scheme
        if scheme not in ("http", "https") or not parts.hostname:
            raise NetworkError(f"not an http(s) URL: {scheme}://{parts.hostname or ''}")
        port = parts.port or (443 if scheme == "https" else 80)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": self.USER_AGENT}
        body: bytes | None = None
        if request_data is not None:
            if request_data.multipart_data:
                body, headers["Content-Type"] = encode_multipart(request_data)
            else:
                body = request_data.url_encoded_parameters().encode("ascii")
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        deadline = time.monotonic() + connect + write + read
        # For logs and errors: the token never leaves in either.
        shown = f"{method} {scheme}://{parts.hostname}:{port}"
        shown += _TOKEN_IN_PATH.sub("/bot<token>", target)
        try:
            connection = self._usable((scheme, parts.hostname, port))
            if connection is None:
                self._connect(scheme, parts.hostname, port, connect)
                connection = self._connection
                assert connection is not None
            sock = connection.sock
            sock.settimeout(min(write, _left(deadline)))
            connection.request(method, target, body=body, headers=headers)
            sock.settimeout(min(read, _left(deadline)))
            response = connection.getresponse()
            chunks: list[bytes] = []
            while chunk := response.read1(65536):
                chunks.append(chunk)
                sock.settimeout(min(read, _left(deadline)))
            # Read to its end; closing it frees the connection for the next request.
            response.close()
            if response.will_close:
                self.close()
        except TimeoutError as exc:
            self.close()
            raise TimedOut(f"{shown}: no answer in time") from exc
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise NetworkError(f"{shown}: {type(exc).__name__}: {exc}") from exc
        log.debug("%s -> %s", shown, response.status)
        return response.status, b"".join(chunks)


def _readable(sock: socket.socket) -> bool:
    """Whether ``sock`` has something to read (or was closed) right now; never waits.

    ``poll`` where there is one: ``select`` cannot watch descriptors past 1023.
    """
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([sock], [], [], 0)  # pragma: no cover - not Linux
    return bool(readable)


def _left(deadline: float) -> float:
    """Seconds until ``deadline``; raise ``TimeoutError`` when it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the exchange took longer than its timeouts together")
    return left
