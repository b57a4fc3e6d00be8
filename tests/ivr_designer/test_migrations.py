"""The migrations go up, down to nothing, and up again, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from ivr_designer import migrate
from ivr_designer.database import build_engine
from ivr_designer.models import Base
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
