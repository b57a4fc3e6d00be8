"""Answering voice webhooks: run the pinned flow version and keep the call's trace.

Plain arguments in (session, the number's route, provider parameters, per-call
state), TwiML out; the view only verifies, parses and sends. Errors propagate to the
view's guard, which answers with the fallback.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from flows.errors import InvalidStep
from flows.runtime import Next, RenderResult, render_step, respond_step, wait_step
from ivr_designer.calls.operations import (
    CallHandle,
    StepRecord,
    open_call,
    record_steps,
    set_outcome,
)
from ivr_designer.hooks.context import HookEnv, context_for, pin
from ivr_designer.hooks.lookup import Route
from ivr_designer.hooks.media_callbacks import fax_node
from ivr_designer.hooks.transactions import begin_writes

__all__ = ["incoming", "node_result", "node_step", "node_wait"]


def _call(
    session: Session,
    route: Route,
    env: HookEnv,
    params: Mapping[str, str],
    version_id: int | None,
    *,
    new: bool = False,
) -> CallHandle | None:
    call_sid = str(params.get("CallSid", "")).strip()
    if not call_sid:
        return None
    return open_call(
        session,
        org_id=route.org_id,
        number_id=route.number_id,
        call_sid=call_sid,
        caller=str(params.get("From", "")),
        called=str(params.get("To", "")),
        flow_version_id=version_id,
        now=env.now,
        new=new,
    )


def _visits(result: RenderResult) -> list[StepRecord]:
    records = [StepRecord(v.flow, v.node, v.type, port=v.port) for v in result.visits]
    if records and result.ended is not None:
        last = records[-1]
        records[-1] = StepRecord(
            last.flow_name, last.node_id, last.node_type, port=last.port, ended=result.ended
        )
    return records


def _trace(
    session: Session,
    route: Route,
    env: HookEnv,
    handle: CallHandle | None,
    steps: Sequence[StepRecord],
    started: float,
) -> None:
    if handle is None or not steps:
        return
    elapsed = int((time.perf_counter() - started) * 1000)
    record_steps(session, route.org_id, handle, steps, now=env.now, duration_ms=elapsed)


def incoming(session: Session, route: Route, env: HookEnv, params: Mapping[str, str]) -> str:
    """``POST /hooks/voice``: a new call starts at the entry of the number's published flow."""
    if route.published_version_id is None:
        raise InvalidStep("entry", f"number {route.e164} has no published voice flow")
    return _render(session, route, env, route.published_version_id, None, params, {}, new=True)


def node_step(
    session: Session,
    route: Route,
    env: HookEnv,
    version_id: int,
    node: str,
    params: Mapping[str, str],
    state: Mapping[str, str],
) -> str:
    """A step URL (Redirect target): render ``node`` of the pinned version."""
    return _render(session, route, env, version_id, node, params, state, new=False)


def _render(
    session: Session,
    route: Route,
    env: HookEnv,
    version_id: int,
    node: str | None,
    params: Mapping[str, str],
    state: Mapping[str, str],
    *,
    new: bool,
) -> str:
    """Render ``node`` (None: the entry) of the pinned version, then record the call and trace."""
    started = time.perf_counter()
    pinned = pin(session, route, env, version_id)
    flow = pinned.loaded.flow
    ctx = context_for(session, route, env, pinned, params, state)
    result = render_step(flow, flow.entry if node is None else node, ctx)
    begin_writes(session, relaxed=True)
    handle = _call(session, route, env, params, pinned.loaded.id, new=new)
    _trace(session, route, env, handle, _visits(result), started)
    return result.twiml


def _outcome(node_type: str, step: Next) -> str | None:
    if node_type == "voicemail" and step.input == "recorded":
        return "voicemail"
    if node_type == "fax" and step.input == "received":
        return "fax"
    if step.port == "answered":
        return "answered"
    return None


def node_result(
    session: Session,
    route: Route,
    env: HookEnv,
    version_id: int,
    node: str,
    params: Mapping[str, str],
    state: Mapping[str, str],
) -> str:
    """A result URL: take the transition and answer with the next node's TwiML at once."""
    started = time.perf_counter()
    pinned = pin(session, route, env, version_id)
    flow = pinned.loaded.flow
    ctx = context_for(session, route, env, pinned, params, state)
    step, result = respond_step(flow, node, params, ctx)
    node_type = flow.nodes[node].type
    taken = StepRecord(
        flow.name,
        node,
        node_type,
        input=step.input,
        port=step.port,
        ended=step.ended if step.node is None else None,
    )
    if node_type == "fax":  # downloads first, then writes durably
        fax_node(session, route, env, params, str(flow.nodes[node].props.get("box")))
    begin_writes(session, relaxed=True)
    handle = _call(session, route, env, params, version_id)
    _trace(
        session,
        route,
        env,
        handle,
        [taken, *_visits(result)] if step.node is not None else [taken],
        started,
    )
    outcome = _outcome(node_type, step)
    if outcome is not None and handle is not None:
        set_outcome(session, handle.id, outcome)
    return result.twiml


def node_wait(
    session: Session,
    route: Route,
    env: HookEnv,
    version_id: int,
    node: str,
    params: Mapping[str, str],
    state: Mapping[str, str],
) -> str:
    """A queue's wait URL: announcements, hold music, or leaving for the overflow."""
    pinned = pin(session, route, env, version_id)
    ctx = context_for(session, route, env, pinned, params, state)
    return wait_step(pinned.loaded.flow, node, params, ctx).twiml
