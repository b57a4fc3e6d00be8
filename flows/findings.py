"""Validation findings: what a rule reports about a flow."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # blocks publishing
    WARNING = "warning"  # shown, does not block


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # stable, machine-readable, e.g. "port.required_open"
    message: str  # for a human, names the node/port/field in words
    node: str | None = None
    port: str | None = None
    field: str | None = None  # property path inside the node, e.g. "timeout" or "members.0.number"
    flow: str | None = None  # set when validating several flows together

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Severity) else v) for k, v in asdict(self).items()}
