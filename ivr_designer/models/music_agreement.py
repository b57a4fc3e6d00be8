"""A KODA/Gramex agreement: the licence to play commercial music on hold.

Priced by the number of incoming lines, so it records how many lines it covers and
for which dates; music assets point at it and stop being playable when it lapses.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow


class MusicAgreement(Base):
    __tablename__ = "music_agreement"
    __tenant_column__ = "org_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(64))
    lines_covered: Mapped[int]
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<MusicAgreement {self.number}>"
