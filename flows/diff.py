"""Semantic diff of two versions of a flow: what a reviewer needs to know changed.

Nodes added, removed or changed (type, each property by dotted path), ports rewired,
entry/name/description changes, and layout moves reported apart (a moved box is not a
logic change).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.model import Flow

__all__ = [
    "FieldChange",
    "FlowDiff",
    "NodeChange",
    "PortChange",
    "diff_flows",
    "format_diff",
]

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One property (dotted path) added, removed or changed; `old`/`new` are None when absent."""

    path: str
    change: str  # "added" | "removed" | "changed"
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "change": self.change}
        if self.change != ADDED:
            data["old"] = self.old
        if self.change != REMOVED:
            data["new"] = self.new
        return data


@dataclass(frozen=True)
class PortChange:
    """A port wired for the first time, unwired, or rewired to another target."""

    node: str
    port: str
    change: str  # "added" | "removed" | "changed"
    old: str | None = None
    new: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "port": self.port,
            "change": self.change,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class NodeChange:
    node: str
    old_type: str
    new_type: str
    props: tuple[FieldChange, ...] = ()

    @property
    def type_changed(self) -> bool:
        return self.old_type != self.new_type

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"node": self.node, "props": [p.to_dict() for p in self.props]}
        if self.type_changed:
            data["type"] = {"old": self.old_type, "new": self.new_type}
        else:
            data["type"] = self.new_type
        return data


@dataclass(frozen=True)
class FlowDiff:
    flow: tuple[FieldChange, ...] = ()  # name, entry, description
    added: tuple[tuple[str, str], ...] = ()  # (node id, type)
    removed: tuple[tuple[str, str], ...] = ()
    changed: tuple[NodeChange, ...] = ()
    ports: tuple[PortChange, ...] = ()  # on nodes present in both versions
    layout: tuple[str, ...] = field(default=())  # nodes placed, moved or unplaced

    @property
    def logic_changed(self) -> bool:
        return bool(self.flow or self.added or self.removed or self.changed or self.ports)

    @property
    def empty(self) -> bool:
        return not (self.logic_changed or self.layout)

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": [c.to_dict() for c in self.flow],
            "nodes_added": [{"node": n, "type": t} for n, t in self.added],
            "nodes_removed": [{"node": n, "type": t} for n, t in self.removed],
            "nodes_changed": [c.to_dict() for c in self.changed],
            "ports": [c.to_dict() for c in self.ports],
            "layout_changed": list(self.layout),
            "logic_changed": self.logic_changed,
        }


_ABSENT = object()


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _value_changes(old: Any, new: Any, path: str) -> list[FieldChange]:
    if old is _ABSENT and new is _ABSENT:
        return []
    if old is _ABSENT:
        return [FieldChange(path, ADDED, new=new)]
    if new is _ABSENT:
        return [FieldChange(path, REMOVED, old=old)]
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        changes: list[FieldChange] = []
        for key in sorted(set(old) | set(new), key=str):
            changes += _value_changes(
                old.get(key, _ABSENT), new.get(key, _ABSENT), _join(path, key)
            )
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for i in range(max(len(old), len(new))):
            changes += _value_changes(
                old[i] if i < len(old) else _ABSENT,
                new[i] if i < len(new) else _ABSENT,
                _join(path, i),
            )
        return changes
    if type(old) is type(new) and old == new:
        return []
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if numbers and old == new:
        return []
    return [FieldChange(path, CHANGED, old=old, new=new)]


def _port_changes(node: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[PortChange]:
    changes = []
    for port in sorted(set(old) | set(new)):
        before, after = old.get(port), new.get(port)
        if before == after:
            continue
        kind = ADDED if before is None else REMOVED if after is None else CHANGED
        changes.append(PortChange(node, port, kind, before, after))
    return changes


def diff_flows(a: Flow, b: Flow) -> FlowDiff:
    """What changed from `a` to `b`.

    >>> from flows.model import Flow, Node
    >>> old = Flow("main", "m", {"m": Node("m", "play", {"text": "Hi"}, {"next": "x"})})
    >>> new = Flow("main", "m", {"m": Node("m", "play", {"text": "Hej"}, {"next": "y"})})
    >>> print(format_diff(diff_flows(old, new)))
    ~ node m (play): text: "Hi" → "Hej"
    ~ node m: port next: x → y
    """
    flow_changes = []
    for name in ("name", "entry", "description"):
        flow_changes += _value_changes(getattr(a, name), getattr(b, name), name)
    added = tuple((n, b.nodes[n].type) for n in sorted(set(b.nodes) - set(a.nodes)))
    removed = tuple((n, a.nodes[n].type) for n in sorted(set(a.nodes) - set(b.nodes)))
    changed = []
    ports: list[PortChange] = []
    for node_id in sorted(set(a.nodes) & set(b.nodes)):
        old, new = a.nodes[node_id], b.nodes[node_id]
        props = _value_changes(dict(old.props), dict(new.props), "")
        if props or old.type != new.type:
            changed.append(NodeChange(node_id, old.type, new.type, tuple(props)))
        ports += _port_changes(node_id, old.ports, new.ports)
    layout = tuple(
        n for n in sorted(set(a.layout) | set(b.layout)) if a.layout.get(n) != b.layout.get(n)
    )
    return FlowDiff(
        flow=tuple(flow_changes),
        added=added,
        removed=removed,
        changed=tuple(changed),
        ports=tuple(ports),
        layout=layout,
    )


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _field_line(change: FieldChange) -> str:
    if change.change == ADDED:
        return f"{change.path}: added {_show(change.new)}"
    if change.change == REMOVED:
        return f"{change.path}: removed (was {_show(change.old)})"
    return f"{change.path}: {_show(change.old)} → {_show(change.new)}"


def format_diff(diff: FlowDiff) -> str:
    """One line per change, `+` added, `-` removed, `~` changed; layout summarised last."""
    lines = [f"~ flow {_field_line(c)}" for c in diff.flow]
    lines += [f"+ node {n} ({t})" for n, t in diff.added]
    lines += [f"- node {n} ({t})" for n, t in diff.removed]
    for node in diff.changed:
        if node.type_changed:
            lines.append(f"~ node {node.node}: type {node.old_type} → {node.new_type}")
        lines += [f"~ node {node.node} ({node.new_type}): {_field_line(p)}" for p in node.props]
    for port in diff.ports:
        if port.change == ADDED:
            lines.append(f"~ node {port.node}: port {port.port} added → {port.new}")
        elif port.change == REMOVED:
            lines.append(f"~ node {port.node}: port {port.port} removed (was → {port.old})")
        else:
            lines.append(f"~ node {port.node}: port {port.port}: {port.old} → {port.new}")
    if diff.layout:
        shown = ", ".join(diff.layout[:10]) + (" …" if len(diff.layout) > 10 else "")
        lines.append(f"  layout only: {len(diff.layout)} node(s) moved ({shown})")
    return "\n".join(lines) if lines else "no changes"
