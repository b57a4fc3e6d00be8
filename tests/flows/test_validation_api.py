"""The validation entry points and the graph they build."""

from __future__ import annotations

import gc

import pytest

import flows.validation as validation
from flows.findings import Finding, Severity
from flows.model import Flow, Node
from flows.validation import has_errors, sort_findings, validate, validate_set
from flows.validation.graph import build_graph, clear_cache, evaluate
from tests.flows.test_validation_fakes import FAKES, Ask, codes, flow, install


@pytest.fixture(autouse=True)
def _fake_types(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch)


def test_graph_has_one_edge_per_port_keyed_by_port_name() -> None:
    g = build_graph(
        flow(
            "m",
            m=(
                "t_ask",
                {"options": [{"digit": "1"}]},
                {"1": "e", "timeout": "e", "7": "e", "x": "gone"},
            ),
            e=("t_end",),
        )
    )
    assert sorted(g.edges(keys=True)) == [("m", "e", "1"), ("m", "e", "7"), ("m", "e", "timeout")]
    assert g.edges["m", "e", "1"] == {"choice": True, "known": True}
    assert g.edges["m", "e", "timeout"] == {"choice": False, "known": True}
    assert g.edges["m", "e", "7"] == {"choice": None, "known": False}
    assert g.nodes["m"]["type"] == "t_ask"
    assert g.nodes["m"]["props"] == {"options": [{"digit": "1"}], "timeout": 5}
    assert g.graph == {"flow": "f", "entry": "m"}


def test_graph_of_broken_nodes() -> None:
    g = build_graph(
        flow("a", a=("t_ask", {"timeout": "x"}, {"1": "b"}), b=("nope", {}, {"x": "a"}))
    )
    assert g.nodes["a"]["props"] is None
    assert g.nodes["a"]["ports"] is None
    assert g.nodes["b"]["props"] is None
    assert g.nodes["b"]["kind"] is None
    assert g.edges["a", "b", "1"] == {"choice": None, "known": None}


def test_equal_properties_are_loaded_once() -> None:
    clear_cache()
    ask = FAKES["t_ask"]
    first = evaluate(ask, {"options": [{"digit": "1"}]})
    assert evaluate(ask, {"options": [{"digit": "1"}]}) is first
    assert evaluate(ask, {"timeout": 1}) is not evaluate(ask, {"timeout": True})
    assert evaluate(ask, {"timeout": True}).props is None  # strict integer
    other = Ask()  # another declaration of the same type name is not confused with it
    assert evaluate(other, {"options": [{"digit": "1"}]}) is not first
    clear_cache()
    assert evaluate(ask, {"options": [{"digit": "1"}]}) is not first


def test_findings_are_sorted_errors_first_and_deduplicated() -> None:
    a = Finding(Severity.WARNING, "w", "w", node="a")
    b = Finding(Severity.ERROR, "e", "e", node="z")
    c = Finding(Severity.ERROR, "e", "e", node="b")
    assert sort_findings([a, b, c, b]) == [c, b, a]
    assert has_errors([a, b])
    assert not has_errors([a])


def test_validate_orders_findings() -> None:
    found = validate(flow("a", a=("t_pass", {}, {"next": "gone"}), b=("t_end",)))
    assert codes(found) == [("port.target_missing", "a"), ("node.unreachable", "b")]


def test_a_failing_rule_does_not_hide_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(graph: object) -> list[Finding]:
        raise RuntimeError("boom")

    monkeypatch.setattr(validation, "GRAPH_RULES", (broken, *validation.GRAPH_RULES))
    found = validate(flow("zz", a=("t_end",)))
    assert [f.code for f in found] == ["validation.rule_failed", "flow.entry_unknown"]
    assert "rule broken failed" in found[0].message


def test_a_failing_graph_build_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(flow: Flow) -> None:
        raise RuntimeError("no graph")

    monkeypatch.setattr(validation, "build_graph", broken)
    [finding] = validate(flow("a", a=("t_end",)))
    assert finding.code == "validation.rule_failed"
    result = validate_set({"x": flow("a", a=("t_end",))})
    assert [f.code for f in result["x"]] == ["validation.rule_failed"]
    assert result["x"][0].flow == "x"


def test_the_collector_is_running_again_afterwards() -> None:
    assert gc.isenabled()
    validate(flow("a", a=("t_end",)))
    validate_set({"f": flow("a", a=("t_end",))})
    assert gc.isenabled()
    gc.disable()
    try:
        validate(flow("a", a=("t_end",)))
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_validate_accepts_garbage_without_raising() -> None:
    weird = Flow(
        "f",
        "a",
        {
            "a": Node("a", 7, None, None),  # type: ignore[arg-type]
            "b": Node("b", "t_pass", {"note": object()}, {"next": ["a"]}),  # type: ignore[dict-item]
            "c": Node("c", "t_ask", [], {1: "a"}),  # type: ignore[arg-type,dict-item]
        },
    )
    found = validate(weird)
    assert "validation.rule_failed" not in [f.code for f in found]
    assert ("node.type_unknown", "a") in codes(found)
    assert ("port.target_missing", "b") in codes(found)
