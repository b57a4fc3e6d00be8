"""An org's Telegram bot: token and webhook secret stored encrypted, never returned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow


class TelegramBot(Base):
    __tablename__ = "telegram_bot"
    __tenant_column__ = "org_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    token_encrypted: Mapped[str] = mapped_column(Text)
    bot_username: Mapped[str] = mapped_column(String(64), default="")
    webhook_secret_encrypted: Mapped[str] = mapped_column(Text)
    webhook_set_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<TelegramBot org={self.org_id} @{self.bot_username}>"
