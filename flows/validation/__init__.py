"""Validation of flows: one pure function per rule over the flow's networkx graph.

`validate` runs every rule on one flow; `validate_set` validates several flows of one
organisation together, adding the rules that span flows (sub-flow cycles). Neither
raises on any `Flow`: broken properties, unknown types and dangling ports all become
findings.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import networkx as nx

from flows.catalogue import Catalogue
from flows.findings import Finding, Severity
from flows.model import Flow
from flows.validation.graph import build_graph
from flows.validation.loops import endless_redirects, unbounded_loops
from flows.validation.reachability import unreachable_nodes
from flows.validation.references import (
    audio_problems,
    boxes_nobody_receives,
    missing_references,
    music_lines_exceeded,
)
from flows.validation.structure import (
    duplicate_ports,
    entry_point,
    node_checks,
    open_required_ports,
    ports_to_missing_nodes,
    schema_errors,
    unknown_node_types,
    unknown_ports,
)
from flows.validation.subflows import subflow_cycles

__all__ = [
    "CATALOGUE_RULES",
    "GRAPH_RULES",
    "build_graph",
    "has_errors",
    "sort_findings",
    "validate",
    "validate_graph",
    "validate_set",
]

GraphRule = Callable[[nx.MultiDiGraph], list[Finding]]
CatalogueRule = Callable[[nx.MultiDiGraph, Catalogue | None], list[Finding]]

GRAPH_RULES: tuple[GraphRule, ...] = (
    entry_point,
    unknown_node_types,
    schema_errors,
    ports_to_missing_nodes,
    unknown_ports,
    open_required_ports,
    duplicate_ports,
    unreachable_nodes,
    endless_redirects,
    unbounded_loops,
)
CATALOGUE_RULES: tuple[CatalogueRule, ...] = (
    node_checks,
    missing_references,
    audio_problems,
    music_lines_exceeded,
    boxes_nobody_receives,
)

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1}


def _key(f: Finding) -> tuple[str, int, str, str, str, str, str]:
    return (
        f.flow or "",
        _RANK.get(f.severity, 2),
        f.node or "",
        f.port or "",
        f.field or "",
        f.code,
        f.message,
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors before warnings, then by node, port, field, code: stable across runs."""
    return sorted(set(findings), key=_key)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == Severity.ERROR for f in findings)


def _guarded(name: str, run: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return list(run())
    except Exception as exc:  # a rule's bug must not hide the other rules' findings
        return [Finding(Severity.ERROR, "validation.rule_failed", f"rule {name} failed: {exc!r}")]


def validate_graph(graph: nx.MultiDiGraph, catalogue: Catalogue | None = None) -> list[Finding]:
    """Every single-flow rule on an already built graph, sorted."""
    findings: list[Finding] = []
    for rule in GRAPH_RULES:
        findings += _guarded(rule.__name__, lambda rule=rule: rule(graph))  # type: ignore[misc]
    for crule in CATALOGUE_RULES:
        findings += _guarded(
            crule.__name__,
            lambda crule=crule: crule(graph, catalogue),  # type: ignore[misc]
        )
    return sort_findings(findings)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building a graph of a large flow allocates tens of thousands of small objects, and
    the cyclic garbage collector would re-scan all of them many times over; validation
    makes no reference cycles that need freeing before it returns. Callers drop the
    graphs before leaving, so the collector's next pass finds little to walk."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate(flow: Flow, catalogue: Catalogue | None = None) -> list[Finding]:
    """All findings about one flow, errors first. References are checked only when a
    catalogue of the organisation's audio, boxes, numbers and flows is given; a jump
    into the flow itself counts as a sub-flow cycle (others need `validate_set`)."""
    with _collector_paused():
        return _validate(flow, catalogue)


def _validate(flow: Flow, catalogue: Catalogue | None) -> list[Finding]:
    # The graph dies when this returns, still inside `_collector_paused`: alive, its
    # objects would all be walked by the collector's first pass once it runs again.
    try:
        graph = build_graph(flow)
    except Exception as exc:
        return [Finding(Severity.ERROR, "validation.rule_failed", f"flow not readable: {exc!r}")]
    own = _guarded("subflow_cycles", lambda: subflow_cycles({flow.name: graph})[flow.name])
    return sort_findings(validate_graph(graph, catalogue) + own)


def validate_set(
    flows: Mapping[str, Flow], catalogue: Catalogue | None = None
) -> dict[str, list[Finding]]:
    """Findings per flow (keyed like `flows`), each carrying its flow name, including
    sub-flow cycles across the set. With a catalogue, flows of the set count as known
    sub-flow targets."""
    if catalogue is not None:
        catalogue = dataclasses.replace(catalogue, flows=catalogue.flows | frozenset(flows))
    with _collector_paused():
        return _validate_set(flows, catalogue)


def _validate_set(
    flows: Mapping[str, Flow], catalogue: Catalogue | None
) -> dict[str, list[Finding]]:
    graphs: dict[str, nx.MultiDiGraph] = {}
    result: dict[str, list[Finding]] = {}
    for name, flow in flows.items():
        try:
            graphs[name] = build_graph(flow)
        except Exception as exc:
            result[name] = [
                Finding(Severity.ERROR, "validation.rule_failed", f"flow not readable: {exc!r}")
            ]
            continue
        result[name] = validate_graph(graphs[name], catalogue)
    across: list[Finding] = []
    try:
        cycles = subflow_cycles(graphs)
    except Exception as exc:
        cycles = {}
        across = [
            Finding(
                Severity.ERROR, "validation.rule_failed", f"rule subflow_cycles failed: {exc!r}"
            )
        ]
    for name in flows:
        found = result[name] + cycles.get(name, []) + across
        result[name] = sort_findings(
            [dataclasses.replace(f, flow=name) if f.flow != name else f for f in found]
        )
    return result
