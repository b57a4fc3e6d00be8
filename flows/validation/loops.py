"""Rules about cycles a call can go round for ever.

Both rules are linear in the size of the flow: they look at strongly connected
components of a filtered graph instead of enumerating cycles (a 10,000-node flow can
hold more simple cycles than there are atoms to count them with).

Only nodes whose type and properties are valid, and ports the node really has, take
part: a broken node is reported by the structure rules, and the runtime never follows
a port a node does not have.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from flows.findings import Finding, Severity
from flows.nodes.base import Waits

__all__ = ["endless_redirects", "unbounded_loops"]

_SHOWN = 8  # nodes of a cycle named in a message


_PEEL_ROUNDS = 3


def _cyclic_components(
    graph: nx.MultiDiGraph,
    keep_node: Callable[[dict[str, Any]], bool],
    with_choices: bool,
) -> tuple[nx.DiGraph, list[set[str]]]:
    """The subgraph of kept nodes and their edges (choice ports only `with_choices`),
    and its components that hold a cycle.

    Nodes with no kept edge in or no kept edge out cannot lie on a cycle; peeling a few
    rounds of them first leaves the component search a small graph to work on.
    """
    rows = [
        (n, data)
        for n, data in graph.nodes(data=True)
        if data["props"] is not None and keep_node(data)
    ]
    kept = {n for n, _ in rows}
    edges = []
    for u, data in rows:
        ports = data["ports"]
        if not ports:
            continue
        for name, v in data["wired"]:
            port = ports.get(name)
            if (
                port is not None
                and (with_choices or not port.choice)
                and isinstance(v, str)
                and v in kept
            ):
                edges.append((u, v))
    for _ in range(_PEEL_ROUNDS):
        sources = {u for u, _ in edges}
        targets = {v for _, v in edges}
        peeled = [(u, v) for u, v in edges if u in targets and v in sources]
        if len(peeled) == len(edges):
            break
        edges = peeled
    sub = nx.DiGraph(edges)
    found = [
        component
        for component in nx.strongly_connected_components(sub)
        if len(component) > 1 or sub.has_edge(*(2 * [next(iter(component))]))
    ]
    found.sort(key=min)
    return sub, found


def _one_cycle(sub: nx.DiGraph, component: set[str], start: str | None = None) -> list[str]:
    """A shortest cycle through `start` (default: the component's smallest id)."""
    start = min(component) if start is None else start
    if sub.has_edge(start, start):
        return [start, start]
    view = sub.subgraph(component)
    after = min(view.successors(start))
    return [start, *nx.shortest_path(view, after, start)]


def _describe(cycle: list[str]) -> str:
    shown = cycle if len(cycle) <= _SHOWN + 1 else [*cycle[:_SHOWN], "…", cycle[-1]]
    return " → ".join(shown)


def _ports_on(graph: nx.MultiDiGraph, cycle: list[str]) -> Iterable[str]:
    for u, v in itertools.pairwise(cycle):
        for key, data in graph.get_edge_data(u, v, default={}).items():
            if data["known"] and not data["choice"]:
                yield key
                break


def endless_redirects(graph: nx.MultiDiGraph) -> list[Finding]:
    """A cycle of nodes none of which waits for the caller or the provider.

    The provider would be redirected round it until it gives up. One finding per
    strongly connected component, on its smallest node id.

    >>> from flows.model import Flow, Node
    >>> from flows.validation.graph import build_graph
    >>> g = build_graph(Flow("f", "a", {"a": Node("a", "x", ports={"n": "a"})}))
    >>> endless_redirects(g)  # unknown types take no part
    []
    """

    sub, components = _cyclic_components(
        graph, lambda data: data["kind"].waits == Waits.NOTHING, with_choices=True
    )
    findings = []
    for component in components:
        cycle = _one_cycle(sub, component)
        findings.append(
            Finding(
                Severity.ERROR,
                "loop.no_wait",
                f"endless redirect: {_describe(cycle)} never waits for the caller or the provider",
                node=cycle[0],
            )
        )
    return findings


def unbounded_loops(graph: nx.MultiDiGraph) -> list[Finding]:
    """A cycle that can be travelled again and again without the caller choosing.

    Every edge on it is a non-choice port (timeout, no answer, overflow, next), e.g. a
    menu whose timeout leads back to itself or a ring group whose no-answer rings it
    again: nothing bounds the repeats. Cycles made only of pass-through nodes are left
    to `endless_redirects`.
    """

    def waits(node_id: str) -> bool:
        return graph.nodes[node_id]["kind"].waits in (Waits.CALLER, Waits.PROVIDER)

    sub, components = _cyclic_components(graph, lambda data: True, with_choices=False)
    findings = []
    for component in components:
        waiting = sorted(n for n in component if waits(n))
        if not waiting:
            continue
        cycle = _one_cycle(sub, component, waiting[0])
        ports = sorted(set(_ports_on(graph, cycle)))
        findings.append(
            Finding(
                Severity.ERROR,
                "loop.unbounded",
                f"{_describe(cycle)} can repeat for ever without a caller choice "
                f"(via {', '.join(ports)})",
                node=cycle[0],
            )
        )
    return findings
