"""/api/audit: read-only; there are deliberately no write routes."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from ivr_designer.audit.queries import AuditFilter, list_entries
from ivr_designer.audit.schemas import AuditEntrySchema, AuditQuerySchema
from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.models import AuditEntry

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="Audit log.")


@blp.route("", methods=["GET"])
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_audit(
    query: dict[str, Any], pagination_parameters: PaginationParameters
) -> list[AuditEntry]:
    """Entries newest first; the X-Pagination header gives the totals."""
    entries, total = list_entries(
        db.session,
        current_actor(),
        AuditFilter(**query),
        offset=pagination_parameters.first_item,
        limit=pagination_parameters.page_size,
    )
    pagination_parameters.item_count = total
    return entries
