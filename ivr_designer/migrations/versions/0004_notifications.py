"""Notifications: outbox and delivery log, webhook endpoints, Telegram bots, chats and
link tokens, shared inbox state (claim, handled, heard), retention settings, the
scheduler lock; audit entries become redactable (erasure) but still not rewritable.

Revision ID: 0004_notifications
Revises: 0003_audio
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_notifications"
down_revision = "0003_audio"
branch_labels = None
depends_on = None

_when = sa.DateTime(timezone=True)
_ONE_OWNER = (
    "(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN voicemail_box_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN fax_box_id IS NULL THEN 0 ELSE 1 END) = 1"
)
_json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# Erasing a person (deleting a user) may redact what an audit entry says about them
# (e-mail, snapshots, IP address); who did what, to what and when stays fixed.
_FIXED = ("id", "created_at", "actor_id", "org_id", "action", "object_type", "object_id")
_PG_GUARD = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    IF {changed} THEN
        RAISE EXCEPTION 'audit entries are append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""".format(changed=" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FIXED))
_PG_GUARD_BEFORE = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql
"""
_SQLITE_TRIGGER = """
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
WHEN {changed}
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END
""".format(changed=" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FIXED))
_SQLITE_TRIGGER_BEFORE = """
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END
"""


def _audit_guard(pg: str, sqlite: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg)
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute(sqlite)


def upgrade() -> None:
    _audit_guard(_PG_GUARD, _SQLITE_TRIGGER)
    op.create_table(
        "scheduler_lock",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("acquired_at", _when, nullable=False),
        sa.Column("expires_at", _when, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lock")),
    )
    op.create_table(
        "retention_setting",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("data_class", sa.String(length=16), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", _when, nullable=False),
        sa.CheckConstraint(
            "data_class IN ('voicemail', 'fax', 'call', 'delivery_log', 'audit')",
            name=op.f("ck_retention_setting_data_class_known"),
        ),
        sa.CheckConstraint("days > 0", name=op.f("ck_retention_setting_days_positive")),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_retention_setting_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "data_class", name=op.f("pk_retention_setting")),
    )
    op.create_table(
        "telegram_bot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("bot_username", sa.String(length=64), nullable=False),
        sa.Column("webhook_secret_encrypted", sa.Text(), nullable=False),
        sa.Column("webhook_set_at", _when, nullable=True),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("updated_at", _when, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_telegram_bot_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_bot")),
        sa.UniqueConstraint("org_id", name=op.f("uq_telegram_bot_org_id")),
    )
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("events", _json, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_at", _when, nullable=True),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", _when, nullable=True),
        sa.Column("last_success_at", _when, nullable=True),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("updated_at", _when, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_webhook_endpoint_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
    )
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_endpoint_org_id"), ["org_id"], unique=False)

    op.create_table(
        "telegram_chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("voicemail_box_id", sa.Integer(), nullable=True),
        sa.Column("fax_box_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("linked_at", _when, nullable=False),
        sa.Column("unlinked_at", _when, nullable=True),
        sa.CheckConstraint(
            _ONE_OWNER,
            name=op.f("ck_telegram_chat_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["fax_box_id"],
            ["fax_box.id"],
            name=op.f("fk_telegram_chat_fax_box_id_fax_box"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_telegram_chat_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_telegram_chat_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voicemail_box_id"],
            ["voicemail_box.id"],
            name=op.f("fk_telegram_chat_voicemail_box_id_voicemail_box"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_chat")),
    )
    with op.batch_alter_table("telegram_chat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_chat_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_telegram_chat_fax_box_id"), ["fax_box_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_telegram_chat_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_telegram_chat_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_telegram_chat_voicemail_box_id"), ["voicemail_box_id"], unique=False
        )

    op.create_table(
        "telegram_link_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("voicemail_box_id", sa.Integer(), nullable=True),
        sa.Column("fax_box_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("expires_at", _when, nullable=False),
        sa.Column("used_at", _when, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_telegram_link_token_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fax_box_id"],
            ["fax_box.id"],
            name=op.f("fk_telegram_link_token_fax_box_id_fax_box"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_telegram_link_token_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_telegram_link_token_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voicemail_box_id"],
            ["voicemail_box.id"],
            name=op.f("fk_telegram_link_token_voicemail_box_id_voicemail_box"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_link_token")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_telegram_link_token_token_sha256")),
    )
    with op.batch_alter_table("telegram_link_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_link_token_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_telegram_link_token_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "outbox_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("telegram_chat_id", sa.Integer(), nullable=True),
        sa.Column("webhook_endpoint_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("payload", _json, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _when, nullable=False),
        sa.Column("lease_until", _when, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("updated_at", _when, nullable=False),
        sa.Column("delivered_at", _when, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivering', 'delivered', 'dead', 'cancelled')",
            name=op.f("ck_outbox_delivery_status_known"),
        ),
        sa.CheckConstraint(
            "(telegram_chat_id IS NULL) OR (webhook_endpoint_id IS NULL)",
            name=op.f("ck_outbox_delivery_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_outbox_delivery_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["telegram_chat_id"],
            ["telegram_chat.id"],
            name=op.f("fk_outbox_delivery_telegram_chat_id_telegram_chat"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_endpoint_id"],
            ["webhook_endpoint.id"],
            name=op.f("fk_outbox_delivery_webhook_endpoint_id_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_delivery")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_delivery_idempotency_key")),
    )
    with op.batch_alter_table("outbox_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_delivery_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index("ix_outbox_delivery_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_delivery_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_delivery_telegram_chat_id"), ["telegram_chat_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_delivery_webhook_endpoint_id"),
            ["webhook_endpoint_id"],
            unique=False,
        )

    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("webhook_endpoint_id", sa.Integer(), nullable=True),
        sa.Column("attempted_at", _when, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("response_excerpt", sa.String(length=500), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("test", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["outbox_delivery.id"],
            name=op.f("fk_delivery_attempt_delivery_id_outbox_delivery"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_delivery_attempt_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_endpoint_id"],
            ["webhook_endpoint.id"],
            name=op.f("fk_delivery_attempt_webhook_endpoint_id_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_attempt_attempted_at"), ["attempted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_attempt_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_delivery_attempt_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_delivery_attempt_webhook_endpoint_id"),
            ["webhook_endpoint_id"],
            unique=False,
        )

    op.create_table(
        "fax_heard",
        sa.Column("fax_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("heard_at", _when, nullable=False),
        sa.ForeignKeyConstraint(
            ["fax_id"], ["fax.id"], name=op.f("fk_fax_heard_fax_id_fax"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_fax_heard_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("fax_id", "user_id", name=op.f("pk_fax_heard")),
    )
    with op.batch_alter_table("fax_heard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fax_heard_user_id"), ["user_id"], unique=False)

    op.create_table(
        "voicemail_heard",
        sa.Column("voicemail_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("heard_at", _when, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_voicemail_heard_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voicemail_id"],
            ["voicemail.id"],
            name=op.f("fk_voicemail_heard_voicemail_id_voicemail"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("voicemail_id", "user_id", name=op.f("pk_voicemail_heard")),
    )
    with op.batch_alter_table("voicemail_heard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voicemail_heard_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("fax", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", _when, nullable=True))
        batch_op.add_column(sa.Column("handled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handled_at", _when, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_fax_claimed_by_id_users"),
            "users",
            ["claimed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_fax_handled_by_id_users"),
            "users",
            ["handled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("voicemail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opus_path", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("claimed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", _when, nullable=True))
        batch_op.add_column(sa.Column("handled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handled_at", _when, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_voicemail_handled_by_id_users"),
            "users",
            ["handled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_voicemail_claimed_by_id_users"),
            "users",
            ["claimed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    _audit_guard(_PG_GUARD_BEFORE, _SQLITE_TRIGGER_BEFORE)
    with op.batch_alter_table("voicemail", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_voicemail_claimed_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_voicemail_handled_by_id_users"), type_="foreignkey")
        batch_op.drop_column("handled_at")
        batch_op.drop_column("handled_by_id")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by_id")
        batch_op.drop_column("opus_path")

    with op.batch_alter_table("fax", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_fax_handled_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_fax_claimed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("handled_at")
        batch_op.drop_column("handled_by_id")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by_id")

    with op.batch_alter_table("voicemail_heard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voicemail_heard_user_id"))

    op.drop_table("voicemail_heard")
    with op.batch_alter_table("fax_heard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fax_heard_user_id"))

    op.drop_table("fax_heard")
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_webhook_endpoint_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_org_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_delivery_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_attempted_at"))

    op.drop_table("delivery_attempt")
    with op.batch_alter_table("outbox_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_delivery_webhook_endpoint_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_delivery_telegram_chat_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_delivery_org_id"))
        batch_op.drop_index("ix_outbox_delivery_due")
        batch_op.drop_index(batch_op.f("ix_outbox_delivery_created_at"))

    op.drop_table("outbox_delivery")
    with op.batch_alter_table("telegram_link_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_link_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_telegram_link_token_org_id"))

    op.drop_table("telegram_link_token")
    with op.batch_alter_table("telegram_chat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_chat_voicemail_box_id"))
        batch_op.drop_index(batch_op.f("ix_telegram_chat_user_id"))
        batch_op.drop_index(batch_op.f("ix_telegram_chat_org_id"))
        batch_op.drop_index(batch_op.f("ix_telegram_chat_fax_box_id"))
        batch_op.drop_index(batch_op.f("ix_telegram_chat_chat_id"))

    op.drop_table("telegram_chat")
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoint_org_id"))

    op.drop_table("webhook_endpoint")
    op.drop_table("telegram_bot")
    op.drop_table("retention_setting")
    op.drop_table("scheduler_lock")
