"""Managing an org's outgoing webhook endpoints; the signing secret is write-once.

The URL is checked when it is saved (SSRF guard and DNS, through the webhook channel),
so an admin hears about an internal or unresolvable target now rather than at the
first voicemail; the channel checks again at every delivery. The secret is generated
here (or given), encrypted before it reaches the session, returned once to the caller
and audited only as "[redacted]". Failure runs and automatic disabling belong to the
outbox worker; an admin re-enables here, which starts a fresh run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.notify.base import EVENT_TYPES, ChannelConfigError
from integrations.notify.channels.webhook import WebhookChannel
from integrations.notify.signing import generate_secret, validate_secret
from ivr_designer.actor import Actor
from ivr_designer.audit.record import REDACTED, changed_only, record, snapshot
from ivr_designer.callflows.access import list_filter, load, require_admin, target_org
from ivr_designer.errors import DomainError
from ivr_designer.models import WebhookEndpoint
from ivr_designer.models.base import utcnow

__all__ = [
    "EVENT_TYPES",
    "BadTarget",
    "create_endpoint",
    "delete_endpoint",
    "enable_endpoint",
    "endpoint_snapshot",
    "event_types",
    "get_endpoint",
    "list_endpoints",
    "rotate_secret",
    "update_endpoint",
]

Encrypt = Callable[[str], str]
WHAT = "webhook endpoints"
SECRET_BYTES = 32
DISABLED_BY_ADMIN = "disabled by an administrator"


class BadTarget(DomainError):
    """A URL, event list or secret we cannot deliver with: 400 naming the field."""

    status = 400


def endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """Audit view: the ciphertext is left out too (it is still the secret, encrypted)."""
    values = snapshot(endpoint)
    values.pop("secret_encrypted", None)
    return values


def check_events(events: Sequence[str]) -> list[str]:
    """The subscribed events, deduplicated in our order; unknown names are refused."""
    unknown = sorted({event for event in events if event not in EVENT_TYPES})
    if unknown:
        known = ", ".join(EVENT_TYPES)
        messages = [f"unknown event {name!r}; choose from {known}" for name in unknown]
        raise BadTarget("unknown webhook events", {"events": messages})
    if not events:
        raise BadTarget(
            "subscribe to at least one event", {"events": ["choose at least one event"]}
        )
    return [event for event in EVENT_TYPES if event in set(events)]


def check_target(channel: WebhookChannel, url: str, secret: str) -> None:
    """The channel's registration check: URL form, SSRF guard, DNS, and the secret."""
    try:
        channel.validate_target({"url": url, "secret": secret, "events": []})
    except ChannelConfigError as exc:
        fields = exc.messages if isinstance(exc.messages, dict) else {"url": [str(exc)]}
        field = "url" if "url" in fields else next(iter(fields), "url")
        raise BadTarget(f"the webhook {field} is not acceptable", fields) from None


def _new_secret(given: str | None) -> str:
    if given is None:
        return generate_secret(SECRET_BYTES)
    try:
        validate_secret(given)
    except ValueError as exc:
        raise BadTarget("the webhook secret is not usable", {"secret": [str(exc)]}) from None
    return given


def event_types(actor: Actor) -> tuple[str, ...]:
    """What an endpoint may subscribe to, for admins choosing."""
    require_admin(actor, WHAT)
    return EVENT_TYPES


def list_endpoints(
    session: Session, actor: Actor, *, org_id: int | None = None
) -> list[WebhookEndpoint]:
    require_admin(actor, WHAT)
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.org_id, WebhookEndpoint.id)
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(WebhookEndpoint.org_id == org)
    return list(session.execute(query).scalars())


def get_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    require_admin(actor, WHAT)
    return load(session, WebhookEndpoint, endpoint_id, "webhook endpoint")


def create_endpoint(
    session: Session,
    actor: Actor,
    channel: WebhookChannel,
    encrypt: Encrypt,
    *,
    url: str,
    events: Sequence[str],
    description: str = "",
    secret: str | None = None,
    org_id: int | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its plaintext secret (show it once)."""
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    subscribed = check_events(events)
    plain = _new_secret(secret)
    check_target(channel, url, plain)
    endpoint = WebhookEndpoint(
        org_id=org,
        url=url,
        description=description,
        events=subscribed,
        secret_encrypted=encrypt(plain),
        enabled=True,
        consecutive_failures=0,
    )
    session.add(endpoint)
    session.flush()
    after = {**endpoint_snapshot(endpoint), "secret": REDACTED}
    record(session, actor, "create", endpoint, after=after)
    return endpoint, plain


def _reset_failure_run(endpoint: WebhookEndpoint) -> None:
    endpoint.enabled = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    endpoint.consecutive_failures = 0
    endpoint.first_failure_at = None


def update_endpoint(
    session: Session,
    actor: Actor,
    channel: WebhookChannel,
    endpoint_id: int,
    changes: dict[str, Any],
) -> WebhookEndpoint:
    """Change URL, events, description or the enabled switch; the secret stays."""
    unknown = set(changes) - {"events", "url", "description", "enabled"}
    if unknown:
        raise ValueError(f"not editable webhook endpoint fields: {sorted(unknown)}")
    endpoint = get_endpoint(session, actor, endpoint_id)
    before = endpoint_snapshot(endpoint)
    if "events" in changes:
        endpoint.events = check_events(changes["events"])
    if "url" in changes and changes["url"] != endpoint.url:
        # Any valid secret would do for the check; the stored one proves nothing more.
        check_target(channel, changes["url"], generate_secret(SECRET_BYTES))
        endpoint.url = changes["url"]
    if "description" in changes:
        endpoint.description = changes["description"]
    if "enabled" in changes and changes["enabled"] != endpoint.enabled:
        if changes["enabled"]:
            _reset_failure_run(endpoint)
        else:
            endpoint.enabled = False
            endpoint.disabled_at = utcnow()
            endpoint.disabled_reason = DISABLED_BY_ADMIN
    session.flush()
    old, new = changed_only(before, endpoint_snapshot(endpoint))
    if new:
        record(session, actor, "update", endpoint, before=old, after=new)
    return endpoint


def enable_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """Re-enable (e.g. after the worker disabled it): a fresh failure run starts."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    before = endpoint_snapshot(endpoint)
    _reset_failure_run(endpoint)
    session.flush()
    old, new = changed_only(before, endpoint_snapshot(endpoint))
    # Audited even when it was already enabled: the admin acted on it.
    record(session, actor, "enable", endpoint, before=old, after=new)
    return endpoint


def rotate_secret(
    session: Session, actor: Actor, encrypt: Encrypt, endpoint_id: int
) -> tuple[WebhookEndpoint, str]:
    """A new secret takes effect at once; the old one stops signing immediately."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    plain = generate_secret(SECRET_BYTES)
    endpoint.secret_encrypted = encrypt(plain)
    session.flush()
    record(
        session,
        actor,
        "rotate_secret",
        endpoint,
        before={"secret": REDACTED},
        after={"secret": REDACTED},
    )
    return endpoint, plain


def delete_endpoint(session: Session, actor: Actor, endpoint_id: int) -> None:
    """Its pending deliveries and its delivery log go with it (database cascade)."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    record(session, actor, "delete", endpoint, before=endpoint_snapshot(endpoint))
    session.delete(endpoint)
    session.flush()
