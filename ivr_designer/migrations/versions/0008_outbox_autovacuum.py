"""Outbox: PostgreSQL vacuums and analyzes the outbox table after a fixed number of
changed rows, not after a fifth of the table.

Every delivery leaves two dead row versions behind (claimed, then delivered). Until
they are vacuumed, each claim's index scan walks them: in the outbox bench on a server
with autovacuum off, 25,000 dead versions made the claim query read 652 pages and take
6.8 ms, and the worker claims five times a second. The default threshold (a fifth of
the table) lets a table that keeps its delivery history for weeks gather hundreds of
thousands of them first. SQLite has no such settings and needs none.

(Since then the claim uses plain index scans, which skip dead entries once marked; see
``ivr_designer/outbox/worker.py``. The table and its indexes still grow with every
dead version until a vacuum, so the thresholds stay.)

Revision ID: 0008_outbox_autovacuum
Revises: 0007_outbox_remote_id
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0008_outbox_autovacuum"
down_revision = "0007_outbox_remote_id"
branch_labels = None
depends_on = None

#: Dead row versions (and changed rows, for ANALYZE) after which autovacuum visits the
#: table, whatever its size: at 25 deliveries a second every 40 s, so each time
#: autovacuum looks (every minute by default).
THRESHOLD = 2000
_SETTINGS = {
    "autovacuum_vacuum_scale_factor": 0,
    "autovacuum_vacuum_threshold": THRESHOLD,
    "autovacuum_analyze_scale_factor": 0,
    "autovacuum_analyze_threshold": THRESHOLD,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    values = ", ".join(f"{name} = {value}" for name, value in _SETTINGS.items())
    op.execute(f"ALTER TABLE outbox_delivery SET ({values})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE outbox_delivery RESET ({', '.join(_SETTINGS)})")
