"""One call (CDR): which number, who called, which flow version answered, how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr_designer.models.base import Base, utcnow

if TYPE_CHECKING:
    from ivr_designer.models.call_step import CallStep

OUTCOMES = ("in_progress", "answered", "voicemail", "fax", "abandoned", "failed")


class Call(Base):
    __tablename__ = "call"
    __tenant_column__ = "org_id"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('in_progress', 'answered', 'voicemail', 'fax', 'abandoned', 'failed')",
            name="outcome_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    # Kept when the number is deleted later: the record of the call stays.
    phone_number_id: Mapped[int | None] = mapped_column(
        ForeignKey("phone_number.id", ondelete="SET NULL"), index=True
    )
    caller: Mapped[str] = mapped_column(String(64), default="")
    called: Mapped[str] = mapped_column(String(64), default="")
    flow_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("flow_version.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16), default="in_progress")
    provider_status: Mapped[str | None] = mapped_column(String(32))
    duration_s: Mapped[int | None]

    steps: Mapped[list[CallStep]] = relationship(order_by="CallStep.seq", viewonly=True)

    def __repr__(self) -> str:
        return f"<Call {self.call_sid} {self.outcome}>"
