"""Flow files: structural errors name file, node and field; canonical output is stable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flows.errors import FlowError
from flows.fileformat import (
    FlowFormatError,
    dump_flow,
    flow_from_dict,
    flow_to_dict,
    load_flow,
)
from flows.model import Flow, Node, Position


def doc(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": 1,
        "name": "Main line",
        "entry": "m1",
        "nodes": {
            "m1": {
                "type": "menu",
                "props": {"prompt": {"text": "Tryk 1"}, "options": [{"digit": "1"}]},
                "ports": {"1": "p1", "fallback": "bye"},
            },
            "p1": {"type": "play", "props": {"text": "Hej"}, "ports": {"next": "bye"}},
            "bye": {"type": "hangup"},
        },
        "layout": {"m1": {"x": 10, "y": 20.5}},
    }
    data.update(overrides)
    return data


def node_doc(**node: Any) -> dict[str, Any]:
    return doc(nodes={"m1": node})


def load_error(data: Any, filename: str = "main.json") -> FlowFormatError:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(FlowFormatError) as info:
        load_flow(text, filename=filename)
    return info.value


def test_loads_a_json_document() -> None:
    flow = load_flow(json.dumps(doc()), filename="main.json")
    assert flow.name == "Main line"
    assert flow.entry == "m1"
    assert set(flow.nodes) == {"m1", "p1", "bye"}
    assert flow.nodes["m1"].ports == {"1": "p1", "fallback": "bye"}
    assert flow.nodes["bye"].props == {}
    assert flow.layout == {"m1": Position(10, 20.5)}


def test_loads_yaml_with_digit_ports_as_strings() -> None:
    text = """
format: 1
name: Main line
entry: m1
nodes:
  m1:
    type: menu
    props: {prompt: {text: Tryk 1}, options: [{digit: "1"}]}
    ports:
      1: p1
      "#": bye
      fallback: bye
  p1: {type: play, props: {text: Hej}, ports: {next: bye}}
  bye: {type: hangup}
"""
    flow = load_flow(text, filename="main.yaml")
    assert flow.nodes["m1"].ports == {"1": "p1", "#": "bye", "fallback": "bye"}
    assert flow == load_flow(text)  # without a name: JSON fails, YAML is tried


def test_yaml_and_json_of_the_same_flow_dump_the_same() -> None:
    import yaml

    data = doc()
    assert dump_flow(load_flow(yaml.safe_dump(data), filename="f.yml")) == dump_flow(
        load_flow(json.dumps(data))
    )


def test_loads_from_a_path_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sales.json"
    path.write_text(json.dumps(node_doc(type="menu", ports={"1": 5})), encoding="utf-8")
    with pytest.raises(FlowFormatError) as info:
        load_flow(path)
    assert (
        str(info.value)
        == 'sales.json: node "m1": field "ports.1": target must be a string, not a number'
    )
    assert (info.value.filename, info.value.node, info.value.field) == (
        "sales.json",
        "m1",
        "ports.1",
    )


def test_is_a_flow_error_and_a_value_error() -> None:
    error = load_error("[]")
    assert isinstance(error, FlowError)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ('{"format": 1,\n "name": }', "main.json", "main.json: line 2, column 10: invalid JSON"),
        ("format: 1\nname: [x\n", "main.yaml", "main.yaml: line 3, column 1: invalid YAML"),
        ('{"format": 1, "name": "x",}', None, "<flow>: line 1, column 27: invalid JSON"),
    ],
)
def test_malformed_documents_give_line_and_column(
    text: str, filename: str | None, expected: str
) -> None:
    with pytest.raises(FlowFormatError) as info:
        load_flow(text, filename=filename)
    assert str(info.value).startswith(expected)
    assert info.value.line is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "main.json: a flow document must be an object, not a list"),
        ("3", "main.json: a flow document must be an object, not a number"),
        (doc(color="red"), 'main.json: field "color": unknown key'),
        (doc(format=2), 'main.json: field "format": unsupported format 2'),
        (doc(format=True), 'main.json: field "format": unsupported format True'),
        ({k: v for k, v in doc().items() if k != "format"}, 'main.json: field "format": missing'),
        (doc(name=""), 'main.json: field "name": must be a non-empty string'),
        (doc(name="x" * 201), 'main.json: field "name": longer than 200'),
        (doc(description=3), 'main.json: field "description": must be a string, not a number'),
        (doc(entry=["m1"]), 'main.json: field "entry": must be a string, not a list'),
        (doc(nodes=[]), 'main.json: field "nodes": must be an object keyed by node id'),
        (doc(nodes={"": {"type": "play"}}), 'main.json: field "nodes.": node id must not be empty'),
        (doc(nodes={"a" * 65: {"type": "play"}}), "node id is longer than 64 characters"),
        (doc(nodes={"a b": {"type": "play"}}), "node id 'a b' may only hold letters"),
        (doc(nodes={"-a": {"type": "play"}}), "must not start with '-'"),
        (doc(layout={"m1": {"x": "1", "y": 2}}), 'field "layout.m1": x and y must be finite'),
        (doc(layout={"m1": {"x": True, "y": 2}}), 'field "layout.m1": x and y must be finite'),
        (doc(layout={"m1": {"x": 1}}), 'field "layout.m1": must be an object {"x": number'),
        (doc(layout={"zz": {"x": 1, "y": 2}}), 'field "layout.zz": layout for a node that does'),
        (doc(layout=[1]), 'field "layout": must be an object'),
    ],
)
def test_top_level_problems(data: Any, message: str) -> None:
    assert message in str(load_error(data))


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ("menu", 'node "m1": a node must be an object, not a string'),
        ({"props": {}}, 'node "m1": field "type": missing'),
        ({"type": ""}, 'node "m1": field "type": must be a non-empty string'),
        ({"type": 7}, 'node "m1": field "type": must be a non-empty string, not a number'),
        ({"type": "play", "port": {}}, 'node "m1": field "port": unknown key'),
        ({"type": "play", "props": []}, 'node "m1": field "props": must be an object, not a list'),
        ({"type": "play", "ports": "x"}, 'node "m1": field "ports": must be an object'),
        (
            {"type": "play", "ports": {"next": None}},
            'field "ports.next": target must be a string, not null',
        ),
        ({"type": "play", "ports": {"next": ""}}, 'field "ports.next": target must not be empty'),
        ({"type": "play", "ports": {"next": "a/b"}}, "field \"ports.next\": target 'a/b' may only"),
        ({"type": "play", "ports": {"n" * 33: "x"}}, "port name is longer than 32"),
        ({"type": "play", "ports": {"": "x"}}, 'field "ports.": port names must be non-empty'),
    ],
)
def test_node_problems_name_the_node_and_field(node: Any, message: str) -> None:
    error = load_error(doc(nodes={"m1": node}))
    assert str(error).startswith("main.json: ")
    assert message in str(error)
    assert error.node == "m1"


def test_props_must_be_json_values() -> None:
    text = "format: 1\nname: x\nnodes:\n  a:\n    type: play\n    props: {when: 2024-01-01}\n"
    error = load_error(text, "f.yaml")
    assert str(error).startswith(
        'f.yaml: node "a": field "props.when": date values are not allowed'
    )


def test_props_reject_non_finite_numbers_in_yaml() -> None:
    text = "format: 1\nname: x\nnodes:\n  a: {type: play, props: {volume: .nan}}\n"
    assert 'field "props.volume": numbers must be finite' in str(load_error(text, "f.yaml"))


def test_json_rejects_nan_and_duplicate_keys() -> None:
    assert "NaN is not a number" in str(load_error('{"format": NaN}'))
    assert "duplicate key 'm1'" in str(
        load_error(
            '{"format": 1, "name": "x", "nodes": {"m1": {"type": "a"}, "m1": {"type": "b"}}}'
        )
    )


def test_yaml_aliases_are_refused() -> None:
    text = "format: 1\nname: x\nnodes:\n  a: &n {type: play}\n  b: *n\n"
    assert "aliases are not supported" in str(load_error(text, "f.yaml"))


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert "invalid JSON" in str(load_error("[" * 100_000 + "]" * 100_000))
    nested: Any = {}
    for _ in range(40):
        nested = {"a": nested}
    assert "nested more than 32 levels" in str(load_error(node_doc(type="play", props=nested)))


def test_size_limit(tmp_path: Path) -> None:
    text = json.dumps(doc(description="x" * 2000))
    with pytest.raises(FlowFormatError, match="more than the limit of 1000"):
        load_flow(text, max_bytes=1000)
    path = tmp_path / "big.json"
    path.write_text(text)
    with pytest.raises(FlowFormatError, match=r"^big\.json: file is \d+ bytes"):
        load_flow(path, max_bytes=1000)
    assert load_flow(path).description == "x" * 2000


def test_default_size_limit_is_one_mebibyte() -> None:
    with pytest.raises(FlowFormatError, match="limit of 1048576"):
        load_flow(b" " * (1024 * 1024 + 1))


def test_node_count_limit() -> None:
    nodes = {f"n{i}": {"type": "hangup"} for i in range(11)}
    with pytest.raises(FlowFormatError, match='field "nodes": 11 nodes, more than the limit of 10'):
        load_flow(json.dumps(doc(nodes=nodes, layout={})), max_nodes=10)


def test_unreadable_inputs() -> None:
    with pytest.raises(FlowFormatError, match=r"^x\.json: not UTF-8 text \(byte 1\)"):
        load_flow(b"{\xff}", filename="x.json")
    with pytest.raises(FlowFormatError, match="cannot read file"):
        load_flow(Path("/nonexistent/flow.json"))


def test_schema_problems_are_not_format_problems() -> None:
    flow = load_flow(json.dumps(node_doc(type="menu", props={"timeout": "soon", "bogus": 1})))
    assert flow.nodes["m1"].props == {"timeout": "soon", "bogus": 1}
    assert load_flow(json.dumps(node_doc(type="no-such-type"))).nodes["m1"].type == "no-such-type"


def test_entry_may_be_missing_in_a_draft() -> None:
    data = doc()
    del data["entry"]
    assert load_flow(json.dumps(data)).entry == ""


def test_dump_is_canonical_and_idempotent() -> None:
    text = dump_flow(load_flow(json.dumps(doc())))
    assert text.endswith("}\n")
    assert text == dump_flow(load_flow(text))
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert list(data["nodes"]) == ["bye", "m1", "p1"]
    assert '\n  "entry": "m1",\n' in text  # 2-space indent


def test_dump_does_not_depend_on_input_order() -> None:
    data = doc()
    reordered = dict(reversed(list(data.items())))
    reordered["nodes"] = dict(reversed(list(data["nodes"].items())))
    assert dump_flow(load_flow(json.dumps(reordered))) == dump_flow(load_flow(json.dumps(data)))


def test_dump_formats_numbers_stably() -> None:
    flow = Flow(
        name="x",
        entry="a",
        nodes={"a": Node("a", "play", {"text": "æøå", "ratio": 0.1})},
        layout={"a": Position(100.0, 33.333333)},
    )
    text = dump_flow(flow)
    assert '"x": 100,' in text
    assert '"y": 33.33' in text
    assert '"ratio": 0.1' in text
    assert "æøå" in text


def test_layout_is_kept_apart_from_the_nodes() -> None:
    data = flow_to_dict(load_flow(json.dumps(doc())))
    assert "layout" not in data["nodes"]["m1"]
    assert data["layout"] == {"m1": {"x": 10, "y": 20.5}}


def test_dict_round_trip_for_the_web_app() -> None:
    flow = load_flow(json.dumps(doc(description="Hovednummer")))
    data = flow_to_dict(flow)
    assert data["description"] == "Hovednummer"
    assert flow_from_dict(data) == flow
    assert flow_from_dict(json.loads(json.dumps(data))) == flow
    assert "description" not in flow_to_dict(load_flow(json.dumps(doc())))


def test_flow_from_dict_names_the_file() -> None:
    with pytest.raises(FlowFormatError, match=r'^stored: field "nodes"'):
        flow_from_dict(doc(nodes=3), filename="stored")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: 1\nname: x\nnodes:\n  ~: {type: play}\n", "node id must be a string, not null"),
        (
            "format: 1\nname: x\nnodes:\n  a: {type: play, props: {~: 1}}\n",
            'field "props.None": keys must be strings',
        ),
        ("format: 1\nname: x\nentry: true\n", 'field "entry": must be a string, not a boolean'),
        ("format: 1\nname: x\nentry: {a: 1}\n", 'field "entry": must be a string, not an object'),
        (
            "format: 1\nname: x\nnodes: {a: {type: play, ports: {next: [b]}}}\n",
            "target must be a string, not a list",
        ),
        (
            "format: 1\nname: x\nnodes: {a: {type: play, props: {s: !!set {a}}}}\n",
            "set values are not allowed",
        ),
    ],
)
def test_yaml_specific_problems(text: str, message: str) -> None:
    assert message in str(load_error(text, "f.yaml"))


def test_yaml_nested_too_deeply() -> None:
    assert "invalid YAML" in str(load_error("a: " + "[" * 5000 + "]" * 5000, "f.yaml"))


def test_null_optional_fields_mean_empty() -> None:
    data = doc(description=None, entry=None, layout=None)
    flow = load_flow(json.dumps(data))
    assert (flow.description, flow.entry, flow.layout) == ("", "", {})


def test_a_directory_is_not_readable(tmp_path: Path) -> None:
    with pytest.raises(FlowFormatError, match=r"^x\.json: cannot read file"):
        load_flow(tmp_path, filename="x.json")


def test_bytes_over_the_limit() -> None:
    with pytest.raises(FlowFormatError, match="more than the limit of 10 bytes"):
        load_flow(b"{" + b" " * 20 + b"}", max_bytes=10)
