"""Flow documents as the app stores them: canonical dict, canonical text, hash.

Drafts and versions hold ``flows.fileformat.flow_to_dict`` output, so what is stored
is always the canonical form and the hash of a version is the hash of the file an
export would produce.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flows.fileformat import dump_flow, flow_from_dict, flow_to_dict
from flows.model import FORMAT_VERSION, Flow


def empty_document(name: str, description: str = "") -> dict[str, Any]:
    """The draft of a new flow: no nodes yet (validation will say what is missing)."""
    return flow_to_dict(Flow(name=name, entry="", nodes={}, description=description))


def parse_document(data: Any, filename: str | None = None) -> Flow:
    """A stored or submitted document as a flow; ``FlowFormatError`` when malformed."""
    return flow_from_dict(data, filename=filename)


def canonical_document(flow: Flow) -> dict[str, Any]:
    return flow_to_dict(flow)


def canonical_text(document: dict[str, Any]) -> str:
    """The flow file text (what export returns and what ``sha256`` covers)."""
    return dump_flow(flow_from_dict(document))


def document_sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_text(document).encode("utf-8")).hexdigest()


__all__ = [
    "FORMAT_VERSION",
    "canonical_document",
    "canonical_text",
    "document_sha256",
    "empty_document",
    "parse_document",
]
