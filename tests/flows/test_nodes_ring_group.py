from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.model import Node
from flows.nodes.base import Waits
from tests.flows.factories import ctx, render_node, take

RING = registry.get("ring_group")
MEMBERS = ["+4520000001", "sip:102@pbx.example.dk", "+4520000003"]


def group(strategy: str = "simultaneous", **more: Any) -> Node:
    props = {"members": MEMBERS, "strategy": strategy, **more}
    return Node("rg", "ring_group", props, {"answered": "bye", "no_answer": "vm"})


def test_defaults_and_declaration() -> None:
    assert RING.load({}) == {
        "members": [],
        "strategy": "simultaneous",
        "ring_time": 20,
        "caller_id": "caller",
    }
    assert RING.waits is Waits.PROVIDER
    assert [(p.name, p.required) for p in RING.ports({})] == [
        ("answered", False),
        ("no_answer", True),
    ]


@pytest.mark.parametrize(
    "props",
    [
        {"members": ["20000001"]},
        {"members": ["+45 2000 0001"]},
        {"members": ["sip:pbx.example.dk"]},
        {"members": ["tel:+4520000001"]},
        {"members": "+4520000001"},
        {"members": ["+4520000001"] * 51},
        {"strategy": "round-robin"},
        {"ring_time": 4},
        {"ring_time": 121},
        {"caller_id": "+45"},
        {"timeout": 20},
    ],
)
def test_rejects_bad_properties(props: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RING.load(props)


def test_validate_wants_members() -> None:
    empty = Node("rg", "ring_group", {}, {"no_answer": "vm"})
    assert [f.code for f in RING.validate(empty, RING.load({}), None)] == ["ring_group.no_members"]
    assert list(RING.validate(group(), RING.load(group().props), None)) == []


def test_simultaneous_rings_everyone_in_one_dial() -> None:
    root, port = render_node(group(ring_time=25, caller_id="+4533333333"))
    assert port is None
    (dial,) = root
    assert dial.attrib == {
        "action": "/hooks/voice/main/rg/result",
        "method": "POST",
        "timeout": "25",
        "callerId": "+4533333333",
    }
    assert [(e.tag, e.text) for e in dial] == [
        ("Number", "+4520000001"),
        ("Sip", "sip:102@pbx.example.dk"),
        ("Number", "+4520000003"),
    ]


def test_sequential_rings_one_member_at_a_time() -> None:
    for index, (tag, member) in enumerate(
        [("Number", "+4520000001"), ("Sip", "sip:102@pbx.example.dk"), ("Number", "+4520000003")]
    ):
        root, _ = render_node(group("sequential"), ctx(state={"member": str(index)}))
        dial = root[0]
        assert [(e.tag, e.text) for e in dial] == [(tag, member)]
        assert dial.attrib["action"] == f"/hooks/voice/main/rg/result?member={index}"


def test_sequential_state_out_of_range_rings_the_last_member() -> None:
    root, _ = render_node(group("sequential"), ctx(state={"member": "99"}))
    assert root[0][0].text == "+4520000003"


def members_rung(strategy: str, call_sid: str) -> list[str]:
    rung = []
    for index in range(len(MEMBERS)):
        root, _ = render_node(group(strategy), ctx(call_sid=call_sid, state={"member": str(index)}))
        rung.append(root[0][0].text or "")
    return rung


def test_random_order_is_fixed_per_call_and_rings_everyone_once() -> None:
    orders = {tuple(members_rung("random", f"CA{n}")) for n in range(20)}
    assert all(sorted(order) == sorted(MEMBERS) for order in orders)
    assert len(orders) > 1
    assert members_rung("random", "CA7") == members_rung("random", "CA7")


@pytest.mark.parametrize("status", ["completed", "answered", "COMPLETED"])
def test_answered_call(status: str) -> None:
    for strategy in ("simultaneous", "sequential"):
        assert take(group(strategy), {"DialCallStatus": status}).port == "answered"


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed", "canceled", "", "bogus"])
def test_sequential_failure_rings_the_next_member(status: str) -> None:
    result = take(group("sequential"), {"DialCallStatus": status}, ctx(state={"member": "0"}))
    assert (result.port, result.state) == (None, {"member": "1"})
    last = take(group("random"), {"DialCallStatus": status}, ctx(state={"member": "2"}))
    assert (last.port, last.state) == ("no_answer", {})


@pytest.mark.parametrize("params", [{"DialCallStatus": "busy"}, {}, {"Digits": "1"}])
def test_simultaneous_failure_is_no_answer(params: dict[str, str]) -> None:
    assert take(group(), params).port == "no_answer"


def test_no_members_passes_straight_to_no_answer() -> None:
    root, port = render_node(Node("rg", "ring_group", {}, {"no_answer": "vm"}))
    assert (list(root), port) == ([], "no_answer")
