"""A fax received into a fax box; the document lives under a random name in media.

``fax_sid`` is unique so a repeated provider callback creates nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, UTCDateTime, utcnow

# Who has listened to / opened which item (per person, unlike claim and handled).
fax_heard = Table(
    "fax_heard",
    Base.metadata,
    Column("fax_id", ForeignKey("fax.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("heard_at", UTCDateTime(), nullable=False, default=utcnow),
)


class Fax(Base):
    __tablename__ = "fax"
    __tenant_column__ = "org_id"
    __table_args__ = (
        CheckConstraint("status IN ('pending_media', 'ready', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # A box holding faxes cannot be deleted (they would be lost with it).
    box_id: Mapped[int] = mapped_column(ForeignKey("fax_box.id", ondelete="RESTRICT"), index=True)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", ondelete="SET NULL"), index=True
    )
    fax_sid: Mapped[str] = mapped_column(String(64), unique=True)
    caller: Mapped[str] = mapped_column(String(64), default="")
    pages: Mapped[int | None]
    media_path: Mapped[str | None] = mapped_column(String(255))
    media_url: Mapped[str | None] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), default="pending_media", index=True)
    download_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Shared inbox state: everyone sees who took it and who finished it.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Fax {self.fax_sid} {self.status}>"
