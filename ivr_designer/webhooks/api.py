"""/api/webhook-endpoints: org admins register, test and watch their webhook receivers.

The signing secret appears in exactly two answers, creating the endpoint and rotating
its secret, and never again (not in reads, lists or the audit log).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from integrations.notify.channels.webhook import WebhookChannel
from ivr_designer import crypto
from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.models import WebhookEndpoint
from ivr_designer.webhooks import deliveries, operations
from ivr_designer.webhooks.schemas import (
    AttemptSchema,
    EndpointCreateSchema,
    EndpointListQuerySchema,
    EndpointSchema,
    EndpointUpdateSchema,
    EndpointWithSecretSchema,
    EventTypeSchema,
    TestSendResultSchema,
)

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/webhook-endpoints",
    description="Outgoing webhook endpoints (Standard Webhooks signed).",
)

#: The admin waits for a test-send, so it gets less time than a background delivery.
TEST_SEND_TIMEOUT_SECONDS = 5.0


def _channel() -> WebhookChannel:
    allow = bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))
    return WebhookChannel.from_settings({"allow_private_targets": allow})


def _with_secret(endpoint: WebhookEndpoint, secret: str) -> dict[str, Any]:
    values = {name: getattr(endpoint, name) for name in EndpointSchema().fields}
    return {**values, "secret": secret}


@blp.route("")
class Endpoints(MethodView):
    @blp.arguments(EndpointListQuerySchema, location="query")
    @blp.response(200, EndpointSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[WebhookEndpoint]:
        return operations.list_endpoints(db.session, current_actor(), **query)

    @blp.arguments(EndpointCreateSchema)
    @blp.response(201, EndpointWithSecretSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a receiver; the answer carries the signing secret, this once only."""
        endpoint, secret = operations.create_endpoint(
            db.session, current_actor(), _channel(), crypto.encrypt, **data
        )
        return _with_secret(endpoint, secret)


@blp.route("/events", methods=["GET"])
@blp.response(200, EventTypeSchema(many=True))
def event_types() -> list[dict[str, str]]:
    """The events an endpoint may subscribe to (the admin page's choices)."""
    return [{"name": name} for name in operations.event_types(current_actor())]


@blp.route("/<int:endpoint_id>")
class EndpointById(MethodView):
    @blp.response(200, EndpointSchema)
    def get(self, endpoint_id: int) -> WebhookEndpoint:
        return operations.get_endpoint(db.session, current_actor(), endpoint_id)

    @blp.arguments(EndpointUpdateSchema)
    @blp.response(200, EndpointSchema)
    def patch(self, changes: dict[str, Any], endpoint_id: int) -> WebhookEndpoint:
        """Change URL, events, description or ``enabled``; enabling resets the failure run."""
        return operations.update_endpoint(
            db.session, current_actor(), _channel(), endpoint_id, changes
        )

    @blp.response(204)
    def delete(self, endpoint_id: int) -> None:
        operations.delete_endpoint(db.session, current_actor(), endpoint_id)


@blp.route("/<int:endpoint_id>/rotate-secret", methods=["POST"])
@blp.response(200, EndpointWithSecretSchema)
def rotate_secret(endpoint_id: int) -> dict[str, Any]:
    """A new secret, shown this once; the old one stops signing at once."""
    endpoint, secret = operations.rotate_secret(
        db.session, current_actor(), crypto.encrypt, endpoint_id
    )
    return _with_secret(endpoint, secret)


@blp.route("/<int:endpoint_id>/enable", methods=["POST"])
@blp.response(200, EndpointSchema)
def enable(endpoint_id: int) -> WebhookEndpoint:
    """Re-enable an endpoint (after automatic disabling); its failure run starts afresh."""
    return operations.enable_endpoint(db.session, current_actor(), endpoint_id)


@blp.route("/<int:endpoint_id>/test", methods=["POST"])
@blp.response(200, TestSendResultSchema)
def test_send(endpoint_id: int) -> dict[str, Any]:
    """Send a signed sample voicemail.created event (``"test": true``) now and report."""
    timeout = min(
        float(current_app.config.get("NOTIFY_TIMEOUT_SECONDS", TEST_SEND_TIMEOUT_SECONDS)),
        TEST_SEND_TIMEOUT_SECONDS,
    )
    return deliveries.send_test(
        db.session, current_actor(), _channel(), crypto.decrypt, endpoint_id, timeout=timeout
    )


@blp.route("/<int:endpoint_id>/deliveries", methods=["GET"])
@blp.response(200, AttemptSchema(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_deliveries(
    endpoint_id: int, pagination_parameters: PaginationParameters
) -> list[dict[str, Any]]:
    """The endpoint's delivery attempts, newest first; X-Pagination has the totals."""
    attempts, total = deliveries.list_attempts(
        db.session,
        current_actor(),
        endpoint_id,
        offset=pagination_parameters.first_item,
        limit=pagination_parameters.page_size,
    )
    pagination_parameters.item_count = total
    return attempts
