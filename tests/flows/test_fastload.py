"""The fast property path gives exactly what marshmallow gives, and errors stay marshmallow's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from flows import registry
from flows.fileformat import load_flow
from flows.nodes._fastload import Reject, compile_schema
from flows.nodes.base import NodeType
from tests.flows.test_simulator_properties import PROPS

EXAMPLES = Path(__file__).resolve().parents[2] / "flows" / "examples"
TYPES = sorted(registry.all_types())


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types and the same key order all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def by_marshmallow(kind: NodeType, props: Any) -> tuple[str, Any]:
    try:
        return "ok", kind.schema().load(props)
    except ValidationError as exc:
        return "error", exc.messages


def by_load(kind: NodeType, props: Any) -> tuple[str, Any]:
    try:
        return "ok", kind.load(props)
    except ValidationError as exc:
        return "error", exc.messages


def fast(kind: NodeType, props: Any) -> Any:
    loader = compile_schema(kind.schema())
    assert loader is not None
    return loader(props)


@pytest.mark.parametrize("type_name", TYPES)
def test_every_node_type_has_a_fast_path(type_name: str) -> None:
    assert compile_schema(registry.get(type_name).schema()) is not None


def _example_nodes() -> list[tuple[str, Any]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.json")):
        for node in load_flow(path).nodes.values():
            if node.type in TYPES:
                found.append((node.type, node.props))
    return found


def test_example_properties_take_the_fast_path_to_the_same_result() -> None:
    nodes = _example_nodes()
    assert len(nodes) > 20
    for type_name, props in nodes:
        kind = registry.get(type_name)
        outcome = by_marshmallow(kind, props)
        if outcome[0] == "ok":
            assert same(fast(kind, props), outcome[1]), (type_name, props)
        assert same(by_load(kind, props), outcome), (type_name, props)


MENU = {
    "prompt": {"text": "Tryk 1"},
    "options": [{"digit": "1", "label": "Salg"}, {"digit": "2"}],
    "timeout": 7,
}


def test_a_menu_loads_fast_with_defaults_filled_in() -> None:
    menu = registry.get("menu")
    loaded = fast(menu, MENU)
    assert loaded == {
        "prompt": {"audio": None, "text": "Tryk 1", "language": None},
        "options": [{"digit": "1", "label": "Salg"}, {"digit": "2", "label": ""}],
        "timeout": 7,
        "max_retries": 3,
        "invalid_prompt": None,
        "timeout_prompt": None,
    }
    assert same(loaded, menu.schema().load(MENU))
    assert loaded["options"][0] is not MENU["options"][0]  # a fresh structure, as marshmallow's


BAD = [
    ("menu", {**MENU, "options": [{"digit": "11"}]}),
    ("menu", {**MENU, "options": [{"digit": "1", "colour": "red"}]}),
    ("menu", {**MENU, "options": [{"digit": "1"}] * 13}),
    ("menu", {**MENU, "prompt": {"text": "a", "audio": "b"}}),
    ("menu", {**MENU, "prompt": {"audio": "b", "language": "da"}}),
    ("menu", {**MENU, "prompt": None}),
    ("menu", {**MENU, "timeout": True}),
    ("menu", {**MENU, "timeout": 5.0}),
    ("menu", {**MENU, "timeout": -1}),
    ("menu", {"options": []}),
    ("menu", {**MENU, "bogus": 1}),
    ("hours", {"schedule": {"mon": ["16:00-08:00"]}}),
    ("hours", {"schedule": {"mon": ["8-16"], "fun": []}}),
    ("hours", {"timezone": "Mars/Olympus"}),
    ("hours", {"closed_dates": ["2026-13-01"]}),
    ("hours", {"country": "XX", "override": "sometimes"}),
    ("ring_group", {"members": ["12345", "sip:x"]}),
    ("ring_group", {"members": ["+4512345678"], "strategy": "loudest"}),
    ("voicemail", {"box": "vm", "play_beep": "maybe"}),
    ("transfer", {"number": "+4512345678", "caller_id": "+1"}),
    ("play", {"text": ""}),
    ("play", {}),
    ("hangup", {"goodbye": {"text": b"\xff"}}),
]


@pytest.mark.parametrize(("type_name", "props"), BAD)
def test_bad_properties_give_marshmallows_own_messages(type_name: str, props: Any) -> None:
    kind = registry.get(type_name)
    with pytest.raises(ValidationError) as via_load:
        kind.load(props)
    with pytest.raises(ValidationError) as via_schema:
        kind.schema().load(props)
    assert via_load.value.messages == via_schema.value.messages
    assert via_load.value.messages  # and there is something to say


def test_unusual_but_valid_input_is_left_to_marshmallow() -> None:
    """Marshmallow accepts bytes for a string and a tuple for a list; the fast path
    declines them and the answer is still marshmallow's."""
    menu = registry.get("menu")
    props = {"prompt": {"text": b"Tryk"}, "options": ({"digit": "1"},)}
    with pytest.raises(Reject):
        fast(menu, props)
    assert menu.load(props)["prompt"]["text"] == "Tryk"
    assert menu.load(props)["options"] == [{"digit": "1", "label": ""}]
    voicemail = registry.get("voicemail")
    assert voicemail.load({"box": "vm", "play_beep": 1})["play_beep"] is True


def test_dates_load_through_their_own_field() -> None:
    hours = registry.get("hours")
    loaded = fast(hours, {"closed_dates": ["2026-12-24"]})
    assert loaded["closed_dates"] == [dt.date(2026, 12, 24)]
    assert same(loaded, hours.schema().load({"closed_dates": ["2026-12-24"]}))


# --- schemas the fast path does not mirror ----------------------------------------------


class WithPostLoad(Schema):
    n = fields.Integer()

    @post_load
    def _double(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {"n": data["n"] * 2}


class WithPreLoad(Schema):
    n = fields.Integer()

    @pre_load
    def _strip(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return data


class WithFieldValidator(Schema):
    n = fields.Integer()

    @validates("n")
    def _positive(self, value: int, **kwargs: Any) -> None:
        if value < 0:
            raise ValidationError("negative")


class ManySchemaHook(Schema):
    n = fields.Integer()

    @validates_schema(pass_collection=True)
    def _all(self, data: Any, **kwargs: Any) -> None:
        pass


class Loose(Schema):
    class Meta:
        unknown = EXCLUDE

    n = fields.Integer()


class WithFunction(Schema):
    n = fields.Function(deserialize=lambda value: value + 1)


class WithPluck(Schema):
    inner = fields.Pluck(WithFieldValidator, "n")


class WithBooleanOfOwnWords(Schema):
    b = fields.Boolean(truthy={"ja"}, falsy={"nej"})


class WithEverythingTrue(Schema):
    b = fields.Boolean(truthy={True, False}, falsy={False})


@pytest.mark.parametrize(
    "schema",
    [
        WithPostLoad,
        WithPreLoad,
        WithFieldValidator,
        ManySchemaHook,
        Loose,
        WithFunction,
        WithPluck,
        WithBooleanOfOwnWords,
        WithEverythingTrue,
    ],
)
def test_schemas_it_does_not_mirror_get_no_fast_path(schema: type[Schema]) -> None:
    assert compile_schema(schema()) is None


def test_a_node_type_without_a_fast_path_loads_with_marshmallow() -> None:
    class Doubling(NodeType):
        type = "t_doubling"
        schema = WithPostLoad

        def ports(self, props: Any) -> list[Any]:
            return []

        def render(self, node: Any, props: Any, ctx: Any, response: Any) -> str | None:
            return None

    assert Doubling().load({"n": 2}) == {"n": 4}


class Item(Schema):
    size = fields.Integer(load_default=1, validate=validate.Range(min=1))


class Keys(Schema):
    shown = fields.String(data_key="shownAs", attribute="kept_as", required=True)
    ready = fields.Boolean(load_default=False)
    items = fields.Nested(Item, many=True, load_default=list)
    maybe = fields.Integer(allow_none=True)


def test_data_keys_attributes_booleans_and_absent_fields_follow_marshmallow() -> None:
    loader = compile_schema(Keys())
    assert loader is not None
    for data in [
        {"shownAs": "x"},
        {"shownAs": "x", "ready": True, "maybe": None},
        {"shownAs": "x", "maybe": 3, "items": [{}, {"size": 4}]},
    ]:
        assert same(loader(data), Keys().load(data))
    for bad in [
        {"shown": "x"},
        {"shownAs": None},
        {"shownAs": "x", "ready": 1},
        {"shownAs": "x", "items": [{"size": 0}]},
    ]:
        with pytest.raises((Reject, ValidationError)):
            loader(bad)


# --- property: whatever the fast path returns, marshmallow returns too -----------------

SAMPLES = [
    "1",
    "*",
    "11",
    "",
    "08:00-16:00",
    "24:00-25:00",
    "Europe/Copenhagen",
    "Mars/Base",
    "DK",
    "XX",
    "+4512345678",
    "sip:101@pbx.example.dk",
    "caller",
    "sequential",
    "basic",
    "auto",
    "holiday",
    "christmas_eve",
    "2026-12-24",
    "da-DK",
    "vm-main",
]
KEYS = ["text", "audio", "language", "digit", "label", "mon", "sun", "bogus", "timeout"]
JUNK = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-2, 4000),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(SAMPLES),
        st.text(max_size=3),
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=2).map(tuple)
        | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """Valid properties of some type, with one place replaced, removed or added to."""
    type_name = draw(st.sampled_from(TYPES))
    props: Any = draw(PROPS[type_name])
    container = props
    while True:  # walk down to a random container
        if isinstance(container, dict) and container:
            key = draw(st.sampled_from(sorted(container)))
        elif isinstance(container, list) and container:
            key = draw(st.integers(0, len(container) - 1))
        else:
            break
        if not isinstance(container[key], dict | list) or draw(st.booleans()):
            break
        container = container[key]
    if isinstance(container, dict):
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "add" or not container:
            container[draw(st.sampled_from([*KEYS, "schedule", "options"]))] = draw(JUNK)
        elif action == "remove":
            del container[draw(st.sampled_from(sorted(container)))]
        else:
            container[draw(st.sampled_from(sorted(container)))] = draw(JUNK)
    elif isinstance(container, list):
        if container and draw(st.booleans()):
            container[draw(st.integers(0, len(container) - 1))] = draw(JUNK)
        else:
            container.append(draw(JUNK))
    return type_name, props


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated())
def test_the_fast_path_never_accepts_what_marshmallow_refuses(case: tuple[str, Any]) -> None:
    type_name, props = case
    kind = registry.get(type_name)
    outcome = by_marshmallow(kind, props)
    try:
        quick = fast(kind, props)
    except Exception:  # declining is always allowed
        pass
    else:
        assert outcome[0] == "ok", (props, outcome)
        assert same(quick, outcome[1])
    assert same(by_load(kind, props), outcome)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_well_formed_properties_always_take_the_fast_path(data: st.DataObject) -> None:
    type_name = data.draw(st.sampled_from(TYPES))
    kind = registry.get(type_name)
    props = data.draw(PROPS[type_name])
    outcome = by_marshmallow(kind, props)
    if outcome[0] == "ok":
        assert same(fast(kind, props), outcome[1])
