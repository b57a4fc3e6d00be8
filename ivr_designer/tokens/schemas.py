"""API token payloads; the secret appears only in the creation response."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.schemas import InputSchema


class TokenSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    prefix = fields.Str()
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    expires_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.Str(metadata={"description": "The secret; shown only once."})


class TokenCreateSchema(InputSchema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    expires_in_days = fields.Int(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(min=1, max=3650)
    )
