"""An org's outgoing webhook receiver (Standard Webhooks signed), with its failure run.

The signing secret is stored encrypted and never returned. ``consecutive_failures`` and
``first_failure_at`` are the unbroken run of failed attempts (reset by any success);
the worker disables the endpoint when the run is both long and old (see
``integrations.notify.policy.should_disable_endpoint``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, JSONDocument, utcnow


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoint"
    __tenant_column__ = "org_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(200), default="")
    secret_encrypted: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} enabled={self.enabled}>"
