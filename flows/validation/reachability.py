"""Rules about which nodes a call can reach."""

from __future__ import annotations

import networkx as nx

from flows.findings import Finding, Severity

__all__ = ["reachable_from_entry", "unreachable_nodes"]


def reachable_from_entry(graph: nx.MultiDiGraph) -> set[str]:
    """The entry and every node some path of ports leads to from it (linear BFS).

    >>> from flows.model import Flow, Node
    >>> from flows.validation.graph import build_graph
    >>> nodes = {"a": Node("a", "x", ports={"n": "b"}), "b": Node("b", "x"), "c": Node("c", "x")}
    >>> sorted(reachable_from_entry(build_graph(Flow("f", "a", nodes))))
    ['a', 'b']
    """
    entry = graph.graph.get("entry")
    if not isinstance(entry, str) or entry not in graph:
        return set()
    # Breadth-first over the adjacency itself: lighter than `descendants`' edge by edge.
    return set(nx.single_source_shortest_path_length(graph, entry))


def unreachable_nodes(graph: nx.MultiDiGraph) -> list[Finding]:
    """Nodes no call can reach from the entry (a warning: maybe work in progress).

    Skipped when the entry itself is missing, which is reported on its own.

    >>> from flows.model import Flow, Node
    >>> from flows.validation.graph import build_graph
    >>> nodes = {"a": Node("a", "x"), "b": Node("b", "x")}
    >>> [(f.code, f.node) for f in unreachable_nodes(build_graph(Flow("f", "a", nodes)))]
    [('node.unreachable', 'b')]
    """
    entry = graph.graph.get("entry")
    if not isinstance(entry, str) or entry not in graph:
        return []
    reached = reachable_from_entry(graph)
    return [
        Finding(
            Severity.WARNING,
            "node.unreachable",
            f'node "{node_id}" cannot be reached from the entry "{entry}"',
            node=str(node_id),
        )
        for node_id in graph
        if node_id not in reached
    ]
