"""The flow as a networkx graph, with each node's type and loaded properties attached.

`build_graph` does the per-node work once (type lookup, schema load, port list), so
every rule afterwards is a cheap pure function of the graph. It never raises: a node
whose type is unknown or whose properties do not load keeps `props=None`, and what went
wrong is kept on the node for the structure rules to report.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
from marshmallow import ValidationError

from flows import registry
from flows.findings import Finding, Severity
from flows.model import Flow, Node
from flows.nodes.base import NodeType, Port, Reference

__all__ = ["Loaded", "build_graph", "clear_cache", "evaluate", "schema_messages"]


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


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a node type makes of one set of properties (shared by equal nodes)."""

    props: dict[str, Any] | None
    schema_errors: Any = None
    port_list: tuple[Port, ...] = ()
    ports: Mapping[str, Port] | None = None
    references: tuple[Reference, ...] = ()
    port_error: str | None = None
    reference_error: str | None = None


_CACHE_LIMIT = 50_000
_cache: OrderedDict[tuple[int, str, str], Loaded] = OrderedDict()


def clear_cache() -> None:
    """Forget every memoised load (the benchmark's cold runs; tests)."""
    _cache.clear()


def _load_props(kind: NodeType, props: Mapping[str, Any]) -> dict[str, Any]:
    return kind.load(props)


def _evaluate(kind: NodeType, props: Any) -> Loaded:
    if not isinstance(props, Mapping):
        return Loaded(None, {"_schema": ["properties must be an object"]})
    try:
        loaded = _load_props(kind, props)
    except ValidationError as exc:
        return Loaded(None, exc.messages)
    except Exception as exc:  # a node type's own bug must not break validation
        return Loaded(None, {"_schema": [f"properties could not be checked ({exc!r})"]})
    port_list: tuple[Port, ...] = ()
    ports: dict[str, Port] | None = None
    port_error = reference_error = None
    try:
        port_list = tuple(p for p in kind.ports(loaded) if isinstance(p, Port))
        ports = {p.name: p for p in port_list}
    except Exception as exc:
        port_error = repr(exc)
    references: tuple[Reference, ...] = ()
    try:
        references = tuple(r for r in kind.references(loaded) if isinstance(r, Reference))
    except Exception as exc:
        reference_error = repr(exc)
    return Loaded(loaded, None, port_list, ports, references, port_error, reference_error)


def evaluate(kind: NodeType, props: Any) -> Loaded:
    """Load, ports and references of a node, memoised on (type, properties).

    Validation runs on every keystroke of the editor, and between two keystrokes all
    nodes but one are unchanged: the memo (bounded, least recently used first out)
    makes revalidation cost little more than building the graph.
    """
    try:
        key = (id(kind), kind.type, repr(props))  # repr tells 1, 1.0 and True apart
    except Exception:
        return _evaluate(kind, props)
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = _evaluate(kind, props)
        if len(_cache) > _CACHE_LIMIT:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return found


def _problems(kind: NodeType, node_id: str, loaded: Loaded) -> list[Finding]:
    problems = []
    if loaded.port_error is not None:
        problems.append(
            Finding(
                Severity.ERROR,
                "node.check_failed",
                f'the ports of {kind.type} node "{node_id}" could not be worked out '
                f"({loaded.port_error})",
                node=node_id,
            )
        )
    if loaded.reference_error is not None:
        problems.append(
            Finding(
                Severity.ERROR,
                "node.check_failed",
                f'the references of {kind.type} node "{node_id}" could not be listed '
                f"({loaded.reference_error})",
                node=node_id,
            )
        )
    return problems


_UNKNOWN = Loaded(None)


def build_graph(flow: Flow) -> nx.MultiDiGraph:
    """One graph node per flow node, one edge per wired port (key = port name).

    Node attributes: `type`, `props` (loaded, or None when the type is unknown or the
    properties do not load), `node` (the `Node`), `kind` (the `NodeType` or None),
    `schema_errors` (marshmallow messages or None), `ports` ({name: Port} or None when
    unknown), `port_list` (as the type declared them), `problems` (findings met while
    building), `references` (what the node points at outside the flow), `wired`
    (its sorted (port, target) pairs).
    Edge attributes: `choice` and `known` (None when the ports are unknown).
    Ports leading to ids that are not nodes get no edge; structure rules report them.

    >>> from flows.model import Flow, Node
    >>> g = build_graph(Flow("f", "a", {"a": Node("a", "nope", ports={"x": "a"})}))
    >>> list(g.edges(keys=True)), g.nodes["a"]["props"]
    ([('a', 'a', 'x')], None)
    """
    graph = nx.MultiDiGraph(flow=flow.name, entry=flow.entry)
    types = registry.all_types()
    try:
        ordered = sorted(flow.nodes.items())  # ids are unique: nodes are never compared
    except TypeError:  # ids that are not all strings (a hand-built Flow)
        ordered = sorted(flow.nodes.items(), key=lambda item: str(item[0]))
    graph.add_nodes_from([node_id for node_id, _ in ordered])
    nodes = flow.nodes
    add_edge = graph.add_edge
    # The attribute dicts networkx made for the nodes are filled in place (in the order
    # the nodes went in): cheaper than handing it dicts to copy.
    for (node_id, node), (_, data) in zip(ordered, graph.nodes(data=True), strict=True):
        type_name = node.type
        kind = types.get(type_name) if isinstance(type_name, str) else None
        loaded = _UNKNOWN if kind is None else evaluate(kind, node.props)
        wired = _wired(node)
        ports = loaded.ports
        data["type"] = type_name
        data["props"] = loaded.props
        data["node"] = node
        data["kind"] = kind
        data["schema_errors"] = loaded.schema_errors
        data["ports"] = ports
        data["port_list"] = loaded.port_list
        data["problems"] = (
            _problems(kind, node_id, loaded)
            if kind is not None and (loaded.port_error or loaded.reference_error)
            else []
        )
        data["references"] = loaded.references
        data["wired"] = wired
        for port_name, target in wired:
            if not isinstance(target, str) or target not in nodes:
                continue
            port = ports.get(port_name) if ports is not None else None
            add_edge(
                node_id,
                target,
                key=port_name,
                choice=port.choice if port is not None else None,
                known=(port is not None) if ports is not None else None,
            )
    return graph


def _wired(node: Node) -> list[tuple[Any, Any]]:
    """The node's (port, target) pairs by port name, tolerating a malformed `ports`."""
    ports = node.ports
    if not isinstance(ports, Mapping):
        return []
    return sorted([(name, target) for name, target in ports.items() if isinstance(name, str)])
