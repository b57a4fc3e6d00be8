"""Several flows together: sub-flow cycles, known sub-flows, findings per flow."""

from __future__ import annotations

import pytest

from flows.catalogue import Catalogue
from flows.findings import Severity
from flows.model import Flow, Node
from flows.validation import validate_set
from tests.flows.test_validation_fakes import install


@pytest.fixture(autouse=True)
def _fake_types(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch)


def jumper(name: str, *targets: str) -> Flow:
    nodes = {f"go{i}": Node(f"go{i}", "goto_flow", {"flow": t}) for i, t in enumerate(targets)}
    nodes["m"] = Node(
        "m",
        "t_ask",
        {"options": [{"digit": str(i + 1)} for i in range(len(targets))]},
        {**{str(i + 1): f"go{i}" for i in range(len(targets))}, "timeout": "e"},
    )
    nodes["e"] = Node("e", "t_end")
    return Flow(name=name, entry="m", nodes=nodes)


def cycle_codes(result: dict[str, list]) -> dict[str, list[tuple[str, str | None]]]:
    return {
        name: [(f.code, f.node) for f in found if f.code == "flow.subflow_cycle"]
        for name, found in result.items()
    }


def test_two_flows_jumping_to_each_other() -> None:
    result = validate_set({"a": jumper("a", "b"), "b": jumper("b", "a")})
    assert cycle_codes(result) == {
        "a": [("flow.subflow_cycle", "go0")],
        "b": [("flow.subflow_cycle", "go0")],
    }
    finding = result["a"][0]
    assert finding.severity == Severity.ERROR
    assert finding.flow == "a"
    assert '"a", "b"' in finding.message


def test_flow_jumping_to_itself() -> None:
    assert cycle_codes(validate_set({"a": jumper("a", "a")})) == {
        "a": [("flow.subflow_cycle", "go0")]
    }


def test_chain_of_sub_flows_is_fine() -> None:
    result = validate_set({"a": jumper("a", "b", "c"), "b": jumper("b", "c"), "c": jumper("c")})
    assert cycle_codes(result) == {"a": [], "b": [], "c": []}


def test_only_the_jumps_into_the_circle_are_reported() -> None:
    result = validate_set({"a": jumper("a", "b", "c"), "b": jumper("b", "a"), "c": jumper("c")})
    assert cycle_codes(result) == {
        "a": [("flow.subflow_cycle", "go0")],
        "b": [("flow.subflow_cycle", "go0")],
        "c": [],
    }


def test_every_finding_carries_its_flow() -> None:
    broken = Flow("x", "", {"n": Node("n", "nope")})
    result = validate_set({"x": broken, "y": jumper("y")})
    assert {f.flow for f in result["x"]} == {"x"}
    assert result["y"] == []


def test_flows_of_the_set_are_known_sub_flows() -> None:
    catalogue = Catalogue(flows=frozenset({"z"}))
    result = validate_set({"a": jumper("a", "b", "z", "gone"), "b": jumper("b")}, catalogue)
    assert [(f.code, f.node) for f in result["a"]] == [("ref.flow_missing", "go2")]


def test_a_flow_jumping_into_itself_is_found_alone() -> None:
    from flows.validation import validate

    assert [(f.code, f.node) for f in validate(jumper("a", "a"))] == [("flow.subflow_cycle", "go0")]
    assert validate(jumper("a", "b")) == []
