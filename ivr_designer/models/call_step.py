"""One step of a call's trace: the node run, the caller's input, the port taken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow


class CallStep(Base):
    __tablename__ = "call_step"
    __tenant_column__ = "org_id"
    __table_args__ = (UniqueConstraint("call_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    flow_name: Mapped[str] = mapped_column(String(200))
    node_id: Mapped[str] = mapped_column(String(64))
    node_type: Mapped[str] = mapped_column(String(32))
    input: Mapped[str | None] = mapped_column(String(255))
    port: Mapped[str | None] = mapped_column(String(32))
    # Why the call ended here, as flows.runtime names it (hangup, unconnected, ...).
    ended: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int | None]

    def __repr__(self) -> str:
        return f"<CallStep call={self.call_id} #{self.seq} {self.node_id}>"
