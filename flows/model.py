"""The in-memory shape of a call flow: plain, immutable data.

A `Flow` is what the flow file holds after structural parsing. Node properties are kept
as written (not yet checked against the node type's schema) so that a draft with schema
errors still loads and its problems are reported as validation findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Node:
    """One box on the canvas: its type, its properties and where each port leads."""

    id: str
    type: str
    props: Mapping[str, Any] = field(default_factory=dict)
    ports: Mapping[str, str] = field(default_factory=dict)  # port name -> target node id


@dataclass(frozen=True)
class Position:
    x: float
    y: float


@dataclass(frozen=True)
class Flow:
    """A named graph of nodes with one entry. `layout` is kept apart from the logic."""

    name: str
    entry: str
    nodes: Mapping[str, Node]
    layout: Mapping[str, Position] = field(default_factory=dict)
    description: str = ""
    version: int = FORMAT_VERSION
