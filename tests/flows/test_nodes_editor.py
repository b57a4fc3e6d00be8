"""Editor metadata is derived from each type's declaration, for every registered type."""

from __future__ import annotations

import json

import pytest
from marshmallow import Schema, fields, validate

from flows import registry
from flows.nodes._editor import describe_schema

TYPES = sorted(registry.all_types())


def test_all_ten_types_are_registered() -> None:
    assert TYPES == [
        "fax",
        "goto_flow",
        "hangup",
        "hours",
        "menu",
        "play",
        "queue",
        "ring_group",
        "transfer",
        "voicemail",
    ]


@pytest.mark.parametrize("name", TYPES)
def test_metadata_is_complete_and_json(name: str) -> None:
    kind = registry.get(name)
    meta = kind.editor()
    json.dumps(meta)
    assert meta["type"] == name
    for key in ("label", "icon", "description", "category"):
        assert meta[key]
    assert meta["waits"] == str(kind.waits)
    assert set(meta["properties"]["properties"]) == set(kind.schema().load_fields)
    assert meta["properties"]["additionalProperties"] is False
    for port in meta["ports"]:
        assert set(port) == {"name", "label", "required", "choice"}


def test_describe_lists_every_type_sorted() -> None:
    assert [m["type"] for m in registry.describe()] == TYPES


def test_menu_lists_every_possible_digit_port() -> None:
    meta = registry.get("menu").editor()
    assert meta["dynamic_ports"] is True
    names = [p["name"] for p in meta["ports"]]
    assert names[:12] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"]
    assert [p["choice"] for p in meta["ports"]] == [True] * 12 + [False] * 3
    assert {p["name"] for p in meta["ports"] if p["required"]} == {"fallback"}


def test_limits_defaults_and_choices_come_from_the_schema() -> None:
    menu = registry.get("menu").editor()["properties"]
    assert menu["required"] == ["prompt"]
    timeout = menu["properties"]["timeout"]
    assert (timeout["type"], timeout["default"], timeout["minimum"], timeout["maximum"]) == (
        "integer",
        5,
        1,
        60,
    )
    option = menu["properties"]["options"]["items"]
    assert option["properties"]["digit"]["enum"][:3] == ["1", "2", "3"]
    assert menu["properties"]["prompt"]["properties"]["text"]["type"] == "string"
    ring = registry.get("ring_group").editor()["properties"]["properties"]
    assert ring["strategy"]["enum"] == ["simultaneous", "sequential", "random"]
    assert ring["members"]["maxItems"] == 50
    hours = registry.get("hours").editor()["properties"]["properties"]
    assert hours["schedule"]["default"]["mon"] == ["08:00-16:00"]
    assert hours["closed_dates"]["items"]["format"] == "date"
    assert hours["closed_optional"]["default"] == [
        "christmas_eve",
        "constitution_day",
        "new_years_eve",
    ]


def test_describe_schema_handles_the_field_kinds() -> None:
    class Inner(Schema):
        flag = fields.Boolean(load_default=False)

    class Sample(Schema):
        ratio = fields.Float(validate=validate.Range(min=0, max=1, min_inclusive=False))
        code = fields.String(required=True, validate=validate.Length(equal=4))
        tags = fields.Dict(keys=fields.String(), values=fields.Integer())
        inner = fields.Nested(Inner, many=True)
        raw = fields.Raw(metadata={"title": "Anything"})

    described = describe_schema(Sample)
    props = described["properties"]
    assert described["required"] == ["code"]
    assert props["ratio"] == {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
    assert props["code"] == {"type": "string", "minLength": 4, "maxLength": 4}
    assert props["tags"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert props["inner"]["type"] == "array"
    assert props["inner"]["items"]["properties"]["flag"] == {"type": "boolean", "default": False}
    assert props["raw"] == {"title": "Anything"}
