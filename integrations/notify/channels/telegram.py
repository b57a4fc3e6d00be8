"""Telegram through python-telegram-bot: voicemails as voice messages, faxes as PDFs.

``voicemail.transcribed`` is not a new message: it edits the caption (or the text) of
the voice message sent before (``message_id`` in the config), keeping its buttons.

PTB is asyncio; the outbox worker is not. PTB's bot methods run on our own request
class, :class:`~integrations.notify.telegram_direct.DirectRequest` (blocking
``http.client``, driven without an event loop), which costs a fraction of the CPU of
PTB's httpx request. When the environment names a proxy for the API (``HTTPS_PROXY``
and friends, which httpx honours and ``http.client`` does not), PTB's httpx request is
used instead, each delivery in one short private event loop.

By default each delivery opens its own connection. With ``telegram_keep_connections``
(the outbox worker) each thread keeps its connection (on the httpx path: its loop and
one client per bot token) and its bots, so messages reuse a keep-alive connection;
nothing crosses threads, and the thread calls :meth:`TelegramChannel.release` when it
stops. No ``getMe`` per delivery: the request object is initialised directly instead of
``Bot.initialize``.

The API base URL is an installation setting (``telegram_base_url``), for a local Bot API
server or the tests' fake. Errors are classified, and the bot token is scrubbed from
every reason we return (PTB/httpx messages may contain the request URL).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
import re
import ssl
import threading
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import certifi
from marshmallow import Schema, fields, validate
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, HTTPXRequest

from integrations.notify.base import Channel, DeliveryResult, Notification
from integrations.notify.telegram_direct import DirectRequest, proxy_applies, run_blocking
from integrations.notify.telegram_format import CAPTION_LIMIT, MESSAGE_LIMIT, render
from integrations.notify.telegram_links import derive_key, sign_callback
from integrations.notify.telegram_request import BufferedUploadRequest

__all__ = ["DEFAULT_BASE_URL", "TelegramChannel", "TelegramConfig", "bot_username", "keyboard"]

log = logging.getLogger(__name__)

# PTB 22 is moving time periods (``RetryAfter.retry_after``) from int to timedelta and
# emits a deprecation warning each time one is built, unless the process opts in to the
# new type. We handle both types, so opt in (the library's documented switch; it is read
# at use time, and an explicit setting by the operator wins).
os.environ.setdefault("PTB_TIMEDELTA", "true")

_TOKEN_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")


class _RedactBotTokens(logging.Filter):
    """httpx logs every request URL at INFO (PTB its base URL at DEBUG); they hold the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "/bot" in text:
            record.msg, record.args = _TOKEN_IN_URL.sub("/bot<token>", text), None
        return True


# Logger filters do not apply to child loggers, so each emitting logger gets one.
for _name in ("httpx", "telegram.Bot"):
    if not any(isinstance(f, _RedactBotTokens) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(_RedactBotTokens())

DEFAULT_BASE_URL = "https://api.telegram.org"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every request object.

    httpx builds a new one per client otherwise, loading the CA bundle each time (tens
    of milliseconds of CPU per delivery); a context is safe to share between threads.
    """
    return ssl.create_default_context(cafile=certifi.where())


def _new_request(timeout: float) -> HTTPXRequest:
    return BufferedUploadRequest(
        connection_pool_size=1,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        pool_timeout=timeout,
        media_write_timeout=timeout,
        httpx_kwargs={"verify": _tls_context()},
    )


def _new_direct(timeout: float) -> DirectRequest:
    return DirectRequest(timeout, ssl_context=_tls_context())


#: The event a channel delivers as an edit of the voice message sent before.
EDIT_EVENT = "voicemail.transcribed"
_NOT_MODIFIED = "message is not modified"
_NO_CAPTION = "there is no caption in the message to edit"
MAX_OPEN_BOTS = 8  # open clients kept per thread (one per org bot it delivered for)
BUTTON_LABELS = {"claim": "Claim", "handled": "Handled"}


class TelegramConfig(Schema):
    bot_token = fields.String(
        required=True, validate=validate.Regexp(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")
    )
    chat_id = fields.Integer(required=True)
    # An edit (``voicemail.transcribed``): the message sent before, and the buttons it
    # shows now (Telegram drops the keyboard of an edited message unless sent again).
    message_id = fields.Integer(load_default=None)
    buttons = fields.List(fields.Tuple((fields.String(), fields.String())), load_default=list)


def keyboard(key: bytes, voicemail_id: int) -> InlineKeyboardMarkup:
    """The "Claim" / "Handled" buttons, each carrying signed callback data."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=sign_callback(key, voicemail_id, action))
                for action, label in BUTTON_LABELS.items()
            ]
        ]
    )


def _retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: TelegramError, token: str) -> DeliveryResult:
    """Map a PTB exception to an outcome (order matters: BadRequest is a NetworkError)."""
    reason = str(exc).replace(token, "<token>") if token else str(exc)
    if isinstance(exc, RetryAfter):
        return DeliveryResult.retry(
            "flood control", retry_after=_retry_after_seconds(exc), status_code=429
        )
    if isinstance(exc, ChatMigrated):
        return DeliveryResult.permanent(
            f"the group became a supergroup ({exc.new_chat_id}); link the chat again"
        )
    if isinstance(exc, InvalidToken):
        return DeliveryResult.permanent("the bot token was rejected", status_code=401)
    if isinstance(exc, Forbidden):
        return DeliveryResult.permanent(f"forbidden: {reason}", status_code=403)
    if isinstance(exc, BadRequest):
        return DeliveryResult.permanent(f"bad request: {reason}", status_code=400)
    if isinstance(exc, TimedOut):
        return DeliveryResult.retry("timed out")
    if isinstance(exc, NetworkError):
        return DeliveryResult.retry(f"network error: {reason}")
    return DeliveryResult.retry(f"telegram error: {reason}")


def _failed(
    exc: TelegramError, message: Notification, config: Mapping[str, Any], token: str
) -> DeliveryResult:
    """The outcome of a failed call; an edit that changes nothing went through before."""
    if (
        isinstance(exc, BadRequest)
        and message.event == EDIT_EVENT
        and _NOT_MODIFIED in str(exc).lower()
    ):
        # The message shows this already (an earlier try got through).
        return DeliveryResult.delivered(remote_id=str(config["message_id"]))
    return classify(exc, token)


class TelegramChannel(Channel):
    kind = "telegram"
    label = "Telegram"
    config_schema = TelegramConfig

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        callback_key: bytes | None = None,
        keep_connections: bool = False,
        direct: bool | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.callback_key = callback_key
        self.keep_connections = keep_connections
        # Our blocking request unless a proxy applies (see the module); tests pick.
        self.direct = not proxy_applies(self.base_url) if direct is None else direct
        # Per thread: one event loop and one open client per bot token, so a worker
        # thread reuses its keep-alive connection instead of a new TLS handshake per
        # message. Nothing crosses threads; :meth:`release` closes them.
        self._local = threading.local()

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            self._local.loop = loop
            self._local.requests = {}
        return loop

    async def _request(self, token: str, timeout: float) -> HTTPXRequest:
        requests: dict[tuple[str, float], HTTPXRequest] = self._local.requests
        request = requests.get((token, timeout))
        if request is None:
            while len(requests) >= MAX_OPEN_BOTS:  # bots replaced or removed: drop the oldest
                await requests.pop(next(iter(requests))).shutdown()
            request = _new_request(timeout)
            await request.initialize()
            requests[(token, timeout)] = request
        return request

    def _direct_bot(self, token: str, timeout: float) -> tuple[Bot, DirectRequest]:
        """This thread's kept request (one connection) and its bot for ``token``."""
        kept: dict[float, DirectRequest] = self._local.__dict__.setdefault("direct", {})
        bots: dict[tuple[str, float], Bot] = self._local.__dict__.setdefault("bots", {})
        request = kept.get(timeout)
        if request is None:
            request = kept[timeout] = _new_direct(timeout)
        bot = bots.get((token, timeout))
        if bot is None:
            while len(bots) >= MAX_OPEN_BOTS:  # bots replaced or removed: drop the oldest
                del bots[next(iter(bots))]
            bot = bots[(token, timeout)] = self._bot(token, request)
        return bot, request

    def release(self) -> None:
        for request in self._local.__dict__.pop("direct", {}).values():
            request.close()
        self._local.__dict__.pop("bots", None)
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            return
        requests: dict[tuple[str, float], HTTPXRequest] = self._local.requests
        for request in requests.values():
            loop.run_until_complete(request.shutdown())
        requests.clear()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> TelegramChannel:
        """``telegram_base_url``; ``telegram_callback_secret`` (else no buttons are sent)."""
        secret = settings.get("telegram_callback_secret")
        return cls(
            base_url=str(settings.get("telegram_base_url") or DEFAULT_BASE_URL),
            callback_key=derive_key(secret) if secret else None,
            keep_connections=bool(settings.get("telegram_keep_connections", False)),
        )

    def _bot(self, token: str, request: BaseRequest) -> Bot:
        return Bot(
            token,
            base_url=f"{self.base_url}/bot",
            base_file_url=f"{self.base_url}/file/bot",
            request=request,
            get_updates_request=request,
        )

    def deliver(
        self,
        message: Notification,
        config: Mapping[str, Any],
        *,
        idempotency_key: str,
        timeout: float,
    ) -> DeliveryResult:
        loaded = self.load_config(config)
        token: str = loaded["bot_token"]
        if message.event == EDIT_EVENT and loaded["message_id"] is None:
            return DeliveryResult.permanent("no sent message to edit")
        if self.direct:
            return self._deliver_direct(message, token, loaded, timeout)
        sending = asyncio.wait_for(self._send(message, token, loaded, timeout), timeout * 3)
        try:
            if self.keep_connections:
                message_id = self._loop().run_until_complete(sending)
            else:
                message_id = asyncio.run(sending)
        except TelegramError as exc:
            return _failed(exc, message, loaded, token)
        except TimeoutError:
            return DeliveryResult.retry(f"no answer within {timeout * 3:g}s")
        return DeliveryResult.delivered(remote_id=str(message_id))

    def _deliver_direct(
        self, message: Notification, token: str, config: Mapping[str, Any], timeout: float
    ) -> DeliveryResult:
        """:meth:`deliver` on :class:`DirectRequest`: no event loop; it bounds the time."""
        if self.keep_connections:
            bot, request = self._direct_bot(token, timeout)
        else:
            request = _new_direct(timeout)
            bot = self._bot(token, request)
        try:
            message_id = run_blocking(self._deliver_with(bot, message, config))
        except TelegramError as exc:
            return _failed(exc, message, config, token)
        finally:
            if not self.keep_connections:
                request.close()
        return DeliveryResult.delivered(remote_id=str(message_id))

    async def _send(
        self, message: Notification, token: str, config: Mapping[str, Any], timeout: float
    ) -> int:
        """Send (or edit) and return the message id."""
        if self.keep_connections:
            request = await self._request(token, timeout)
            return await self._deliver_with(self._bot(token, request), message, config)
        request = _new_request(timeout)
        await request.initialize()
        try:
            return await self._deliver_with(self._bot(token, request), message, config)
        finally:
            await request.shutdown()

    async def _deliver_with(
        self, bot: Bot, message: Notification, config: Mapping[str, Any]
    ) -> int:
        if message.event == EDIT_EVENT:
            await self._edit_with(bot, message, config)
            return int(config["message_id"])
        sent = await self._send_with(bot, message, config["chat_id"])
        return sent.message_id

    async def _edit_with(self, bot: Bot, message: Notification, config: Mapping[str, Any]) -> None:
        """The voice message's caption again, now with the transcription, same buttons."""
        shown = dataclasses.replace(message, event="voicemail.created")
        buttons = [
            InlineKeyboardButton(text, callback_data=data) for text, data in config["buttons"]
        ]
        markup = InlineKeyboardMarkup([buttons]) if buttons else None
        where = {"chat_id": config["chat_id"], "message_id": config["message_id"]}
        try:
            await bot.edit_message_caption(
                **where,
                caption=render(shown, limit=CAPTION_LIMIT),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as exc:
            if _NO_CAPTION not in str(exc).lower():
                raise
            # Sent as text (the recording was missing then): edit the text instead.
            await bot.edit_message_text(
                render(shown, limit=MESSAGE_LIMIT),
                **where,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )

    async def _send_with(self, bot: Bot, message: Notification, chat_id: int) -> Message:
        media = message.media_path
        has_media = media is not None and Path(media).is_file()
        markup = None
        if (
            message.event == "voicemail.created"
            and message.object_id is not None
            and self.callback_key is not None
        ):
            markup = keyboard(self.callback_key, message.object_id)
        if has_media and message.event == "voicemail.created":
            assert media is not None
            with Path(media).open("rb") as voice:
                return await bot.send_voice(
                    chat_id,
                    voice=voice,
                    caption=render(message, limit=CAPTION_LIMIT),
                    parse_mode=ParseMode.HTML,
                    duration=message.duration_s,
                    reply_markup=markup,
                )
        if has_media and message.event == "fax.received":
            assert media is not None
            with Path(media).open("rb") as document:
                return await bot.send_document(
                    chat_id,
                    document=document,
                    filename=f"fax-{message.object_id or 'received'}.pdf",
                    caption=render(message, limit=CAPTION_LIMIT),
                    parse_mode=ParseMode.HTML,
                )
        # No file (other events, or the media is not there): the text alone still tells
        # staff that something arrived.
        return await bot.send_message(
            chat_id,
            render(message, limit=MESSAGE_LIMIT),
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )


def bot_username(token: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 10.0) -> str:
    """Check a bot token (``getMe``) and return the bot's username, for deep links.

    Raises ``telegram.error.TelegramError`` (``InvalidToken`` for a wrong token).
    """

    async def run() -> str:
        request = HTTPXRequest(
            connection_pool_size=1,
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
            pool_timeout=timeout,
        )
        await request.initialize()
        try:
            bot = TelegramChannel(base_url=base_url)._bot(token, request)
            me = await bot.get_me()
        finally:
            await request.shutdown()
        return me.username or ""

    return asyncio.run(asyncio.wait_for(run(), timeout * 2))
