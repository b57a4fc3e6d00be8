"""Offline call simulation: play a scripted call through a flow, without a provider.

The simulator drives the same `render_step`/`respond_step` the webhooks use. It reads
each produced TwiML document to see what it awaits (Gather, Dial, Enqueue, Record,
Receive), takes the state from that verb's action URL as the provider would, builds the
provider's result parameters from the script, and asks the runtime for the next
answer. No node logic lives here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.context import DEFAULT_LANGUAGE, DEFAULT_TIMEZONE, RelativeUrls, RenderContext
from flows.errors import FlowNotFound, InvalidParams
from flows.model import Flow
from flows.runtime import RenderResult, render_step, respond_step, wait_step

__all__ = ["ENDS", "OUTCOMES", "Step", "Trace", "simulate"]

ENDS = ("hangup", "voicemail", "fax", "answered", "loop", "step_cap")
AWAITED = ("Gather", "Dial", "Enqueue", "Record", "Receive")
# What a scripted outcome means to each awaiting verb: (provider params, call event).
OUTCOMES: dict[str, dict[str, tuple[dict[str, str], str | None]]] = {
    "Dial": {
        "answered": ({"DialCallStatus": "completed", "DialCallDuration": "60"}, "answered"),
        "no-answer": ({"DialCallStatus": "no-answer"}, None),
        "busy": ({"DialCallStatus": "busy"}, None),
        "failed": ({"DialCallStatus": "failed"}, None),
    },
    "Enqueue": {
        "answered": ({"QueueResult": "bridged", "QueueTime": "30"}, "answered"),
        "overflow": ({"QueueResult": "leave", "QueueTime": "300"}, None),
        "full": ({"QueueResult": "queue-full"}, None),
        "hangup": ({"QueueResult": "hangup", "QueueTime": "30"}, None),
    },
    "Record": {
        "recorded": (
            {
                "RecordingUrl": "https://media.invalid/simulated",
                "RecordingDuration": "15",
                "RecordingSid": "RESIMULATED",
            },
            "voicemail",
        ),
        "hangup": ({}, None),
    },
}
DEFAULT_OUTCOME = {"Dial": "no-answer", "Enqueue": "overflow", "Record": "recorded"}
FAX_RESULT = {"FaxStatus": "received", "NumPages": "1"}


@dataclass
class Step:
    """One node the simulated call passed through."""

    flow: str
    node: str
    type: str
    heard: tuple[str, ...]
    twiml: str  # the whole answer this node was part of
    port: str | None = None  # the port taken; None when the node ran again or the call ended
    pressed: str | None = None  # a menu's key ("" for silence)
    outcome: str | None = None  # a scripted dial/queue/record outcome
    into: str | None = None  # the flow entered (goto_flow)
    waiting: tuple[str, ...] = ()  # what a queued caller hears while waiting
    dialled: tuple[str, ...] = ()  # numbers / SIP URIs a dial step rang

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["heard"] = list(self.heard)
        data["waiting"] = list(self.waiting)
        data["dialled"] = list(self.dialled)
        return data


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)
    end: str = "hangup"  # one of ENDS
    detail: str | None = None  # the runtime's reason: hangup, unconnected, missing_node, ...
    digits_left: list[str] = field(default_factory=list)
    outcomes_left: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "end": self.end,
            "detail": self.detail,
            "steps": [s.to_dict() for s in self.steps],
            "digits_left": list(self.digits_left),
            "outcomes_left": list(self.outcomes_left),
        }


def _awaited(twiml: str) -> ET.Element | None:
    root = ET.fromstring(twiml.encode())  # noqa: S314 - our own output
    return next((el for el in root if el.tag in AWAITED), None)


def _state(action: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(action).query, keep_blank_values=True))


def _call_sid(entry: str, caller: str, at: dt.datetime) -> str:
    digest = hashlib.sha256(f"{entry}|{caller}|{at.isoformat()}".encode()).hexdigest()
    return "CA" + digest[:32]


def _context(at: dt.datetime, timezone: str, **values: Any) -> RenderContext:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidParams(f"unknown time zone {timezone!r}") from exc
    now = at if at.tzinfo is not None else at.replace(tzinfo=zone)
    return RenderContext(urls=RelativeUrls(), now=now, timezone=timezone, **values)


def simulate(
    flows: Mapping[str, Flow],
    entry_flow: str,
    *,
    at: dt.datetime,
    caller: str = "+4512345678",
    digits: Sequence[str] = (),
    outcomes: Sequence[str] = (),
    timezone: str = DEFAULT_TIMEZONE,
    language: str = DEFAULT_LANGUAGE,
    max_steps: int = 200,
) -> Trace:
    """Simulate one call into `entry_flow` at `at` (naive times are in `timezone`).

    `digits` are pressed at menus in order (none left: the caller stays silent);
    `outcomes` answer dial, queue and voicemail steps in order (none left: no-answer,
    overflow, recorded). Raises only `flows.errors.FlowError`.
    """
    if entry_flow not in flows:
        raise FlowNotFound(entry_flow)
    if max_steps < 1:
        raise InvalidParams("max_steps must be at least 1")
    base = _context(
        at,
        timezone,
        language=language,
        caller=caller,
        call_sid=_call_sid(entry_flow, caller, at),
        flows=flows,
    )
    keys, script = deque(digits), deque(outcomes)
    trace = Trace()
    entry = flows[entry_flow]
    result: RenderResult = render_step(entry, entry.entry, base)
    event: str | None = None
    while True:
        for visit in result.visits:
            trace.steps.append(
                Step(visit.flow, visit.node, visit.type, visit.heard, result.twiml, visit.port)
            )
            trace.steps[-1].into = visit.into
        over = len(trace.steps) - max_steps
        if over > 0 or (over == 0 and result.stop is not None):
            del trace.steps[max_steps:]
            trace.end, trace.detail = "step_cap", None
            break
        verb = _awaited(result.twiml) if result.stop is not None else None
        if result.stop is None or verb is None:
            trace.detail = result.ended
            trace.end = "loop" if result.ended == "loop" else (event or "hangup")
            break
        flow = flows.get(result.stop[0], entry)
        step = trace.steps[-1]
        params: dict[str, str]
        if verb.tag == "Gather":
            step.pressed = keys.popleft() if keys else ""
            params = {"Digits": step.pressed} if step.pressed else {}
        elif verb.tag == "Receive":
            params, event = dict(FAX_RESULT), "fax"
        else:
            step.outcome = script.popleft() if script else DEFAULT_OUTCOME[verb.tag]
            known = OUTCOMES[verb.tag]
            if step.outcome not in known:
                raise InvalidParams(
                    f"outcome {step.outcome!r} does not fit a {verb.tag} step "
                    f"(use one of {', '.join(known)})"
                )
            fixed, happened = known[step.outcome]
            step.dialled = tuple(child.text or "" for child in verb if verb.tag == "Dial")
            params, event = dict(fixed), happened or event
            if verb.tag == "Enqueue":
                waited = wait_step(
                    flow,
                    result.stop[1],
                    {"QueueTime": "0", "QueuePosition": "1", "CurrentQueueSize": "1"},
                    base,
                )
                step.waiting = waited.heard
        state = _state(verb.attrib.get("action", ""))
        nxt, result = respond_step(flow, result.stop[1], params, replace(base, state=state))
        step.port = nxt.port
    trace.digits_left, trace.outcomes_left = list(keys), list(script)
    return trace
