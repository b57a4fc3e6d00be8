"""An org's bot as the rest of the app needs it: its token, its client, its webhook URL.

The outbox uses :func:`bot_token` and :func:`callback_key` too, so the buttons it sends
are signed with the key the webhook verifies them with.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.notify.telegram_links import derive_key
from ivr_designer import crypto
from ivr_designer.models import TelegramBot
from ivr_designer.telegram.client import BotClient

__all__ = [
    "api_base_url",
    "bot_for_org",
    "bot_token",
    "callback_key",
    "client_for",
    "webhook_secret",
    "webhook_url",
]

#: A Telegram call made while a person waits (setup, a button press) gives up sooner
#: than an outbox delivery would.
INTERACTIVE_TIMEOUT = 5.0


def api_base_url() -> str:
    return str(current_app.config["TELEGRAM_API_BASE_URL"]).rstrip("/")


def callback_key() -> bytes:
    """The key that signs the "Claim" / "Handled" callback data (from SECRET_KEY)."""
    return derive_key(str(current_app.config["SECRET_KEY"]))


def webhook_url(org_id: int) -> str:
    """Where Telegram posts the org's updates: PUBLIC_BASE_URL + /hooks/telegram/<org>."""
    return f"{str(current_app.config['PUBLIC_BASE_URL']).rstrip('/')}/hooks/telegram/{org_id}"


def client_for(token: str) -> BotClient:
    timeout = min(INTERACTIVE_TIMEOUT, float(current_app.config["NOTIFY_TIMEOUT_SECONDS"]))
    return BotClient(token, base_url=api_base_url(), timeout=timeout)


def bot_for_org(session: Session, org_id: int) -> TelegramBot | None:
    """The org's bot, by an explicit org condition (webhooks run with no tenant scope)."""
    return session.execute(
        select(TelegramBot).where(TelegramBot.org_id == org_id)
    ).scalar_one_or_none()


def bot_token(bot: TelegramBot) -> str:
    return crypto.decrypt(bot.token_encrypted)


def webhook_secret(bot: TelegramBot) -> str:
    return crypto.decrypt(bot.webhook_secret_encrypted)
