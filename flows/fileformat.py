"""Flow files: parse JSON or YAML into a `Flow`, and write the canonical JSON form.

Only the structure is checked here (ids, ports, types of the top-level fields). Node
properties are not checked against the node type's schema: a draft with schema errors
still loads, and its problems become validation findings. Every structural problem is a
`FlowFormatError` naming the file, the node and the field, never a traceback.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from flows.errors import FlowError
from flows.model import FORMAT_VERSION, Flow, Node, Position

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_NODES",
    "MAX_ID_LENGTH",
    "FlowFormatError",
    "dump_flow",
    "flow_from_dict",
    "flow_to_dict",
    "load_flow",
]

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_NODES = 20_000
MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 200
MAX_PORT_LENGTH = 32
MAX_PROPS_DEPTH = 32

_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_TOP_KEYS = frozenset({"format", "name", "description", "entry", "nodes", "layout"})
_NODE_KEYS = frozenset({"type", "props", "ports"})


class FlowFormatError(FlowError, ValueError):
    """A flow document that is not structurally a flow.

    The message reads `main.json: node "m1": field "ports.1": target must be a string`.
    """

    def __init__(
        self,
        problem: str,
        *,
        filename: str | None = None,
        node: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.problem = problem
        self.filename = filename or "<flow>"
        self.node = node
        self.field = field
        self.line = line
        self.column = column
        parts = [self.filename]
        if line is not None:
            parts.append(f"line {line}, column {column}" if column is not None else f"line {line}")
        if node is not None:
            parts.append(f'node "{node}"')
        if field is not None:
            parts.append(f'field "{field}"')
        super().__init__(": ".join([*parts, problem]))


# --- parsing -------------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """safe_load without anchors/aliases (no alias bombs) and with mapping keys kept as
    written, so that `1: m2` in a ports mapping means port "1", not the integer 1."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases are not supported in flow files", mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag in (
                    "tag:yaml.org,2002:int",
                    "tag:yaml.org,2002:float",
                    "tag:yaml.org,2002:bool",
                ):
                    key_node.tag = "tag:yaml.org,2002:str"
        return super().construct_mapping(node, deep=deep)


def _pairs_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a flow file may hold")


def _parse_json(text: str, filename: str) -> Any:
    try:
        return json.loads(
            text,
            object_pairs_hook=_pairs_without_duplicates,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise FlowFormatError(
            f"invalid JSON: {exc.msg}", filename=filename, line=exc.lineno, column=exc.colno
        ) from None
    except ValueError as exc:
        raise FlowFormatError(f"invalid JSON: {exc}", filename=filename) from None
    except RecursionError:
        raise FlowFormatError("invalid JSON: nested too deeply", filename=filename) from None


def _parse_yaml(text: str, filename: str) -> Any:
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed document"
        if mark is None:
            raise FlowFormatError(f"invalid YAML: {problem}", filename=filename) from None
        raise FlowFormatError(
            f"invalid YAML: {problem}",
            filename=filename,
            line=mark.line + 1,
            column=mark.column + 1,
        ) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise FlowFormatError(f"invalid YAML: {exc}", filename=filename) from None
    except RecursionError:
        raise FlowFormatError("invalid YAML: nested too deeply", filename=filename) from None


def _parse(text: str, filename: str) -> Any:
    suffix = Path(filename).suffix.lower()
    if suffix == ".json":
        return _parse_json(text, filename)
    if suffix in (".yaml", ".yml"):
        return _parse_yaml(text, filename)
    try:
        return _parse_json(text, filename)
    except FlowFormatError as json_error:
        if text.lstrip().startswith(("{", "[")):
            raise json_error from None
        return _parse_yaml(text, filename)


def load_flow(
    source: str | bytes | Path,
    *,
    filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Flow:
    """Parse a flow document: a `Path` is read from disk, `str`/`bytes` are the document.

    JSON is tried first, then YAML (`.json`/`.yaml` file names pick one parser).
    """
    if isinstance(source, Path):
        filename = filename or source.name
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise FlowFormatError(f"cannot read file: {exc.strerror}", filename=filename) from None
        if size > max_bytes:
            raise FlowFormatError(
                f"file is {size} bytes, more than the limit of {max_bytes}", filename=filename
            )
        try:
            source = source.read_bytes()
        except OSError as exc:
            raise FlowFormatError(f"cannot read file: {exc.strerror}", filename=filename) from None
    name = filename or "<flow>"
    if len(source) > max_bytes:  # a character is at least one byte
        raise FlowFormatError(
            f"document is more than the limit of {max_bytes} bytes", filename=name
        )
    raw = source.encode("utf-8") if isinstance(source, str) else source
    if len(raw) > max_bytes:
        raise FlowFormatError(
            f"document is {len(raw)} bytes, more than the limit of {max_bytes}", filename=name
        )
    if isinstance(source, bytes):
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FlowFormatError(f"not UTF-8 text (byte {exc.start})", filename=name) from None
    else:
        text = source
    return flow_from_dict(_parse(text, name), filename=name, max_nodes=max_nodes)


# --- structure -----------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _check_id(value: Any, what: str, err: Any) -> str:
    if not isinstance(value, str):
        raise err(f"{what} must be a string, not {_kind(value)}")
    if not value:
        raise err(f"{what} must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise err(f"{what} is longer than {MAX_ID_LENGTH} characters")
    if not _ID.fullmatch(value):
        raise err(
            f"{what} {value!r} may only hold letters, digits, '_', '-' and '.' "
            "and must not start with '-' or '.'"
        )
    return value


def _json_value(value: Any, path: str, depth: int, err: Any) -> Any:
    """A copy of `value` made of JSON types only (YAML may produce dates, sets, ...)."""
    if depth > MAX_PROPS_DEPTH:
        raise err(f"nested more than {MAX_PROPS_DEPTH} levels", path)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise err("numbers must be finite", path)
        return value
    if isinstance(value, list):
        return [_json_value(v, f"{path}.{i}", depth + 1, err) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise err(f"keys must be strings, not {_kind(k)}", f"{path}.{k}")
            out[k] = _json_value(v, f"{path}.{k}", depth + 1, err)
        return out
    raise err(f"{_kind(value)} values are not allowed (use JSON types)", path)


def _node_from_dict(node_id: str, data: Any, filename: str) -> Node:
    def err(problem: str, field: str | None = None) -> FlowFormatError:
        return FlowFormatError(problem, filename=filename, node=node_id, field=field)

    if not isinstance(data, dict):
        raise err(f"a node must be an object, not {_kind(data)}")
    unknown = sorted(str(k) for k in data if k not in _NODE_KEYS)
    if unknown:
        raise err(f"unknown key (expected {', '.join(sorted(_NODE_KEYS))})", unknown[0])
    node_type = data.get("type")
    if not isinstance(node_type, str) or not node_type:
        raise err(
            "missing"
            if node_type is None
            else f"must be a non-empty string, not {_kind(node_type)}",
            "type",
        )
    props = data.get("props", {})
    if not isinstance(props, dict):
        raise err(f"must be an object, not {_kind(props)}", "props")
    props = _json_value(props, "props", 0, err)
    ports_raw = data.get("ports", {})
    if not isinstance(ports_raw, dict):
        raise err(f"must be an object, not {_kind(ports_raw)}", "ports")
    ports: dict[str, str] = {}
    for port, target in ports_raw.items():
        if not isinstance(port, str) or not port:
            raise err("port names must be non-empty strings", f"ports.{port}")
        if len(port) > MAX_PORT_LENGTH:
            raise err(f"port name is longer than {MAX_PORT_LENGTH} characters", f"ports.{port}")
        if not isinstance(target, str):
            raise err(f"target must be a string, not {_kind(target)}", f"ports.{port}")
        _check_id(target, "target", lambda p, _port=port: err(p, f"ports.{_port}"))
        ports[port] = target
    return Node(id=node_id, type=node_type, props=props, ports=ports)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError
    return value


def flow_from_dict(
    data: Any, *, filename: str | None = None, max_nodes: int = DEFAULT_MAX_NODES
) -> Flow:
    """Build a `Flow` from a parsed document (what the web app stores)."""
    name = filename or "<flow>"

    def err(problem: str, field: str | None = None) -> FlowFormatError:
        return FlowFormatError(problem, filename=name, field=field)

    if not isinstance(data, dict):
        raise err(f"a flow document must be an object, not {_kind(data)}")
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        raise err(f"unknown key (expected {', '.join(sorted(_TOP_KEYS))})", unknown[0])
    version = data.get("format")
    if version is None:
        raise err(f"missing (this reader writes format {FORMAT_VERSION})", "format")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise err(f"unsupported format {version!r} (supported: {FORMAT_VERSION})", "format")
    flow_name = data.get("name")
    if not isinstance(flow_name, str) or not flow_name.strip():
        raise err("missing" if flow_name is None else "must be a non-empty string", "name")
    if len(flow_name) > MAX_NAME_LENGTH:
        raise err(f"longer than {MAX_NAME_LENGTH} characters", "name")
    description = data.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise err(f"must be a string, not {_kind(description)}", "description")
    entry = data.get("entry", "")
    if entry is None:
        entry = ""
    if not isinstance(entry, str):
        raise err(f"must be a string, not {_kind(entry)}", "entry")
    nodes_raw = data.get("nodes", {})
    if not isinstance(nodes_raw, dict):
        raise err(f"must be an object keyed by node id, not {_kind(nodes_raw)}", "nodes")
    if len(nodes_raw) > max_nodes:
        raise err(f"{len(nodes_raw)} nodes, more than the limit of {max_nodes}", "nodes")
    nodes: dict[str, Node] = {}
    for node_id, node_data in nodes_raw.items():
        _check_id(node_id, "node id", lambda p, _id=node_id: err(p, f"nodes.{_id}"))
        nodes[node_id] = _node_from_dict(node_id, node_data, name)
    layout_raw = data.get("layout", {})
    if layout_raw is None:
        layout_raw = {}
    if not isinstance(layout_raw, dict):
        raise err(f"must be an object keyed by node id, not {_kind(layout_raw)}", "layout")
    layout: dict[str, Position] = {}
    for node_id, pos in layout_raw.items():
        if node_id not in nodes:
            raise err("layout for a node that does not exist", f"layout.{node_id}")
        if not isinstance(pos, dict) or set(pos) != {"x", "y"}:
            raise err('must be an object {"x": number, "y": number}', f"layout.{node_id}")
        try:
            layout[node_id] = Position(x=_number(pos["x"]), y=_number(pos["y"]))
        except TypeError:
            raise err("x and y must be finite numbers", f"layout.{node_id}") from None
    return Flow(
        name=flow_name,
        entry=entry,
        nodes=nodes,
        layout=layout,
        description=description,
        version=FORMAT_VERSION,
    )


# --- canonical output ----------------------------------------------------------------


def _coordinate(value: float) -> int | float:
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def flow_to_dict(flow: Flow) -> dict[str, Any]:
    """The document form of a flow: nodes sorted by id, layout rounded to 0.01."""
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "name": flow.name,
        "entry": flow.entry,
        "nodes": {
            node_id: {
                "type": node.type,
                "props": _plain(node.props),
                "ports": {port: node.ports[port] for port in sorted(node.ports)},
            }
            for node_id, node in sorted(flow.nodes.items())
        },
        "layout": {
            node_id: {"x": _coordinate(pos.x), "y": _coordinate(pos.y)}
            for node_id, pos in sorted(flow.layout.items())
        },
    }
    if flow.description:
        data["description"] = flow.description
    return data


def dump_flow(flow: Flow) -> str:
    """Canonical JSON: sorted keys, 2-space indent, UTF-8 text, trailing newline."""
    text = json.dumps(
        flow_to_dict(flow), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
    )
    return text + "\n"
