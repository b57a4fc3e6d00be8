"""Phone-number fields tell the editor what they hold (format) and the rule they follow
(pattern), so the editor can offer a picker or check a typed number inline."""

from __future__ import annotations

import re

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.nodes._common import member_validator


def _formats(
    schema: dict[str, object], found: dict[str, dict[str, object]], path: str = ""
) -> None:
    for key, member in schema.get("properties", {}).items():  # type: ignore[attr-defined]
        where = f"{path}{key}"
        if "format" in member:
            found[where] = member
        items = member.get("items")
        if isinstance(items, dict):
            if "format" in items:
                found[f"{where}[]"] = items
            _formats(items, found, f"{where}[].")
        _formats(member, found, f"{where}.")


def test_number_fields_are_marked_by_format() -> None:
    found: dict[str, dict[str, object]] = {}
    for meta in registry.describe():
        _formats(meta["properties"], found, f"{meta['type']}.")
    assert found["transfer.caller_id"]["format"] == "caller_id"
    assert found["ring_group.caller_id"]["format"] == "caller_id"
    assert found["transfer.number"]["format"] == "e164"
    assert found["ring_group.members[]"]["format"] == "phone_or_sip"
    for where, member in found.items():
        if member["format"] in ("e164", "phone_or_sip"):
            assert member.get("pattern"), where


@pytest.mark.parametrize(
    "value",
    [
        "+4512345678",
        "sip:101@pbx.example.dk",
        "sips:a@b.dk:5061;transport=tls",
        "4512345678",
        "+45 12345678",
        "sip:@x",
        "101",
        "+0123456789",
    ],
)
def test_the_members_pattern_is_the_validators_rule(value: str) -> None:
    meta = registry.get("ring_group").editor()["properties"]["properties"]["members"]["items"]
    try:
        member_validator(value)
        valid = True
    except ValidationError:
        valid = False
    assert bool(re.match(meta["pattern"], value)) is valid
