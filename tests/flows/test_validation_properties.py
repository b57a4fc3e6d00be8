"""Property tests: validation never raises on any flow; flow files round-trip."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.catalogue import AudioInfo, AudioUse, BoxInfo, Catalogue
from flows.fileformat import FlowFormatError, dump_flow, flow_to_dict, load_flow
from flows.findings import Finding, Severity
from flows.model import Flow, Node, Position
from flows.validation import validate, validate_set

IDS = ["a", "b", "c", "d", "e", "menu-1", "x.y", "Z_9"]
PORTS = [
    "1",
    "2",
    "9",
    "0",
    "*",
    "#",
    "next",
    "timeout",
    "fallback",
    "invalid",
    "open",
    "closed",
    "holiday",
    "answered",
    "no_answer",
    "overflow",
    "bogus",
]
TYPES = [
    "play",
    "menu",
    "hours",
    "ring_group",
    "queue",
    "voicemail",
    "fax",
    "transfer",
    "goto_flow",
    "hangup",
    "teleport",
    "",
]
FIELDS = [
    "prompt",
    "text",
    "audio",
    "options",
    "digit",
    "timeout",
    "max_retries",
    "members",
    "box",
    "flow",
    "number",
    "schedule",
    "mon",
    "override",
    "loop",
    "label",
    "kind",
]

VALID_PROPS: dict[str, list[dict[str, Any]]] = {
    "play": [{"text": "Hej"}, {"audio": "welcome", "loop": 2}],
    "menu": [
        {"prompt": {"text": "Tryk"}, "options": [{"digit": "1"}, {"digit": "2"}]},
        {"prompt": {"audio": "m"}, "options": [{"digit": "1"}, {"digit": "1"}], "timeout": 3},
    ],
    "hours": [{}, {"override": "closed"}, {"schedule": {"mon": ["08:00-16:00"]}}],
    "ring_group": [{"members": ["+4512345678"]}, {"members": []}],
    "queue": [{}, {"hold_music": "jazz"}],
    "voicemail": [{"box": "sales"}],
    "fax": [{"box": "fax"}],
    "transfer": [{"number": "+4587654321"}, {"number": "+4587654321", "caller_id": "+4511111111"}],
    "goto_flow": [{"flow": "a"}, {"flow": "b"}, {"flow": "f0"}],
    "hangup": [{}, {"goodbye": {"text": "Farvel"}}],
}

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["1", "+4512345678", "08:00-16:00", "sales", "a"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=12,
)
garbage = st.one_of(
    json_value, st.builds(object), st.tuples(st.integers()), st.sets(st.integers(), max_size=2)
)


@st.composite
def props_for(draw: st.DrawFn, node_type: Any) -> Any:
    choice = draw(st.integers(0, 9))
    if choice < 5 and node_type in VALID_PROPS:
        return draw(st.sampled_from(VALID_PROPS[node_type]))
    if choice < 8:
        return draw(st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=4))
    return draw(garbage)


@st.composite
def nodes(draw: st.DrawFn, with_garbage: bool = True) -> Node:
    node_id = draw(st.sampled_from(IDS))
    node_type = draw(st.sampled_from(TYPES) | (st.integers() if with_garbage else st.nothing()))
    props = (
        draw(props_for(node_type))
        if with_garbage
        else draw(st.sampled_from(VALID_PROPS.get(node_type, [{}])))
    )
    targets = st.sampled_from([*IDS, "missing"])
    if with_garbage:
        targets = targets | garbage
    ports: Any = draw(st.dictionaries(st.sampled_from(PORTS), targets, max_size=5))
    if with_garbage and draw(st.integers(0, 20)) == 0:
        ports = draw(garbage)
    return Node(node_id, node_type, props, ports)


@st.composite
def flows(draw: st.DrawFn, name: str = "f0", with_garbage: bool = True) -> Flow:
    drawn = draw(st.lists(nodes(with_garbage), max_size=8))
    by_id = {n.id: n for n in drawn}
    entry = draw(st.sampled_from(["", "missing", *IDS]))
    return Flow(name=name, entry=entry, nodes=by_id)


def check(found: Any) -> None:
    assert isinstance(found, list)
    for finding in found:
        assert isinstance(finding, Finding)
        assert finding.severity in (Severity.ERROR, Severity.WARNING)
        assert finding.code
        assert finding.code != "validation.rule_failed", finding.message
        assert isinstance(finding.message, str)
        json.dumps(finding.to_dict())


CATALOGUE = Catalogue(
    audio={
        "welcome": AudioInfo("welcome"),
        "jazz": AudioInfo("jazz", use=AudioUse.HOLD_MUSIC, is_music=True, rights_valid=False),
        "m": AudioInfo("m", ready=False),
    },
    voicemail_boxes={"sales": BoxInfo("sales")},
    fax_boxes={"fax": BoxInfo("fax", listeners=1)},
    numbers=frozenset({"+4511111111"}),
    flows=frozenset({"a"}),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(flows(), st.sampled_from([None, CATALOGUE]))
def test_validation_never_raises_and_returns_findings(
    flow: Flow, catalogue: Catalogue | None
) -> None:
    found = validate(flow, catalogue)
    check(found)
    assert found == validate(flow, catalogue)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(flows(), st.randoms(use_true_random=False))
def test_validation_does_not_depend_on_node_order(flow: Flow, rnd: Any) -> None:
    items = list(flow.nodes.items())
    rnd.shuffle(items)
    shuffled = Flow(flow.name, flow.entry, dict(items))
    assert validate(shuffled) == validate(flow)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(["a", "b", "f0", "f1"]), min_size=1, max_size=4, unique=True),
    st.data(),
)
def test_validating_a_set_never_raises(names: list[str], data: st.DataObject) -> None:
    catalogue = data.draw(st.sampled_from([None, CATALOGUE]))
    found = validate_set({name: data.draw(flows(name)) for name in names}, catalogue)
    assert set(found) == set(names)
    for name, findings in found.items():
        check(findings)
        assert all(f.flow == name for f in findings)


@st.composite
def loadable_flows(draw: st.DrawFn) -> Flow:
    flow = draw(flows(with_garbage=False))
    nodes_ = {
        n.id: Node(n.id, n.type or "hangup", n.props, {p: t for p, t in n.ports.items()})
        for n in flow.nodes.values()
    }
    coordinate = st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 2))
    layout = {
        node_id: Position(draw(coordinate), draw(coordinate))
        for node_id in draw(st.lists(st.sampled_from(sorted(nodes_) or ["-"]), unique=True))
        if node_id in nodes_
    }
    description = draw(st.text(max_size=20))
    name = draw(st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""))
    return Flow(name, flow.entry, nodes_, layout, description)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(loadable_flows())
def test_dump_load_round_trip(flow: Flow) -> None:
    text = dump_flow(flow)
    again = load_flow(text, filename="f.json")
    assert again == flow
    assert dump_flow(again) == text
    assert load_flow(json.dumps(flow_to_dict(flow))) == flow


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), json_value.map(json.dumps)))
def test_loading_anything_gives_a_flow_or_a_format_error(source: Any) -> None:
    try:
        flow = load_flow(source)
    except FlowFormatError as exc:
        message = str(exc)
        flow = None
    if flow is None:
        assert message.startswith("<flow>: ")
    else:
        assert isinstance(flow, Flow)
        check(validate(flow))
