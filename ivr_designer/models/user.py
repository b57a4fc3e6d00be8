"""A person who signs in: system admin (no org), org admin or staff of one org."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr_designer.models.base import Base, utcnow

if TYPE_CHECKING:
    from ivr_designer.models.organisation import Organisation


class Role(enum.StrEnum):
    SYSTEM_ADMIN = "system_admin"
    ORG_ADMIN = "org_admin"
    STAFF = "staff"


class User(Base):
    __tablename__ = "users"
    __tenant_column__ = "org_id"
    __table_args__ = (
        CheckConstraint(
            "role IN ('system_admin', 'org_admin', 'staff')",
            name="role_known",
        ),
        CheckConstraint("role = 'system_admin' OR org_id IS NOT NULL", name="org_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(20), default=Role.STAFF.value)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None]

    org: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def is_system_admin(self) -> bool:
        return self.role == Role.SYSTEM_ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.SYSTEM_ADMIN, Role.ORG_ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
