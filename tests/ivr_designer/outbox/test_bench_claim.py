"""PostgreSQL: the claim bench's own finding, small: the worker's claim touches as many
pages after a few hundred deliveries as at the start; the one-statement claim it
replaced touches more with every delivery (dead row versions, no vacuum).

Only generated when TEST_DATABASE_URL names a PostgreSQL server: SQLite keeps no dead
row versions in its indexes. Counts pages, not time: the bench prints the times.
"""

from __future__ import annotations

import os

from tests.bench_modules import load_bench
from tests.conftest import BACKENDS

if "postgresql" in BACKENDS:

    def test_dead_row_versions_cost_the_old_claim_pages_and_not_the_workers() -> None:
        bench = load_bench("outbox_claim", "outbox_claim")
        figures = bench.measure(os.environ["TEST_DATABASE_URL"], 400, 200, 3)
        pages = {
            side: [row["pages"] for row in figures if row["side"] == side]
            for side in ("worker", "baseline")
        }
        assert [row["delivered"] for row in figures] == [0, 0, 200, 200, 400, 400]
        assert max(pages["worker"]) <= min(pages["worker"]) + 2  # flat
        assert pages["baseline"][0] < pages["baseline"][1] < pages["baseline"][2]  # grows
        assert pages["baseline"][2] > 5 * pages["worker"][2]
