"""An organisation is a tenant: every other record belongs to exactly one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow

DEFAULT_TIME_ZONE = "Europe/Copenhagen"
DEFAULT_LANGUAGE = "da"
# Retention defaults follow the data-processing terms: call logs and CDRs 14 days.
DEFAULT_CALL_LOG_RETENTION_DAYS = 14
DEFAULT_CDR_RETENTION_DAYS = 14
DEFAULT_VOICEMAIL_RETENTION_DAYS = 30
DEFAULT_FAX_RETENTION_DAYS = 30
DEFAULT_PASSWORD_MIN_LENGTH = 12


class Organisation(Base):
    __tablename__ = "organisations"
    __tenant_column__ = "id"
    __table_args__ = (
        CheckConstraint("password_min_length >= 8", name="password_min_length"),
        CheckConstraint(
            "call_log_retention_days > 0 AND cdr_retention_days > 0 "
            "AND voicemail_retention_days > 0 AND fax_retention_days > 0",
            name="retention_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    call_log_retention_days: Mapped[int] = mapped_column(default=DEFAULT_CALL_LOG_RETENTION_DAYS)
    cdr_retention_days: Mapped[int] = mapped_column(default=DEFAULT_CDR_RETENTION_DAYS)
    voicemail_retention_days: Mapped[int] = mapped_column(default=DEFAULT_VOICEMAIL_RETENTION_DAYS)
    fax_retention_days: Mapped[int] = mapped_column(default=DEFAULT_FAX_RETENTION_DAYS)
    password_min_length: Mapped[int] = mapped_column(default=DEFAULT_PASSWORD_MIN_LENGTH)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def org_id(self) -> int:
        """Lets tenancy and audit code treat the organisation like its own records."""
        return self.id

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"
