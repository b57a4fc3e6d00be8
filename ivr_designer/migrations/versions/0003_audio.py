"""Audio assets, KODA/Gramex music agreements and sent licence warnings.

Revision ID: 0003_audio
Revises: 0002_flows_calls
Create Date: 2026-11-21
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_audio"
down_revision = "0002_flows_calls"
branch_labels = None
depends_on = None

_when = sa.DateTime(timezone=True)


def _org(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f(f"fk_{table}_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


_INDEXES: dict[str, tuple[str, ...]] = {
    "music_agreement": ("org_id",),
    "licence_warning": ("org_id",),
    "audio_asset": ("org_id", "status", "agreement_id"),
}


def upgrade() -> None:
    op.create_table(
        "music_agreement",
        *_org("music_agreement"),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("lines_covered", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("updated_at", _when, nullable=False),
    )
    op.create_table(
        "licence_warning",
        *_org("licence_warning"),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("sent_at", _when, nullable=False),
        sa.UniqueConstraint(
            "org_id",
            "subject",
            "subject_id",
            "expires_on",
            "threshold",
            name=op.f("uq_licence_warning_org_id"),
        ),
    )
    op.create_table(
        "audio_asset",
        *_org("audio_asset"),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("use", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("tts_text", sa.Text(), nullable=True),
        sa.Column("tts_language", sa.String(16), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("failure_code", sa.String(40), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("original_filename", sa.String(200), nullable=True),
        sa.Column("upload_path", sa.String(300), nullable=True),
        sa.Column("telephony_path", sa.String(300), nullable=True),
        sa.Column("ulaw_path", sa.String(300), nullable=True),
        sa.Column("opus_path", sa.String(300), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("sample_rate", sa.Integer(), nullable=True),
        sa.Column("channels", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("loudness_lufs", sa.Float(), nullable=True),
        sa.Column("gain_db", sa.Float(), nullable=True),
        sa.Column("music_label", sa.String(16), nullable=True),
        sa.Column("music_speech_votes", sa.Integer(), nullable=True),
        sa.Column("declared_music", sa.Boolean(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("rights_kind", sa.String(20), nullable=True),
        sa.Column("rights_source", sa.String(500), nullable=False),
        sa.Column("rights_licence_text", sa.Text(), nullable=False),
        sa.Column("rights_valid_until", sa.Date(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("processing_started_at", _when, nullable=True),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("updated_at", _when, nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["music_agreement.id"],
            name=op.f("fk_audio_asset_agreement_id_music_agreement"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("org_id", "key", name=op.f("uq_audio_asset_org_id")),
    )
    for table, columns in _INDEXES.items():
        for column in columns:
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def downgrade() -> None:
    for table, columns in reversed(_INDEXES.items()):
        for column in reversed(columns):
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    op.drop_table("audio_asset")
    op.drop_table("licence_warning")
    op.drop_table("music_agreement")
