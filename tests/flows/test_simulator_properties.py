"""Property: any structurally valid flow simulates to a defined end, whatever the caller does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import registry
from flows.errors import FlowError, NodeFailed
from flows.model import Flow, Node
from flows.simulator import ENDS, simulate

FLOW_NAMES = ("main", "sub")
TEXT = st.text(alphabet="abcæøå ÆØÅ.,?", min_size=1, max_size=20)
PROMPT = st.one_of(
    st.fixed_dictionaries({"audio": st.sampled_from(["welcome", "menu", "hold-default"])}),
    st.fixed_dictionaries({"text": TEXT}, optional={"language": st.sampled_from(["da-DK", "en"])}),
)
MAYBE_PROMPT = st.one_of(st.none(), PROMPT)
NUMBER = st.integers(min_value=10_000_000, max_value=99_999_999).map(lambda n: f"+45{n}")
MEMBER = st.one_of(NUMBER, st.sampled_from(["sip:101@pbx.example.dk", "sips:a@b.example"]))
DIGIT = st.sampled_from(["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"])
TIME = st.integers(min_value=0, max_value=22).map(lambda h: f"{h:02d}:00-{h + 1:02d}:30")

PROPS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "play": PROMPT | st.builds(lambda p, loop: {**p, "loop": loop}, PROMPT, st.integers(1, 3)),
    "menu": st.fixed_dictionaries(
        {"prompt": PROMPT},
        optional={
            "options": st.lists(DIGIT, max_size=5, unique=True).map(
                lambda ds: [{"digit": d} for d in ds]
            ),
            "timeout": st.integers(1, 60),
            "max_retries": st.integers(0, 3),
            "invalid_prompt": MAYBE_PROMPT,
            "timeout_prompt": MAYBE_PROMPT,
        },
    ),
    "hours": st.fixed_dictionaries(
        {},
        optional={
            "schedule": st.dictionaries(
                st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                st.lists(TIME, max_size=2),
            ),
            "timezone": st.sampled_from([None, "Europe/Copenhagen", "America/New_York", "UTC"]),
            "country": st.sampled_from([None, "DK", "SE"]),
            "closed_optional": st.lists(st.sampled_from(["christmas_eve", "workers_day"])),
            "closed_dates": st.lists(st.dates().map(str), max_size=2),
            "override": st.sampled_from(["auto", "open", "closed", "holiday"]),
        },
    ),
    "ring_group": st.fixed_dictionaries(
        {},
        optional={
            "members": st.lists(MEMBER, max_size=3),
            "strategy": st.sampled_from(["simultaneous", "sequential", "random"]),
            "ring_time": st.integers(5, 120),
            "caller_id": st.one_of(st.just("caller"), NUMBER),
        },
    ),
    "queue": st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["basic", "advanced", "receptionist"]),
            "hold_music": st.sampled_from([None, "hold-default"]),
            "announcement": MAYBE_PROMPT,
            "announce_every": st.integers(10, 600),
            "max_wait": st.integers(10, 3600),
        },
    ),
    "voicemail": st.fixed_dictionaries(
        {"box": st.sampled_from(["vm-main", "vm-support"])},
        optional={
            "greeting": MAYBE_PROMPT,
            "max_length": st.integers(5, 600),
            "play_beep": st.booleans(),
            "transcribe": st.booleans(),
        },
    ),
    "fax": st.fixed_dictionaries({"box": st.just("fax-main")}),
    "transfer": st.fixed_dictionaries(
        {"number": NUMBER}, optional={"ring_time": st.integers(5, 120)}
    ),
    "goto_flow": st.fixed_dictionaries({"flow": st.sampled_from([*FLOW_NAMES, "missing"])}),
    "hangup": st.fixed_dictionaries({}, optional={"goodbye": MAYBE_PROMPT}),
}


def test_every_node_type_has_a_property_strategy() -> None:
    assert set(PROPS) == set(registry.all_types())


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Flow]:
    """One or two flows whose required ports all lead to existing nodes."""
    built: dict[str, Flow] = {}
    for name in FLOW_NAMES[: draw(st.integers(1, 2))]:
        ids = [f"n{i}" for i in range(draw(st.integers(1, 7)))]
        nodes: dict[str, Node] = {}
        for node_id in ids:
            kind = draw(st.sampled_from(sorted(PROPS)))
            props = draw(PROPS[kind])
            node_type = registry.get(kind)
            ports: dict[str, str] = {}
            for port in node_type.ports(node_type.load(props)):
                if port.required or draw(st.booleans()):
                    ports[port.name] = draw(st.sampled_from(ids))
            nodes[node_id] = Node(node_id, kind, props, ports)
        built[name] = Flow(name=name, entry=draw(st.sampled_from(ids)), nodes=nodes)
    return built


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flow_set=flows(),
    at=st.datetimes(
        min_value=dt.datetime(2026, 1, 1),
        max_value=dt.datetime(2027, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    digits=st.lists(st.one_of(DIGIT, st.sampled_from(["", "12", "x"])), max_size=8),
    outcomes=st.one_of(
        st.just([]),
        st.lists(
            st.sampled_from(["answered", "no-answer", "busy", "overflow", "recorded"]), max_size=6
        ),
    ),
)
def test_random_flows_reach_a_defined_end(
    flow_set: dict[str, Flow], at: dt.datetime, digits: list[str], outcomes: list[str]
) -> None:
    try:
        trace = simulate(flow_set, "main", at=at, digits=digits, outcomes=outcomes, max_steps=120)
    except NodeFailed as exc:  # a bug in a node type, never acceptable
        raise AssertionError(f"node failed: {exc}") from exc
    except FlowError:
        return  # e.g. an outcome that does not fit the step: reported, not crashed
    assert trace.end in ENDS
    assert 1 <= len(trace.steps) <= 120
    if trace.end == "step_cap":  # only a call that keeps going round is cut off
        assert len(trace.steps) == 120
        assert len({(s.flow, s.node) for s in trace.steps}) < 120
    assert all(step.twiml.startswith("<?xml") for step in trace.steps)


@settings(max_examples=60, deadline=None)
@given(flow_set=flows(), at=st.datetimes(timezones=st.just(dt.UTC)))
def test_with_default_outcomes_nothing_is_raised(
    flow_set: dict[str, Flow], at: dt.datetime
) -> None:
    trace = simulate(flow_set, "main", at=at, max_steps=80)
    assert trace.end in ENDS
    assert len(trace.steps) <= 80
