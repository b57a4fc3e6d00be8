"""/api/calls: call records and their step traces (read-only)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from ivr_designer.auth.current import current_actor
from ivr_designer.calls.queries import CallFilter, get_call, list_calls
from ivr_designer.calls.schemas import CallDetailSchema, CallQuerySchema, CallSchema
from ivr_designer.extensions import db
from ivr_designer.models import Call

blp = Blueprint("calls", __name__, url_prefix="/api/calls", description="Call records.")


@blp.route("", methods=["GET"])
@blp.arguments(CallQuerySchema, location="query")
@blp.response(200, CallSchema(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_call_records(
    query: dict[str, Any], pagination_parameters: PaginationParameters
) -> list[Call]:
    """Calls newest first; filter by number, outcome and date; X-Pagination has totals."""
    calls, total = list_calls(
        db.session,
        current_actor(),
        CallFilter(**query),
        offset=pagination_parameters.first_item,
        limit=pagination_parameters.page_size,
    )
    pagination_parameters.item_count = total
    return calls


@blp.route("/<int:call_id>", methods=["GET"])
@blp.response(200, CallDetailSchema)
def read_call_record(call_id: int) -> Call:
    """One call with its step trace, in order (like an execution log)."""
    return get_call(db.session, current_actor(), call_id)
