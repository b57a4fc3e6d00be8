"""One try of one outbox delivery: the per-endpoint delivery log admins read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempt"
    __tenant_column__ = "org_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_delivery.id", ondelete="CASCADE"), index=True
    )
    # Copied from the delivery so an endpoint's log is one indexed query.
    webhook_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | retry | permanent
    status_code: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    response_excerpt: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int | None]
    test: Mapped[bool] = mapped_column(default=False)  # a test-send from the admin screen

    def __repr__(self) -> str:
        return f"<DeliveryAttempt {self.delivery_id} {self.outcome}>"
