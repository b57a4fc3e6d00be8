"""Box payloads. Listeners go in as user ids and come out with names."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.models.voicemail_box import DEFAULT_MAX_LENGTH_S, KEY_PATTERN
from ivr_designer.schemas import InputSchema, QuerySchema

KEY = validate.Regexp(KEY_PATTERN, error="1-64 of a-z, 0-9, '-' and '_'")
NAME = validate.Length(min=1, max=200)
MAX_LENGTH = validate.Range(min=5, max=600)


class ListenerSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    email = fields.Str()


class BoxSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    key = fields.Str()
    name = fields.Str()
    listeners = fields.List(fields.Nested(ListenerSchema))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class VoicemailBoxSchema(BoxSchema):
    max_length_s = fields.Int()


class BoxCreateSchema(InputSchema):
    key = fields.Str(required=True, validate=KEY)
    name = fields.Str(required=True, validate=NAME)
    listener_ids = fields.List(
        fields.Int(strict=True), load_default=list, validate=validate.Length(max=500)
    )
    org_id = fields.Int(strict=True)


class VoicemailBoxCreateSchema(BoxCreateSchema):
    max_length_s = fields.Int(strict=True, load_default=DEFAULT_MAX_LENGTH_S, validate=MAX_LENGTH)


class BoxUpdateSchema(InputSchema):
    # Accepted only to answer with a clear message: the key cannot change.
    key = fields.Str()
    name = fields.Str(validate=NAME)
    listener_ids = fields.List(fields.Int(strict=True), validate=validate.Length(max=500))


class VoicemailBoxUpdateSchema(BoxUpdateSchema):
    max_length_s = fields.Int(strict=True, validate=MAX_LENGTH)


class BoxListQuerySchema(QuerySchema):
    org_id = fields.Int()
