"""Schema pieces shared by the API packages."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields


class InputSchema(Schema):
    """Request bodies reject unknown keys, so a typo is an error and not a no-op."""

    class Meta:
        unknown = RAISE


class QuerySchema(Schema):
    """Query strings also carry pagination parameters parsed elsewhere; ignore those."""

    class Meta:
        unknown = EXCLUDE


class ErrorSchema(Schema):
    """Every error of the API: a message, and per-field messages for invalid input."""

    error = fields.Str(required=True)
    # Named apart from Schema.fields, which marshmallow uses itself.
    field_messages = fields.Dict(
        keys=fields.Str(),
        data_key="fields",
        attribute="fields",
        metadata={"description": "Field name -> list of messages."},
    )
