"""Outbox payloads name no one: ``voicemail.handled`` keeps the handler's id only.

The worker looks the name up when it sends, so deleting a user (erasure) leaves no
name in the outbox. This strips the names stored by earlier versions; the downgrade
writes back the names of users that still exist.

Revision ID: 0005_outbox_names
Revises: 0004_notifications
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_outbox_names"
down_revision = "0004_notifications"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_outbox = sa.table(
    "outbox_delivery",
    sa.column("id", sa.Integer),
    sa.column("event", sa.String),
    sa.column("payload", _json),
)
_users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String))


def _rewrite(handled_by: Any) -> None:
    """Apply ``handled_by(old) -> new`` to every voicemail.handled payload that changes."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_outbox.c.id, _outbox.c.payload).where(_outbox.c.event == "voicemail.handled")
    ).all()
    for row in rows:
        payload = dict(row.payload or {})
        person = payload.get("handled_by")
        if not isinstance(person, dict):
            continue
        new = handled_by(connection, person)
        if new != person:
            payload["handled_by"] = new
            connection.execute(
                sa.update(_outbox).where(_outbox.c.id == row.id).values(payload=payload)
            )


def upgrade() -> None:
    _rewrite(lambda _connection, person: {k: v for k, v in person.items() if k != "name"})


def _with_name(connection: sa.Connection, person: dict[str, Any]) -> dict[str, Any]:
    name = connection.execute(
        sa.select(_users.c.name).where(_users.c.id == person.get("id"))
    ).scalar_one_or_none()
    return {**person, "name": name} if name is not None else person


def downgrade() -> None:
    _rewrite(_with_name)
