"""A licence-expiry warning that has gone out, so each 30/7-day warning is sent once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow


class LicenceWarning(Base):
    __tablename__ = "licence_warning"
    __tenant_column__ = "org_id"
    __table_args__ = (
        UniqueConstraint("org_id", "subject", "subject_id", "expires_on", "threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(16))  # "agreement" or "asset"
    subject_id: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[date]
    threshold: Mapped[int]  # days before expiry: 30 or 7
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def key(self) -> tuple[str, str, str, int]:
        """The same key as ``audio.rights.LicenceWarning.key``."""
        return (self.subject, self.subject_id, self.expires_on.isoformat(), self.threshold)
