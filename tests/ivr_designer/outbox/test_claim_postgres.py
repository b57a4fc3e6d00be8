"""PostgreSQL: concurrent workers claim disjoint rows and never wait for each other.

Only generated when TEST_DATABASE_URL names a PostgreSQL server (SQLite runs a single
worker; there is nothing to skip there). Two real connections are needed, so the test
uses a migrated schema of its own instead of the rolled-back test connection.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from ivr_designer import migrate
from ivr_designer.database import normalise_database_url
from ivr_designer.models import Organisation, OutboxDelivery
from ivr_designer.models.base import utcnow
from ivr_designer.outbox.worker import claim
from tests.conftest import BACKENDS, drop_postgres_schema, postgres_engine

if "postgresql" in BACKENDS:

    @pytest.fixture
    def pg_engine() -> Iterator[Engine]:
        url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
        schema = f"claim_{uuid.uuid4().hex[:12]}"
        engine = postgres_engine(url, schema)
        with engine.connect() as connection:
            migrate.upgrade(connection)
        yield engine
        engine.dispose()
        drop_postgres_schema(url, schema)

    def _seed(engine: Engine, count: int) -> list[int]:
        past = utcnow() - timedelta(minutes=1)
        with Session(engine) as session:
            org = Organisation(name="Acme", slug="acme")
            session.add(org)
            session.flush()
            rows = [
                OutboxDelivery(
                    org_id=org.id,
                    event="licence.expiring",
                    channel="webhook",
                    idempotency_key=f"claim-{n}",
                    next_attempt_at=past + timedelta(seconds=n),
                )
                for n in range(count)
            ]
            session.add_all(rows)
            session.commit()
            return [row.id for row in rows]

    def test_a_second_worker_skips_rows_locked_by_an_open_claim(pg_engine: Engine) -> None:
        ids = _seed(pg_engine, 5)
        with pg_engine.connect() as first, pg_engine.connect() as second:
            # The first worker's claim stays uncommitted: its savepoint commits, the
            # enclosing transaction (and with it the row locks) stays open.
            held = first.begin()
            first_session = Session(bind=first, join_transaction_mode="create_savepoint")
            mine = claim(first_session, 2, lease_seconds=60)
            assert mine == ids[:2]
            # Waiting on a lock fails this worker's claim instead of hanging the test.
            second.execute(text("SET lock_timeout = '2s'"))
            second.commit()
            second_session = Session(bind=second)
            theirs = claim(second_session, 10, lease_seconds=60)
            assert theirs == ids[2:]  # the locked rows were skipped, the rest claimed
            held.rollback()  # the first worker dies before committing: rows come back
            assert claim(second_session, 10, lease_seconds=60) == ids[:2]
        with Session(pg_engine) as check:
            statuses = check.execute(select(OutboxDelivery.status)).scalars().all()
            assert statuses == ["delivering"] * 5
