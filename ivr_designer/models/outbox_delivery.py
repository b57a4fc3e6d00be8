"""One notification to one recipient (a Telegram chat or a webhook endpoint): the outbox.

Rows are inserted in the transaction that stores the voicemail or fax, so nothing is
lost while a channel is down; a worker claims due rows, delivers, and records each try
in :class:`DeliveryAttempt`. ``idempotency_key`` is stable per (event, subject, target)
and is what receivers deduplicate on (the ``webhook-id`` header).

States: ``pending`` (due at ``next_attempt_at``) → ``delivering`` (claimed until
``lease_until``; a crashed worker's row is claimable again after that) → ``delivered``,
or ``dead`` after the last attempt (admins see it and can retry it), or ``cancelled``
(the subject or the target went away before delivery).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, JSONDocument, utcnow

DELIVERY_STATUSES = ("pending", "delivering", "delivered", "dead", "cancelled")
SUBJECT_TYPES = ("voicemail", "fax", "call", "audio_asset", "webhook_endpoint")


class OutboxDelivery(Base):
    __tablename__ = "outbox_delivery"
    __tenant_column__ = "org_id"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'delivering', 'delivered', 'dead', 'cancelled')",
            name="status_known",
        ),
        CheckConstraint(
            "(telegram_chat_id IS NULL) OR (webhook_endpoint_id IS NULL)", name="one_target"
        ),
        Index("ix_outbox_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(16))  # a kind from integrations.notify
    telegram_chat_id: Mapped[int | None] = mapped_column(
        ForeignKey("telegram_chat.id", ondelete="SET NULL"), index=True
    )
    webhook_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Extra fields for the message (free text of admin notices, licence details).
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # Telegram flood control (429 retry_after) is waited out, not counted in
    # ``attempts``; this bounds how often one delivery may be sent back to wait.
    flood_waits: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_status_code: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None]
    # What the channel called the sent message (Telegram's message id), so a later
    # change (a late transcription) can edit it in the same chat.
    remote_id: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<OutboxDelivery {self.id} {self.event} {self.channel} {self.status}>"
