"""How validation and rendering scale with the size of a flow.

Builds realistic flows (opening hours, menus, ring groups, queues, voicemail, transfers;
digit choices that lead back to a parent menu) of 100, 1,000 and 10,000 nodes from the
real node types, and prints a table: validation time (best of several runs), the same
for a baseline (building a plain networkx graph of the flow and walking it), their
ratio, the growth t(10k)/t(1k), and the mean time to render one step.

Targets: 10k nodes < 0.5 s, t(10k)/t(1k) < 15, one step < 1 ms.

    .venv/bin/python bench/validate_scale.py [--sizes 100,1000,10000] [--repeat 5]
        [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx

from flows.context import RenderContext
from flows.model import Flow, Node, Position
from flows.runtime import render
from flows.validation import validate
from flows.validation.graph import clear_cache

UNIT = 10  # nodes per department


def _department(k: int, parent: int | None, children: list[int]) -> dict[str, Node]:
    """One department: opening hours, a menu, people to ring, a queue, voicemail."""
    menu_options = [{"digit": str(d), "label": f"Option {d}"} for d in (1, 2, 3, 4, 5, 6, 9, 0)]
    child_ports = {
        str(i + 1): (f"h{children[i]}" if i < len(children) else f"i{k}") for i in range(3)
    }
    menu_ports = {
        **child_ports,
        "4": f"i{k}",
        "5": f"r{k}",
        "6": f"t{k}",
        "9": f"m{parent}" if parent is not None else f"m{k}",
        "0": f"x{k}",
        "fallback": f"v{k}",
        "timeout": f"v{k}",
    }
    box = f"box-{k % 50}"
    return {
        f"h{k}": Node(
            f"h{k}",
            "hours",
            {"schedule": {"mon": ["08:00-16:00"], "fri": ["08:00-15:00"]}},
            {"open": f"m{k}", "closed": f"c{k}"},
        ),
        f"c{k}": Node(f"c{k}", "play", {"text": f"Department {k} is closed."}, {"next": f"v{k}"}),
        f"m{k}": Node(
            f"m{k}",
            "menu",
            {"prompt": {"text": f"Welcome to department {k}."}, "options": menu_options},
            menu_ports,
        ),
        f"i{k}": Node(f"i{k}", "play", {"text": f"About department {k}."}, {"next": f"m{k}"}),
        f"r{k}": Node(
            f"r{k}",
            "ring_group",
            {"members": [f"+45{20000000 + k * 3 + j}" for j in range(3)], "ring_time": 20},
            {"answered": f"b{k}", "no_answer": f"q{k}"},
        ),
        f"q{k}": Node(
            f"q{k}",
            "queue",
            {"name": f"queue-{k}", "max_wait": 120, "hold_music": f"music-{k % 5}"},
            {"answered": f"b{k}", "overflow": f"v{k}"},
        ),
        f"t{k}": Node(
            f"t{k}",
            "transfer",
            {"number": f"+45{30000000 + k}"},
            {"answered": f"b{k}", "no_answer": f"v{k}"},
        ),
        f"v{k}": Node(f"v{k}", "voicemail", {"box": box}, {"next": f"b{k}"}),
        f"b{k}": Node(f"b{k}", "hangup", {"goodbye": {"text": "Goodbye."}}),
        f"x{k}": Node(f"x{k}", "fax", {"box": f"fax-{k % 10}"}, {"next": f"b{k}"}),
    }


def build_flow(size: int) -> Flow:
    """A flow of about `size` nodes: a tree of departments, three sub-departments each."""
    count = max(1, round(size / UNIT))
    nodes: dict[str, Node] = {}
    for k in range(count):
        parent = (k - 1) // 3 if k else None
        children = [c for c in (3 * k + 1, 3 * k + 2, 3 * k + 3) if c < count]
        nodes.update(_department(k, parent, children))
    layout = {node_id: Position(i % 100 * 180, i // 100 * 120) for i, node_id in enumerate(nodes)}
    return Flow(name=f"bench-{size}", entry="h0", nodes=nodes, layout=layout)


def baseline(flow: Flow) -> int:
    """A plain networkx graph of the flow and one walk over it: the floor validation sits on.

    Run with the garbage collector paused, as validation runs, so the ratio compares
    like with like.
    """
    gc.disable()
    try:
        return _walk(flow)
    finally:
        gc.enable()


def _walk(flow: Flow) -> int:
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((node_id, {"type": node.type}) for node_id, node in flow.nodes.items())
    graph.add_edges_from(
        (node_id, target, port)
        for node_id, node in flow.nodes.items()
        for port, target in node.ports.items()
    )
    return len(nx.descendants(graph, flow.entry))


# Wall time by default; `--clock cpu` counts only this process's CPU time, a steadier
# figure when other work shares the machine.
clock: Callable[[], float] = time.perf_counter


def timed(run: Callable[[], Any], prepare: Callable[[], Any] | None = None) -> float:
    if prepare is not None:
        prepare()
    gc.collect()
    start = clock()
    run()
    return clock() - start


def render_step_time(flow: Flow, runs: int) -> float:
    ctx = RenderContext(now=datetime(2026, 12, 21, 9, 0, tzinfo=UTC), flow=flow.name)
    render(flow, "m0", ctx)  # warm the per-node property cache, as a serving worker would
    start = clock()
    for _ in range(runs):
        render(flow, "m0", ctx)
    return (clock() - start) / runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--render-runs", type=int, default=2000)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args(argv)
    global clock
    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    flows = [build_flow(int(size)) for size in args.sizes.split(",")]
    for flow in flows:
        findings = validate(flow)
        if findings:
            print(f"benchmark flow is not clean: {findings[:3]}", file=sys.stderr)
            return 2
    # cold: every node's properties loaded afresh, as for a new file (the old memo is
    # dropped before the clock starts: a new process has none to drop).
    kinds: dict[str, tuple[Callable[[Flow], Any], Callable[[], Any] | None]] = {
        "cold": (validate, clear_cache),
        "warm": (validate, None),
        "base": (baseline, None),
    }
    load_before = os.getloadavg()
    best: dict[str, dict[int, float]] = {kind: {} for kind in kinds}
    # Rounds interleave the sizes, so a busy moment on the machine hits all of them alike.
    for _ in range(args.repeat):
        for flow in flows:
            n = len(flow.nodes)
            for kind, (run, prepare) in kinds.items():
                took = timed(functools.partial(run, flow), prepare)
                best[kind][n] = min(best[kind].get(n, took), took)
    cold, warm, base = best["cold"], best["warm"], best["base"]

    print(
        f"{'nodes':>6} {'edges':>6} {'cold ms':>8} {'warm ms':>8} {'base ms':>8} "
        f"{'cold/base':>9} {'warm/base':>9} {'step µs':>8}"
    )
    step = {}
    for flow in flows:
        n = len(flow.nodes)
        edges = sum(len(node.ports) for node in flow.nodes.values())
        step[n] = render_step_time(flow, args.render_runs)
        print(
            f"{n:>6} {edges:>6} {cold[n] * 1e3:>8.1f} {warm[n] * 1e3:>8.1f} {base[n] * 1e3:>8.1f} "
            f"{cold[n] / base[n]:>9.1f} {warm[n] / base[n]:>9.1f} {step[n] * 1e6:>8.1f}"
        )

    big = max(cold)
    lines = [
        f"largest flow ({big} nodes): cold {cold[big] * 1e3:.0f} ms, warm {warm[big] * 1e3:.0f} ms"
        f" (target < 500 ms: {'met' if cold[big] < 0.5 else 'MISSED'} cold,"
        f" {'met' if warm[big] < 0.5 else 'MISSED'} warm)"
    ]
    small = [n for n in cold if n * 5 <= big]
    if small:
        ref = max(small)
        ratios = cold[big] / cold[ref], warm[big] / warm[ref]
        lines.append(
            f"growth t({big})/t({ref}): cold {ratios[0]:.1f}, warm {ratios[1]:.1f}"
            f" (target < 15: {'met' if max(ratios) < 15 else 'MISSED'});"
            f" baseline's own growth {base[big] / base[ref]:.1f}"
        )
    slowest = max(step.values())
    lines.append(
        f"one render step: {slowest * 1e6:.0f} µs (target < 1 ms: "
        f"{'met' if slowest < 0.001 else 'MISSED'})"
    )
    load_after = os.getloadavg()
    lines.append(
        f"{args.clock} clock; machine load (1-min average, {os.cpu_count()} CPUs): "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print("\n".join(lines))
    print(
        "cold = properties loaded afresh (new file, CLI); warm = loads memoised from an "
        "earlier run (the editor revalidating on each keystroke); base = networkx graph "
        "build + one walk of the same flow; best of --repeat interleaved rounds; "
        "step = mean runtime.render of one menu step"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
