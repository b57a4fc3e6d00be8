"""/api/retention: how long each kind of data is kept (org admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.retention import operations
from ivr_designer.retention.schemas import (
    RetentionQuerySchema,
    RetentionSchema,
    RetentionUpdateSchema,
)

blp = Blueprint("retention", __name__, url_prefix="/api", description="Retention per data class.")


@blp.route("/retention")
class Retention(MethodView):
    @blp.arguments(RetentionQuerySchema, location="query")
    @blp.response(200, RetentionSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Days kept per data class, with the default and the allowed range."""
        return operations.get_retention(db.session, current_actor(), query.get("org_id"))

    @blp.arguments(RetentionQuerySchema, location="query")
    @blp.arguments(RetentionUpdateSchema)
    @blp.response(200, RetentionSchema(many=True))
    def put(self, query: dict[str, Any], changes: dict[str, int]) -> list[dict[str, Any]]:
        """Change some classes; the sweep applies it on its next run."""
        return operations.set_retention(db.session, current_actor(), changes, query.get("org_id"))
