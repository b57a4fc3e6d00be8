"""The null channel for development and tests: logs the notification, sends nothing.

Always delivers, so a fresh install without Telegram or webhooks still drains its outbox.
``record=True`` in the config keeps the messages in :data:`SENT` for inspection.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields

from integrations.notify.base import Channel, DeliveryResult, Notification

__all__ = ["SENT", "ConsoleChannel", "ConsoleConfig"]

log = logging.getLogger(__name__)

#: (idempotency_key, notification) of every delivery made with ``record=True``.
SENT: list[tuple[str, Notification]] = []


class ConsoleConfig(Schema):
    record = fields.Boolean(load_default=False)


class ConsoleChannel(Channel):
    kind = "console"
    label = "Console (development)"
    config_schema = ConsoleConfig

    def deliver(
        self,
        message: Notification,
        config: Mapping[str, Any],
        *,
        idempotency_key: str,
        timeout: float,
    ) -> DeliveryResult:
        loaded = self.load_config(config)
        log.info(
            "notification %s %s box=%r caller=%r key=%s",
            message.event,
            message.object_id,
            message.box_name,
            message.caller,
            idempotency_key,
        )
        if loaded["record"]:
            SENT.append((idempotency_key, message))
        return DeliveryResult.delivered(remote_id=idempotency_key)
