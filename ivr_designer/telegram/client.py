"""The few Bot API calls the app makes outside the outbox: setup, replies, button updates.

python-telegram-bot is asyncio; Flask handlers are not. Each :meth:`BotClient.run` is one
short private event loop with its own HTTP client, as in the outbox's Telegram channel,
so nothing is shared between requests and nothing outlives the call. No Flask here:
the caller passes the token, the API base URL and a timeout.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import certifi
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, WebhookInfo
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

# Importing the channel module also installs its log filter that hides bot tokens in
# httpx's request lines; this module makes the same kind of requests.
from integrations.notify.channels.telegram import DEFAULT_BASE_URL

__all__ = ["ALLOWED_UPDATES", "BotClient", "Button", "scrub"]

T = TypeVar("T")
ALLOWED_UPDATES = ("message", "callback_query")
_SECRET_PARAMETER = re.compile(r"""(['"]secret_token['"]:\s*)(['"])[^'"]*\2""")


@functools.cache
def _tls() -> ssl.SSLContext:
    """One verifying context for all calls: httpx would load the CA bundle per client."""
    return ssl.create_default_context(cafile=certifi.where())


class _RedactWebhookSecret(logging.Filter):
    """PTB logs every call's parameters at DEBUG, setWebhook's secret_token included."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "secret_token" in text:
            record.msg, record.args = _SECRET_PARAMETER.sub(r"\1'<secret>'", text), None
        return True


_bot_log = logging.getLogger("telegram.Bot")
if not any(isinstance(f, _RedactWebhookSecret) for f in _bot_log.filters):
    _bot_log.addFilter(_RedactWebhookSecret())


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str


def scrub(exc: TelegramError, token: str) -> str:
    """The error's message without the bot token (httpx messages may hold the URL)."""
    text = str(exc)
    return text.replace(token, "<token>") if token else text


class BotClient:
    """One bot (token) on one Bot API server; every call raises ``TelegramError``."""

    def __init__(
        self, token: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 10.0
    ) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def run(self, action: Callable[[Bot], Awaitable[T]]) -> T:
        """Run ``action(bot)`` in a fresh event loop, bounded by twice the timeout."""

        async def call() -> T:
            request = HTTPXRequest(
                connection_pool_size=1,
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                write_timeout=self.timeout,
                pool_timeout=self.timeout,
                httpx_kwargs={"verify": _tls()},
            )
            await request.initialize()
            try:
                bot = Bot(
                    self.token,
                    base_url=f"{self.base_url}/bot",
                    base_file_url=f"{self.base_url}/file/bot",
                    request=request,
                    get_updates_request=request,
                )
                return await action(bot)
            finally:
                await request.shutdown()

        return asyncio.run(asyncio.wait_for(call(), self.timeout * 2))

    def username(self) -> str:
        """``getMe``: checks the token; ``InvalidToken`` when Telegram refuses it."""

        async def action(bot: Bot) -> str:
            me = await bot.get_me()
            return me.username or ""

        return self.run(action)

    def set_webhook(
        self, url: str, secret_token: str, allowed_updates: Sequence[str] = ALLOWED_UPDATES
    ) -> bool:
        async def action(bot: Bot) -> bool:
            return await bot.set_webhook(
                url, secret_token=secret_token, allowed_updates=list(allowed_updates)
            )

        return self.run(action)

    def webhook_info(self) -> WebhookInfo:
        """``getWebhookInfo``: where Telegram posts, and its last delivery error."""

        async def action(bot: Bot) -> WebhookInfo:
            return await bot.get_webhook_info()

        return self.run(action)

    def delete_webhook(self) -> bool:
        async def action(bot: Bot) -> bool:
            return await bot.delete_webhook()

        return self.run(action)

    def send_message(self, chat_id: int, text: str) -> None:
        """Plain text (no parse mode), so nothing in ``text`` needs escaping."""

        async def action(bot: Bot) -> None:
            await bot.send_message(chat_id, text)

        self.run(action)

    def answer_callback(self, callback_query_id: str, text: str) -> None:
        """Answer a button press: stops the spinner and shows ``text`` briefly."""

        async def action(bot: Bot) -> None:
            await bot.answer_callback_query(callback_query_id, text=text[:200])

        self.run(action)

    def set_buttons(self, chat_id: int, message_id: int, buttons: Sequence[Button]) -> None:
        """Replace the inline keyboard of a message the bot sent (one row; none removes it)."""

        async def action(bot: Bot) -> None:
            row = [InlineKeyboardButton(b.text, callback_data=b.callback_data) for b in buttons]
            # Without reply_markup Telegram removes the keyboard (an empty one is refused).
            markup = InlineKeyboardMarkup([row]) if row else None
            await bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=markup
            )

        self.run(action)
