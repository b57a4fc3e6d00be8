"""Payloads of the editor's helper endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from flows.nodes._editor import LANGUAGES
from ivr_designer.callflows.schemas import DOCUMENT_REF
from ivr_designer.schemas import InputSchema, QuerySchema

OUTCOME = validate.Length(min=1, max=20)


class ValidateDocumentSchema(InputSchema):
    document = fields.Raw(required=True, metadata={"description": "The unsaved flow document."})


class CallScriptSchema(InputSchema):
    """What the simulated caller does: when they call, from where, keys and outcomes."""

    at = fields.NaiveDateTime(
        required=True, metadata={"description": "Local time of the call in the org's zone."}
    )
    caller = fields.Str(load_default="+4512345678", validate=validate.Length(min=1, max=32))
    digits = fields.List(
        fields.Str(validate=validate.Length(max=20)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    outcomes = fields.List(
        fields.Str(validate=OUTCOME), load_default=list, validate=validate.Length(max=50)
    )


class SimulateSchema(CallScriptSchema):
    document = fields.Raw(metadata={"description": "Unsaved document; default: ``version``."})
    version = fields.Str(
        load_default="draft",
        validate=DOCUMENT_REF,
        metadata={"description": "'draft', 'published' or a version number."},
    )


class StepSchema(Schema):
    flow = fields.Str()
    node = fields.Str()
    type = fields.Str()
    heard = fields.List(fields.Str())
    twiml = fields.Str()
    port = fields.Str(allow_none=True)
    pressed = fields.Str(allow_none=True)
    outcome = fields.Str(allow_none=True)
    into = fields.Str(allow_none=True)
    waiting = fields.List(fields.Str())
    dialled = fields.List(fields.Str())


class TraceSchema(Schema):
    end = fields.Str()
    detail = fields.Str(allow_none=True)
    steps = fields.List(fields.Nested(StepSchema))
    digits_left = fields.List(fields.Str())
    outcomes_left = fields.List(fields.Str())
    timezone = fields.Str()


class NumberTraceSchema(TraceSchema):
    """A simulated call to a number, and which flow version answered it."""

    called = fields.Str()
    number_id = fields.Int()
    flow_id = fields.Int()
    flow_name = fields.Str()
    version = fields.Int()


class NodeTypesQuerySchema(QuerySchema):
    lang = fields.Str(
        load_default=None,
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Language of the texts; without it, the Accept-Language one."},
    )


class NodeTypeSchema(Schema):
    """One node type's editor metadata, as ``flows.registry.describe()`` gives it."""

    type = fields.Str()
    label = fields.Str()
    icon = fields.Str()
    description = fields.Str()
    category = fields.Str()
    category_label = fields.Str()
    waits = fields.Str()
    ports = fields.List(fields.Dict())
    dynamic_ports = fields.Bool()
    properties = fields.Dict()
