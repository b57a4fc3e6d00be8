"""The outbox claim's cost as dead row versions pile up (PostgreSQL, no vacuum).

Every delivery leaves two dead versions of its ``outbox_delivery`` row: the pending one
(replaced by the claim) and the delivering one (replaced when it is delivered). Until a
vacuum removes them, the claim's index scans meet them. This script migrates two
temporary schemas, turns autovacuum off for their outbox tables (the worst case: a
server without autovacuum, or one lagging behind a busy queue) and passes
``--deliveries`` rows through a worker's life in both, in turns: stored two at a time
(a voicemail for a chat and an endpoint), claimed, marked delivered. One schema claims
with the worker's claim (``ivr_designer.outbox.worker.claim``: expired leases, then
due pending rows, two statements); the other, the baseline, with the one statement it
replaced (the same claim with an OR of both conditions). Each schema is only ever
claimed by its own statement: an index scan marks the dead entries it meets for every
later scan of the index, so sharing a table would flatter the baseline.

Every ``--every`` deliveries, both claims run ``--repeat`` times on their idle tables
(nothing due: the dispatcher's most common round, five a second) and the script prints
the median and p99 time per claim (round trip and commit included) and the pages one
claim touches (``EXPLAIN (ANALYZE, BUFFERS)``). At the end: baseline / worker ratio.

    .venv/bin/python bench/outbox_claim.py [--deliveries 25000] [--every 5000]
        [--repeat 200] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import webhook_throughput as wt
from sqlalchemy import Engine, insert, text, update
from sqlalchemy.orm import Session

from ivr_designer import migrate
from ivr_designer.database import build_engine, normalise_database_url
from ivr_designer.models import Organisation, OutboxDelivery
from ivr_designer.models.base import utcnow
from ivr_designer.outbox import worker

LIMIT = 12  # what a dispatcher round with 4 threads claims at most (4 x lookahead 3)
LEASE = 120.0


#: The claim before: one statement, an OR of expired leases and due pending rows.
BASELINE = worker._claim_statement(worker._EXPIRED | worker._PENDING, True)


def baseline_claim(session: Session, limit: int, lease_seconds: float) -> list[int]:
    now = utcnow()
    params = {"b_now": now, "b_limit": limit, "b_lease": now + timedelta(seconds=lease_seconds)}
    claimed = session.execute(BASELINE, params).all()
    session.commit()
    return [row.id for row in claimed]


class Side:
    """One schema, claimed by one kind of claim only."""

    def __init__(self, base: str, name: str, claim: Any, statements: Any) -> None:
        self.name = name
        self.claim = claim
        self.statements = statements
        self.where = argparse.Namespace(database_url=base)
        url, self.schema = wt.database_for(self.where, Path("."))
        self.engine: Engine = build_engine(url)
        with self.engine.connect() as connection:
            migrate.upgrade(connection)
            connection.execute(text("ALTER TABLE outbox_delivery SET (autovacuum_enabled = false)"))
            connection.commit()
        self.session = Session(self.engine)
        org = Organisation(name="Bench", slug="bench")
        self.session.add(org)
        self.session.commit()
        self.org_id = org.id
        self.delivered = 0
        self.keys = 0

    def step(self) -> None:
        """Store a voicemail's two deliveries, claim them, mark them delivered."""
        now = utcnow()
        self.session.execute(
            insert(OutboxDelivery),
            [
                {
                    "org_id": self.org_id,
                    "event": "voicemail.created",
                    "channel": "webhook",
                    "idempotency_key": f"k{self.keys + n}",
                    "payload": {"note": "x" * 200},
                    "next_attempt_at": now,
                }
                for n in range(2)
            ],
        )
        self.keys += 2
        self.session.commit()
        ids = self.claim(self.session, LIMIT, LEASE)
        if ids:
            self.session.execute(
                update(OutboxDelivery)
                .where(OutboxDelivery.id.in_(ids))
                .values(status="delivered", delivered_at=utcnow(), lease_until=None)
            )
            self.session.commit()
        self.delivered += len(ids)

    def idle_claims(self, repeat: int) -> list[float]:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            assert self.claim(self.session, LIMIT, LEASE) == []
            times.append((time.perf_counter() - started) * 1000)
        return times

    def pages(self) -> int:
        """Shared buffers one idle claim touches (all its statements)."""
        now = utcnow()
        params = {"b_now": now, "b_limit": LIMIT, "b_lease": now}
        total = 0
        with self.engine.connect() as connection:
            for statement in self.statements:
                compiled = statement.compile(dialect=connection.dialect)
                plan = connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + compiled.string,
                    compiled.construct_params(params),
                ).scalar_one()
                top = plan[0]["Plan"]
                total += top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
            connection.rollback()
        return total

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()
        wt.drop_schema(self.where, self.schema)


def report(side: Side, repeat: int) -> dict[str, Any]:
    times = side.idle_claims(repeat)
    figures = {
        "side": side.name,
        "delivered": side.delivered,
        "median": statistics.median(times),
        "p99": wt.percentile(times, 0.99),
        "pages": side.pages(),
    }
    print(
        f"  {side.name:<8} delivered {side.delivered:>6}: idle claim median "
        f"{figures['median']:.3f} ms, p99 {figures['p99']:.3f} ms, "
        f"{figures['pages']:.0f} pages",
        flush=True,
    )
    return figures


def measure(base: str, deliveries: int, every: int, repeat: int) -> list[dict[str, Any]]:
    """Both claims' figures at every checkpoint (0, every, 2 x every, ... deliveries)."""
    sides = [
        Side(base, "worker", worker.claim, list(worker._CLAIM[True])),
        Side(base, "baseline", baseline_claim, [BASELINE]),
    ]
    figures: list[dict[str, Any]] = []
    try:
        checkpoint = 0
        while True:
            if min(side.delivered for side in sides) >= checkpoint:
                figures += [report(side, repeat) for side in sides]
                if checkpoint >= deliveries:
                    return figures
                checkpoint += every
            for side in sides:  # in turns: whatever drifts, drifts for both
                side.step()
    finally:
        for side in sides:
            side.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=25000)
    parser.add_argument("--every", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args(argv)
    base = normalise_database_url(args.database_url)
    if not base.startswith("postgresql"):
        print("SQLite keeps no dead row versions in its indexes: nothing to measure here.")
        return 2
    print(
        f"outbox claim, {args.deliveries} deliveries, autovacuum off for the table, "
        f"{args.repeat} idle claims per checkpoint"
    )
    figures = measure(base, args.deliveries, args.every, args.repeat)
    last = {row["side"]: row for row in figures[-2:]}
    ratio = last["baseline"]["median"] / last["worker"]["median"]
    pages = last["baseline"]["pages"] / max(1, last["worker"]["pages"])
    print(
        f"after {args.deliveries} deliveries: baseline / worker claim time "
        f"{ratio:.2f} (median), pages {pages:.0f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
