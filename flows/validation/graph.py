"""The flow as a networkx graph, with each node's type and loaded properties attached.

`build_graph` does the per-node work once (type lookup, schema load, port list), so
every rule afterwards is a cheap pure function of the graph. It never raises: a node
whose type is unknown or whose properties do not load keeps `props=None`, and what went
wrong is kept on the node for the structure rules to report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx
from marshmallow import ValidationError

from flows import registry
from flows.findings import Finding, Severity
from flows.model import Flow, Node
from flows.nodes.base import NodeType, Port, Reference

__all__ = ["build_graph", "schema_messages"]


def _join(prefix: str | None, key: str | None) -> str | None:
    if key is None:
        return prefix
    return key if prefix is None else f"{prefix}.{key}"


def schema_messages(messages: Any, prefix: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Flatten marshmallow's nested error messages into (dotted field path, message).

    >>> list(schema_messages({"options": {0: {"digit": ["Not a digit."]}}, "_schema": ["Bad."]}))
    [('options.0.digit', 'Not a digit.'), (None, 'Bad.')]
    """
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from schema_messages(value, _join(prefix, None if key == "_schema" else str(key)))
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from schema_messages(item, prefix)
    else:
        yield prefix, str(messages)


class _Loader:
    """Loads node properties with one schema instance per type, and each distinct
    (type, properties) pair once per graph: building a marshmallow schema costs more
    than loading with it, and real flows repeat properties (hang-ups, transfers)."""

    def __init__(self) -> None:
        self._schemas: dict[str, Any] = {}
        self._seen: dict[tuple[str, str], tuple[dict[str, Any] | None, Any]] = {}

    def load(self, kind: NodeType, props: Any) -> tuple[dict[str, Any] | None, Any]:
        try:
            key = (kind.type, json.dumps(props, sort_keys=True, default=repr))
        except (TypeError, ValueError, RecursionError):
            return self._load(kind, props)
        if key not in self._seen:
            self._seen[key] = self._load(kind, props)
        return self._seen[key]

    def _load(self, kind: NodeType, props: Any) -> tuple[dict[str, Any] | None, Any]:
        if not isinstance(props, Mapping):
            return None, {"_schema": ["properties must be an object"]}
        try:
            if type(kind).load is NodeType.load:
                schema = self._schemas.get(kind.type)
                if schema is None:
                    schema = self._schemas[kind.type] = kind.schema()
                loaded: dict[str, Any] = schema.load(dict(props))
                return loaded, None
            return kind.load(props), None
        except ValidationError as exc:
            return None, exc.messages
        except Exception as exc:  # a node type's own bug must not break validation
            return None, {"_schema": [f"properties could not be checked ({exc!r})"]}


def _ports(
    kind: NodeType, node_id: str, props: Mapping[str, Any]
) -> tuple[list[Port], list[Finding]]:
    try:
        return list(kind.ports(props)), []
    except Exception as exc:
        return [], [
            Finding(
                Severity.ERROR,
                "node.check_failed",
                f'the ports of {kind.type} node "{node_id}" could not be worked out ({exc!r})',
                node=node_id,
            )
        ]


def _references(
    kind: NodeType, node_id: str, props: Mapping[str, Any]
) -> tuple[list[Reference], list[Finding]]:
    try:
        return [r for r in kind.references(props) if isinstance(r, Reference)], []
    except Exception as exc:
        return [], [
            Finding(
                Severity.ERROR,
                "node.check_failed",
                f'the references of {kind.type} node "{node_id}" could not be listed ({exc!r})',
                node=node_id,
            )
        ]


def build_graph(flow: Flow) -> nx.MultiDiGraph:
    """One graph node per flow node, one edge per wired port (key = port name).

    Node attributes: `type`, `props` (loaded, or None when the type is unknown or the
    properties do not load), `node` (the `Node`), `kind` (the `NodeType` or None),
    `schema_errors` (marshmallow messages or None), `ports` ({name: Port} or None when
    unknown), `port_list` (as the type declared them), `problems` (findings met while
    building), `references` (what the node points at outside the flow).
    Edge attributes: `choice` and `known` (None when the ports are unknown).
    Ports leading to ids that are not nodes get no edge; structure rules report them.

    >>> from flows.model import Flow, Node
    >>> g = build_graph(Flow("f", "a", {"a": Node("a", "nope", ports={"x": "a"})}))
    >>> list(g.edges(keys=True)), g.nodes["a"]["props"]
    ([('a', 'a', 'x')], None)
    """
    graph = nx.MultiDiGraph(flow=flow.name, entry=flow.entry)
    types = registry.all_types()
    loader = _Loader()
    ordered = sorted(flow.nodes.items(), key=lambda item: str(item[0]))
    for node_id, node in ordered:
        kind = types.get(node.type) if isinstance(node.type, str) else None
        props: dict[str, Any] | None = None
        errors: Any = None
        ports: dict[str, Port] | None = None
        port_list: list[Port] = []
        problems: list[Finding] = []
        references: list[Reference] = []
        if kind is not None:
            props, errors = loader.load(kind, node.props)
            if props is not None:
                port_list, port_trouble = _ports(kind, node_id, props)
                if not port_trouble:
                    ports = {p.name: p for p in port_list if isinstance(p, Port)}
                references, ref_trouble = _references(kind, node_id, props)
                problems = port_trouble + ref_trouble
        graph.add_node(
            node_id,
            type=node.type,
            props=props,
            node=node,
            kind=kind,
            schema_errors=errors,
            ports=ports,
            port_list=port_list,
            problems=problems,
            references=references,
        )
    for node_id, node in ordered:
        ports = graph.nodes[node_id]["ports"]
        for port_name, target in _wired(node):
            if not isinstance(target, str) or target not in flow.nodes:
                continue
            port = ports.get(port_name) if ports is not None else None
            graph.add_edge(
                node_id,
                target,
                key=port_name,
                choice=port.choice if port is not None else None,
                known=(port is not None) if ports is not None else None,
            )
    return graph


def _wired(node: Node) -> list[tuple[Any, Any]]:
    """The node's (port, target) pairs, tolerating a malformed `ports` value."""
    ports = node.ports
    if not isinstance(ports, Mapping):
        return []
    return sorted((name, target) for name, target in ports.items() if isinstance(name, str))
