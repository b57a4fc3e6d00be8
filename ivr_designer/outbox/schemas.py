"""Delivery payloads for the admin screen."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.schemas import QuerySchema

STATUS_FILTERS = ("all", "pending", "delivering", "delivered", "dead", "cancelled")


class DeliverySchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    event = fields.Str()
    channel = fields.Str()
    target = fields.Str()
    subject_type = fields.Str(allow_none=True)
    subject_id = fields.Int(allow_none=True)
    status = fields.Str()
    attempts = fields.Int()
    flood_waits = fields.Int()  # Telegram flood control waited out (not attempts)
    last_error = fields.Str(allow_none=True)
    last_status_code = fields.Int(allow_none=True)
    next_attempt_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)


class DeliveryQuerySchema(QuerySchema):
    status = fields.Str(validate=validate.OneOf(STATUS_FILTERS), load_default="all")
    event = fields.Str(validate=validate.Length(max=32))
    channel = fields.Str(validate=validate.OneOf(("telegram", "webhook", "console")))
