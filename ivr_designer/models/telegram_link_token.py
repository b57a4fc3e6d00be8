"""A one-time ``/start <token>`` deep-link token; only its SHA-256 is stored.

It links the chat that sends it to a user (from their profile page) or to a box (an
admin's group link). Used once, expires after a short time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow


class TelegramLinkToken(Base):
    __tablename__ = "telegram_link_token"
    __tenant_column__ = "org_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    voicemail_box_id: Mapped[int | None] = mapped_column(
        ForeignKey("voicemail_box.id", ondelete="CASCADE")
    )
    fax_box_id: Mapped[int | None] = mapped_column(ForeignKey("fax_box.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<TelegramLinkToken {self.id}>"
