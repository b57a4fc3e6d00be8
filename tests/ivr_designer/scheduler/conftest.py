"""A database of its own (not the per-test transaction): scheduler processes and the
lease commit for real, from other connections and other processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine

from ivr_designer import migrate
from ivr_designer.database import build_engine
from tests.conftest import drop_postgres_schema, postgres_engine


@pytest.fixture
def own_database(backend: str, database_url: str, tmp_path) -> Iterator[tuple[str, Engine]]:
    """(URL another process can use, a migrated engine on it)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'scheduler.sqlite'}"
        engine = build_engine(url)
        with engine.connect() as connection:
            migrate.upgrade(connection)
        yield url, engine
        engine.dispose()
        return
    schema = f"ivr_designer_sched_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = postgres_engine(database_url, schema)
    with engine.connect() as connection:
        migrate.upgrade(connection)
    separator = "&" if "?" in database_url else "?"
    url = f"{database_url}{separator}options={quote(f'-csearch_path={schema}')}"
    yield url, engine
    engine.dispose()
    drop_postgres_schema(database_url, schema)
