"""A voicemail left in a box; the recording lives under a random name in the media folder.

``recording_sid`` is unique so a repeated provider callback creates nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, UTCDateTime, utcnow

MEDIA_STATUSES = ("pending_media", "ready", "failed")

# Who has listened to / opened which item (per person, unlike claim and handled).
voicemail_heard = Table(
    "voicemail_heard",
    Base.metadata,
    Column("voicemail_id", ForeignKey("voicemail.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("heard_at", UTCDateTime(), nullable=False, default=utcnow),
)


class Voicemail(Base):
    __tablename__ = "voicemail"
    __tenant_column__ = "org_id"
    __table_args__ = (
        CheckConstraint("status IN ('pending_media', 'ready', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # A box holding messages cannot be deleted (they would be lost with it).
    box_id: Mapped[int] = mapped_column(
        ForeignKey("voicemail_box.id", ondelete="RESTRICT"), index=True
    )
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", ondelete="SET NULL"), index=True
    )
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    caller: Mapped[str] = mapped_column(String(64), default="")
    duration_s: Mapped[int | None]
    media_path: Mapped[str | None] = mapped_column(String(255))
    media_url: Mapped[str | None] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), default="pending_media", index=True)
    download_attempts: Mapped[int] = mapped_column(default=0)
    transcription: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # OGG/Opus rendition (browser playback, Telegram voice message), made once.
    opus_path: Mapped[str | None] = mapped_column(String(255))
    # Shared inbox state: everyone sees who took it and who finished it.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Voicemail {self.recording_sid} {self.status}>"
