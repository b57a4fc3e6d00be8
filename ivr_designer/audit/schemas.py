"""Audit log payloads and filters."""

from __future__ import annotations

from marshmallow import Schema, fields

from ivr_designer.schemas import QuerySchema


class AuditEntrySchema(Schema):
    id = fields.Int()
    created_at = fields.AwareDateTime()
    actor_id = fields.Int(allow_none=True)
    actor_email = fields.Str(allow_none=True)
    org_id = fields.Int(allow_none=True)
    action = fields.Str()
    object_type = fields.Str()
    object_id = fields.Str(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    ip_address = fields.Str(allow_none=True)


class AuditQuerySchema(QuerySchema):
    org_id = fields.Int()
    actor_id = fields.Int()
    action = fields.Str()
    object_type = fields.Str()
    object_id = fields.Str()
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
