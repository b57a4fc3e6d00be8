"""The outbox bench's bookkeeping: window order and pooled figures (no timing)."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.bench_modules import load_bench


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench("outbox", "outbox_bench")


def test_windows_alternate_so_each_side_gets_early_and_late_windows(bench: ModuleType) -> None:
    assert bench.window_plan(1) == [False, True]
    assert bench.window_plan(2) == [False, True, True, False]
    assert bench.window_plan(4) == [False, True, True, False, False, True, True, False]
    for pairs in (2, 4, 6):
        plan = bench.window_plan(pairs)
        assert plan.count(True) == plan.count(False) == pairs
        # A steady drift lands on both sides alike: mean window position is the same.
        with_positions = [index for index, side in enumerate(plan) if side]
        without_positions = [index for index, side in enumerate(plan) if not side]
        assert sum(with_positions) == sum(without_positions)


def test_pooled_percentiles_count_every_request_of_every_window(bench: ModuleType) -> None:
    quiet = {"latencies": [0.001] * 99 + [0.002], "seconds": 10.0, "errors": 0, "p99_ms": 1.0}
    spiky = {"latencies": [0.001] * 90 + [0.050] * 10, "seconds": 10.0, "errors": 2, "p99_ms": 50}
    pooled = bench.pooled([quiet, spiky])
    assert pooled["requests"] == 200
    assert pooled["rps"] == pytest.approx(10.0)
    assert pooled["errors"] == 2
    # 10 slow requests of 200 pooled: the 198th is slow, so p99 is the spike.
    assert pooled["p99_ms"] == pytest.approx(50.0)
    assert pooled["p50_ms"] == pytest.approx(1.0)
    assert pooled["windows_p99_ms"] == [1.0, 50]
    # Not the mean of the windows' p99s: pooling weighs every request once.
    calm = bench.pooled([quiet, {**quiet, "latencies": [0.001] * 100}])
    assert calm["p99_ms"] == pytest.approx(1.0)
