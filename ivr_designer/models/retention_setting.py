"""An org's retention for one data class, in days; absent means the default.

Defaults and bounds live in ``ivr_designer.retention`` (one place), not here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow

DATA_CLASSES = ("voicemail", "fax", "call", "delivery_log", "audit")


class RetentionSetting(Base):
    __tablename__ = "retention_setting"
    __tenant_column__ = "org_id"
    __table_args__ = (
        CheckConstraint(
            "data_class IN ('voicemail', 'fax', 'call', 'delivery_log', 'audit')",
            name="data_class_known",
        ),
        CheckConstraint("days > 0", name="days_positive"),
    )

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    data_class: Mapped[str] = mapped_column(String(16), primary_key=True)
    days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<RetentionSetting {self.org_id} {self.data_class}={self.days}d>"
