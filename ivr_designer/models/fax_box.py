"""A fax box: fax lines and ``fax`` nodes deliver received faxes into it by ``key``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr_designer.models.base import Base, utcnow

if TYPE_CHECKING:
    from ivr_designer.models.user import User

fax_box_listener = Table(
    "fax_box_listener",
    Base.metadata,
    Column("box_id", ForeignKey("fax_box.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class FaxBox(Base):
    __tablename__ = "fax_box"
    __tenant_column__ = "org_id"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    listeners: Mapped[list[User]] = relationship(
        secondary=fax_box_listener, lazy="selectin", order_by="User.id"
    )

    def __repr__(self) -> str:
        return f"<FaxBox {self.key}>"
