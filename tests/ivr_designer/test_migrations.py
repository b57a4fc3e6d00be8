"""The migrations go up, down to nothing, and up again, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ivr_designer import migrate
from ivr_designer.database import build_engine
from ivr_designer.models import Base, Organisation, OutboxDelivery, User
from tests.conftest import drop_postgres_schema, postgres_engine

SCHEMA = "ivr_designer_migration_test"


@pytest.fixture
def empty_engine(backend, database_url, tmp_path):
    if backend == "postgresql":
        engine = postgres_engine(database_url, SCHEMA)
    else:
        engine = build_engine(f"sqlite:///{tmp_path / 'migrations.sqlite'}")
    yield engine
    engine.dispose()
    if backend == "postgresql":
        drop_postgres_schema(database_url, SCHEMA)


def _tables(engine):
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_engine):
    expected = set(Base.metadata.tables)
    with empty_engine.connect() as connection:
        migrate.upgrade(connection)
        assert migrate.current_revision(connection) == migrate.head_revision()
    assert _tables(empty_engine) == expected
    with empty_engine.connect() as connection:
        migrate.downgrade(connection, "base")
        assert migrate.current_revision(connection) is None
    assert _tables(empty_engine) == set()
    with empty_engine.connect() as connection:
        migrate.upgrade(connection)
    assert _tables(empty_engine) == expected


def test_models_match_the_migrations(empty_engine):
    """Autogenerate finds nothing to do: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with empty_engine.connect() as connection:
        migrate.upgrade(connection)
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_outbox_names_are_stripped_on_upgrade_and_restored_on_downgrade(empty_engine):
    """0005: ``voicemail.handled`` payloads keep the handler's id, not their name."""
    with empty_engine.connect() as connection:
        migrate.upgrade(connection)
        with Session(connection) as session:
            org = Organisation(name="Acme", slug="acme")
            session.add(org)
            session.flush()
            user = User(org_id=org.id, email="anna@acme.example", name="Anna", password_hash="x")
            session.add(user)
            session.flush()
            user_id = user.id
            common = {"org_id": org.id, "channel": "webhook", "subject_type": "voicemail"}
            session.add_all(
                [
                    OutboxDelivery(
                        event="voicemail.handled",
                        idempotency_key="k1",
                        payload={"handled_by": {"id": user_id}, "handled_at": "t"},
                        **common,
                    ),
                    OutboxDelivery(
                        event="licence.expiring",
                        idempotency_key="k2",
                        payload={"name": "Hold music"},
                        **common,
                    ),
                ]
            )
            session.commit()
        migrate.downgrade(connection, "0004_notifications")
        payloads = _payloads(connection)
        assert payloads["k1"]["handled_by"] == {"id": user_id, "name": "Anna"}
        migrate.upgrade(connection)
        payloads = _payloads(connection)
        assert payloads == {
            "k1": {"handled_by": {"id": user_id}, "handled_at": "t"},
            "k2": {"name": "Hold music"},  # other events are left alone
        }


def _payloads(connection):
    table = OutboxDelivery.__table__
    rows = connection.execute(select(table.c.idempotency_key, table.c.payload)).all()
    return {key: payload for key, payload in rows}


def _outbox_reloptions(connection) -> set[str]:
    options = connection.exec_driver_sql(
        "SELECT reloptions FROM pg_class WHERE oid = 'outbox_delivery'::regclass"
    ).scalar_one()
    return set(options or [])


def test_outbox_table_is_vacuumed_after_a_fixed_number_of_changes(backend, empty_engine):
    """0008: on PostgreSQL, dead versions left by claims are vacuumed long before a
    fifth of a large table has changed, and the downgrade gives the table the server's
    defaults back; on SQLite (no such settings) both directions leave the table alone."""
    postgresql = backend == "postgresql"
    wanted = {
        "autovacuum_vacuum_scale_factor=0",
        "autovacuum_vacuum_threshold=2000",
        "autovacuum_analyze_scale_factor=0",
        "autovacuum_analyze_threshold=2000",
    }
    with empty_engine.connect() as connection:
        migrate.upgrade(connection, "0007_outbox_remote_id")
        if postgresql:
            assert _outbox_reloptions(connection) == set()
        migrate.upgrade(connection, "0008_outbox_autovacuum")
        assert migrate.current_revision(connection) == "0008_outbox_autovacuum"
        if postgresql:
            assert _outbox_reloptions(connection) == wanted
        migrate.downgrade(connection, "0007_outbox_remote_id")
        assert migrate.current_revision(connection) == "0007_outbox_remote_id"
        if postgresql:
            assert _outbox_reloptions(connection) == set()
    assert "outbox_delivery" in _tables(empty_engine)
