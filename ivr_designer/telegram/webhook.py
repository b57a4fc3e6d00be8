"""``POST /hooks/telegram/<org_id>``: what Telegram posts for an org's bot.

Secret first: the ``X-Telegram-Bot-Api-Secret-Token`` header is compared (in constant
time) with the secret we gave ``setWebhook`` before the body is even read. Then the
update is handled and committed, and only then are the replies sent. Telegram retries
an update that gets no 2xx, so anything that goes wrong after the check is logged and
answered 200; only a bad secret (403), an org without a bot (404) and a body that is
not JSON (400) are refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import BadRequest, TelegramError

from integrations.notify.telegram_links import SECRET_TOKEN_HEADER, check_secret_token
from ivr_designer import tenancy
from ivr_designer.crypto import DecryptionFailed
from ivr_designer.errors import error_response
from ivr_designer.extensions import db
from ivr_designer.telegram import bots, incoming
from ivr_designer.telegram.client import BotClient, scrub

log = logging.getLogger(__name__)


def receive(org_id: int) -> tuple[Response, int]:
    """Telegram's webhook for the org's bot (X-Telegram-Bot-Api-Secret-Token required)."""
    try:
        bot = bots.bot_for_org(db.session, org_id)
    except SQLAlchemyError:
        # Telegram delivers an org's updates in order and holds back the rest while one
        # fails, so a database hiccup must not turn into a 5xx (or a retry storm).
        log.exception("Telegram webhook for org %s: the database is unavailable", org_id)
        db.session.rollback()
        return jsonify({}), 200
    if bot is None:
        return error_response(404, "not found")
    try:
        expected = bots.webhook_secret(bot)
    except DecryptionFailed:
        log.error("the Telegram webhook secret of org %s cannot be decrypted", org_id)
        expected = ""
    if not check_secret_token(request.headers.get(SECRET_TOKEN_HEADER), expected):
        log.warning("Telegram webhook for org %s: wrong or missing secret token", org_id)
        return error_response(403, "invalid secret token")
    update = request.get_json(force=True, silent=True)
    if not isinstance(update, dict):
        return error_response(400, "malformed JSON body")

    tenancy.scope_session(db.session, org_id)
    try:
        effects = incoming.handle(db.session, org_id, bot.bot_username, update, bots.callback_key())
        token = bots.bot_token(bot)
        db.session.commit()
    except Exception:
        log.exception("Telegram update %s for org %s failed", update.get("update_id"), org_id)
        db.session.rollback()
        return jsonify({}), 200
    _send(bots.client_for(token), effects)
    return jsonify({}), 200


def _send(client: BotClient, effects: incoming.Effects) -> None:
    """Each call on its own: one failing (blocked, flood control) does not stop the rest."""
    if effects.answer is not None:
        _attempt("answerCallbackQuery", client, client.answer_callback, *effects.answer)
    if effects.buttons is not None:
        _attempt("editMessageReplyMarkup", client, client.set_buttons, *effects.buttons)
    for chat_id, text in effects.messages:
        _attempt("sendMessage", client, client.send_message, chat_id, text)


def _attempt(method: str, client: BotClient, call: Callable[..., None], *args: Any) -> None:
    try:
        call(*args)
    except BadRequest as exc:
        if "message is not modified" in str(exc):
            return  # the buttons already show this state
        log.warning("Telegram %s failed: %s", method, scrub(exc, client.token))
    except TelegramError as exc:
        log.warning("Telegram %s failed: %s", method, scrub(exc, client.token))
    except Exception:
        log.exception("Telegram %s failed", method)
