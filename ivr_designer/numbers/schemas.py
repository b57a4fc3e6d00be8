"""Phone number and provider account payloads. The auth token is load-only."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from ivr_designer.models.phone_number import E164_PATTERN
from ivr_designer.models.provider_account import PROVIDERS
from ivr_designer.schemas import InputSchema, QuerySchema

E164 = validate.Regexp(E164_PATTERN, error="an E.164 number: '+' and 8 to 15 digits")
_SEPARATORS = re.compile(r"[\s\-().]")
LABEL = validate.Length(max=200)


class NumberSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    e164 = fields.Str()
    label = fields.Str()
    provider_account_id = fields.Int()
    voice_flow_id = fields.Int(allow_none=True)
    voice_flow_name = fields.Method("_flow_name", allow_none=True)
    fax_box_id = fields.Int(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()

    def _flow_name(self, number: Any) -> str | None:
        return None if number.voice_flow is None else str(number.voice_flow.name)


class _NumberInput(InputSchema):
    @pre_load
    def _strip_separators(self, data: Any, **_kwargs: Any) -> Any:
        """People paste "+45 70 12 34 56"; the stored form has no separators."""
        if isinstance(data, dict) and isinstance(data.get("e164"), str):
            data = {**data, "e164": _SEPARATORS.sub("", data["e164"])}
        return data


class NumberCreateSchema(_NumberInput):
    e164 = fields.Str(required=True, validate=E164)
    label = fields.Str(load_default="", validate=LABEL)
    provider_account_id = fields.Int(required=True, strict=True)
    voice_flow_id = fields.Int(strict=True, allow_none=True, load_default=None)
    fax_box_id = fields.Int(strict=True, allow_none=True, load_default=None)
    org_id = fields.Int(strict=True)


class NumberUpdateSchema(_NumberInput):
    e164 = fields.Str(validate=E164)
    label = fields.Str(validate=LABEL)
    provider_account_id = fields.Int(strict=True)
    voice_flow_id = fields.Int(strict=True, allow_none=True)
    fax_box_id = fields.Int(strict=True, allow_none=True)


class ProviderAccountSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    provider = fields.Str()
    label = fields.Str()
    account_sid = fields.Str()
    api_base_url = fields.Str(allow_none=True)
    auth_token_set = fields.Method("_token_set")
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()

    def _token_set(self, account: Any) -> bool:
        return bool(account.auth_token_encrypted)


_SID = validate.Regexp(r"^\S{1,128}$", error="1-128 characters without spaces")
_TOKEN = validate.Length(min=1, max=256)


class ProviderAccountCreateSchema(InputSchema):
    provider = fields.Str(required=True, validate=validate.OneOf(PROVIDERS))
    account_sid = fields.Str(required=True, validate=_SID)
    auth_token = fields.Str(required=True, load_only=True, validate=_TOKEN)
    label = fields.Str(load_default="", validate=LABEL)
    api_base_url = fields.Url(
        schemes={"http", "https"}, require_tld=False, allow_none=True, load_default=None
    )
    org_id = fields.Int(strict=True)


class ProviderAccountUpdateSchema(InputSchema):
    provider = fields.Str(validate=validate.OneOf(PROVIDERS))
    account_sid = fields.Str(validate=_SID)
    auth_token = fields.Str(load_only=True, validate=_TOKEN)
    label = fields.Str(validate=LABEL)
    api_base_url = fields.Url(schemes={"http", "https"}, require_tld=False, allow_none=True)


class ListQuerySchema(QuerySchema):
    org_id = fields.Int()
