"""Errors the flow engine raises at call time.

The web app turns any `FlowError` into the org's fallback TwiML; nothing else (no bare
KeyError or ValueError) should leave `flows.runtime` or `flows.simulator`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "FlowError",
    "FlowNotFound",
    "InvalidParams",
    "InvalidProperties",
    "InvalidStep",
    "NodeFailed",
    "NodeNotFound",
    "UnknownType",
]


class FlowError(Exception):
    """Base of every error the engine raises on purpose."""


class FlowNotFound(FlowError):
    def __init__(self, flow: str) -> None:
        super().__init__(f"no flow named {flow!r}")
        self.flow = flow


class NodeNotFound(FlowError):
    def __init__(self, flow: str, node: str) -> None:
        super().__init__(f"flow {flow!r} has no node {node!r}")
        self.flow = flow
        self.node = node


class UnknownType(FlowError):
    def __init__(self, node: str, type_name: str) -> None:
        super().__init__(f"node {node!r} has unknown type {type_name!r}")
        self.node = node
        self.type_name = type_name


class InvalidProperties(FlowError):
    """A node's properties fail its schema (a draft that should not have been published)."""

    def __init__(self, node: str, messages: Mapping[str, Any] | list[Any] | str) -> None:
        super().__init__(f"node {node!r} has invalid properties: {messages}")
        self.node = node
        self.messages = messages


class InvalidStep(FlowError):
    """The request does not fit the node (a result for a node that takes none, ...)."""

    def __init__(self, node: str, reason: str) -> None:
        super().__init__(f"node {node!r}: {reason}")
        self.node = node


class InvalidParams(FlowError):
    """Provider parameters or per-call state that cannot be used at all."""


class NodeFailed(FlowError):
    """A node type failed unexpectedly while rendering or taking a result (a bug)."""

    def __init__(self, node: str, cause: BaseException) -> None:
        super().__init__(f"node {node!r} failed: {cause!r}")
        self.node = node
        self.cause = cause
