"""One published version of a flow: numbered, immutable, with who/when/why.

Calls pin the version they started with, so a version is never edited; a rollback
publishes an old document again as a new number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, JSONDocument, utcnow


class FlowVersion(Base):
    __tablename__ = "flow_version"
    __tenant_column__ = "org_id"
    __table_args__ = (UniqueConstraint("flow_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    flow_id: Mapped[int] = mapped_column(ForeignKey("flow.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    message: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SHA-256 (hex) of the canonical file text (flows.fileformat.dump_flow).
    sha256: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<FlowVersion flow={self.flow_id} v{self.number}>"
