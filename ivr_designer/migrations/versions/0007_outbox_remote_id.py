"""Outbox: keep the id of the sent message (Telegram), so a late transcription can
edit the voice message's caption.

Revision ID: 0007_outbox_remote_id
Revises: 0006_outbox_flood_waits
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_remote_id"
down_revision = "0006_outbox_flood_waits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_delivery", schema=None) as batch_op:
        batch_op.drop_column("remote_id")
