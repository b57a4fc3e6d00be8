from __future__ import annotations

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.nodes.base import Reference, Waits
from tests.flows.factories import node, render_node, take

TRANSFER = registry.get("transfer")


def test_defaults_and_declaration() -> None:
    props = TRANSFER.load({"number": "+4570101010"})
    assert props == {"number": "+4570101010", "ring_time": 30, "caller_id": "caller"}
    assert TRANSFER.waits is Waits.PROVIDER
    assert [(p.name, p.required) for p in TRANSFER.ports(props)] == [
        ("answered", False),
        ("no_answer", True),
    ]
    assert list(TRANSFER.references(props)) == []


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"number": "70101010"},
        {"number": "+45 70 10 10 10"},
        {"number": "+4570101010", "ring_time": 4},
        {"number": "+4570101010", "ring_time": 121},
        {"number": "+4570101010", "caller_id": "anonymous"},
    ],
)
def test_rejects_bad_properties(props: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TRANSFER.load(props)


def test_dials_the_number_with_our_caller_id() -> None:
    the_node = node("transfer", {"number": "+4570101010", "caller_id": "+4533333333"})
    root, port = render_node(the_node)
    assert port is None
    (dial,) = root
    assert dial.attrib == {
        "action": "/hooks/voice/main/n/result",
        "method": "POST",
        "timeout": "30",
        "callerId": "+4533333333",
    }
    assert [(e.tag, e.text) for e in dial] == [("Number", "+4570101010")]
    props = TRANSFER.load(the_node.props)
    assert list(TRANSFER.references(props)) == [
        Reference("number", "+4533333333", "caller_id", "caller_id")
    ]


def test_passing_the_caller_through_sets_no_caller_id() -> None:
    root, _ = render_node(node("transfer", {"number": "+4570101010"}))
    assert "callerId" not in root[0].attrib


@pytest.mark.parametrize(
    ("status", "port"),
    [
        ("completed", "answered"),
        ("answered", "answered"),
        ("busy", "no_answer"),
        ("no-answer", "no_answer"),
        ("failed", "no_answer"),
        ("canceled", "no_answer"),
        ("", "no_answer"),
        ("%%garbage", "no_answer"),
    ],
)
def test_dial_status_picks_the_port(status: str, port: str) -> None:
    result = take(node("transfer", {"number": "+4570101010"}), {"DialCallStatus": status})
    assert result.port == port


def test_missing_status_is_no_answer() -> None:
    assert take(node("transfer", {"number": "+4570101010"}), {}).port == "no_answer"
