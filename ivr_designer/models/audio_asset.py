"""An audio asset of an organisation: flows play it by ``key``.

An upload carries its renditions (random file names under MEDIA_FOLDER/audio/), its
measurements and the rights declaration its admin made; a TTS asset carries text
and language and is spoken by ``<Say>``. ``is_default`` marks the org's synthesised,
licence-free hold music and beep, the fallback when licensed music lapses.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivr_designer.models.base import Base, utcnow

KEY_PATTERN = r"^[a-z0-9_-]{1,64}$"
USES = ("prompt", "queue_message", "hold_music")
KINDS = ("upload", "tts")
STATUSES = ("processing", "ready", "failed", "rights_expired")


class AudioAsset(Base):
    __tablename__ = "audio_asset"
    __tenant_column__ = "org_id"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    use: Mapped[str] = mapped_column(String(20), default="prompt")
    kind: Mapped[str] = mapped_column(String(10), default="upload")
    tts_text: Mapped[str | None] = mapped_column(Text)
    tts_language: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default="processing", index=True)
    failure_code: Mapped[str | None] = mapped_column(String(40))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    original_filename: Mapped[str | None] = mapped_column(String(200))
    # Paths relative to MEDIA_FOLDER; ``upload_path`` is the original awaiting processing.
    upload_path: Mapped[str | None] = mapped_column(String(300))
    telephony_path: Mapped[str | None] = mapped_column(String(300))
    ulaw_path: Mapped[str | None] = mapped_column(String(300))
    opus_path: Mapped[str | None] = mapped_column(String(300))
    duration_s: Mapped[float | None] = mapped_column(Float)
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    gain_db: Mapped[float | None] = mapped_column(Float)
    music_label: Mapped[str | None] = mapped_column(String(16))  # music/speech/inconclusive
    music_speech_votes: Mapped[int | None]
    declared_music: Mapped[bool] = mapped_column(default=False)
    needs_review: Mapped[bool] = mapped_column(default=False)
    rights_kind: Mapped[str | None] = mapped_column(String(20))
    rights_source: Mapped[str] = mapped_column(String(500), default="")
    rights_licence_text: Mapped[str] = mapped_column(Text, default="")
    rights_valid_until: Mapped[date | None]
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("music_agreement.id", ondelete="SET NULL"), index=True
    )
    is_default: Mapped[bool] = mapped_column(default=False)
    processing_started_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_music(self) -> bool:
        """Hold music, declared music, or speech that the detector heard as music."""
        return self.use == "hold_music" or self.declared_music or self.needs_review

    def __repr__(self) -> str:
        return f"<AudioAsset {self.key}>"
