"""Access rows for /api/webhook-endpoints: org admins of the endpoint's org, system admins.

The seeded endpoints point at 127.0.0.1, which the default SSRF guard refuses, so a
test-send from the matrix is answered (outcome "permanent") without any connection.
"""

from __future__ import annotations

from typing import Any

from integrations.notify.signing import generate_secret
from ivr_designer import crypto
from ivr_designer.models import DeliveryAttempt, Organisation, OutboxDelivery, WebhookEndpoint
from tests.ivr_designer.access_rows import Endpoint, World, _expect

ADMINS_ONLY = _expect(401, (403, 403), (200, 404), (200, 200))
BASE = "/api/webhook-endpoints"
ITEM = BASE + "/<int:endpoint_id>"


def _endpoint(org: Organisation, target: str, name: str, app: Any) -> WebhookEndpoint:
    return WebhookEndpoint(
        org_id=org.id,
        url=f"http://127.0.0.1:9/{target}/{name}",
        description=name,
        secret_encrypted=crypto.encrypt(generate_secret(), app),
        events=["voicemail.created"],
        enabled=name != "webhook",  # the one to re-enable was disabled by the worker
        disabled_reason=None if name != "webhook" else "failed too often",
    )


def seed(org: Organisation, target: str, world: World, request: Any) -> dict[str, Any]:
    session = request.getfixturevalue("db_session")
    app = request.getfixturevalue("app")
    webhook = _endpoint(org, target, "webhook", app)
    spare = _endpoint(org, target, "spare_webhook", app)
    session.add_all([webhook, spare])
    session.flush()
    delivery = OutboxDelivery(
        org_id=org.id,
        event="voicemail.created",
        channel="webhook",
        webhook_endpoint_id=webhook.id,
        idempotency_key=f"msg_matrix_{target}_{org.id}",
        status="dead",
        attempts=1,
        last_error="HTTP 500",
    )
    session.add(delivery)
    session.flush()
    session.add(
        DeliveryAttempt(
            org_id=org.id,
            delivery_id=delivery.id,
            webhook_endpoint_id=webhook.id,
            outcome="retry",
            status_code=500,
            reason="HTTP 500",
        )
    )
    session.commit()
    return {"webhook": webhook, "spare_webhook": spare}


def _item(suffix: str = "", thing: str = "webhook") -> Any:
    return lambda w, t: f"{BASE}/{w.things[t][thing].id}{suffix}"


ENDPOINTS = {
    "webhooks-list": Endpoint(
        "GET",
        BASE,
        lambda w, t: f"{BASE}?org_id={w.orgs[t].id}",
        _expect(401, (403, 403), (200, 200), (200, 200)),
    ),
    "webhooks-create": Endpoint(
        "POST",
        BASE,
        lambda w, t: BASE,
        _expect(401, (403, 403), (201, 404), (201, 201)),
        # A literal public address: accepted by the SSRF guard without any DNS lookup.
        body=lambda w, t: {
            "url": "https://93.184.215.14/hooks/ivr",
            "events": ["voicemail.created"],
            "org_id": w.orgs[t].id,
        },
        writes=True,
    ),
    "webhook-event-types": Endpoint(
        "GET",
        BASE + "/events",
        lambda w, t: f"{BASE}/events",
        _expect(401, (403, 403), (200, 200), (200, 200)),
    ),
    "webhook-read": Endpoint("GET", ITEM, _item(), ADMINS_ONLY),
    "webhook-update": Endpoint(
        "PATCH",
        ITEM,
        _item(),
        ADMINS_ONLY,
        body=lambda w, t: {"description": "Renamed"},
        writes=True,
    ),
    "webhook-delete": Endpoint(
        "DELETE",
        ITEM,
        _item(thing="spare_webhook"),
        _expect(401, (403, 403), (204, 404), (204, 204)),
        writes=True,
    ),
    "webhook-rotate-secret": Endpoint(
        "POST", ITEM + "/rotate-secret", _item("/rotate-secret"), ADMINS_ONLY, writes=True
    ),
    "webhook-enable": Endpoint(
        "POST", ITEM + "/enable", _item("/enable"), ADMINS_ONLY, writes=True
    ),
    "webhook-test": Endpoint("POST", ITEM + "/test", _item("/test"), ADMINS_ONLY, writes=True),
    "webhook-deliveries": Endpoint("GET", ITEM + "/deliveries", _item("/deliveries"), ADMINS_ONLY),
}
