"""Loop rules: endless redirects and loops nothing but the caller's choice bounds."""

from __future__ import annotations

import pytest

from flows.findings import Severity
from flows.model import Flow, Node
from flows.validation import validate
from flows.validation.graph import build_graph
from flows.validation.loops import endless_redirects, unbounded_loops
from tests.flows.test_validation_fakes import codes, flow, install


@pytest.fixture(autouse=True)
def _fake_types(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch)


ASK12 = {"options": [{"digit": "1"}, {"digit": "2"}]}


def test_cycle_of_pass_through_nodes_is_an_endless_redirect() -> None:
    g = build_graph(
        flow(
            "a",
            a=("t_pass", {}, {"next": "b"}),
            b=("t_pass", {}, {"next": "c"}),
            c=("t_pass", {}, {"next": "a"}),
        )
    )
    found = endless_redirects(g)
    assert codes(found) == [("loop.no_wait", "a")]
    assert found[0].severity == Severity.ERROR
    assert "a → b → c → a" in found[0].message
    assert unbounded_loops(g) == []  # not reported twice


def test_pass_through_self_loop() -> None:
    found = endless_redirects(build_graph(flow("a", a=("t_pass", {}, {"next": "a"}))))
    assert codes(found) == [("loop.no_wait", "a")]


def test_real_play_nodes_in_a_circle() -> None:
    found = validate(
        flow(
            "p", p=("play", {"text": "a"}, {"next": "q"}), q=("play", {"text": "b"}, {"next": "p"})
        )
    )
    assert ("loop.no_wait", "p") in codes(found)


def test_cycle_through_a_waiting_node_is_no_redirect() -> None:
    g = build_graph(
        flow("a", a=("t_pass", {}, {"next": "d"}), d=("t_dial", {}, {"no_answer": "a"}))
    )
    assert endless_redirects(g) == []


def test_timeout_back_to_the_same_menu_is_unbounded() -> None:
    g = build_graph(
        flow("m", m=("t_ask", ASK12, {"1": "e", "2": "e", "timeout": "m"}), e=("t_end",))
    )
    found = unbounded_loops(g)
    assert codes(found) == [("loop.unbounded", "m")]
    assert "via timeout" in found[0].message
    assert found[0].severity == Severity.ERROR


def test_real_menu_fallback_back_to_itself_is_unbounded() -> None:
    menu = {"prompt": {"text": "x"}, "options": [{"digit": "1"}]}
    found = validate(flow("m", m=("menu", menu, {"1": "b", "fallback": "m"}), b=("hangup",)))
    assert ("loop.unbounded", "m") in codes(found)


def test_no_answer_back_through_a_play_is_unbounded() -> None:
    g = build_graph(
        flow(
            "d",
            d=("t_dial", {}, {"no_answer": "p", "answered": "e"}),
            p=("t_pass", {}, {"next": "d"}),
            e=("t_end",),
        )
    )
    found = unbounded_loops(g)
    assert codes(found) == [("loop.unbounded", "d")]
    assert "d → p → d" in found[0].message
    assert "via next, no_answer" in found[0].message


def test_loop_closed_by_a_caller_choice_is_fine() -> None:
    g = build_graph(
        flow(
            "m",
            m=("t_ask", ASK12, {"1": "p", "2": "e", "timeout": "e"}),
            p=("t_pass", {}, {"next": "m"}),
            e=("t_end",),
        )
    )
    assert unbounded_loops(g) == []
    assert endless_redirects(g) == []


def test_only_ports_the_node_has_count() -> None:
    # "9" is not an option, so it can never be taken: no loop at all.
    g = build_graph(
        flow("m", m=("t_ask", ASK12, {"1": "e", "9": "m", "timeout": "e"}), e=("t_end",))
    )
    assert unbounded_loops(g) == []


def test_broken_nodes_take_no_part() -> None:
    g = build_graph(
        flow(
            "a",
            a=("t_pass", {"note": 5}, {"next": "b"}),
            b=("t_pass", {}, {"next": "a"}),
            c=("nope", {}, {"next": "c"}),
        )
    )
    assert endless_redirects(g) == []


def test_one_finding_per_component_and_smallest_id_named() -> None:
    g = build_graph(
        flow(
            "x",
            x=("t_pass", {}, {"next": "y"}),
            y=("t_pass", {}, {"next": "x"}),
            b=("t_pass", {}, {"next": "a"}),
            a=("t_pass", {}, {"next": "b"}),
        )
    )
    assert codes(endless_redirects(g)) == [("loop.no_wait", "a"), ("loop.no_wait", "x")]


def test_result_does_not_depend_on_node_order() -> None:
    nodes = {
        "d": Node("d", "t_dial", {}, {"no_answer": "p"}),
        "p": Node("p", "t_pass", {}, {"next": "q"}),
        "q": Node("q", "t_pass", {}, {"next": "d"}),
    }
    one = validate(Flow("f", "d", nodes))
    other = validate(Flow("f", "d", dict(reversed(list(nodes.items())))))
    assert one == other
    assert codes(one) == [("loop.unbounded", "d")]


def test_long_cycle_message_is_shortened() -> None:
    n = 50
    nodes = {f"n{i:02}": ("t_pass", {}, {"next": f"n{(i + 1) % n:02}"}) for i in range(n)}
    found = endless_redirects(build_graph(flow("n00", **nodes)))
    assert len(found) == 1
    assert "…" in found[0].message
    assert found[0].message.count("→") < 12


def test_large_chain_with_choice_loops_is_handled() -> None:
    n = 5000
    nodes = {}
    for i in range(n):
        nxt = f"n{i + 1}" if i + 1 < n else "end"
        nodes[f"n{i}"] = ("t_ask", ASK12, {"1": nxt, "2": "n0", "timeout": nxt})
    nodes["end"] = ("t_end",)
    assert validate(flow("n0", **nodes)) == []


def test_unbounded_loop_is_shown_through_a_waiting_node() -> None:
    g = build_graph(
        flow(
            "a",
            a=("t_branch", {}, {"yes": "b", "no": "d"}),
            b=("t_pass", {}, {"next": "a"}),
            d=("t_dial", {}, {"no_answer": "a"}),
        )
    )
    assert codes(endless_redirects(g)) == [("loop.no_wait", "a")]
    found = unbounded_loops(g)
    assert codes(found) == [("loop.unbounded", "d")]
    assert "d → a → d" in found[0].message
