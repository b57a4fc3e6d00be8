"""Organisation payloads."""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, fields, validate

from ivr_designer.schemas import InputSchema

SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$", error="lower-case letters, digits and '-'")
_DAYS = validate.Range(min=1, max=3650)


def _time_zone(value: str) -> None:
    if value not in available_timezones():
        raise validate.ValidationError("unknown time zone")


class OrgSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    slug = fields.Str()
    time_zone = fields.Str()
    language = fields.Str()
    call_log_retention_days = fields.Int()
    cdr_retention_days = fields.Int()
    voicemail_retention_days = fields.Int()
    fax_retention_days = fields.Int()
    password_min_length = fields.Int()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class OrgSettingsSchema(InputSchema):
    name = fields.Str(validate=validate.Length(min=1, max=200))
    time_zone = fields.Str(validate=_time_zone)
    language = fields.Str(validate=validate.Regexp(r"^[a-z]{2}(-[A-Z]{2})?$"))
    call_log_retention_days = fields.Int(strict=True, validate=_DAYS)
    cdr_retention_days = fields.Int(strict=True, validate=_DAYS)
    voicemail_retention_days = fields.Int(strict=True, validate=_DAYS)
    fax_retention_days = fields.Int(strict=True, validate=_DAYS)
    password_min_length = fields.Int(strict=True, validate=validate.Range(min=8, max=128))


class OrgUpdateSchema(OrgSettingsSchema):
    slug = fields.Str(validate=SLUG)


class OrgCreateSchema(OrgUpdateSchema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    slug = fields.Str(required=True, validate=SLUG)
