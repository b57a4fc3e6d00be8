"""Outbox: Telegram flood control is counted apart from failed attempts.

Revision ID: 0006_outbox_flood_waits
Revises: 0005_outbox_names
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_flood_waits"
down_revision = "0005_outbox_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flood_waits", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_delivery", schema=None) as batch_op:
        batch_op.drop_column("flood_waits")
