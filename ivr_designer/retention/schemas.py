"""Retention payloads: the list per data class, and a partial update in days."""

from __future__ import annotations

from marshmallow import Schema, fields

from ivr_designer.retention.policy import POLICIES
from ivr_designer.schemas import InputSchema, QuerySchema


class RetentionSchema(Schema):
    data_class = fields.Str()
    days = fields.Int()
    default_days = fields.Int()
    min_days = fields.Int()
    max_days = fields.Int()


class RetentionQuerySchema(QuerySchema):
    org_id = fields.Int(metadata={"description": "Required for system administrators."})


def _days(data_class: str) -> fields.Int:
    """Bounds are checked by the operation (400 naming the field, as documented)."""
    policy = POLICIES[data_class]
    return fields.Int(
        strict=True,
        metadata={"description": f"Days ({policy.min_days}-{policy.max_days})."},
    )


class RetentionUpdateSchema(InputSchema):
    """Days per data class; classes left out keep their value."""

    voicemail = _days("voicemail")
    fax = _days("fax")
    call = _days("call")
    delivery_log = _days("delivery_log")
    audit = _days("audit")
