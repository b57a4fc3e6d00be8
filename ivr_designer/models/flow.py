"""A call flow of an organisation: its editable draft and which version is live.

The draft is the flow file document (``flows.fileformat.flow_to_dict`` shape);
``draft_revision`` goes up on every save so two editors cannot overwrite each other.
Published versions are immutable rows of :class:`FlowVersion`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr_designer.models.base import Base, JSONDocument, utcnow

if TYPE_CHECKING:
    from ivr_designer.models.flow_version import FlowVersion

NAME_MAX_LENGTH = 200


class Flow(Base):
    __tablename__ = "flow"
    __tenant_column__ = "org_id"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    draft: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    draft_revision: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Flow and version point at each other; this side is added after both tables exist.
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("flow_version.id", ondelete="SET NULL", use_alter=True), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    published_version: Mapped[FlowVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True, lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<Flow {self.id} {self.name!r}>"
