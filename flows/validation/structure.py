"""Rules about the flow's shape: entry, node types, properties, ports.

Each rule is a pure function of the graph built by `flows.validation.build_graph`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import networkx as nx

from flows.catalogue import Catalogue
from flows.findings import Finding, Severity
from flows.validation.graph import schema_messages

__all__ = [
    "duplicate_ports",
    "entry_point",
    "node_checks",
    "open_required_ports",
    "ports_to_missing_nodes",
    "schema_errors",
    "unknown_node_types",
    "unknown_ports",
]

ERROR = Severity.ERROR


def entry_point(graph: nx.MultiDiGraph) -> list[Finding]:
    """The flow must name exactly one entry, and it must be one of its nodes.

    >>> from flows.model import Flow
    >>> from flows.validation.graph import build_graph
    >>> [f.code for f in entry_point(build_graph(Flow("f", "", {})))]
    ['flow.entry_missing']
    """
    entry = graph.graph.get("entry")
    if not entry or not isinstance(entry, str):
        return [Finding(ERROR, "flow.entry_missing", "the flow has no entry node")]
    if entry not in graph:
        return [
            Finding(
                ERROR,
                "flow.entry_unknown",
                f'the entry "{entry}" is not a node of the flow',
                field="entry",
            )
        ]
    return []


def unknown_node_types(graph: nx.MultiDiGraph) -> list[Finding]:
    """Every node's type must be one the registry knows.

    >>> from flows.model import Flow, Node
    >>> from flows.validation.graph import build_graph
    >>> [f.code for f in unknown_node_types(build_graph(Flow("f", "a", {"a": Node("a", "x")})))]
    ['node.type_unknown']
    """
    return [
        Finding(
            ERROR,
            "node.type_unknown",
            f'node "{node_id}" has unknown type {data["type"]!r}',
            node=str(node_id),
            field="type",
        )
        for node_id, data in graph.nodes(data=True)
        if data["kind"] is None
    ]


def schema_errors(graph: nx.MultiDiGraph) -> list[Finding]:
    """Properties that do not fit the node type's schema: one finding per field.

    `field` is the dotted path of the property (`options.0.digit`).

    >>> from flows.model import Flow, Node
    >>> from flows.validation.graph import build_graph
    >>> g = build_graph(Flow("f", "a", {"a": Node("a", "hangup", props={"bogus": 1})}))
    >>> [(f.code, f.field) for f in schema_errors(g)]
    [('node.props_invalid', 'bogus')]
    """
    findings = []
    for node_id, data in graph.nodes(data=True):
        errors = data["schema_errors"]
        if errors is None:
            continue
        by_field: dict[str | None, list[str]] = {}
        for field, message in schema_messages(errors):
            by_field.setdefault(field, []).append(message)
        for field, messages in by_field.items():
            where = f'property "{field}"' if field else "properties"
            findings.append(
                Finding(
                    ERROR,
                    "node.props_invalid",
                    f'node "{node_id}" ({data["type"]}): {where}: {" ".join(messages)}',
                    node=str(node_id),
                    field=field,
                )
            )
    return findings


def node_checks(graph: nx.MultiDiGraph, catalogue: Catalogue | None = None) -> list[Finding]:
    """The node type's own rules (`NodeType.validate`) for every node whose properties load.

    A node type that raises is reported as `node.check_failed` instead of breaking
    validation.
    """
    findings: list[Finding] = []
    for node_id, data in graph.nodes(data=True):
        findings.extend(data["problems"])
        kind, props = data["kind"], data["props"]
        if kind is None or props is None:
            continue
        try:
            for finding in kind.validate(data["node"], props, catalogue):
                findings.append(
                    finding if finding.node else dataclasses.replace(finding, node=str(node_id))
                )
        except Exception as exc:
            findings.append(
                Finding(
                    ERROR,
                    "node.check_failed",
                    f'the checks of {data["type"]} node "{node_id}" failed ({exc!r})',
                    node=str(node_id),
                )
            )
    return findings


def ports_to_missing_nodes(graph: nx.MultiDiGraph) -> list[Finding]:
    """A port must lead to a node of the same flow.

    >>> from flows.model import Flow, Node
    >>> from flows.validation.graph import build_graph
    >>> g = build_graph(Flow("f", "a", {"a": Node("a", "x", ports={"next": "zz"})}))
    >>> [(f.code, f.port) for f in ports_to_missing_nodes(g)]
    [('port.target_missing', 'next')]
    """
    present = set(graph)
    return [
        Finding(
            ERROR,
            "port.target_missing",
            f'port "{port}" of node "{node_id}" leads to "{target}", which is not a node',
            node=str(node_id),
            port=port,
        )
        for node_id, data in graph.nodes(data=True)
        for port, target in data["wired"]
        if not isinstance(target, str) or target not in present
    ]


def unknown_ports(graph: nx.MultiDiGraph) -> list[Finding]:
    """A wired port must be one the node has (with its current properties).

    A menu with options 1 and 2 has no port "3": wiring it is an error, the caller
    pressing 3 hears the invalid-choice prompt instead.
    """
    findings = []
    for node_id, data in graph.nodes(data=True):
        ports = data["ports"]
        if ports is None:
            continue
        for port, _ in data["wired"]:
            if port not in ports:
                have = ", ".join(sorted(ports)) or "none"
                findings.append(
                    Finding(
                        ERROR,
                        "port.unknown",
                        f'{data["type"]} node "{node_id}" has no port "{port}" (ports: {have})',
                        node=str(node_id),
                        port=port,
                    )
                )
    return findings


def open_required_ports(graph: nx.MultiDiGraph) -> list[Finding]:
    """A required port (a menu option, ring group `no_answer`, ...) must be wired."""
    findings = []
    for node_id, data in graph.nodes(data=True):
        ports = data["ports"]
        if not ports:
            continue
        wired = {port for port, _ in data["wired"]}
        open_ports = [(n, p) for n, p in ports.items() if p.required and n not in wired]
        for name, port in sorted(open_ports) if len(open_ports) > 1 else open_ports:
            findings.append(
                Finding(
                    ERROR,
                    "port.required_open",
                    f'port "{name}" ({port.label}) of node "{node_id}" leads nowhere',
                    node=str(node_id),
                    port=name,
                )
            )
    return findings


def duplicate_ports(graph: nx.MultiDiGraph) -> list[Finding]:
    """A node must not offer the same port twice (e.g. two menu options on digit 1):
    the caller could never reach the second one."""
    findings = []
    for node_id, data in graph.nodes(data=True):
        port_list = data["port_list"]
        if data["ports"] is None or len(data["ports"]) == len(port_list):
            continue
        names = Counter(p.name for p in port_list)
        for name, count in sorted(names.items(), key=lambda item: str(item[0])):
            if count > 1:
                findings.append(
                    Finding(
                        ERROR,
                        "port.duplicate",
                        f'node "{node_id}" offers "{name}" {count} times; '
                        "only the first can be reached",
                        node=str(node_id),
                        port=str(name),
                    )
                )
    return findings
