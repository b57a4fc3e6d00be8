"""Audio asset and agreement payloads (marshmallow in, marshmallow out)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from audio.rights import RightsKind
from ivr_designer.models.audio_asset import KEY_PATTERN, USES
from ivr_designer.schemas import InputSchema, QuerySchema

KEY = validate.Regexp(KEY_PATTERN, error="use 1-64 of a-z, 0-9, '-' and '_'")
NAME = validate.Length(min=1, max=200)
USE = validate.OneOf(USES)
RIGHTS_KIND = validate.OneOf([kind.value for kind in RightsKind])
RENDITIONS = ("telephony", "ulaw", "opus")


class _RightsFields(InputSchema):
    rights_kind = fields.Str(validate=RIGHTS_KIND, allow_none=True)
    rights_source = fields.Str(validate=validate.Length(max=500), allow_none=True)
    rights_licence_text = fields.Str(validate=validate.Length(max=20_000), allow_none=True)
    rights_valid_until = fields.Date(allow_none=True)
    agreement_id = fields.Int(allow_none=True)
    declared_music = fields.Bool()


class UploadFormSchema(_RightsFields):
    """The form fields next to ``file`` in ``multipart/form-data``."""

    key = fields.Str(required=True, validate=KEY)
    name = fields.Str(validate=NAME)
    use = fields.Str(load_default="prompt", validate=USE)
    org_id = fields.Int()


class UploadFileSchema(Schema):
    """Documents the upload for OpenAPI (the handler streams it itself)."""

    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)
    key = fields.Str(required=True)
    name = fields.Str()
    use = fields.Str()
    rights_kind = fields.Str()
    rights_source = fields.Str()
    rights_licence_text = fields.Str()
    rights_valid_until = fields.Date()
    agreement_id = fields.Int()
    declared_music = fields.Bool()
    org_id = fields.Int()


class TtsCreateSchema(InputSchema):
    key = fields.Str(required=True, validate=KEY)
    name = fields.Str(required=True, validate=NAME)
    text = fields.Str(required=True, validate=validate.Length(min=1, max=4000))
    language = fields.Str(required=True, validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z]{2})?$"))
    use = fields.Str(load_default="prompt", validate=validate.OneOf(["prompt", "queue_message"]))
    org_id = fields.Int(strict=True)


class AssetUpdateSchema(_RightsFields):
    name = fields.Str(validate=NAME)
    use = fields.Str(validate=USE)


class AssetSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    key = fields.Str()
    name = fields.Str()
    use = fields.Str()
    kind = fields.Str()
    tts_text = fields.Str(allow_none=True)
    tts_language = fields.Str(allow_none=True)
    status = fields.Str()
    failure_code = fields.Str(allow_none=True)
    failure_reason = fields.Str(allow_none=True)
    original_filename = fields.Str(allow_none=True)
    duration_s = fields.Float(allow_none=True)
    sample_rate = fields.Int(allow_none=True)
    channels = fields.Int(allow_none=True)
    sha256 = fields.Str(allow_none=True)
    loudness_lufs = fields.Float(allow_none=True)
    gain_db = fields.Float(allow_none=True)
    music_label = fields.Str(allow_none=True)
    declared_music = fields.Bool()
    needs_review = fields.Bool()
    is_music = fields.Bool()
    rights_kind = fields.Str(allow_none=True)
    rights_source = fields.Str()
    rights_licence_text = fields.Str()
    rights_valid_until = fields.Date(allow_none=True)
    agreement_id = fields.Int(allow_none=True)
    is_default = fields.Bool()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ListQuerySchema(QuerySchema):
    org_id = fields.Int()


class FileQuerySchema(QuerySchema):
    rendition = fields.Str(load_default="telephony", validate=validate.OneOf(RENDITIONS))


class PeaksQuerySchema(QuerySchema):
    buckets = fields.Int(load_default=800, validate=validate.Range(min=1, max=4000))


class PeaksSchema(Schema):
    duration = fields.Float()
    sample_rate = fields.Int()
    buckets = fields.Int()
    peaks = fields.List(fields.List(fields.Float()))


class AgreementSchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    number = fields.Str()
    lines_covered = fields.Int()
    valid_from = fields.Date()
    valid_until = fields.Date()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class AgreementCreateSchema(InputSchema):
    number = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    lines_covered = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    org_id = fields.Int(strict=True)

    @validates_schema
    def _dates(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["valid_until"] < data["valid_from"]:
            raise ValidationError("must not be before valid_from", "valid_until")


class AgreementUpdateSchema(InputSchema):
    number = fields.Str(validate=validate.Length(min=1, max=64))
    lines_covered = fields.Int(strict=True, validate=validate.Range(min=1))
    valid_from = fields.Date()
    valid_until = fields.Date()
