"""Reachability: nodes no call can reach from the entry."""

from __future__ import annotations

import pytest

from flows.findings import Severity
from flows.validation.graph import build_graph
from flows.validation.reachability import reachable_from_entry, unreachable_nodes
from tests.flows.test_validation_fakes import codes, flow, install


@pytest.fixture(autouse=True)
def _fake_types(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch)


def test_unreachable_node_is_a_warning() -> None:
    g = build_graph(flow("a", a=("t_pass", {}, {"next": "b"}), b=("t_end",), c=("t_end",)))
    found = unreachable_nodes(g)
    assert codes(found) == [("node.unreachable", "c")]
    assert found[0].severity == Severity.WARNING


def test_all_reachable() -> None:
    g = build_graph(
        flow("a", a=("t_dial", {}, {"answered": "b", "no_answer": "c"}), b=("t_end",), c=("t_end",))
    )
    assert unreachable_nodes(g) == []
    assert reachable_from_entry(g) == {"a", "b", "c"}


def test_reachability_follows_ports_of_broken_nodes() -> None:
    # a broken node is reported on its own; what it leads to is not "unreachable" too
    g = build_graph(flow("a", a=("nope", {}, {"x": "b"}), b=("t_end",)))
    assert unreachable_nodes(g) == []


def test_skipped_without_an_entry() -> None:
    assert unreachable_nodes(build_graph(flow("", a=("t_end",), b=("t_end",)))) == []
    assert unreachable_nodes(build_graph(flow("zz", a=("t_end",)))) == []
    assert reachable_from_entry(build_graph(flow("zz", a=("t_end",)))) == set()
