"""Call record payloads and filters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.models.call import OUTCOMES
from ivr_designer.schemas import QuerySchema


class CallStepSchema(Schema):
    seq = fields.Int()
    at = fields.AwareDateTime()
    flow_name = fields.Str()
    node_id = fields.Str()
    node_type = fields.Str()
    input = fields.Str(allow_none=True)
    port = fields.Str(allow_none=True)
    ended = fields.Str(allow_none=True)
    duration_ms = fields.Int(allow_none=True)


class CallSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    call_sid = fields.Str()
    phone_number_id = fields.Int(allow_none=True)
    caller = fields.Str()
    called = fields.Str()
    flow_version_id = fields.Int(allow_none=True)
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.Str()
    provider_status = fields.Str(allow_none=True)
    duration_s = fields.Int(allow_none=True)


class CallDetailSchema(CallSchema):
    steps = fields.List(fields.Nested(CallStepSchema))


class CallQuerySchema(QuerySchema):
    number = fields.Str(validate=validate.Length(max=32))
    phone_number_id = fields.Int()
    outcome = fields.Str(validate=validate.OneOf(OUTCOMES))
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
