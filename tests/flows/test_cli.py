"""The `flows` command group, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from flows.cli import flows_cli
from flows.validation.catalogue_file import catalogue_from_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "flows" / "examples"

MENU = {"prompt": {"text": "Tryk 1"}, "options": [{"digit": "1"}]}


def document(name: str = "main", **nodes: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "name": name,
        "entry": next(iter(nodes)),
        "nodes": nodes,
    }


GOOD = document(
    m={"type": "menu", "props": MENU, "ports": {"1": "p", "fallback": "bye"}},
    p={"type": "play", "props": {"text": "Hej"}, "ports": {"next": "bye"}},
    bye={"type": "hangup"},
)


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(*args: Any) -> Result:
    return CliRunner().invoke(flows_cli, [str(a) for a in args])


def test_validate_a_good_file(tmp_path: Path) -> None:
    result = run("validate", write(tmp_path, "main.json", GOOD))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 file(s): 0 error(s), 0 warning(s)" in result.stderr


def test_validate_warnings_only_exit_zero(tmp_path: Path) -> None:
    data = {**GOOD, "nodes": {**GOOD["nodes"], "lost": {"type": "hangup"}}}
    path = write(tmp_path, "main.json", data)
    result = run("validate", path)
    assert result.exit_code == 0
    expected = 'warning node.unreachable lost: node "lost" cannot be reached from the entry "m"'
    assert result.stdout == f"{path}: {expected}\n"


def test_validate_errors_exit_one_with_node_and_port(tmp_path: Path) -> None:
    data = document(m={"type": "menu", "props": MENU, "ports": {"1": "gone", "fallback": "m"}})
    path = write(tmp_path, "main.json", data)
    result = run("validate", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{path}: error port.target_missing m.1: " in result.stdout
    assert any(line.startswith(f"{path}: error loop.unbounded m: ") for line in lines)


def test_validate_load_error_exits_two_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "main.json", document(m={"type": "menu", "ports": {"1": 5}}))
    result = run("validate", path, write(tmp_path, "other.json", "{oops"))
    assert result.exit_code == 2
    assert f'error: {path}: node "m": field "ports.1": target must be a string' in result.stderr
    assert "other.json: line 1, column 2: invalid JSON" in result.stderr
    assert "Traceback" not in result.output


def test_validate_missing_file_and_no_file() -> None:
    result = run("validate", "/nonexistent/x.json")
    assert result.exit_code == 2
    assert "cannot read file" in result.stderr
    assert run("validate").exit_code == 2


def test_validate_two_files_with_the_same_flow_name(tmp_path: Path) -> None:
    result = run("validate", write(tmp_path, "a.json", GOOD), write(tmp_path, "b.json", GOOD))
    assert result.exit_code == 2
    assert 'flow name "main" is also used by' in result.stderr


def test_validate_set_finds_sub_flow_cycles(tmp_path: Path) -> None:
    a = write(tmp_path, "a.json", document("a", g={"type": "goto_flow", "props": {"flow": "b"}}))
    b = write(
        tmp_path,
        "b.yaml",
        "format: 1\nname: b\nentry: g\nnodes:\n  g: {type: goto_flow, props: {flow: a}}\n",
    )
    result = run("validate", a, b)
    assert result.exit_code == 1
    assert f"{a}: error flow.subflow_cycle g: " in result.stdout
    assert f"{b}: error flow.subflow_cycle g: " in result.stdout
    alone = run("validate", a)
    assert alone.exit_code == 0


def test_validate_json_output(tmp_path: Path) -> None:
    data = {**GOOD, "nodes": {**GOOD["nodes"], "lost": {"type": "nope"}}}
    result = run("validate", "--json", write(tmp_path, "main.json", data))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    [entry] = report["files"]
    assert (entry["flow"], entry["errors"], entry["warnings"]) == ("main", 1, 1)
    assert {f["code"] for f in entry["findings"]} == {"node.type_unknown", "node.unreachable"}
    assert entry["findings"][0]["severity"] == "error"


def test_validate_with_a_catalogue(tmp_path: Path) -> None:
    data = document(
        p={"type": "play", "props": {"audio": "welcome"}, "ports": {"next": "bye"}},
        bye={"type": "hangup"},
    )
    path = write(tmp_path, "main.json", data)
    empty = write(tmp_path, "cat.json", {"audio": {}})
    result = run("validate", "--catalogue", empty, path)
    assert result.exit_code == 1
    assert "ref.audio_missing p" in result.stdout
    full = write(tmp_path, "full.json", {"audio": [{"id": "welcome", "name": "Welcome"}]})
    assert run("validate", "--catalogue", full, path).exit_code == 0
    assert run("validate", path).exit_code == 0


def test_validate_with_a_broken_catalogue(tmp_path: Path) -> None:
    path = write(tmp_path, "main.json", GOOD)
    result = run(
        "validate",
        "--catalogue",
        write(tmp_path, "cat.json", {"audio": {"a": {"use": "jingle"}}}),
        path,
    )
    assert result.exit_code == 2
    assert "unknown use" in result.stderr
    result = run("validate", "--catalogue", write(tmp_path, "c2.json", "[1"), path)
    assert result.exit_code == 2
    assert "c2.json: line 1" in result.stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a catalogue must be an object"),
        ({"boxes": {}}, 'unknown key "boxes"'),
        ({"audio": [{"name": "x"}]}, 'list items must be objects with a string "id"'),
        ({"audio": {"a": 1}}, '"audio.a": must be an object'),
        ({"audio": {"a": {"colour": "red"}}}, '"audio.a"'),
        ({"numbers": "+45"}, '"numbers": must be a list of strings'),
        ({"music_lines_covered": "many"}, "whole number"),
        ({"voicemail_boxes": 3}, '"voicemail_boxes": must be an object keyed by id or a list'),
    ],
)
def test_catalogue_problems(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalogue_from_dict(data)


def test_catalogue_from_dict() -> None:
    catalogue = catalogue_from_dict(
        {
            "audio": {"song": {"use": "hold_music", "is_music": True, "rights_valid": False}},
            "voicemail_boxes": [{"id": "sales", "listeners": 2}],
            "numbers": ["+4512345678"],
            "flows": ["sub"],
            "music_lines_covered": 4,
        }
    )
    assert catalogue.audio["song"].is_music
    assert catalogue.voicemail_boxes["sales"].listeners == 2
    assert catalogue.numbers == frozenset({"+4512345678"})
    assert catalogue.music_lines_covered == 4


def test_fmt_prints_canonical_form(tmp_path: Path) -> None:
    path = write(tmp_path, "main.json", GOOD)
    result = run("fmt", path)
    assert result.exit_code == 0
    assert list(json.loads(result.stdout)["nodes"]) == ["bye", "m", "p"]
    assert result.stdout.endswith("}\n")


def test_fmt_check_and_write(tmp_path: Path) -> None:
    path = write(tmp_path, "main.json", GOOD)
    result = run("fmt", "--check", path)
    assert result.exit_code == 1
    assert "not in canonical form" in result.stderr
    assert run("fmt", "--write", path).exit_code == 0
    assert run("fmt", "--check", path).exit_code == 0
    canonical = path.read_text()
    assert run("fmt", "--write", path).exit_code == 0
    assert path.read_text() == canonical


def test_fmt_usage_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "main.json", GOOD)
    assert run("fmt", "--check", "--write", path).exit_code == 2
    result = run("fmt", path, path)
    assert result.exit_code == 2
    assert "need --check or --write" in result.stderr
    assert run("fmt", write(tmp_path, "bad.json", "[]")).exit_code == 2


def test_diff(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", GOOD)
    changed = json.loads(json.dumps(GOOD))
    changed["nodes"]["p"]["props"]["text"] = "Farvel"
    changed["nodes"]["m"]["ports"]["1"] = "bye"
    new = write(tmp_path, "new.json", changed)
    result = run("diff", old, new)
    assert result.exit_code == 0
    assert '~ node p (play): text: "Hej" → "Farvel"' in result.stdout
    assert "~ node m: port 1: p → bye" in result.stdout
    assert run("diff", "--exit-code", old, new).exit_code == 1
    assert run("diff", "--exit-code", old, old).exit_code == 0
    data = json.loads(run("diff", "--json", old, new).stdout)
    assert data["ports"] == [
        {"node": "m", "port": "1", "change": "changed", "old": "p", "new": "bye"}
    ]


def test_types(tmp_path: Path) -> None:
    result = run("types")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("menu ") and "fallback!" in line for line in lines)
    described = json.loads(run("types", "--json").stdout)
    assert {"menu", "play", "hangup"} <= {d["type"] for d in described}


def test_render_prints_twiml(tmp_path: Path) -> None:
    path = write(tmp_path, "main.json", GOOD)
    result = run("render", path, "--node", "p", "--at", "2026-12-24T10:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<?xml")
    assert "<Say" in result.stdout
    assert "Hej" in result.stdout
    assert "<Hangup" in result.stdout


def test_render_entry_with_state(tmp_path: Path) -> None:
    result = run("render", write(tmp_path, "main.json", GOOD), "--state", "retry=timeout")
    assert result.exit_code == 0, result.output
    assert "<Gather" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--node", "zz"], 'no node "zz"'),
        (["--at", "tomorrow"], "is not an ISO date-time"),
        (["--tz", "Mars/Olympus"], "unknown time zone"),
        (["--state", "novalue"], "must look like key=value"),
    ],
)
def test_render_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = run("render", write(tmp_path, "main.json", GOOD), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_render_of_a_broken_node_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    data = document(p={"type": "play", "props": {"loop": "many"}})
    result = run("render", write(tmp_path, "main.json", data), "--node", "p")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def test_examples_good_ones_pass_and_broken_fails_per_node() -> None:
    good = sorted(p for p in EXAMPLES.glob("*.json") if p.name != "broken.json")
    assert good, "flows/examples holds example flows"
    result = run("validate", *good)
    assert result.exit_code == 0, result.output
    assert " error " not in result.stdout
    broken = run("validate", EXAMPLES / "broken.json")
    assert broken.exit_code == 1
    lines = broken.stdout.splitlines()
    assert lines
    assert all(line.startswith(f"{EXAMPLES / 'broken.json'}: ") for line in lines)
    errors = [line for line in lines if ": error " in line]
    assert errors
    # every error names the node it is about
    assert all(len(line.split(": ")[1].split()) == 3 for line in errors)


def test_fmt_write_keeps_the_examples_meaning(tmp_path: Path) -> None:
    from flows.fileformat import load_flow

    for example in sorted(EXAMPLES.glob("*.json")):
        copy = write(tmp_path, example.name, example.read_text(encoding="utf-8"))
        assert run("fmt", "--write", copy).exit_code == 0
        assert run("fmt", "--check", copy).exit_code == 0
        assert load_flow(copy) == load_flow(example)


def _main_number() -> Path:
    return EXAMPLES / "main_number.json"


def test_simulate_prints_a_readable_trace() -> None:
    # Monday 21 December 2026, 10:00 in Copenhagen: open
    result = run(
        "simulate",
        _main_number(),
        "--at",
        "2026-12-21T10:00",
        "--digits",
        "1",
        "--dial",
        "overflow",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("  1 hours (hours)")
    assert lines[0].endswith("→ open")
    assert any(
        "menu (menu)" in line and "pressed 1" in line and line.endswith("→ 1") for line in lines
    )
    assert any("overflow" in line for line in lines)
    assert lines[-1].startswith("end: voicemail")


def test_simulate_naive_time_is_in_the_flow_time_zone() -> None:
    # 23:30 UTC on Sunday is already Monday 00:30 in Copenhagen: both closed, but
    # 08:30 Copenhagen on a Monday is open while 07:30 UTC (=08:30 CET) is the same moment
    naive = run("simulate", _main_number(), "--at", "2026-12-21T08:30", "--json")
    aware = run("simulate", _main_number(), "--at", "2026-12-21T07:30:00+00:00", "--json")
    assert naive.exit_code == 0, naive.output
    assert (
        json.loads(naive.stdout)["steps"][0]["port"] == json.loads(aware.stdout)["steps"][0]["port"]
    )


def test_simulate_json_output() -> None:
    result = run("simulate", _main_number(), "--at", "2026-12-24T10:00", "--json")
    assert result.exit_code == 0, result.output
    trace = json.loads(result.stdout)
    assert trace["steps"][0]["node"] == "hours"
    assert trace["end"] in {"hangup", "voicemail", "fax", "answered", "loop", "step_cap"}


def test_simulate_across_flows_names_the_flow(tmp_path: Path) -> None:
    a = write(tmp_path, "a.json", document("a", g={"type": "goto_flow", "props": {"flow": "b"}}))
    b = write(tmp_path, "b.json", document("b", bye={"type": "hangup"}))
    result = run("simulate", a, b, "--at", "2026-12-21T10:00")
    assert result.exit_code == 0, result.output
    assert "a/g (goto_flow)" in result.stdout
    assert "⇒ flow b" in result.stdout
    assert "b/bye (hangup)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--flow", "nope"], 'no flow named "nope"'),
        (["--at", "soon"], "not an ISO date-time"),
        (["--at", "2026-12-21T10:00", "--digits", "1", "--dial", "recorded"], "does not fit"),
    ],
)
def test_simulate_usage_errors(args: list[str], message: str) -> None:
    result = run("simulate", _main_number(), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_the_shipped_examples_are_in_canonical_form() -> None:
    result = run("fmt", "--check", *sorted(EXAMPLES.glob("*.json")))
    assert result.exit_code == 0, result.output
