"""What published flows point at: boxes, numbers and other flows.

Read through the node-type registry (the graph's references), so no list of node
types is kept here. Used to refuse deleting what a live flow still needs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.validation.graph import build_graph
from flows.validation.references import node_references
from ivr_designer.callflows.documents import parse_document
from ivr_designer.models import Flow, FlowVersion


def document_references(document: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, id) pairs, e.g. ("voicemail_box", "vm-main") or ("flow", "support")."""
    graph = build_graph(parse_document(document))
    return {(ref.kind, ref.id) for _node, ref in node_references(graph)}


def published_flows_referencing(
    session: Session, org_id: int, kind: str, ref_id: str, *, except_flow_id: int | None = None
) -> list[str]:
    """Names of the org's flows whose live (published) version references ``ref_id``."""
    rows = session.execute(
        select(Flow.id, Flow.name, FlowVersion.document)
        .join(FlowVersion, FlowVersion.id == Flow.published_version_id)
        .where(Flow.org_id == org_id)
        .order_by(Flow.name)
    ).all()
    return [
        name
        for flow_id, name, document in rows
        if flow_id != except_flow_id and (kind, ref_id) in document_references(document)
    ]
