"""User payloads; the password hash never appears in any of them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.models import Role
from ivr_designer.schemas import InputSchema, QuerySchema

ROLES = validate.OneOf([role.value for role in Role])


class UserSchema(Schema):
    id = fields.Int()
    org_id = fields.Int(allow_none=True)
    email = fields.Str()
    name = fields.Str()
    phone = fields.Str(allow_none=True)
    role = fields.Str()
    active = fields.Bool()
    created_at = fields.AwareDateTime()
    last_login_at = fields.AwareDateTime(allow_none=True)


class UserCreateSchema(InputSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, load_only=True)
    role = fields.Str(load_default="staff", validate=ROLES)
    org_id = fields.Int(strict=True, allow_none=True, load_default=None)
    phone = fields.Str(allow_none=True, validate=validate.Length(max=32))
    active = fields.Bool(load_default=True)


class UserUpdateSchema(InputSchema):
    email = fields.Email(validate=validate.Length(max=254))
    name = fields.Str(validate=validate.Length(min=1, max=200))
    password = fields.Str(load_only=True)
    role = fields.Str(validate=ROLES)
    phone = fields.Str(allow_none=True, validate=validate.Length(max=32))
    active = fields.Bool()


class UserListQuerySchema(QuerySchema):
    org_id = fields.Int()
