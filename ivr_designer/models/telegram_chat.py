"""A Telegram chat linked to a staff member (private chat) or to a box (group chat).

Exactly one of ``user_id``, ``voicemail_box_id``, ``fax_box_id`` is set. ``active``
turns false on ``/stop`` or when Telegram says the bot was blocked or the chat is gone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow

ONE_OWNER = (
    "(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN voicemail_box_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN fax_box_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class TelegramChat(Base):
    __tablename__ = "telegram_chat"
    __tenant_column__ = "org_id"
    __table_args__ = (CheckConstraint(ONE_OWNER, name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_type: Mapped[str] = mapped_column(String(16))  # private | group | supergroup
    title: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    voicemail_box_id: Mapped[int | None] = mapped_column(
        ForeignKey("voicemail_box.id", ondelete="CASCADE"), index=True
    )
    fax_box_id: Mapped[int | None] = mapped_column(
        ForeignKey("fax_box.id", ondelete="CASCADE"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    unlinked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<TelegramChat {self.id} active={self.active}>"
