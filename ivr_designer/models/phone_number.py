"""A phone number of an organisation and where its calls and faxes go.

``e164`` is unique across all organisations: the provider's ``To`` parameter alone
selects the org, its provider credentials, and the published flow or fax box.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr_designer.models.base import Base, utcnow

if TYPE_CHECKING:
    from ivr_designer.models.fax_box import FaxBox
    from ivr_designer.models.flow import Flow
    from ivr_designer.models.provider_account import ProviderAccount

E164_PATTERN = r"^\+[1-9][0-9]{7,14}$"


class PhoneNumber(Base):
    __tablename__ = "phone_number"
    __tenant_column__ = "org_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    e164: Mapped[str] = mapped_column(String(16), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    provider_account_id: Mapped[int] = mapped_column(
        ForeignKey("provider_account.id", ondelete="RESTRICT"), index=True
    )
    voice_flow_id: Mapped[int | None] = mapped_column(
        ForeignKey("flow.id", ondelete="RESTRICT"), index=True
    )
    fax_box_id: Mapped[int | None] = mapped_column(
        ForeignKey("fax_box.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    provider_account: Mapped[ProviderAccount] = relationship(lazy="joined")
    voice_flow: Mapped[Flow | None] = relationship(lazy="joined")
    fax_box: Mapped[FaxBox | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<PhoneNumber {self.e164}>"
