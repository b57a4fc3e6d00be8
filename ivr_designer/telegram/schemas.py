"""Telegram payloads. The bot token goes in and never comes out."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.schemas import InputSchema, QuerySchema


class OrgQuerySchema(QuerySchema):
    org_id = fields.Int(metadata={"description": "Required for system administrators."})


class BotQuerySchema(OrgQuerySchema):
    check = fields.Bool(
        load_default=False,
        metadata={"description": "Also ask Telegram about the webhook (getWebhookInfo)."},
    )


class WebhookCheckSchema(Schema):
    url = fields.Str()
    matches = fields.Bool()
    pending_update_count = fields.Int()
    last_error_message = fields.Str(allow_none=True)
    last_error_at = fields.AwareDateTime(allow_none=True)


class BotSchema(Schema):
    configured = fields.Bool()
    bot_username = fields.Str(allow_none=True)
    webhook_url = fields.Str(allow_none=True)
    webhook_set_at = fields.AwareDateTime(allow_none=True)
    webhook_error = fields.Str(
        allow_none=True,
        metadata={"description": "Why setWebhook (PUT) or the check (GET ?check) failed."},
    )
    telegram_webhook = fields.Nested(
        WebhookCheckSchema,
        allow_none=True,
        metadata={"description": "Only with ?check=true: what Telegram reports."},
    )


class BotInputSchema(InputSchema):
    token = fields.Str(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The bot token from @BotFather; stored encrypted."},
    )
    org_id = fields.Int(strict=True, metadata={"description": "System administrators only."})


class DeepLinkSchema(Schema):
    deep_link = fields.Str()
    expires_at = fields.AwareDateTime()


class MyTelegramSchema(Schema):
    linked = fields.Bool()
    chat_title = fields.Str(allow_none=True)
    linked_at = fields.AwareDateTime(allow_none=True)


class NamedSchema(Schema):
    id = fields.Int()
    name = fields.Str()


class ChatSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    chat_type = fields.Str()
    title = fields.Str()
    user = fields.Nested(NamedSchema, allow_none=True)
    voicemail_box = fields.Nested(NamedSchema, allow_none=True)
    fax_box = fields.Nested(NamedSchema, allow_none=True)
    active = fields.Bool()
    linked_at = fields.AwareDateTime()
    unlinked_at = fields.AwareDateTime(allow_none=True)
