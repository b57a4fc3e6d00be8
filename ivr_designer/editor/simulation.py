"""Simulated calls for the editor: the same engine as the runtime, on an unsaved
document, the draft or a published version, or as a call to one of the org's numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.errors import FlowError
from flows.model import Flow as FlowDocument
from flows.simulator import simulate
from ivr_designer.actor import Actor
from ivr_designer.callflows.documents import parse_document
from ivr_designer.callflows.operations import get_flow, parse_submitted
from ivr_designer.callflows.publishing import _document
from ivr_designer.errors import Conflict, Invalid
from ivr_designer.models import Flow, FlowVersion, Organisation
from ivr_designer.numbers.operations import get_number


def _other_flows(session: Session, flow: Flow) -> dict[str, FlowDocument]:
    """The org's other live flows, so a ``goto_flow`` continues as a real call would."""
    rows = session.execute(
        select(Flow.name, FlowVersion.document)
        .join(FlowVersion, FlowVersion.id == Flow.published_version_id)
        .where(Flow.org_id == flow.org_id, Flow.id != flow.id)
    ).all()
    return {name: parse_document(document) for name, document in rows}


def simulate_flow(
    session: Session,
    actor: Actor,
    flow_id: int,
    *,
    at: dt.datetime,
    document: dict[str, Any] | None = None,
    version: str = "draft",
    caller: str = "+4512345678",
    digits: Sequence[str] = (),
    outcomes: Sequence[str] = (),
) -> dict[str, Any]:
    """The trace of one scripted call; ``at`` is local time in the org's time zone."""
    flow = get_flow(session, actor, flow_id)
    if document is not None:
        candidate = dataclasses.replace(parse_submitted(document), name=flow.name)
    else:
        candidate = parse_document(_document(session, flow, version))
    return _run(session, flow, candidate, at, caller, digits, outcomes)


def simulate_number(
    session: Session,
    actor: Actor,
    number_id: int,
    *,
    at: dt.datetime,
    caller: str = "+4512345678",
    digits: Sequence[str] = (),
    outcomes: Sequence[str] = (),
) -> dict[str, Any]:
    """A scripted call to one of the org's numbers: like the runtime, it enters the
    published version of the number's voice flow (409 when there is none)."""
    number = get_number(session, actor, number_id)
    flow = number.voice_flow
    live = flow.published_version if flow is not None else None
    if flow is None or live is None:
        problem = f"number {number.e164} has no published voice flow"
        raise Conflict(problem, {"number_id": [problem]})
    trace = _run(session, flow, parse_document(live.document), at, caller, digits, outcomes)
    return {
        **trace,
        "called": number.e164,
        "number_id": number.id,
        "flow_id": flow.id,
        "flow_name": flow.name,
        "version": live.number,
    }


def _run(
    session: Session,
    flow: Flow,
    candidate: FlowDocument,
    at: dt.datetime,
    caller: str,
    digits: Sequence[str],
    outcomes: Sequence[str],
) -> dict[str, Any]:
    """Simulate ``candidate`` as ``flow``, with the org's other live flows for goto_flow."""
    org = session.get(Organisation, flow.org_id)
    timezone = org.time_zone if org is not None else "Europe/Copenhagen"
    language = org.language if org is not None else "da"
    flows = _other_flows(session, flow)
    flows[flow.name] = candidate
    try:
        trace = simulate(
            flows,
            flow.name,
            at=at,
            caller=caller,
            digits=digits,
            outcomes=outcomes,
            timezone=timezone,
            language=language,
        )
    except FlowError as exc:
        raise Invalid(f"the call cannot be simulated: {exc}", {"document": [str(exc)]}) from None
    return {**trace.to_dict(), "timezone": timezone}
