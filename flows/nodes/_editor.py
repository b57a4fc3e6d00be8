"""Editor metadata derived from a node type's declaration: nothing here is hand-kept.

`describe_schema` turns a marshmallow schema into a JSON-schema-like dict (types,
defaults, required, limits, choices, nested objects and lists) that the editor renders
as a form. `localise` gives the same metadata with its texts in another language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, fields, validate
from marshmallow.utils import missing

from flows.nodes._danish import danish

if TYPE_CHECKING:
    from flows.nodes.base import NodeType, Port

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "describe_field",
    "describe_schema",
    "localise",
    "node_editor",
    "texts",
]

LANGUAGES = ("en", "da")

# The palette's groups, in the order it shows them: category -> its heading.
CATEGORIES: dict[str, str] = {
    "routing": "Routing",
    "messages": "Messages",
    "people": "People",
    "endings": "Endings",
}

_TYPES: tuple[tuple[type[fields.Field[Any]], dict[str, Any]], ...] = (
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Number, {"type": "number"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.String, {"type": "string"}),
)


def describe_schema(schema: Schema | type[Schema]) -> dict[str, Any]:
    instance = schema() if isinstance(schema, type) else schema
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in instance.load_fields.items():
        key = field.data_key or name
        properties[key] = describe_field(field)
        if field.required:
            required.append(key)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def describe_field(field: fields.Field[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(field, fields.Nested):
        nested = describe_schema(field.schema)
        out.update({"type": "array", "items": nested} if field.many else nested)
    elif isinstance(field, fields.List):
        out.update({"type": "array", "items": describe_field(field.inner)})
    elif isinstance(field, fields.Dict):
        out["type"] = "object"
        if field.value_field is not None:
            out["additionalProperties"] = describe_field(field.value_field)
    else:
        out.update(next((t for cls, t in _TYPES if isinstance(field, cls)), {}))
    for validator in field.validators:
        out.update(_limits(validator, out.get("type")))
    default = field.load_default
    if default is not missing:
        out["default"] = _jsonable(default() if callable(default) else default)
    if field.allow_none:
        out["nullable"] = True
    out.update({k: v for k, v in field.metadata.items() if isinstance(k, str)})
    return out


def _limits(validator: Any, kind: str | None) -> dict[str, Any]:
    if isinstance(validator, validate.Range):
        out: dict[str, Any] = {}
        if validator.min is not None:
            out["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
        if validator.max is not None:
            out["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
        return out
    if isinstance(validator, validate.Length):
        low, high = ("minItems", "maxItems") if kind == "array" else ("minLength", "maxLength")
        if validator.equal is not None:
            return {low: validator.equal, high: validator.equal}
        return {k: v for k, v in ((low, validator.min), (high, validator.max)) if v is not None}
    if isinstance(validator, validate.OneOf):
        return {"enum": list(validator.choices)}
    if isinstance(validator, validate.Regexp):
        return {"pattern": validator.regex.pattern}
    return {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def node_editor(
    node_type: NodeType, *, category: str, ports: Iterable[Port], dynamic_ports: bool = False
) -> dict[str, Any]:
    """Everything the editor needs to offer, draw and edit one node type."""
    return {
        "type": node_type.type,
        "label": node_type.label,
        "icon": node_type.icon,
        "description": node_type.description,
        "category": category,
        "category_label": CATEGORIES[category],
        "waits": str(node_type.waits),
        "ports": [
            {"name": p.name, "label": p.label, "required": p.required, "choice": p.choice}
            for p in ports
        ],
        "dynamic_ports": dynamic_ports,
        "properties": describe_schema(node_type.schema),
    }


_TEXT_KEYS = ("label", "description", "category_label")
_SCHEMA_TEXT_KEYS = ("title", "description")


def _map_texts(meta: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    out = {k: change(v) if k in _TEXT_KEYS and isinstance(v, str) else v for k, v in meta.items()}
    if "ports" in meta:
        out["ports"] = [{**p, "label": change(p["label"])} for p in meta["ports"]]
    if "properties" in meta:
        out["properties"] = _map_schema(meta["properties"], change)
    return out


def _map_schema(schema: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    out = dict(schema)
    for key in _SCHEMA_TEXT_KEYS:
        if isinstance(schema.get(key), str):
            out[key] = change(schema[key])
    if isinstance(schema.get("choices"), dict):
        out["choices"] = {k: change(v) for k, v in schema["choices"].items()}
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {k: _map_schema(v, change) for k, v in schema["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            out[key] = _map_schema(schema[key], change)
    return out


def texts(meta: dict[str, Any]) -> Iterator[str]:
    """Every text of one type's editor metadata a user reads (for the translation tests)."""
    found: list[str] = []

    def keep(text: str) -> str:
        found.append(text)
        return text

    _map_texts(meta, keep)
    return iter(found)


def localise(meta: dict[str, Any], lang: str) -> dict[str, Any]:
    """One type's editor metadata with its texts in ``lang`` (English where a text has
    no translation; the tests keep that from happening)."""
    if lang != "da":
        return meta
    return _map_texts(meta, lambda text: danish(text) or text)
