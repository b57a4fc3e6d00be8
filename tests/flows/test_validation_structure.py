"""Structure rules: entry, types, schema, node checks, ports."""

from __future__ import annotations

import pytest

from flows.findings import Severity
from flows.model import Flow, Node
from flows.validation import validate
from flows.validation.graph import build_graph
from flows.validation.structure import (
    duplicate_ports,
    entry_point,
    node_checks,
    open_required_ports,
    ports_to_missing_nodes,
    schema_errors,
    unknown_node_types,
    unknown_ports,
)
from tests.flows.test_validation_fakes import codes, flow, install


@pytest.fixture(autouse=True)
def _fake_types(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch)


MENU = {"prompt": {"text": "Tryk 1"}, "options": [{"digit": "1"}]}


def test_a_clean_flow_of_real_types_has_no_findings() -> None:
    good = flow(
        "m",
        m=("menu", MENU, {"1": "p", "fallback": "bye"}),
        p=("play", {"text": "Hej"}, {"next": "bye"}),
        bye=("hangup",),
    )
    assert validate(good) == []


def test_entry_missing() -> None:
    found = entry_point(build_graph(flow("", a=("t_end",))))
    assert codes(found) == [("flow.entry_missing", None)]
    assert found[0].severity == Severity.ERROR


def test_entry_not_a_node() -> None:
    found = entry_point(build_graph(flow("zz", a=("t_end",))))
    assert [(f.code, f.field) for f in found] == [("flow.entry_unknown", "entry")]
    assert '"zz"' in found[0].message


def test_entry_fine() -> None:
    assert entry_point(build_graph(flow("a", a=("t_end",)))) == []


def test_unknown_node_type() -> None:
    found = unknown_node_types(build_graph(flow("a", a=("t_end",), b=("teleport",))))
    assert codes(found) == [("node.type_unknown", "b")]
    assert "teleport" in found[0].message


def test_known_node_types() -> None:
    assert unknown_node_types(build_graph(flow("a", a=("t_end",), b=("menu", MENU)))) == []


def test_schema_errors_one_finding_per_field_with_dotted_path() -> None:
    bad = flow(
        "a",
        a=("t_ask", {"options": [{"digit": "1"}, {"digit": "x"}, {}], "timeout": 0, "zap": 1}),
    )
    found = schema_errors(build_graph(bad))
    assert sorted((f.field or "") for f in found) == [
        "options.1.digit",
        "options.2.digit",
        "timeout",
        "zap",
    ]
    assert all(f.code == "node.props_invalid" and f.node == "a" for f in found)
    assert all(f.severity == Severity.ERROR for f in found)
    timeout = next(f for f in found if f.field == "timeout")
    assert "greater than or equal to 1" in timeout.message


def test_schema_error_of_a_real_type_and_schema_level_message() -> None:
    found = schema_errors(build_graph(flow("p", p=("play", {"text": "a", "audio": "b"}))))
    assert [(f.code, f.field) for f in found] == [("node.props_invalid", "audio")]
    assert "either an audio asset or a text" in found[0].message


def test_props_that_are_not_an_object() -> None:
    found = schema_errors(build_graph(Flow("f", "a", {"a": Node("a", "t_pass", [1])})))  # type: ignore[arg-type]
    assert [(f.code, f.field) for f in found] == [("node.props_invalid", None)]


def test_schema_fine() -> None:
    assert schema_errors(build_graph(flow("a", a=("t_ask", {"options": [{"digit": "1"}]})))) == []


def test_node_type_checks_are_reported_with_the_node() -> None:
    found = node_checks(build_graph(flow("a", a=("t_checked",))), None)
    assert [(f.code, f.node, f.field) for f in found] == [("checked.says_so", "a", "x")]


def test_real_menu_check_duplicate_digit() -> None:
    menu = {"prompt": {"text": "x"}, "options": [{"digit": "1"}, {"digit": "1"}]}
    found = validate(flow("m", m=("menu", menu, {"1": "b", "fallback": "b"}), b=("hangup",)))
    assert ("menu.duplicate_digit", "m") in codes(found)


def test_node_checks_silent_for_a_fine_node() -> None:
    assert node_checks(build_graph(flow("a", a=("t_end",))), None) == []


@pytest.mark.parametrize("where", ["validate", "ports", "references"])
def test_a_crashing_node_type_becomes_a_finding(where: str) -> None:
    found = validate(flow("a", a=("t_crash", {"where": where})))
    crash = [f for f in found if f.code == "node.check_failed"]
    assert len(crash) == 1
    assert crash[0].node == "a"
    assert f"{where} broke" in crash[0].message


def test_a_crashing_load_becomes_a_schema_finding() -> None:
    found = validate(flow("a", a=("t_crash", {"where": "load"})))
    assert ("node.props_invalid", "a") in codes(found)
    assert "load broke" in found[0].message


def test_port_to_missing_node() -> None:
    found = ports_to_missing_nodes(build_graph(flow("a", a=("t_pass", {}, {"next": "gone"}))))
    assert [(f.code, f.node, f.port) for f in found] == [("port.target_missing", "a", "next")]
    assert '"gone"' in found[0].message


def test_ports_to_existing_nodes() -> None:
    fine = flow("a", a=("t_pass", {}, {"next": "b"}), b=("t_end",))
    assert ports_to_missing_nodes(build_graph(fine)) == []


def test_port_the_type_does_not_have() -> None:
    bad = flow(
        "a",
        a=("t_ask", {"options": [{"digit": "1"}]}, {"1": "b", "2": "b", "timeout": "b"}),
        b=("t_end",),
    )
    found = unknown_ports(build_graph(bad))
    assert [(f.code, f.node, f.port) for f in found] == [("port.unknown", "a", "2")]
    assert "ports: 1, timeout" in found[0].message


def test_unknown_ports_not_judged_when_the_ports_are_unknown() -> None:
    broken = flow("a", a=("t_ask", {"timeout": "x"}, {"9": "a"}), b=("teleport", {}, {"x": "a"}))
    assert unknown_ports(build_graph(broken)) == []


def test_known_ports() -> None:
    fine = flow(
        "a", a=("t_ask", {"options": [{"digit": "1"}]}, {"1": "b", "timeout": "b"}), b=("t_end",)
    )
    assert unknown_ports(build_graph(fine)) == []


def test_required_port_left_open() -> None:
    found = open_required_ports(
        build_graph(flow("a", a=("t_dial", {}, {"answered": "b"}), b=("t_end",)))
    )
    assert [(f.code, f.node, f.port) for f in found] == [("port.required_open", "a", "no_answer")]


def test_required_port_wired_to_a_missing_node_is_not_open() -> None:
    graph = build_graph(flow("a", a=("t_dial", {}, {"no_answer": "gone"})))
    assert open_required_ports(graph) == []
    assert codes(ports_to_missing_nodes(graph)) == [("port.target_missing", "a")]


def test_optional_port_may_stay_open() -> None:
    assert open_required_ports(build_graph(flow("a", a=("t_dial", {}, {"no_answer": "a"})))) == []


def test_duplicate_ports() -> None:
    found = duplicate_ports(build_graph(flow("a", a=("t_dup",))))
    assert [(f.code, f.node, f.port) for f in found] == [("port.duplicate", "a", "1")]
    assert "2 times" in found[0].message


def test_no_duplicate_ports() -> None:
    assert duplicate_ports(build_graph(flow("a", a=("t_ask", {"options": [{"digit": "1"}]})))) == []
