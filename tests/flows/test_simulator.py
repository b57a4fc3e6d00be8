from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from flows import runtime
from flows.context import RenderContext
from flows.errors import FlowNotFound, InvalidParams, UnknownType
from flows.model import Flow, Node
from flows.simulator import Trace, simulate
from tests.flows.factories import flow, parse

CPH = ZoneInfo("Europe/Copenhagen")
WEEKDAY_10 = dt.datetime(2026, 11, 18, 10, 0)  # naive: Danish time
Example = Callable[[str], Flow]


def run(example: Example, name: str = "main_number", **kwargs: Any) -> Trace:
    kwargs.setdefault("at", WEEKDAY_10)
    return simulate({name: example(name)}, name, **kwargs)


def path(trace: Trace) -> list[tuple[str, str | None]]:
    return [(s.node, s.port) for s in trace.steps]


def test_christmas_eve_takes_the_holiday_branch(example: Example) -> None:
    trace = run(example, at=dt.datetime(2026, 12, 24, 10, 0))
    assert path(trace) == [
        ("hours", "holiday"),
        ("holiday-message", "next"),
        ("voicemail", "next"),
        ("goodbye", None),
    ]
    assert trace.steps[1].heard == ('"Vi holder lukket i dag på grund af helligdag."',)
    assert trace.steps[2].outcome == "recorded"
    assert (trace.end, trace.detail) == ("voicemail", "hangup")


def test_aware_and_naive_times_agree(example: Example) -> None:
    aware = run(example, at=dt.datetime(2026, 12, 24, 9, 0, tzinfo=dt.UTC))
    assert aware.steps[0].port == "holiday"
    utc_evening = run(example, at=dt.datetime(2026, 11, 18, 15, 30, tzinfo=dt.UTC))
    assert utc_evening.steps[0].port == "closed"  # 16:30 in Copenhagen


def test_weekday_pressing_1_reaches_the_answer_group(example: Example) -> None:
    trace = run(example, digits=["1"], outcomes=["answered"])
    assert path(trace) == [
        ("hours", "open"),
        ("welcome", "next"),
        ("menu", "1"),
        ("sales", "answered"),
    ]
    menu, sales = trace.steps[2], trace.steps[3]
    assert menu.pressed == "1"
    assert menu.heard == ('"Tryk 1 for salg. Tryk 2 for support."',)
    assert (sales.type, sales.outcome) == ("queue", "answered")
    assert sales.waiting[-1] == "audio hold-default"
    assert [e.tag for e in parse(sales.twiml)] == ["Enqueue"]
    assert (trace.end, trace.detail) == ("answered", "unconnected")


def test_answer_group_overflow_goes_to_voicemail(example: Example) -> None:
    trace = run(example, digits=["1"], outcomes=["overflow"])
    assert ("sales", "overflow") in path(trace)
    assert trace.end == "voicemail"


def test_three_invalid_keys_fall_back_to_voicemail(example: Example) -> None:
    trace = run(example, digits=["7", "#", "9"])
    assert path(trace)[2:] == [
        ("menu", None),
        ("menu", None),
        ("menu", "fallback"),
        ("voicemail", "next"),
        ("goodbye", None),
    ]
    assert [s.pressed for s in trace.steps[2:5]] == ["7", "#", "9"]
    assert trace.steps[3].heard[0] == '"Det valg findes ikke. Prøv igen."'
    assert trace.end == "voicemail"


def test_a_silent_caller_times_out_to_the_fallback(example: Example) -> None:
    trace = run(example, outcomes=["hangup"])
    assert [s.pressed for s in trace.steps if s.node == "menu"] == ["", "", ""]
    assert trace.steps[3].heard[0] == '"Vi hørte ikke noget valg. Prøv igen."'
    assert path(trace)[-2:] == [("voicemail", "next"), ("goodbye", None)]
    assert trace.end == "hangup"  # hung up without leaving a message


def test_invalid_and_silence_are_counted_separately(example: Example) -> None:
    trace = run(example, digits=["7", "", "7", "", "2"])
    assert path(trace)[2:7] == [("menu", None)] * 4 + [("menu", "2")]


def test_pressing_2_rings_the_support_group_in_turn(example: Example) -> None:
    trace = run(example, digits=["2"], outcomes=["busy", "no-answer", "failed"])
    rings = [s for s in trace.steps if s.node == "support"]
    assert [s.dialled for s in rings] == [
        ("+4520000001",),
        ("+4520000002",),
        ("sip:support@pbx.example.dk",),
    ]
    assert [s.port for s in rings] == [None, None, "no_answer"]
    assert trace.end == "voicemail"


def test_a_ring_group_member_answering(example: Example) -> None:
    trace = run(example, digits=["2"], outcomes=["no-answer", "answered"])
    assert [s.port for s in trace.steps if s.node == "support"] == [None, "answered"]
    assert trace.end == "answered"


def test_after_hours_on_a_friday(example: Example) -> None:
    trace = run(example, at=dt.datetime(2026, 11, 20, 15, 30))
    assert path(trace)[:2] == [("hours", "closed"), ("closed-message", "next")]


def test_support_line(example: Example) -> None:
    answered = run(example, "support_line", outcomes=["answered"])
    assert path(answered) == [("greeting", "next"), ("queue", "answered"), ("goodbye", None)]
    assert answered.end == "answered"
    overflow = run(example, "support_line")
    assert path(overflow)[1:] == [("queue", "overflow"), ("voicemail", "next"), ("goodbye", None)]
    assert overflow.end == "voicemail"


def test_fax_line(example: Example) -> None:
    trace = run(example, "fax_line")
    assert path(trace) == [("fax", "next"), ("end", None)]
    assert trace.end == "fax"


def test_broken_loop_is_reported(example: Example) -> None:
    trace = run(example, "broken", digits=["2"], max_steps=500)
    assert (trace.end, trace.detail) == ("loop", "loop")
    assert len(trace.steps) == 2 + runtime.MAX_CHAIN


@pytest.mark.parametrize(("key", "detail"), [("1", "missing_node"), ("5", "missing_flow")])
def test_broken_edges_end_politely(example: Example, key: str, detail: str) -> None:
    trace = run(example, "broken", digits=[key])
    assert (trace.end, trace.detail) == ("hangup", detail)


def test_broken_unknown_type_raises_a_flow_error(example: Example) -> None:
    with pytest.raises(UnknownType):
        run(example, "broken", digits=["4"])


def test_goto_flow_crosses_into_the_other_flow(example: Example) -> None:
    front = flow(
        "go",
        Node("go", "goto_flow", {"flow": "fax_line"}),
        name="front",
    )
    trace = simulate({"front": front, "fax_line": example("fax_line")}, "front", at=WEEKDAY_10)
    assert [(s.flow, s.node) for s in trace.steps] == [
        ("front", "go"),
        ("fax_line", "fax"),
        ("fax_line", "end"),
    ]
    assert trace.steps[0].into == "fax_line"
    assert trace.end == "fax"


def test_step_cap(example: Example) -> None:
    busy = flow(
        "rg",
        Node("rg", "ring_group", {"members": ["+4520000001"]}, {"no_answer": "q"}),
        Node("q", "queue", {}, {"overflow": "rg"}),
    )
    trace = simulate({"main": busy}, "main", at=WEEKDAY_10, max_steps=5)
    assert trace.end == "step_cap"
    assert len(trace.steps) == 5


def test_the_trace_shows_the_runtime_twiml(example: Example) -> None:
    trace = run(example)
    ctx = RenderContext(now=WEEKDAY_10.replace(tzinfo=CPH), call_sid="x")
    first = runtime.render(example("main_number"), "hours", ctx)
    assert trace.steps[0].twiml == trace.steps[2].twiml == first


def test_leftovers_and_json(example: Example) -> None:
    trace = run(example, digits=["1", "3"], outcomes=["answered", "busy"])
    assert (trace.digits_left, trace.outcomes_left) == (["3"], ["busy"])
    data = json.loads(json.dumps(trace.to_dict()))
    assert data["end"] == "answered"
    assert data["steps"][2] == {
        "flow": "main_number",
        "node": "menu",
        "type": "menu",
        "heard": ['"Tryk 1 for salg. Tryk 2 for support."'],
        "twiml": trace.steps[2].twiml,
        "port": "1",
        "pressed": "1",
        "outcome": None,
        "into": None,
        "waiting": [],
        "dialled": [],
    }


def test_bad_scripts_and_arguments(example: Example) -> None:
    with pytest.raises(InvalidParams):
        run(example, digits=["1"], outcomes=["recorded"])
    with pytest.raises(FlowNotFound):
        simulate({}, "nope", at=WEEKDAY_10)
    with pytest.raises(InvalidParams):
        run(example, timezone="Mars/Olympus")
    with pytest.raises(InvalidParams):
        run(example, max_steps=0)
