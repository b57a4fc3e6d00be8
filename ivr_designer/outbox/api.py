"""/api/deliveries: the notification outbox for admins (read, retry dead ones)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.outbox.operations import (
    DeliveryFilter,
    list_deliveries,
    retry_delivery,
    with_targets,
)
from ivr_designer.outbox.schemas import DeliveryQuerySchema, DeliverySchema

blp = Blueprint(
    "deliveries",
    __name__,
    url_prefix="/api/deliveries",
    description="Notification deliveries (Telegram, webhooks): status and retry.",
)


@blp.route("", methods=["GET"])
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, DeliverySchema(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_notification_deliveries(
    query: dict[str, Any], pagination_parameters: PaginationParameters
) -> list[dict[str, Any]]:
    """Newest first; ``status=dead`` is the dead-letter list. X-Pagination has totals."""
    rows, total = list_deliveries(
        db.session,
        current_actor(),
        DeliveryFilter(**query),
        offset=pagination_parameters.first_item,
        limit=pagination_parameters.page_size,
    )
    pagination_parameters.item_count = total
    return with_targets(db.session, rows)


@blp.route("/<int:delivery_id>/retry", methods=["POST"])
@blp.response(200, DeliverySchema)
def retry_notification_delivery(delivery_id: int) -> dict[str, Any]:
    """Send a dead delivery again (from the first attempt); 409 for any other status."""
    delivery = retry_delivery(db.session, current_actor(), delivery_id)
    return with_targets(db.session, [delivery])[0]
