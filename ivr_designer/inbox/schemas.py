"""Inbox payloads: list filters, the take-over flag and the item views."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ivr_designer.inbox.queries import STATES
from ivr_designer.schemas import InputSchema, QuerySchema

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


class InboxQuerySchema(QuerySchema):
    box_id = fields.Int(strict=False, validate=validate.Range(min=1))
    state = fields.Str(load_default="all", validate=validate.OneOf(STATES))
    org_id = fields.Int(strict=False, validate=validate.Range(min=1))
    heard = fields.Bool(metadata={"description": "true: only what you heard; false: the rest"})
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=None, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    # The name the other lists use (flask-smorest's), accepted as well.
    page_size = fields.Int(load_default=None, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ClaimSchema(InputSchema):
    take_over = fields.Bool(
        load_default=False,
        metadata={"description": "Administrators: take an item someone else has claimed."},
    )


class PersonSchema(Schema):
    id = fields.Int()
    name = fields.Str()


class InboxItemSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    box_id = fields.Int()
    box_name = fields.Str()
    caller = fields.Str()
    created_at = fields.AwareDateTime()
    status = fields.Str(metadata={"description": "pending_media, ready or failed"})
    heard = fields.Bool(metadata={"description": "Whether the caller of the API has heard it."})
    claimed_by = fields.Nested(PersonSchema, allow_none=True)
    claimed_at = fields.AwareDateTime(allow_none=True)
    handled_by = fields.Nested(PersonSchema, allow_none=True)
    handled_at = fields.AwareDateTime(allow_none=True)


class VoicemailSchema(InboxItemSchema):
    duration_s = fields.Int(allow_none=True)
    transcription = fields.Str(allow_none=True)


class FaxSchema(InboxItemSchema):
    pages = fields.Int(allow_none=True)
