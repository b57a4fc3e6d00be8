"""The node-type registry: every module in `flows/nodes/` declares one node type.

Types are discovered by importing the modules of the `flows.nodes` package, so adding a
node type is adding one module; nothing else keeps a list of node types.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

import flows.nodes
from flows.nodes._editor import localise
from flows.nodes.base import NodeType

__all__ = ["UnknownNodeType", "all_types", "describe", "get"]


class UnknownNodeType(KeyError):
    pass


@cache
def _types() -> dict[str, NodeType]:
    found: dict[str, NodeType] = {}
    for info in sorted(pkgutil.iter_modules(flows.nodes.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"flows.nodes.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, NodeType)
                and value is not NodeType
                and value.__module__ == module.__name__
                and "type" in vars(value)
            ):
                if value.type in found:
                    raise RuntimeError(f"node type {value.type!r} declared twice")
                found[value.type] = value()
    return found


def get(type_name: str) -> NodeType:
    try:
        return _types()[type_name]
    except KeyError:
        raise UnknownNodeType(type_name) from None


def all_types() -> dict[str, NodeType]:
    return dict(_types())


def describe(lang: str = "en") -> list[dict[str, Any]]:
    """Every type's editor metadata (label, icon, ports, property schema), sorted by type,
    with its texts in ``lang`` (see flows.nodes._editor.LANGUAGES)."""
    return [localise(t.editor(), lang) for _, t in sorted(_types().items())]
