"""The channel interface: what a notification is, how a delivery attempt ends.

A channel turns one :class:`Notification` into one remote call. It never raises for a
remote failure: it classifies the outcome as *delivered*, *retry* (the remote may accept
it later, optionally saying when) or *permanent* (it never will: chat gone, bot blocked,
endpoint refuses), so the outbox worker can decide without knowing any channel. Config
for a channel lives in its own marshmallow schema, like a redash destination.
"""

from __future__ import annotations

import enum
import functools
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError

__all__ = [
    "EVENT_TYPES",
    "INTERNAL_EVENT_TYPES",
    "Channel",
    "ChannelConfigError",
    "DeliveryResult",
    "Notification",
    "Outcome",
]

log = logging.getLogger(__name__)


@functools.cache
def _schema(schema_class: type[Schema]) -> Schema:
    """One instance per config schema, shared by every delivery and thread.

    Building a schema cost more than loading with it (0.15 against 0.02 ms, once per
    delivery); a marshmallow 4 schema keeps no state between loads.
    """
    return schema_class()


#: Every event a channel may be asked to deliver; webhook endpoints subscribe to these.
EVENT_TYPES: tuple[str, ...] = (
    "voicemail.created",
    "voicemail.handled",
    "voicemail.transcribed",
    "fax.received",
    "call.completed",
    "licence.expiring",
)
#: Events only the installation sends, to admins' Telegram chats; webhooks cannot
#: subscribe to them (an endpoint was disabled, something needs an admin's attention).
INTERNAL_EVENT_TYPES: tuple[str, ...] = ("admin.notice",)


class ChannelConfigError(ValueError):
    """A channel config does not validate; ``messages`` is marshmallow's field map."""

    def __init__(self, messages: Any) -> None:
        super().__init__(f"invalid channel config: {messages}")
        self.messages = messages


@dataclass(frozen=True)
class Notification:
    """Everything a channel needs to tell a human (or a machine) about one event.

    Plain values only, so the worker can build it from rows and a test from literals.
    ``media_path`` is the local file a Telegram upload sends; ``media_url`` is a signed,
    expiring link the caller made for webhook receivers (raw files never leave by webhook).
    ``occurred_at`` must be timezone-aware; channels render it in ``timezone``.
    """

    event: str
    occurred_at: datetime
    org_id: int | None = None
    org_name: str = ""
    object_id: int | None = None  # voicemail / fax / call id, depending on ``event``
    box_name: str = ""
    caller: str = ""
    duration_s: int | None = None
    pages: int | None = None
    transcription: str | None = None
    media_path: Path | None = None
    media_url: str | None = None
    media_content_type: str | None = None
    timezone: str = "UTC"
    language: str = "en"
    text: str = ""  # free text for events without a dedicated layout (licence.expiring)
    extra: Mapping[str, Any] = field(default_factory=dict)  # extra JSON-safe payload fields

    def __post_init__(self) -> None:
        if self.event not in EVENT_TYPES and self.event not in INTERNAL_EVENT_TYPES:
            raise ValueError(f"unknown event type {self.event!r}")
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class DeliveryResult:
    """How one attempt ended; ``reason`` is for humans (delivery log), never holds secrets."""

    outcome: Outcome
    reason: str = ""
    retry_after: float | None = None  # seconds, when the remote said how long to wait
    status_code: int | None = None  # HTTP status, when there was one
    response_excerpt: str = ""  # start of the remote's answer, for the delivery log
    remote_id: str | None = None  # e.g. Telegram message id

    @classmethod
    def delivered(
        cls, remote_id: str | None = None, status_code: int | None = None
    ) -> DeliveryResult:
        return cls(Outcome.DELIVERED, "delivered", status_code=status_code, remote_id=remote_id)

    @classmethod
    def retry(
        cls,
        reason: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        response_excerpt: str = "",
    ) -> DeliveryResult:
        return cls(Outcome.RETRY, reason, retry_after, status_code, response_excerpt)

    @classmethod
    def permanent(
        cls, reason: str, *, status_code: int | None = None, response_excerpt: str = ""
    ) -> DeliveryResult:
        return cls(Outcome.PERMANENT, reason, None, status_code, response_excerpt)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DELIVERED


class Channel(ABC):
    """One kind of destination. Subclasses set ``kind`` and ``config_schema``.

    Instances are stateless and shared; the per-recipient config (token, chat id, URL,
    secret) is passed to every call, validated first with :meth:`load_config`.
    """

    kind: ClassVar[str]
    config_schema: ClassVar[type[Schema]]
    #: A short human label for admin screens.
    label: ClassVar[str] = ""

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Channel:
        """Build the channel from installation settings (not per-org config).

        Installation-wide knobs (``allow_private_targets``, the Telegram API base URL,
        the callback signing key) live here, so an org admin's config cannot set them.
        """
        return cls()

    def load_config(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and normalise a stored config; raise :class:`ChannelConfigError`."""
        try:
            loaded: dict[str, Any] = _schema(self.config_schema).load(dict(raw))
        except ValidationError as exc:
            raise ChannelConfigError(exc.messages) from None
        return loaded

    def validate_target(self, config: Mapping[str, Any]) -> None:
        """Checks at registration time beyond the schema (e.g. SSRF); raise ChannelConfigError.

        The default only validates the schema; channels that reach a user-chosen address
        override it.
        """
        self.load_config(config)

    def release(self) -> None:
        """Close what this thread kept open between deliveries (connections, loops).

        A worker thread calls it when it stops; the default keeps nothing.
        """
        return None

    def safe_deliver(
        self,
        message: Notification,
        config: Mapping[str, Any],
        *,
        idempotency_key: str,
        timeout: float,
    ) -> DeliveryResult:
        """:meth:`deliver`, but an unexpected bug becomes a logged retry, never an exception.

        The worker calls this so one broken subscriber cannot stop the others.
        """
        try:
            return self.deliver(message, config, idempotency_key=idempotency_key, timeout=timeout)
        except ChannelConfigError as exc:
            return DeliveryResult.permanent(str(exc))
        except Exception as exc:
            log.exception("channel %s failed unexpectedly", self.kind)
            return DeliveryResult.retry(f"internal error: {type(exc).__name__}")

    @abstractmethod
    def deliver(
        self,
        message: Notification,
        config: Mapping[str, Any],
        *,
        idempotency_key: str,
        timeout: float,
    ) -> DeliveryResult:
        """Make one attempt; classify, do not raise, for anything the remote does."""
