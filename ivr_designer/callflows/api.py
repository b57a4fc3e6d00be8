"""/api/flows: drafts, validation, publishing, versions, rollback, diff, import/export.

Administrators only (org admins for their org, system admins for any).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from flows.validation import has_errors
from ivr_designer.auth.current import current_actor
from ivr_designer.callflows import operations, publishing
from ivr_designer.callflows.schemas import (
    DiffQuerySchema,
    DiffSchema,
    DraftSchema,
    ExportQuerySchema,
    FlowCreateSchema,
    FlowSchema,
    FlowSummarySchema,
    ImportSchema,
    ListQuerySchema,
    PublishSchema,
    ValidateSchema,
    ValidationResultSchema,
    VersionSchema,
    VersionSummarySchema,
)
from ivr_designer.extensions import db
from ivr_designer.models import Flow

blp = Blueprint("flows", __name__, url_prefix="/api/flows", description="Call flows.")


@blp.route("")
class Flows(MethodView):
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, FlowSummarySchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Flow]:
        return operations.list_flows(db.session, current_actor(), org_id=query.get("org_id"))

    @blp.arguments(FlowCreateSchema)
    @blp.response(201, FlowSchema)
    def post(self, data: dict[str, Any]) -> Flow:
        """Create a flow: a name, optionally an initial flow document."""
        return operations.create_flow(db.session, current_actor(), **data)


@blp.route("/import", methods=["POST"])
@blp.arguments(ImportSchema)
@blp.response(200, FlowSchema)
@blp.alt_response(201, schema=FlowSchema, description="A new flow was created.")
def import_flow(data: dict[str, Any]) -> tuple[Flow, int]:
    """Make a flow file the draft of the flow it names (created when missing)."""
    org_id = data.pop("org_id", None)
    source = data.get("text", data)
    flow, created = operations.import_flow(db.session, current_actor(), source, org_id=org_id)
    return flow, 201 if created else 200


@blp.route("/<int:flow_id>")
class FlowById(MethodView):
    @blp.response(200, FlowSchema)
    def get(self, flow_id: int) -> Flow:
        return operations.get_flow(db.session, current_actor(), flow_id)

    @blp.response(204)
    def delete(self, flow_id: int) -> None:
        """Refused (409) while a number routes to it or a live flow jumps to it."""
        operations.delete_flow(db.session, current_actor(), flow_id)


@blp.route("/<int:flow_id>/draft", methods=["PUT"])
@blp.arguments(DraftSchema)
@blp.response(200, FlowSchema)
def save_draft(data: dict[str, Any], flow_id: int) -> Flow:
    """Replace the draft; a stale ``draft_revision`` is a 409."""
    return operations.update_draft(db.session, current_actor(), flow_id, **data)


@blp.route("/<int:flow_id>/validate", methods=["POST"])
@blp.arguments(ValidateSchema)
@blp.response(200, ValidationResultSchema)
def validate_flow(data: dict[str, Any], flow_id: int) -> dict[str, Any]:
    findings = publishing.validate_flow(db.session, current_actor(), flow_id, data.get("document"))
    errors = sum(1 for f in findings if f.severity == "error")
    return {
        "findings": [f.to_dict() for f in findings],
        "errors": errors,
        "warnings": len(findings) - errors,
        "publishable": not has_errors(findings),
    }


@blp.route("/<int:flow_id>/publish", methods=["POST"])
@blp.arguments(PublishSchema)
@blp.response(201, VersionSchema)
def publish(data: dict[str, Any], flow_id: int) -> dict[str, Any]:
    """Publish the draft as the next version; 422 with the findings when it has errors."""
    version = publishing.publish(db.session, current_actor(), flow_id, data["message"])
    return publishing.with_author_names(db.session, [version])[0]


@blp.route("/<int:flow_id>/versions", methods=["GET"])
@blp.response(200, VersionSummarySchema(many=True))
def versions(flow_id: int) -> list[dict[str, Any]]:
    found = publishing.list_versions(db.session, current_actor(), flow_id)
    return publishing.with_author_names(db.session, found)


@blp.route("/<int:flow_id>/versions/<int:number>", methods=["GET"])
@blp.response(200, VersionSchema)
def version(flow_id: int, number: int) -> dict[str, Any]:
    found = publishing.get_version(db.session, current_actor(), flow_id, number)
    return publishing.with_author_names(db.session, [found])[0]


@blp.route("/<int:flow_id>/versions/<int:number>/publish", methods=["POST"])
@blp.response(201, VersionSchema)
def rollback(flow_id: int, number: int) -> dict[str, Any]:
    """Publish an old version's document again, as a new version."""
    version = publishing.rollback(db.session, current_actor(), flow_id, number)
    return publishing.with_author_names(db.session, [version])[0]


@blp.route("/<int:flow_id>/diff", methods=["GET"])
@blp.arguments(DiffQuerySchema, location="query")
@blp.response(200, DiffSchema)
def diff(query: dict[str, Any], flow_id: int) -> dict[str, Any]:
    """Semantic diff; ``from``/``to`` are a version number, ``draft`` or ``published``."""
    return publishing.diff(db.session, current_actor(), flow_id, query["from_"], query["to"])


@blp.route("/<int:flow_id>/export", methods=["GET"])
@blp.arguments(ExportQuerySchema, location="query")
@blp.response(200, content_type="application/json", description="The canonical flow file.")
def export(query: dict[str, Any], flow_id: int) -> Response:
    filename, text = publishing.export(db.session, current_actor(), flow_id, query["version"])
    response = Response(text, mimetype="application/json")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
