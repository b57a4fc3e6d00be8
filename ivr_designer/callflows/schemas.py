"""Flow and version payloads. Documents travel as the flow file's JSON object; the
engine's own parser (not marshmallow) checks their structure."""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ivr_designer.schemas import InputSchema, QuerySchema

DOCUMENT_REF = validate.Regexp(
    r"^(draft|published|[1-9][0-9]{0,8})$", error="a version number, 'draft' or 'published'"
)


class FlowSummarySchema(Schema):
    id = fields.Int()
    org_id = fields.Int()
    name = fields.Str()
    description = fields.Str()
    draft_revision = fields.Int()
    published_version = fields.Method("_published_number", allow_none=True)
    published_version_id = fields.Int(allow_none=True)
    updated_by_id = fields.Int(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()

    def _published_number(self, flow: Any) -> int | None:
        version = flow.published_version
        return None if version is None else int(version.number)


class FlowSchema(FlowSummarySchema):
    draft = fields.Dict()


class FlowCreateSchema(InputSchema):
    name = fields.Str(validate=validate.Length(min=1, max=200))
    document = fields.Dict()
    org_id = fields.Int(strict=True)


class DraftSchema(InputSchema):
    document = fields.Raw(required=True, metadata={"description": "The flow file document."})
    draft_revision = fields.Int(
        required=True,
        strict=True,
        metadata={"description": "The revision the edit started from (409 when stale)."},
    )


class ValidateSchema(InputSchema):
    document = fields.Raw(metadata={"description": "Unsaved document; default: the draft."})


class FindingSchema(Schema):
    severity = fields.Str()
    code = fields.Str()
    message = fields.Str()
    node = fields.Str(allow_none=True)
    port = fields.Str(allow_none=True)
    field = fields.Str(allow_none=True)
    flow = fields.Str(allow_none=True)


class ValidationResultSchema(Schema):
    findings = fields.List(fields.Nested(FindingSchema))
    errors = fields.Int()
    warnings = fields.Int()
    publishable = fields.Bool()


class PublishSchema(InputSchema):
    message = fields.Str(load_default="", validate=validate.Length(max=2000))


class VersionSummarySchema(Schema):
    id = fields.Int()
    flow_id = fields.Int()
    number = fields.Int()
    message = fields.Str()
    author_id = fields.Int(allow_none=True)
    author_name = fields.Str(
        allow_none=True, metadata={"description": "The author's name; null once deleted."}
    )
    created_at = fields.AwareDateTime()
    sha256 = fields.Str()


class VersionSchema(VersionSummarySchema):
    document = fields.Dict()


class DiffQuerySchema(QuerySchema):
    from_ = fields.Str(data_key="from", required=True, validate=DOCUMENT_REF)
    to = fields.Str(required=True, validate=DOCUMENT_REF)


class DiffSchema(Schema):
    from_ = fields.Str(data_key="from", attribute="from")
    to = fields.Str()
    changes = fields.Dict()
    text = fields.Str()


class ExportQuerySchema(QuerySchema):
    version = fields.Str(load_default="draft", validate=DOCUMENT_REF)


class ImportSchema(Schema):
    """Either the flow document itself, or ``{"text": "<JSON or YAML flow file>"}``."""

    class Meta:
        unknown = INCLUDE

    text = fields.Str(validate=validate.Length(min=1))
    org_id = fields.Int(strict=True)

    @validates_schema
    def _one_source(self, data: dict[str, Any], **_kwargs: Any) -> None:
        has_document = "format" in data or "nodes" in data
        if ("text" in data) == has_document:
            raise ValidationError(
                'send either a flow document or {"text": <flow file text>}', "text"
            )


class ListQuerySchema(QuerySchema):
    org_id = fields.Int()
