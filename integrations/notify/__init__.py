"""Notifications: channels (Telegram, webhooks, console), their registry, outbox policy.

Plain functions and classes; no Flask, no database. The web app stores outbox rows and
calls :meth:`Channel.safe_deliver` from its worker, using :mod:`.policy` to schedule
retries; Telegram's incoming side (buttons, /start, /stop) is in :mod:`.telegram_links`.
"""

from integrations.notify.base import (
    EVENT_TYPES,
    INTERNAL_EVENT_TYPES,
    Channel,
    ChannelConfigError,
    DeliveryResult,
    Notification,
    Outcome,
)
from integrations.notify.registry import UnknownChannel, build, channel_classes, get, kinds

__all__ = [
    "EVENT_TYPES",
    "INTERNAL_EVENT_TYPES",
    "Channel",
    "ChannelConfigError",
    "DeliveryResult",
    "Notification",
    "Outcome",
    "UnknownChannel",
    "build",
    "channel_classes",
    "get",
    "kinds",
]
