"""The outbox bench's bookkeeping: window order, pooled figures and the worker's CPU."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


_BURN_IN_GRANDCHILD = """
import subprocess, sys, time
burner = subprocess.Popen([sys.executable, "-c", '''
import time
end = time.process_time() + 0.4
while time.process_time() < end:
    pass
print("burnt", flush=True)
time.sleep(30)
'''], stdout=subprocess.PIPE, text=True)
burner.stdout.readline()
print("ready", flush=True)
time.sleep(30)
"""


def test_worker_cpu_counts_the_processes_it_started(bench: ModuleType) -> None:
    """On SQLite the delivery threads run in the worker's child process: its CPU must be
    in the figure, though the worker itself only waits."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _BURN_IN_GRANDCHILD],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # one process group, killed as one
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().strip() == "ready"
        # The grandchild burnt 0.4 s; the parent and child only started Python.
        assert bench.tree_cpu_seconds(parent.pid) >= 0.4
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.communicate()
    assert bench.tree_cpu_seconds(parent.pid) == 0.0  # gone: nothing to count


def test_cpu_by_group_splits_the_machine_where_named_trees_start(bench: ModuleType) -> None:
    """A named process inside another named tree counts for its own group only."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _BURN_IN_GRANDCHILD],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().strip() == "ready"
        (burner,) = bench._processes()[0][parent.pid]
        groups = bench.cpu_by_group({"starter": parent.pid, "burner": burner})
        assert groups["burner"] >= 0.4
        assert groups["starter"] < 0.4  # started Python, burnt nothing
        assert bench.tree_cpu_seconds(parent.pid) >= groups["burner"]
        assert {"database", "other"} <= groups.keys()
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.communicate()
