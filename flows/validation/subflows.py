"""Rules across several flows: sub-flow jumps (`goto_flow`) forming a cycle."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from flows.findings import Finding, Severity
from flows.validation.references import node_references

__all__ = ["flow_graph", "subflow_cycles"]


def flow_graph(graphs: Mapping[str, nx.MultiDiGraph]) -> nx.MultiDiGraph:
    """Flows as nodes, one edge per node that jumps to another flow of the set
    (key = the jumping node's id).

    >>> from flows.model import Flow
    >>> from flows.validation.graph import build_graph
    >>> sorted(flow_graph({"a": build_graph(Flow("a", "", {}))}).nodes)
    ['a']
    """
    flows = nx.MultiDiGraph()
    flows.add_nodes_from(graphs)
    for name, graph in graphs.items():
        for node_id, ref in node_references(graph):
            if ref.kind == "flow" and ref.id in graphs:
                flows.add_edge(name, ref.id, key=node_id)
    return flows


def subflow_cycles(graphs: Mapping[str, nx.MultiDiGraph]) -> dict[str, list[Finding]]:
    """Flows that jump to each other in a circle (A → B → A, or A → A).

    One error per jumping node that leads into the circle, reported in its own flow.
    """
    flows = flow_graph(graphs)
    found: dict[str, list[Finding]] = {name: [] for name in graphs}
    for component in nx.strongly_connected_components(flows):
        first = min(component)
        if len(component) == 1 and not flows.has_edge(first, first):
            continue
        circle = ", ".join(f'"{name}"' for name in sorted(component))
        for source, target, node_id in sorted(flows.edges(component, keys=True)):
            if target in component:
                found[source].append(
                    Finding(
                        Severity.ERROR,
                        "flow.subflow_cycle",
                        f'node "{node_id}" jumps to flow "{target}", and the flows '
                        f"{circle} jump to each other in a circle",
                        node=node_id,
                        flow=source,
                    )
                )
    return found
