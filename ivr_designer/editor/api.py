"""The editor's helpers: node types for the palette, live validation of an unsaved
document, and simulated calls (of a flow, or of a call to a number). Administrators
only, like the flows they edit."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from flows.nodes._editor import LANGUAGES
from flows.registry import describe
from flows.validation import has_errors
from ivr_designer.auth.current import current_actor
from ivr_designer.callflows.access import require_admin
from ivr_designer.callflows.publishing import validate_flow
from ivr_designer.callflows.schemas import ValidationResultSchema
from ivr_designer.editor.schemas import (
    CallScriptSchema,
    NodeTypeSchema,
    NodeTypesQuerySchema,
    NumberTraceSchema,
    SimulateSchema,
    TraceSchema,
    ValidateDocumentSchema,
)
from ivr_designer.editor.simulation import simulate_flow, simulate_number
from ivr_designer.extensions import db

blp = Blueprint("editor", __name__, url_prefix="/api", description="Flow editor helpers.")


@blp.route("/node-types", methods=["GET"])
@blp.arguments(NodeTypesQuerySchema, location="query")
@blp.response(200, NodeTypeSchema(many=True))
def node_types(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node type's label, icon, ports and property schema, from the registry, with
    its texts in ``?lang=`` (else the browser's Accept-Language; else English)."""
    require_admin(current_actor(), "flows")
    lang = query["lang"] or request.accept_languages.best_match(LANGUAGES, default="en")
    return describe(lang)


@blp.route("/flows/<int:flow_id>/validate-document", methods=["POST"])
@blp.arguments(ValidateDocumentSchema)
@blp.response(200, ValidationResultSchema)
def validate_document(data: dict[str, Any], flow_id: int) -> dict[str, Any]:
    """Findings for the document the editor shows (unsaved), against the org's data."""
    findings = validate_flow(db.session, current_actor(), flow_id, data["document"])
    errors = sum(1 for f in findings if f.severity == "error")
    return {
        "findings": [f.to_dict() for f in findings],
        "errors": errors,
        "warnings": len(findings) - errors,
        "publishable": not has_errors(findings),
    }


@blp.route("/flows/<int:flow_id>/simulate", methods=["POST"])
@blp.arguments(SimulateSchema)
@blp.response(200, TraceSchema)
def simulate(data: dict[str, Any], flow_id: int) -> dict[str, Any]:
    """One scripted call through the unsaved document, the draft or a version."""
    return simulate_flow(db.session, current_actor(), flow_id, **data)


@blp.route("/numbers/<int:number_id>/simulate", methods=["POST"])
@blp.arguments(CallScriptSchema)
@blp.response(200, NumberTraceSchema)
@blp.alt_response(409, description="The number has no published voice flow.")
def simulate_call_to_number(data: dict[str, Any], number_id: int) -> dict[str, Any]:
    """A call to the number as the runtime would answer it: its voice flow's live version."""
    return simulate_number(db.session, current_actor(), number_id, **data)
