"""PTB's HTTPX request, with uploads sent as one buffered body.

httpx streams a multipart body part by part: a voice message with its caption, chat id,
parse mode, duration and buttons goes out as some 25 small socket writes, each one a
trip through the asyncio/anyio machinery. That was a quarter of the outbox worker's CPU
per delivery, CPU taken from the call webhooks on the same machine. Our uploads are
small (a voicemail's Opus rendition, a fax PDF; Telegram bots may upload 50 MB at most),
so the body is encoded in memory (by the same encoder as
:class:`~integrations.notify.telegram_direct.DirectRequest`) and written at once.
Requests without files are left to PTB as they are.
"""

from __future__ import annotations

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from integrations.notify.telegram_direct import encode_multipart

__all__ = ["BufferedUploadRequest"]

_ODV = BaseRequest.DEFAULT_NONE


class BufferedUploadRequest(HTTPXRequest):
    """:class:`HTTPXRequest` whose file uploads are one buffered body (see the module)."""

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
        if request_data is None or not request_data.multipart_data:
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        body, content_type = encode_multipart(request_data)
        configured = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, configured.connect),
            read=_given(read_timeout, configured.read),
            write=_given(write_timeout, self._media_write_timeout),
            pool=_given(pool_timeout, configured.pool),
        )
        try:
            response = await self._client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": content_type},
                timeout=timeout,
                content=body,
            )
        except httpx.TimeoutException as exc:
            raise TimedOut(f"httpx.{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise NetworkError(f"httpx.{type(exc).__name__}: {exc}") from exc
        return response.status_code, response.content


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value
