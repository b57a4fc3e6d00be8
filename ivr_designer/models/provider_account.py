"""An organisation's account at a telephony provider.

The auth token signs every webhook the provider sends and authorises media downloads,
so it is stored encrypted (``ivr_designer.crypto``) and never leaves through the API.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow

PROVIDERS = ("twilio", "signalwire", "telnyx")


class ProviderAccount(Base):
    __tablename__ = "provider_account"
    __tenant_column__ = "org_id"
    __table_args__ = (
        CheckConstraint("provider IN ('twilio', 'signalwire', 'telnyx')", name="provider_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    account_sid: Mapped[str] = mapped_column(String(128))
    # Fernet token (URL-safe base64 text) of the auth token; see ivr_designer.crypto.
    auth_token_encrypted: Mapped[str] = mapped_column(Text)
    # Override of the REST base URL: a SignalWire space, or a local fake in tests.
    api_base_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ProviderAccount {self.id} {self.provider}>"
