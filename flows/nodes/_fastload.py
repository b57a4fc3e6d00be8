"""A fast path for loading well-formed node properties, compiled from the marshmallow schema.

Marshmallow's general machinery (error stores, hooks, per-field dispatch) costs about
200 µs on a menu with eight options, and validating a 10,000-node flow spends most of its
time there. `compile_schema` turns a schema into plain closures that accept only the
common shape — exact dicts, lists, strings, integers and booleans — and run the schema's
own validators and `@validates_schema` hooks on it. Whatever they do not vouch for,
including every error, makes the caller load with marshmallow after all, so unusual
but valid input and every error message still come from marshmallow itself.

The schema stays the single declaration: nothing here lists fields or limits.

>>> from marshmallow import Schema, fields, validate
>>> class S(Schema):
...     n = fields.Integer(load_default=1, validate=validate.Range(min=0))
>>> fast = compile_schema(S())
>>> fast({}), fast({"n": 3})
({'n': 1}, {'n': 3})
>>> fast({"n": -1})  # an error: marshmallow must say which
Traceback (most recent call last):
...
marshmallow.exceptions.ValidationError: Must be greater than or equal to 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, fields, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

__all__ = ["Loader", "Reject", "compile_schema"]

Loader = Callable[[Any], Any]


class Reject(Exception):
    """The fast path does not vouch for this value: load it with marshmallow instead."""


# Fields whose own `deserialize` is used as is (they are rare in node schemas): it runs
# marshmallow's checks for the one value, without the schema machinery around it.
_AS_IS: tuple[type[fields.Field[Any]], ...] = (
    fields.Date,
    fields.DateTime,
    fields.Time,
    fields.Float,
    fields.Decimal,
    fields.Dict,
    fields.Raw,
    fields.Email,
    fields.Url,
    fields.UUID,
)


def compile_schema(schema: Schema) -> Loader | None:
    """A loader for `schema`'s well-formed input, or None when the schema uses a feature
    the fast path does not mirror (pre/post-load hooks, field validators by method,
    unknown fields allowed, partial or many loading, an unlisted field class).

    The loader returns exactly what `schema.load` returns, or raises: `Reject`, or
    whatever a validator raised (a `ValidationError`), or a validator's own bug.
    """
    return None if schema.many else _compile_object(schema)


def _compile_object(schema: Schema) -> Loader | None:
    """A loader of one object of `schema` (a nested `many` schema loads its items so)."""
    hooks = schema._hooks  # where marshmallow keeps the declared hooks
    if hooks[PRE_LOAD] or hooks[POST_LOAD] or hooks[VALIDATES]:
        return None
    if any(many or options.get("pass_original") for _, many, options in hooks[VALIDATES_SCHEMA]):
        return None
    if schema.partial or schema.unknown != RAISE or schema.dict_class is not dict:
        return None
    plan: list[tuple[str, str, bool, Any, Loader]] = []
    for name, field in schema.load_fields.items():
        loader = _compile_field(field)
        if loader is None:
            return None
        key = field.data_key if field.data_key is not None else name
        plan.append((key, field.attribute or name, field.required, field.load_default, loader))
    if any("." in attribute for _, attribute, *_ in plan):
        return None  # marshmallow nests dotted attributes; not mirrored
    known = frozenset(key for key, *_ in plan)
    checks = [getattr(schema, name) for name, _, _ in hooks[VALIDATES_SCHEMA]]
    unknown, partial = schema.unknown, schema.partial

    def load(data: Any) -> dict[str, Any]:
        if type(data) is not dict or not known.issuperset(data):
            raise Reject
        out: dict[str, Any] = {}
        for key, attribute, required, default, loader in plan:
            value = data.get(key, missing)
            if value is missing:
                if required:
                    raise Reject
                if default is missing:
                    continue
                out[attribute] = default() if callable(default) else default
            else:
                out[attribute] = loader(value)
        for check in checks:
            check(out, partial=partial, many=False, unknown=unknown)
        return out

    return load


def _compile_field(field: fields.Field[Any]) -> Loader | None:
    if field.pre_load or field.post_load:
        return None
    kind = type(field)
    if kind in _AS_IS:
        return field.deserialize
    core = _core(field)
    if core is None:
        return None
    checks = [_check(v) for v in field.validators]
    allow_none = field.allow_none
    if not checks:
        if allow_none:
            return lambda value: None if value is None else core(value)
        return core

    def load(value: Any) -> Any:
        if value is None and allow_none:
            return None
        out = core(value)
        for check in checks:
            check(out)
        return out

    return load


def _core(field: fields.Field[Any]) -> Loader | None:
    """The conversion of one non-None value, without validators; None: not mirrored."""
    kind = type(field)
    if kind is fields.String:
        return _string
    if kind is fields.Integer:
        return _integer
    if kind is fields.Boolean:
        boolean: fields.Boolean = field  # type: ignore[assignment]
        if True in boolean.truthy and False in boolean.falsy and False not in boolean.truthy:
            return _boolean
        return None
    if kind is fields.List:
        inner = _compile_field(field.inner)  # type: ignore[attr-defined]
        return None if inner is None else _list_of(inner)
    if kind is fields.Nested:
        return _nested(field)  # type: ignore[arg-type]
    return None


def _string(value: Any) -> str:
    if type(value) is not str:
        raise Reject
    return value


def _integer(value: Any) -> int:
    if type(value) is not int:  # marshmallow's `int(value)` of an int is the value
        raise Reject
    return value


def _boolean(value: Any) -> bool:
    if value is not True and value is not False:
        raise Reject
    return bool(value)


def _list_of(inner: Loader) -> Loader:
    def load(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Reject
        return [inner(each) for each in value]

    return load


def _nested(field: fields.Nested) -> Loader | None:
    if field.only is not None or field.exclude or field.unknown is not None:
        return None
    schema = field.schema
    one = _compile_object(schema)
    if one is None:
        return None
    return _list_of(one) if schema.many or field.many else one


def _check(validator: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A validator as a check; a choice among strings becomes a set lookup."""
    if type(validator) is validate.OneOf and all(type(c) is str for c in validator.choices):
        choices = frozenset(validator.choices)

        def one_of(value: Any) -> None:
            if type(value) is not str or value not in choices:
                raise Reject

        return one_of
    return validator
