"""Creating flows, saving drafts, importing flow files, deleting flows.

The draft is stored in canonical form (``flow_to_dict``), and its ``name`` is the
flow's name: other flows' ``goto_flow`` nodes use it, so it never drifts from the row.
Saving needs the revision the editor started from; a stale one is a conflict, not a
silent overwrite. Writes flush only and are audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from flows.fileformat import FlowFormatError, load_flow
from flows.model import Flow as FlowDocument
from ivr_designer.actor import Actor
from ivr_designer.audit.record import changed_only, record, snapshot
from ivr_designer.callflows.access import list_filter, load, require_admin, target_org
from ivr_designer.callflows.documents import (
    canonical_document,
    document_sha256,
    empty_document,
    parse_document,
)
from ivr_designer.callflows.references import published_flows_referencing
from ivr_designer.errors import Conflict, Invalid
from ivr_designer.models import Flow, PhoneNumber

WHAT = "flows"


def flow_snapshot(flow: Flow) -> dict[str, Any]:
    """Audit view of a flow: the draft by its hash, not the whole document."""
    values = snapshot(flow)
    values.pop("draft", None)
    values["draft_sha256"] = document_sha256(flow.draft)
    return values


def parse_submitted(data: Any, field: str = "document") -> FlowDocument:
    """A document from a request; a structural problem is a 422 naming node and field."""
    try:
        return parse_document(data, filename="document")
    except FlowFormatError as exc:
        raise Invalid(f"not a valid flow document: {exc}", {field: [str(exc)]}) from None


def _check_name(document: FlowDocument, name: str) -> None:
    if document.name != name:
        raise Invalid(
            "the document names another flow",
            {
                "document": [
                    f'field "name": the document is for "{document.name}", this flow is '
                    f'"{name}" (flows are renamed by creating a new one)'
                ]
            },
        )


def _name_taken(session: Session, org_id: int, name: str) -> bool:
    count = session.execute(
        select(func.count()).select_from(Flow).where(Flow.org_id == org_id, Flow.name == name)
    ).scalar_one()
    return bool(count)


def list_flows(session: Session, actor: Actor, *, org_id: int | None = None) -> list[Flow]:
    require_admin(actor, WHAT)
    query = select(Flow).order_by(Flow.org_id, Flow.name)
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(Flow.org_id == org)
    return list(session.execute(query).scalars())


def get_flow(session: Session, actor: Actor, flow_id: int) -> Flow:
    require_admin(actor, WHAT)
    return load(session, Flow, flow_id, "flow")


def create_flow(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    document: dict[str, Any] | None = None,
    org_id: int | None = None,
    action: str = "create",
) -> Flow:
    """A new flow; its draft is ``document`` (whose name it takes) or an empty flow."""
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    if document is not None:
        parsed = parse_submitted(document)
        name = name or parsed.name
        _check_name(parsed, name)
        draft = canonical_document(parsed)
    elif name is None:
        raise Invalid("a flow needs a name", {"name": ["required without a document"]})
    else:
        draft = empty_document(name)
    if _name_taken(session, org, name):
        raise Conflict("a flow with this name exists", {"name": ["already taken"]})
    flow = Flow(
        org_id=org,
        name=name,
        description=draft.get("description", ""),
        draft=draft,
        draft_revision=1,
        updated_by_id=actor.user_id,
    )
    session.add(flow)
    session.flush()
    record(session, actor, action, flow, after=flow_snapshot(flow))
    return flow


def _save_draft(
    session: Session,
    actor: Actor,
    flow: Flow,
    parsed: FlowDocument,
    expected: int | None,
    action: str = "update",
) -> bool:
    """Store ``parsed`` as the draft if the revision still matches; False if unchanged."""
    _check_name(parsed, flow.name)
    draft = canonical_document(parsed)
    revision = flow.draft_revision if expected is None else expected
    if expected is not None and expected != flow.draft_revision:
        raise _stale(flow)
    if draft == flow.draft:
        return False
    before = flow_snapshot(flow)
    # The revision check and the write are one statement, so two concurrent saves of
    # the same revision cannot both win.
    result = session.execute(
        update(Flow)
        .where(Flow.id == flow.id, Flow.draft_revision == revision)
        .values(
            draft=draft,
            description=parsed.description,
            draft_revision=revision + 1,
            updated_by_id=actor.user_id,
        )
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise _stale(flow)
    session.refresh(flow)
    old, new = changed_only(before, flow_snapshot(flow))
    record(session, actor, action, flow, before=old, after=new)
    return True


def _stale(flow: Flow) -> Conflict:
    return Conflict(
        "the draft was saved by someone else meanwhile; reload it and apply your change again",
        {"draft_revision": [f"the draft is at revision {flow.draft_revision}"]},
    )


def update_draft(
    session: Session, actor: Actor, flow_id: int, document: Any, draft_revision: int
) -> Flow:
    """Replace the draft; ``draft_revision`` is the revision the editor started from."""
    flow = get_flow(session, actor, flow_id)
    _save_draft(session, actor, flow, parse_submitted(document), draft_revision)
    return flow


def _import_source(source: str | dict[str, Any]) -> FlowDocument:
    if isinstance(source, dict):
        return parse_submitted(source)
    try:
        return load_flow(source, filename="upload")
    except FlowFormatError as exc:
        raise Invalid(f"not a valid flow file: {exc}", {"text": [str(exc)]}) from None


def import_flow(
    session: Session, actor: Actor, source: str | dict[str, Any], *, org_id: int | None = None
) -> tuple[Flow, bool]:
    """Make a flow file the draft of the flow it names, creating that flow if needed.

    An import is a deliberate overwrite of the draft (no revision check); published
    versions are untouched. Returns the flow and whether it was created.
    """
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    parsed = _import_source(source)
    existing = session.execute(
        select(Flow).where(Flow.org_id == org, Flow.name == parsed.name)
    ).scalar_one_or_none()
    if existing is None:
        document = canonical_document(parsed)
        flow = create_flow(
            session, actor, document=document, org_id=org, name=parsed.name, action="import"
        )
        return flow, True
    _save_draft(session, actor, existing, parsed, None, action="import")
    return existing, False


def _numbers_routing_to(session: Session, flow: Flow) -> list[str]:
    return list(
        session.execute(
            select(PhoneNumber.e164)
            .where(PhoneNumber.org_id == flow.org_id, PhoneNumber.voice_flow_id == flow.id)
            .order_by(PhoneNumber.e164)
        ).scalars()
    )


def delete_flow(session: Session, actor: Actor, flow_id: int) -> None:
    """Delete a flow with its versions, unless a number or a live flow still uses it."""
    flow = get_flow(session, actor, flow_id)
    numbers = _numbers_routing_to(session, flow)
    if numbers:
        raise Conflict(
            f"the flow answers {', '.join(numbers)}; route the number(s) elsewhere first",
            {"numbers": numbers},
        )
    users = published_flows_referencing(
        session, flow.org_id, "flow", flow.name, except_flow_id=flow.id
    )
    if users:
        raise Conflict(
            f"the published version of {', '.join(users)} jumps to this flow; "
            "publish them without it first",
            {"flows": users},
        )
    record(session, actor, "delete", flow, before=flow_snapshot(flow))
    flow.published_version_id = None
    session.flush()
    session.delete(flow)
    session.flush()
