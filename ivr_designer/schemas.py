"""Schema pieces shared by the API packages."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema


class InputSchema(Schema):
    """Request bodies reject unknown keys, so a typo is an error and not a no-op."""

    class Meta:
        unknown = RAISE


class QuerySchema(Schema):
    """Query strings also carry pagination parameters parsed elsewhere; ignore those."""

    class Meta:
        unknown = EXCLUDE
