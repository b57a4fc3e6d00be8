"""Outgoing webhooks, signed per Standard Webhooks, to a URL an org admin registered.

The body is JSON ``{"type", "timestamp", "data"}``; media travel as the signed,
expiring URL the caller put in the notification, never as file contents. The
``webhook-id`` is the delivery's idempotency key, identical on every retry, so a
receiver can drop duplicates (delivery is at least once).

Answers: 2xx delivered; 408, 429, 5xx, timeouts and connection errors retry (honouring
``Retry-After``); redirects and other 4xx are permanent (the receiver said no).
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from integrations.notify.base import (
    EVENT_TYPES,
    Channel,
    ChannelConfigError,
    DeliveryResult,
    Notification,
)
from integrations.notify.pinned_http import parse_retry_after, post
from integrations.notify.signing import signed_headers, validate_secret
from integrations.notify.ssrf import ResolutionFailed, Resolver, UnsafeTarget, check_target

__all__ = ["USER_AGENT", "WebhookChannel", "WebhookConfig", "build_payload", "encode_payload"]

USER_AGENT = "ivr-designer-webhooks/1"
EXCERPT_CHARS = 500


class WebhookConfig(Schema):
    url = fields.String(
        required=True,
        validate=[
            validate.Length(max=2048),
            validate.URL(schemes={"http", "https"}, require_tld=False),
        ],
    )
    secret = fields.String(required=True)
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)), load_default=list(EVENT_TYPES)
    )

    @validates("secret")
    def _secret_ok(self, value: str, **_: Any) -> None:
        try:
            validate_secret(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def build_payload(message: Notification) -> dict[str, Any]:
    """The JSON document a receiver gets: event type, ids, times, a media link."""
    data: dict[str, Any] = {
        "id": message.object_id,
        "org_id": message.org_id,
        "occurred_at": message.occurred_at.isoformat(),
    }
    optional = {
        "box": message.box_name or None,
        "caller": message.caller or None,
        "duration_s": message.duration_s,
        "pages": message.pages,
        "transcription": message.transcription,
        "media_url": message.media_url,
        "media_content_type": message.media_content_type if message.media_url else None,
        "text": message.text or None,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    data.update(message.extra)
    return {"type": message.event, "timestamp": message.occurred_at.isoformat(), "data": data}


def encode_payload(message: Notification) -> bytes:
    return json.dumps(build_payload(message), separators=(",", ":"), ensure_ascii=False).encode()


def _excerpt(body: bytes) -> str:
    return body[: EXCERPT_CHARS * 4].decode("utf-8", "replace")[:EXCERPT_CHARS]


class WebhookChannel(Channel):
    kind = "webhook"
    label = "Webhook (Standard Webhooks)"
    config_schema = WebhookConfig

    def __init__(
        self,
        *,
        allow_private_targets: bool = False,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.allow_private_targets = allow_private_targets
        self.resolver = resolver
        self.ssl_context = ssl_context
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> WebhookChannel:
        return cls(allow_private_targets=bool(settings.get("allow_private_targets", False)))

    def validate_target(self, config: Mapping[str, Any]) -> None:
        """At registration: refuse internal targets now rather than at the first voicemail."""
        loaded = self.load_config(config)
        try:
            check_target(
                loaded["url"],
                allow_private_targets=self.allow_private_targets,
                resolver=self.resolver,
            )
        except UnsafeTarget as exc:
            raise ChannelConfigError({"url": [str(exc)]}) from None

    def deliver(
        self,
        message: Notification,
        config: Mapping[str, Any],
        *,
        idempotency_key: str,
        timeout: float,
    ) -> DeliveryResult:
        loaded = self.load_config(config)
        try:
            # Checked again now: DNS may have changed since registration. The request then
            # goes to exactly these addresses (pinned), never to a fresh lookup.
            target = check_target(
                loaded["url"],
                allow_private_targets=self.allow_private_targets,
                resolver=self.resolver,
            )
        except ResolutionFailed as exc:
            return DeliveryResult.retry(str(exc))
        except UnsafeTarget as exc:
            return DeliveryResult.permanent(str(exc))
        body = encode_payload(message)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **signed_headers(loaded["secret"], idempotency_key, int(self.clock()), body),
        }
        try:
            response = post(target, body, headers, timeout=timeout, ssl_context=self.ssl_context)
        except ssl.SSLError as exc:
            return DeliveryResult.retry(f"TLS error: {exc.reason or exc}")
        except TimeoutError:
            return DeliveryResult.retry(f"timed out after {timeout:g}s")
        except (OSError, http.client.HTTPException) as exc:
            return DeliveryResult.retry(f"connection failed: {type(exc).__name__}: {exc}")
        status = response.status
        excerpt = _excerpt(response.body)
        if 200 <= status < 300:
            return DeliveryResult.delivered(status_code=status)
        if status in (408, 429) or status >= 500:
            return DeliveryResult.retry(
                f"HTTP {status}",
                retry_after=parse_retry_after(response.headers.get("retry-after")),
                status_code=status,
                response_excerpt=excerpt,
            )
        if 300 <= status < 400:
            return DeliveryResult.permanent(
                f"HTTP {status}: redirects are not followed; register the final URL",
                status_code=status,
                response_excerpt=excerpt,
            )
        if 400 <= status < 500:
            return DeliveryResult.permanent(
                f"HTTP {status}: the receiver refused the message",
                status_code=status,
                response_excerpt=excerpt,
            )
        return DeliveryResult.retry(f"unexpected HTTP {status}", status_code=status)
