"""Sign-in payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.orgs.schemas import OrgSchema
from ivr_designer.schemas import InputSchema
from ivr_designer.users.schemas import UserSchema


class LoginSchema(InputSchema):
    email = fields.Str(required=True, validate=validate.Length(min=1, max=254))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=1024))


class MeSchema(UserSchema):
    org = fields.Nested(OrgSchema, allow_none=True)
    csrf_token = fields.Str(
        allow_none=True,
        metadata={"description": "Send as X-CSRFToken on cookie-authenticated writes."},
    )


class CsrfSchema(Schema):
    csrf_token = fields.Str()
