"""Validation against the org's data, publishing, rollback, versions and diffs.

A published version is immutable and numbered per flow; calls pin the version they
started on. Rolling back publishes an old document again under a new number, so the
history only ever grows and "what answered at 14:02" stays answerable.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.diff import diff_flows, format_diff
from flows.findings import Finding
from flows.model import Flow as FlowDocument
from flows.validation import has_errors, validate_set
from ivr_designer.actor import Actor
from ivr_designer.audit.record import record
from ivr_designer.callflows.catalogue import build_catalogue
from ivr_designer.callflows.documents import (
    canonical_document,
    canonical_text,
    document_sha256,
    parse_document,
)
from ivr_designer.callflows.operations import get_flow, parse_submitted
from ivr_designer.errors import Conflict, Invalid, NotFound
from ivr_designer.models import Flow, FlowVersion, User

DRAFT = "draft"
# Flow names are free text; a download name keeps to characters every system accepts.
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
PUBLISHED = "published"


def findings_for(session: Session, flow: Flow, document: dict[str, Any]) -> list[Finding]:
    """The engine's findings for ``document`` as this flow, with the org's catalogue and
    the live versions of its other flows (for sub-flow cycles across flows)."""
    candidate = parse_document(document)
    others = session.execute(
        select(Flow.name, FlowVersion.document)
        .join(FlowVersion, FlowVersion.id == Flow.published_version_id)
        .where(Flow.org_id == flow.org_id, Flow.id != flow.id)
    ).all()
    flows: dict[str, FlowDocument] = {name: parse_document(doc) for name, doc in others}
    flows[flow.name] = candidate
    return validate_set(flows, build_catalogue(session, flow.org_id, flow.id))[flow.name]


def validate_flow(
    session: Session, actor: Actor, flow_id: int, document: dict[str, Any] | None = None
) -> list[Finding]:
    """Findings for the draft, or for an unsaved ``document`` the editor is showing."""
    flow = get_flow(session, actor, flow_id)
    if document is None:
        return findings_for(session, flow, flow.draft)
    parsed = dataclasses.replace(parse_submitted(document), name=flow.name)
    return findings_for(session, flow, canonical_document(parsed))


def _refuse_with_findings(findings: list[Finding]) -> Invalid:
    return Invalid(
        "the flow has errors; fix them before publishing",
        {"findings": [f.to_dict() for f in findings]},
    )


def _new_version(
    session: Session,
    actor: Actor,
    flow: Flow,
    document: dict[str, Any],
    message: str,
    audit: dict[str, Any] | None = None,
) -> FlowVersion:
    """Validate ``document`` as this flow and make it the next, live version.

    ``audit`` extends the entry (and makes it a rollback when it names the source).
    """
    findings = findings_for(session, flow, document)
    if has_errors(findings):
        raise _refuse_with_findings(findings)
    current = flow.published_version
    sha256 = document_sha256(document)
    if current is not None and current.sha256 == sha256:
        raise Conflict(
            f"version {current.number} already publishes exactly this document",
            {"published_version": [str(current.number)]},
        )
    last = session.execute(
        select(func.max(FlowVersion.number)).where(FlowVersion.flow_id == flow.id)
    ).scalar_one()
    version = FlowVersion(
        org_id=flow.org_id,
        flow_id=flow.id,
        number=(last or 0) + 1,
        document=document,
        message=message,
        author_id=actor.user_id,
        sha256=sha256,
    )
    session.add(version)
    session.flush()
    before = {"published_version": current.number if current is not None else None}
    flow.published_version_id = version.id
    session.flush()
    session.refresh(flow)
    after = {"published_version": version.number, "sha256": sha256, "message": message}
    action = "rollback" if audit else "publish"
    record(session, actor, action, flow, before=before, after={**after, **(audit or {})})
    return version


def publish(session: Session, actor: Actor, flow_id: int, message: str = "") -> FlowVersion:
    """Publish the draft as the next version; 422 with the findings if it has errors."""
    flow = get_flow(session, actor, flow_id)
    return _new_version(session, actor, flow, flow.draft, message)


def list_versions(session: Session, actor: Actor, flow_id: int) -> list[FlowVersion]:
    flow = get_flow(session, actor, flow_id)
    return list(
        session.execute(
            select(FlowVersion)
            .where(FlowVersion.flow_id == flow.id)
            .order_by(FlowVersion.number.desc())
        ).scalars()
    )


def with_author_names(session: Session, versions: Sequence[FlowVersion]) -> list[dict[str, Any]]:
    """The versions as dicts with ``author_name``, looked up now rather than stored, so a
    deleted author (``author_id`` set to NULL) leaves no name behind on the history."""
    ids = {v.author_id for v in versions if v.author_id is not None}
    names: dict[int, str] = {}
    if ids:
        # Past the tenant filter: a system administrator (no org) may have published here.
        # Only the authors of versions the caller could already load are looked up.
        rows = session.execute(
            select(User.id, User.name)
            .where(User.id.in_(sorted(ids)))
            .execution_options(skip_tenant_scope=True)
        )
        names = {user_id: name for user_id, name in rows}
    columns = [column.key for column in FlowVersion.__table__.columns]
    return [
        {
            **{key: getattr(version, key) for key in columns},
            "author_name": names.get(version.author_id) if version.author_id else None,
        }
        for version in versions
    ]


def _version(session: Session, flow: Flow, number: int) -> FlowVersion:
    version = session.execute(
        select(FlowVersion).where(FlowVersion.flow_id == flow.id, FlowVersion.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"version {number} not found")
    return version


def get_version(session: Session, actor: Actor, flow_id: int, number: int) -> FlowVersion:
    return _version(session, get_flow(session, actor, flow_id), number)


def rollback(session: Session, actor: Actor, flow_id: int, number: int) -> FlowVersion:
    """Publish version ``number``'s document again as a new version (the draft stays).

    It is validated against today's data: a box deleted since then blocks it.
    """
    flow = get_flow(session, actor, flow_id)
    old = _version(session, flow, number)
    return _new_version(
        session, actor, flow, old.document, f"Rollback to v{number}", {"rolled_back_to": number}
    )


def _document(session: Session, flow: Flow, which: str) -> dict[str, Any]:
    if which == DRAFT:
        return flow.draft
    if which == PUBLISHED:
        if flow.published_version is None:
            raise NotFound("the flow has no published version")
        return flow.published_version.document
    return _version(session, flow, int(which)).document


def diff(session: Session, actor: Actor, flow_id: int, old: str, new: str) -> dict[str, Any]:
    """Semantic diff between two of: a version number, ``draft``, ``published``."""
    flow = get_flow(session, actor, flow_id)
    a = parse_document(_document(session, flow, old))
    b = parse_document(_document(session, flow, new))
    changes = diff_flows(a, b)
    return {"from": old, "to": new, "changes": changes.to_dict(), "text": format_diff(changes)}


def export(session: Session, actor: Actor, flow_id: int, which: str) -> tuple[str, str]:
    """(file name, canonical flow file text) of the draft, the live or a numbered version."""
    flow = get_flow(session, actor, flow_id)
    text = canonical_text(_document(session, flow, which))
    suffix = "" if which == DRAFT else f"-v{_number(session, flow, which)}"
    return f"{_FILENAME_UNSAFE.sub('_', flow.name)}{suffix}.json", text


def _number(session: Session, flow: Flow, which: str) -> int:
    if which == PUBLISHED:
        assert flow.published_version is not None  # _document checked it
        return flow.published_version.number
    return int(which)
