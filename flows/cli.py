"""`ivr-designer flows ...`: validate, render, simulate, diff and format flow files.

Exit codes: 0 fine, 1 the files have errors (or are not canonical, or differ with
`--exit-code`), 2 the command could not run (usage, unreadable file). No command shows
a traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from flows import registry
from flows.context import DEFAULT_TIMEZONE, RenderContext
from flows.diff import diff_flows, format_diff
from flows.errors import FlowError, InvalidParams
from flows.fileformat import FlowFormatError, dump_flow, load_flow
from flows.findings import Finding, Severity
from flows.model import Flow
from flows.validation import has_errors, validate_set
from flows.validation.catalogue_file import load_catalogue

__all__ = ["flows_cli"]

F = TypeVar("F", bound=Callable[..., Any])

FILES = click.Path(dir_okay=False, path_type=Path)


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def _no_traceback(command: F) -> F:
    """Turn anything unexpected into a one-line error instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except FlowError as exc:
            _fail(str(exc), 1)
        except Exception as exc:
            _fail(f"unexpected {type(exc).__name__}: {exc}", 1)

    return wrapper  # type: ignore[return-value]


def _load(path: Path) -> Flow:
    try:
        return load_flow(path, filename=str(path))
    except FlowFormatError as exc:
        _fail(str(exc))


def _load_set(paths: tuple[Path, ...]) -> dict[str, tuple[Path, Flow]]:
    """Flows by name; every file is read before failing, so all load errors show."""
    loaded: dict[str, tuple[Path, Flow]] = {}
    problems = []
    for path in paths:
        try:
            flow = load_flow(path, filename=str(path))
        except FlowFormatError as exc:
            problems.append(str(exc))
            continue
        if flow.name in loaded:
            problems.append(
                f'{path}: flow name "{flow.name}" is also used by {loaded[flow.name][0]}'
            )
            continue
        loaded[flow.name] = (path, flow)
    if problems:
        for problem in problems[:-1]:
            click.echo(f"error: {problem}", err=True)
        _fail(problems[-1])
    return loaded


# --- commands --------------------------------------------------------------------------


@click.group("flows")
def flows_cli() -> None:
    """Work with flow files (no database needed)."""


def _finding_line(path: Path, finding: Finding) -> str:
    where = ""
    if finding.node:
        where = f" {finding.node}" + (f".{finding.port}" if finding.port else "")
    return f"{path}: {finding.severity} {finding.code}{where}: {finding.message}"


@flows_cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=FILES)
@click.option(
    "--catalogue",
    type=FILES,
    help="JSON of the org's audio, boxes, numbers and flows; references are checked.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_no_traceback
def validate_command(files: tuple[Path, ...], catalogue: Path | None, as_json: bool) -> None:
    """Validate flow files, each alone and together (sub-flow cycles).

    Exit 0 when there are no errors (warnings allowed), 1 on any error.
    """
    cat = None
    if catalogue is not None:
        try:
            cat = load_catalogue(catalogue)
        except ValueError as exc:
            _fail(f"catalogue {exc}")
    loaded = _load_set(files)
    results = validate_set({name: flow for name, (_, flow) in loaded.items()}, cat)
    failed = any(has_errors(found) for found in results.values())
    if as_json:
        report = {
            "ok": not failed,
            "files": [
                {
                    "file": str(path),
                    "flow": name,
                    "errors": sum(f.severity == Severity.ERROR for f in results[name]),
                    "warnings": sum(f.severity == Severity.WARNING for f in results[name]),
                    "findings": [f.to_dict() for f in results[name]],
                }
                for name, (path, _) in loaded.items()
            ],
        }
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        errors = warnings = 0
        for name, (path, _) in loaded.items():
            for finding in results[name]:
                click.echo(_finding_line(path, finding))
                errors += finding.severity == Severity.ERROR
                warnings += finding.severity == Severity.WARNING
        click.echo(f"{len(loaded)} file(s): {errors} error(s), {warnings} warning(s)", err=True)
    if failed:
        raise SystemExit(1)


@flows_cli.command("fmt")
@click.argument("files", nargs=-1, required=True, type=FILES)
@click.option("--check", is_flag=True, help="Exit 1 if a file is not in canonical form.")
@click.option("--write", is_flag=True, help="Rewrite files in canonical form.")
@_no_traceback
def fmt_command(files: tuple[Path, ...], check: bool, write: bool) -> None:
    """Print a flow file in canonical JSON (sorted, stable), or check/rewrite it."""
    if check and write:
        _fail("use --check or --write, not both")
    if len(files) > 1 and not (check or write):
        _fail("several files need --check or --write")
    not_canonical = []
    for path in files:
        canonical = dump_flow(_load(path))
        if not (check or write):
            click.echo(canonical, nl=False)
            return
        current = path.read_text(encoding="utf-8")
        if current == canonical:
            continue
        if check:
            not_canonical.append(path)
            click.echo(f"{path}: not in canonical form", err=True)
        else:
            path.write_text(canonical, encoding="utf-8")
            click.echo(f"{path}: reformatted", err=True)
    if not_canonical:
        raise SystemExit(1)


@flows_cli.command("diff")
@click.argument("old", type=FILES)
@click.argument("new", type=FILES)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the logic differs.")
@_no_traceback
def diff_command(old: Path, new: Path, as_json: bool, exit_code: bool) -> None:
    """Show what changed between two versions of a flow (layout moves apart)."""
    diff = diff_flows(_load(old), _load(new))
    if as_json:
        click.echo(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_diff(diff))
    if exit_code and diff.logic_changed:
        raise SystemExit(1)


def _describe_line(info: Mapping[str, Any]) -> str:
    ports = []
    for port in info.get("ports", []):
        mark = "!" if port.get("required") else ""
        ports.append(f"{port['name']}{mark}")
    shown = " ".join(ports) or "-"
    return f"{info['type']:<11} {info.get('waits', ''):<9} {info.get('label', '')}: ports {shown}"


@flows_cli.command("types")
@click.option("--json", "as_json", is_flag=True, help="The full editor metadata as JSON.")
@_no_traceback
def types_command(as_json: bool) -> None:
    """List the node types (ports marked ! are required)."""
    described = registry.describe()
    if as_json:
        click.echo(json.dumps(described, indent=2, ensure_ascii=False, default=str))
        return
    for info in described:
        click.echo(_describe_line(info))


def parse_at(value: str | None, timezone: str) -> datetime:
    """A moment from ISO text; a naive time is in `timezone` (the org's)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(f"unknown time zone {timezone!r}")
    if value is None:
        return datetime.now(zone)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"--at {value!r} is not an ISO date-time (2026-12-24T10:00)")
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def parse_state(pairs: tuple[str, ...]) -> dict[str, str]:
    state = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            _fail(f"--state {pair!r} must look like key=value")
        state[key] = value
    return state


@flows_cli.command("render")
@click.argument("file", type=FILES)
@click.option("--node", "node_id", help="The node to render (default: the entry).")
@click.option("--at", "at", help="When the call happens (ISO; naive = in --tz).")
@click.option("--tz", "timezone", default=DEFAULT_TIMEZONE, show_default=True)
@click.option("--state", "state", multiple=True, help="Per-call state key=value (repeatable).")
@click.option("--caller", default="", help="The caller's number (E.164).")
@_no_traceback
def render_command(
    file: Path,
    node_id: str | None,
    at: str | None,
    timezone: str,
    state: tuple[str, ...],
    caller: str,
) -> None:
    """Print the TwiML one step URL of the node would answer."""
    from flows.runtime import render

    flow = _load(file)
    node_id = node_id or flow.entry
    if node_id not in flow.nodes:
        _fail(f'{file}: no node "{node_id}"')
    ctx = RenderContext(
        now=parse_at(at, timezone),
        timezone=timezone,
        caller=caller,
        flow=flow.name,
        state=parse_state(state),
        flows={flow.name: flow},
    )
    click.echo(render(flow, node_id, ctx))


def _split(value: str | None) -> list[str]:
    if value is None or value == "":
        return []
    return [part.strip() for part in value.split(",")]


def _step_line(number: int, step: Any, several_flows: bool) -> str:
    where = f"{step.flow}/{step.node}" if several_flows else step.node
    parts = [f"{number:>3} {where} ({step.type})"]
    if step.heard:
        parts.append("hears " + ", ".join(step.heard))
    if step.waiting:
        parts.append("waits hearing " + ", ".join(step.waiting))
    if step.dialled:
        parts.append("rings " + ", ".join(step.dialled))
    if step.pressed is not None:
        parts.append(f"pressed {step.pressed}" if step.pressed else "pressed nothing")
    if step.outcome is not None:
        parts.append(step.outcome)
    line = " · ".join(parts)
    if step.into is not None:
        return f"{line} ⇒ flow {step.into}"
    return f"{line} → {step.port}" if step.port is not None else line


@flows_cli.command("simulate")
@click.argument("files", nargs=-1, required=True, type=FILES)
@click.option("--flow", "entry_flow", help="The flow the call enters (default: the first file's).")
@click.option("--at", "at", help="When the call happens (ISO; naive = in --tz). Default: now.")
@click.option("--tz", "timezone", default=DEFAULT_TIMEZONE, show_default=True)
@click.option("--caller", default="+4512345678", show_default=True)
@click.option("--digits", help="Keys pressed at menus in order, e.g. 1,2 (empty item: silence).")
@click.option(
    "--dial",
    "outcomes",
    help="Outcomes of dial/queue/voicemail steps in order, e.g. no-answer,answered.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable trace.")
@_no_traceback
def simulate_command(
    files: tuple[Path, ...],
    entry_flow: str | None,
    at: str | None,
    timezone: str,
    caller: str,
    digits: str | None,
    outcomes: str | None,
    as_json: bool,
) -> None:
    """Play a scripted call through flow files, without a provider."""
    from flows.simulator import simulate

    loaded = _load_set(files)
    flows = {name: flow for name, (_, flow) in loaded.items()}
    entry = entry_flow or next(iter(flows))
    if entry not in flows:
        _fail(f'no flow named "{entry}" (flows: {", ".join(sorted(flows))})')
    try:
        trace = simulate(
            flows,
            entry,
            at=parse_at(at, timezone),
            caller=caller,
            digits=_split(digits),
            outcomes=_split(outcomes),
            timezone=timezone,
        )
    except InvalidParams as exc:  # the script does not fit the call: a usage error
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(trace.to_dict(), indent=2, ensure_ascii=False))
        return
    for number, step in enumerate(trace.steps, 1):
        click.echo(_step_line(number, step, len(flows) > 1))
    end = f"end: {trace.end}" + (f" ({trace.detail})" if trace.detail else "")
    unused = []
    if trace.digits_left:
        unused.append(f"digits not used: {','.join(trace.digits_left)}")
    if trace.outcomes_left:
        unused.append(f"outcomes not used: {','.join(trace.outcomes_left)}")
    click.echo(" · ".join([end, *unused]))
