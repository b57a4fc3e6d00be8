"""Access rows for the outbox admin API: org admins see and retry their own deliveries."""

from __future__ import annotations

from typing import Any

from ivr_designer.models import Organisation, OutboxDelivery
from ivr_designer.models.base import utcnow
from tests.ivr_designer.access_rows import Endpoint, World, _expect


def seed(org: Organisation, target: str, world: World, request: Any) -> dict[str, Any]:
    """One dead delivery per org (its endpoint already gone), for the retry row."""
    db_session = request.getfixturevalue("db_session")
    dead = OutboxDelivery(
        org_id=org.id,
        event="voicemail.created",
        subject_type="voicemail",
        subject_id=None,
        channel="webhook",
        idempotency_key=f"msg_access_{target}_{org.id}",
        status="dead",
        attempts=12,
        next_attempt_at=utcnow(),
        last_error="HTTP 500",
    )
    db_session.add(dead)
    db_session.commit()
    return {"dead_delivery": dead}


ENDPOINTS = {
    "deliveries-list": Endpoint(
        "GET", "/api/deliveries", lambda w, t: "/api/deliveries", _expect(401, 403, 200, 200)
    ),
    "delivery-retry": Endpoint(
        "POST",
        "/api/deliveries/<int:delivery_id>/retry",
        lambda w, t: f"/api/deliveries/{w.things[t]['dead_delivery'].id}/retry",
        _expect(401, (403, 403), (200, 404), (200, 200)),
        writes=True,
    ),
}
