"""A (group) voicemail box: flows' ``voicemail`` nodes name it by ``key``.

One box can serve several flows; its listeners are the staff who receive and handle
what callers leave in it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr_designer.models.base import Base, utcnow

if TYPE_CHECKING:
    from ivr_designer.models.user import User

KEY_PATTERN = r"^[a-z0-9_-]{1,64}$"
DEFAULT_MAX_LENGTH_S = 120

voicemail_box_listener = Table(
    "voicemail_box_listener",
    Base.metadata,
    Column("box_id", ForeignKey("voicemail_box.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class VoicemailBox(Base):
    __tablename__ = "voicemail_box"
    __tenant_column__ = "org_id"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    max_length_s: Mapped[int] = mapped_column(default=DEFAULT_MAX_LENGTH_S)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    listeners: Mapped[list[User]] = relationship(
        secondary=voicemail_box_listener, lazy="selectin", order_by="User.id"
    )

    def __repr__(self) -> str:
        return f"<VoicemailBox {self.key}>"
