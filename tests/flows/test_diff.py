"""Semantic diff of two flow versions."""

from __future__ import annotations

import json

from flows.diff import FieldChange, PortChange, diff_flows, format_diff
from flows.model import Flow, Node, Position

MENU = {"prompt": {"text": "Tryk 1"}, "options": [{"digit": "1"}], "timeout": 5}


def base(**changes: object) -> Flow:
    nodes = {
        "m": Node("m", "menu", MENU, {"1": "p", "fallback": "bye"}),
        "p": Node("p", "play", {"text": "Hej"}, {"next": "bye"}),
        "bye": Node("bye", "hangup"),
    }
    data: dict = {
        "name": "main",
        "entry": "m",
        "nodes": nodes,
        "layout": {"m": Position(0, 0), "p": Position(100, 0)},
    }
    data.update(changes)
    return Flow(**data)


def test_identical_flows_have_no_diff() -> None:
    diff = diff_flows(base(), base())
    assert diff.empty
    assert not diff.logic_changed
    assert format_diff(diff) == "no changes"


def test_nodes_added_and_removed() -> None:
    old = base()
    nodes = dict(old.nodes)
    del nodes["p"]
    nodes["q"] = Node("q", "transfer", {"number": "+4512345678"})
    diff = diff_flows(old, base(nodes=nodes))
    assert diff.added == (("q", "transfer"),)
    assert diff.removed == (("p", "play"),)
    text = format_diff(diff)
    assert "+ node q (transfer)" in text
    assert "- node p (play)" in text


def test_property_changes_with_dotted_paths() -> None:
    menu = {
        "prompt": {"text": "Tryk 1 eller 2"},
        "options": [{"digit": "1"}, {"digit": "2"}],
        "max_retries": 2,
    }
    nodes = {**base().nodes, "m": Node("m", "menu", menu, {"1": "p", "fallback": "bye"})}
    diff = diff_flows(base(), base(nodes=nodes))
    [change] = diff.changed
    assert change.node == "m"
    assert not change.type_changed
    assert change.props == (
        FieldChange("max_retries", "added", new=2),
        FieldChange("options.1", "added", new={"digit": "2"}),
        FieldChange("prompt.text", "changed", old="Tryk 1", new="Tryk 1 eller 2"),
        FieldChange("timeout", "removed", old=5),
    )
    text = format_diff(diff)
    assert '~ node m (menu): prompt.text: "Tryk 1" → "Tryk 1 eller 2"' in text
    assert "~ node m (menu): timeout: removed (was 5)" in text
    assert "~ node m (menu): max_retries: added 2" in text


def test_equal_numbers_are_not_a_change_but_booleans_are() -> None:
    a = base(nodes={"x": Node("x", "play", {"n": 1, "b": 1})})
    b = base(nodes={"x": Node("x", "play", {"n": 1.0, "b": True})})
    [change] = diff_flows(a, b).changed
    assert [p.path for p in change.props] == ["b"]


def test_type_change() -> None:
    nodes = {**base().nodes, "p": Node("p", "hangup", {}, {})}
    diff = diff_flows(base(), base(nodes=nodes))
    [change] = diff.changed
    assert (change.old_type, change.new_type, change.type_changed) == ("play", "hangup", True)
    assert "~ node p: type play → hangup" in format_diff(diff)
    assert diff.ports == (PortChange("p", "next", "removed", "bye", None),)


def test_ports_rewired_added_removed() -> None:
    nodes = {**base().nodes, "m": Node("m", "menu", MENU, {"1": "bye", "timeout": "p"})}
    diff = diff_flows(base(), base(nodes=nodes))
    assert diff.ports == (
        PortChange("m", "1", "changed", "p", "bye"),
        PortChange("m", "fallback", "removed", "bye", None),
        PortChange("m", "timeout", "added", None, "p"),
    )
    text = format_diff(diff)
    assert "~ node m: port 1: p → bye" in text
    assert "~ node m: port fallback removed (was → bye)" in text
    assert "~ node m: port timeout added → p" in text
    assert diff.changed == ()


def test_entry_name_description_changes() -> None:
    diff = diff_flows(base(), base(entry="p", name="Main", description="new"))
    assert [(c.path, c.old, c.new) for c in diff.flow] == [
        ("name", "main", "Main"),
        ("entry", "m", "p"),
        ("description", "", "new"),
    ]
    assert '~ flow entry: "m" → "p"' in format_diff(diff)


def test_layout_only_changes_are_apart() -> None:
    diff = diff_flows(base(), base(layout={"m": Position(5, 0), "bye": Position(1, 1)}))
    assert diff.layout == ("bye", "m", "p")
    assert not diff.logic_changed
    assert not diff.empty
    assert format_diff(diff) == "  layout only: 3 node(s) moved (bye, m, p)"


def test_to_dict_is_json() -> None:
    nodes = {**base().nodes, "m": Node("m", "menu", {**MENU, "timeout": 9}, {"1": "bye"})}
    data = diff_flows(base(), base(nodes=nodes, entry="p")).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["nodes_changed"] == [
        {
            "node": "m",
            "type": "menu",
            "props": [{"path": "timeout", "change": "changed", "old": 5, "new": 9}],
        }
    ]
    assert data["ports"][0] == {
        "node": "m",
        "port": "1",
        "change": "changed",
        "old": "p",
        "new": "bye",
    }
    assert data["logic_changed"] is True
    assert data["flow"] == [{"path": "entry", "change": "changed", "old": "m", "new": "p"}]
