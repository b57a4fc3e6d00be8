"""/api/telegram (the org's bot, its chats), /api/me/telegram, box links, and the bot's
webhook /hooks/telegram/<org_id> (registered here too, outside the API documentation)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from ivr_designer.auth.current import current_actor
from ivr_designer.boxes.operations import FAX, VOICEMAIL
from ivr_designer.extensions import db
from ivr_designer.telegram import linking, operations, webhook
from ivr_designer.telegram.linking import DeepLink, MyTelegram
from ivr_designer.telegram.operations import BotStatus, ChatView
from ivr_designer.telegram.schemas import (
    BotInputSchema,
    BotQuerySchema,
    BotSchema,
    ChatSchema,
    DeepLinkSchema,
    MyTelegramSchema,
    OrgQuerySchema,
)

blp = Blueprint(
    "telegram", __name__, description="The organisation's Telegram bot and linked chats."
)
blp.add_url_rule("/hooks/telegram/<int:org_id>", view_func=webhook.receive, methods=["POST"])


def _minutes() -> int:
    return int(current_app.config["TELEGRAM_LINK_TOKEN_MINUTES"])


@blp.route("/api/telegram/bot")
class Bot(MethodView):
    @blp.arguments(BotQuerySchema, location="query")
    @blp.response(200, BotSchema)
    def get(self, query: dict[str, Any]) -> BotStatus:
        """Whether a bot is set up (never its token); ``?check=true`` asks Telegram too."""
        return operations.get_bot(
            db.session, current_actor(), query.get("org_id"), check=query["check"]
        )

    @blp.arguments(BotInputSchema)
    @blp.response(200, BotSchema)
    def put(self, data: dict[str, Any]) -> BotStatus:
        """Check the token with Telegram, set the webhook, store both encrypted."""
        return operations.set_bot(db.session, current_actor(), data["token"], data.get("org_id"))

    @blp.arguments(OrgQuerySchema, location="query")
    @blp.response(204)
    def delete(self, query: dict[str, Any]) -> None:
        """Remove the bot and end every link."""
        operations.delete_bot(db.session, current_actor(), query.get("org_id"))


@blp.route("/api/telegram/chats")
class Chats(MethodView):
    @blp.arguments(OrgQuerySchema, location="query")
    @blp.response(200, ChatSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[ChatView]:
        return operations.list_chats(db.session, current_actor(), query.get("org_id"))


@blp.route("/api/telegram/chats/<int:chat_id>")
class ChatById(MethodView):
    @blp.response(204)
    def delete(self, chat_id: int) -> None:
        operations.unlink_chat(db.session, current_actor(), chat_id)


@blp.route("/api/me/telegram")
class MyChat(MethodView):
    @blp.response(200, MyTelegramSchema)
    def get(self) -> MyTelegram:
        return linking.my_telegram(db.session, current_actor())

    @blp.response(204)
    def delete(self) -> None:
        linking.unlink_me(db.session, current_actor())


@blp.route("/api/me/telegram/link")
class MyLink(MethodView):
    @blp.response(201, DeepLinkSchema)
    def post(self) -> DeepLink:
        """A one-time ``t.me`` link that links the private chat it is opened in."""
        return linking.link_me(db.session, current_actor(), _minutes())


@blp.route("/api/voicemail-boxes/<int:box_id>/telegram-link")
class VoicemailBoxLink(MethodView):
    @blp.response(201, DeepLinkSchema)
    def post(self, box_id: int) -> DeepLink:
        """A one-time ``startgroup`` link: the group it adds the bot to gets the box."""
        return linking.link_box(db.session, current_actor(), VOICEMAIL, box_id, _minutes())


@blp.route("/api/fax-boxes/<int:box_id>/telegram-link")
class FaxBoxLink(MethodView):
    @blp.response(201, DeepLinkSchema)
    def post(self, box_id: int) -> DeepLink:
        return linking.link_box(db.session, current_actor(), FAX, box_id, _minutes())
