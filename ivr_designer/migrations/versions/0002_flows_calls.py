"""Flows and their versions, boxes, provider accounts, phone numbers, calls, messages.

Revision ID: 0002_flows_calls
Revises: 0001_foundation
Create Date: 2026-11-21
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_flows_calls"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_when = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _org(table: str) -> list[Any]:
    return [
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f(f"fk_{table}_org_id_organisations"),
            ondelete="CASCADE",
        ),
    ]


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", _when, nullable=False),
        sa.Column("updated_at", _when, nullable=False),
    ]


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def _drop_indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)


def _media_status(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        "status IN ('pending_media', 'ready', 'failed')", name=op.f(f"ck_{table}_status_known")
    )


# table -> indexed columns, in creation order (dropped in reverse).
_INDEXES: dict[str, tuple[str, ...]] = {
    "flow": ("org_id", "updated_by_id", "published_version_id"),
    "flow_version": ("org_id", "flow_id", "author_id"),
    "voicemail_box": ("org_id",),
    "voicemail_box_listener": ("user_id",),
    "fax_box": ("org_id",),
    "fax_box_listener": ("user_id",),
    "provider_account": ("org_id",),
    "phone_number": ("org_id", "provider_account_id", "voice_flow_id", "fax_box_id"),
    "call": ("org_id", "phone_number_id", "flow_version_id", "started_at"),
    "call_step": ("org_id", "call_id"),
    "voicemail": ("org_id", "box_id", "call_id", "status", "created_at"),
    "fax": ("org_id", "box_id", "call_id", "status", "created_at"),
}


def _flows() -> None:
    op.create_table(
        "flow",
        _id(),
        *_org("flow"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("draft", _json, nullable=False),
        sa.Column("draft_revision", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("published_version_id", sa.Integer(), nullable=True),
        *_stamps(),
        _fk("flow", "updated_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_flow_org_id")),
    )
    op.create_table(
        "flow_version",
        _id(),
        *_org("flow_version"),
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("document", _json, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        _fk("flow_version", "flow_id", "flow", "CASCADE"),
        _fk("flow_version", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_version")),
        sa.UniqueConstraint("flow_id", "number", name=op.f("uq_flow_version_flow_id")),
    )
    # The flow -> published version link closes a cycle, so it comes last.
    with op.batch_alter_table("flow") as batch:
        batch.create_foreign_key(
            op.f("fk_flow_published_version_id_flow_version"),
            "flow_version",
            ["published_version_id"],
            ["id"],
            ondelete="SET NULL",
        )


def _boxes() -> None:
    for table in ("voicemail_box", "fax_box"):
        extra = [sa.Column("max_length_s", sa.Integer(), nullable=False)]
        op.create_table(
            table,
            _id(),
            *_org(table),
            sa.Column("key", sa.String(64), nullable=False),
            sa.Column("name", sa.String(200), nullable=False),
            *(extra if table == "voicemail_box" else []),
            *_stamps(),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("org_id", "key", name=op.f(f"uq_{table}_org_id")),
        )
        listener = f"{table}_listener"
        op.create_table(
            listener,
            sa.Column("box_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            _fk(listener, "box_id", table, "CASCADE"),
            _fk(listener, "user_id", "users", "CASCADE"),
            sa.PrimaryKeyConstraint("box_id", "user_id", name=op.f(f"pk_{listener}")),
        )


def _numbers() -> None:
    op.create_table(
        "provider_account",
        _id(),
        *_org("provider_account"),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("account_sid", sa.String(128), nullable=False),
        sa.Column("auth_token_encrypted", sa.Text(), nullable=False),
        sa.Column("api_base_url", sa.String(500), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "provider IN ('twilio', 'signalwire', 'telnyx')",
            name=op.f("ck_provider_account_provider_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_account")),
    )
    op.create_table(
        "phone_number",
        _id(),
        *_org("phone_number"),
        sa.Column("e164", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("provider_account_id", sa.Integer(), nullable=False),
        sa.Column("voice_flow_id", sa.Integer(), nullable=True),
        sa.Column("fax_box_id", sa.Integer(), nullable=True),
        *_stamps(),
        _fk("phone_number", "provider_account_id", "provider_account", "RESTRICT"),
        _fk("phone_number", "voice_flow_id", "flow", "RESTRICT"),
        _fk("phone_number", "fax_box_id", "fax_box", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_number")),
        sa.UniqueConstraint("e164", name=op.f("uq_phone_number_e164")),
    )


def _calls() -> None:
    op.create_table(
        "call",
        _id(),
        *_org("call"),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("phone_number_id", sa.Integer(), nullable=True),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("called", sa.String(64), nullable=False),
        sa.Column("flow_version_id", sa.Integer(), nullable=True),
        sa.Column("started_at", _when, nullable=False),
        sa.Column("ended_at", _when, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("provider_status", sa.String(32), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('in_progress', 'answered', 'voicemail', 'fax', 'abandoned', 'failed')",
            name=op.f("ck_call_outcome_known"),
        ),
        _fk("call", "phone_number_id", "phone_number", "SET NULL"),
        _fk("call", "flow_version_id", "flow_version", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_call_call_sid")),
    )
    op.create_table(
        "call_step",
        _id(),
        *_org("call_step"),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("flow_name", sa.String(200), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("node_type", sa.String(32), nullable=False),
        sa.Column("input", sa.String(255), nullable=True),
        sa.Column("port", sa.String(32), nullable=True),
        sa.Column("ended", sa.String(32), nullable=True),
        sa.Column("at", _when, nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        _fk("call_step", "call_id", "call", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_step")),
        sa.UniqueConstraint("call_id", "seq", name=op.f("uq_call_step_call_id")),
    )


def _messages() -> None:
    op.create_table(
        "voicemail",
        _id(),
        *_org("voicemail"),
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("recording_sid", sa.String(64), nullable=False),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("media_path", sa.String(255), nullable=True),
        sa.Column("media_url", sa.String(1024), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("download_attempts", sa.Integer(), nullable=False),
        sa.Column("transcription", sa.Text(), nullable=True),
        sa.Column("created_at", _when, nullable=False),
        _media_status("voicemail"),
        _fk("voicemail", "box_id", "voicemail_box", "RESTRICT"),
        _fk("voicemail", "call_id", "call", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voicemail")),
        sa.UniqueConstraint("recording_sid", name=op.f("uq_voicemail_recording_sid")),
    )
    op.create_table(
        "fax",
        _id(),
        *_org("fax"),
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("fax_sid", sa.String(64), nullable=False),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("media_path", sa.String(255), nullable=True),
        sa.Column("media_url", sa.String(1024), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("download_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _when, nullable=False),
        _media_status("fax"),
        _fk("fax", "box_id", "fax_box", "RESTRICT"),
        _fk("fax", "call_id", "call", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fax")),
        sa.UniqueConstraint("fax_sid", name=op.f("uq_fax_fax_sid")),
    )


def upgrade() -> None:
    _flows()
    _boxes()
    _numbers()
    _calls()
    _messages()
    for table, columns in _INDEXES.items():
        _index(table, *columns)


def downgrade() -> None:
    for table, columns in reversed(_INDEXES.items()):
        _drop_indexes(table, *reversed(columns))
    for table in ("fax", "voicemail", "call_step", "call", "phone_number", "provider_account"):
        op.drop_table(table)
    for table in ("fax_box", "voicemail_box"):
        op.drop_table(f"{table}_listener")
        op.drop_table(table)
    with op.batch_alter_table("flow") as batch:
        batch.drop_constraint(op.f("fk_flow_published_version_id_flow_version"), type_="foreignkey")
    op.drop_table("flow_version")
    op.drop_table("flow")
