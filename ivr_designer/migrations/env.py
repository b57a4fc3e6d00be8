"""Alembic environment: runs on a connection handed in by ivr_designer.migrate.

Kept free of Flask so migrations run the same from the CLI, from tests and from a
plain ``alembic`` invocation.
"""

from __future__ import annotations

from alembic import context

from ivr_designer.database import build_engine
from ivr_designer.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh_connection:
        _run(fresh_connection)
    engine.dispose()
