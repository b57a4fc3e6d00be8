"""Webhook endpoint payloads. The secret goes in (optionally) and comes out once.

URL and events are only type-checked here; whether the URL is a reachable public
target and the events are ones we send is decided in :mod:`.operations`, which
answers 400 naming the field.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from integrations.notify.base import EVENT_TYPES
from ivr_designer.schemas import InputSchema, QuerySchema

URL = validate.Length(min=1, max=2048)
DESCRIPTION = validate.Length(max=200)
EVENTS = validate.Length(max=20)


def _event() -> fields.Str:
    """An event name; the OpenAPI document lists the choices (operations check them)."""
    return fields.Str(metadata={"enum": list(EVENT_TYPES)})


class EndpointSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    url = fields.Str()
    description = fields.Str()
    events = fields.List(_event())
    enabled = fields.Bool()
    disabled_at = fields.AwareDateTime(allow_none=True)
    disabled_reason = fields.Str(allow_none=True)
    consecutive_failures = fields.Int()
    first_failure_at = fields.AwareDateTime(allow_none=True)
    last_success_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class EndpointWithSecretSchema(EndpointSchema):
    """Only the answers to create and rotate-secret carry the secret, that one time."""

    secret = fields.Str(
        metadata={"description": "The signing secret (whsec_...); shown only in this answer."}
    )


class EndpointCreateSchema(InputSchema):
    url = fields.Str(required=True, validate=URL)
    events = fields.List(_event(), required=True, validate=EVENTS)
    description = fields.Str(load_default="", validate=DESCRIPTION)
    secret = fields.Str(
        validate=validate.Length(max=200),
        load_only=True,
        metadata={"description": "Optional; a whsec_ secret is generated when left out."},
    )
    org_id = fields.Int(strict=True)


class EndpointUpdateSchema(InputSchema):
    url = fields.Str(validate=URL)
    events = fields.List(_event(), validate=EVENTS)
    description = fields.Str(validate=DESCRIPTION)
    enabled = fields.Bool()


class EventTypeSchema(Schema):
    name = fields.Str(metadata={"enum": list(EVENT_TYPES)})


class EndpointListQuerySchema(QuerySchema):
    org_id = fields.Int()


class TestSendResultSchema(Schema):
    outcome = fields.Str(metadata={"description": "delivered, retry or permanent"})
    status_code = fields.Int(allow_none=True)
    reason = fields.Str()
    duration_ms = fields.Int()
    delivery_id = fields.Int()


class AttemptSchema(Schema):
    id = fields.Int()
    attempted_at = fields.AwareDateTime()
    event = fields.Str()
    outcome = fields.Str()
    status_code = fields.Int(allow_none=True)
    reason = fields.Str()
    response_excerpt = fields.Str()
    duration_ms = fields.Int(allow_none=True)
    test = fields.Bool()
    delivery_id = fields.Int()
    delivery_status = fields.Str()
