"""Every text the editor shows from the registry has a Danish translation: a new node
type, port or form field without one fails here."""

from __future__ import annotations

from typing import Any

import pytest

from flows import registry
from flows.nodes._danish import DANISH, danish
from flows.nodes._editor import CATEGORIES, localise, texts

TYPES = sorted(registry.all_types())


def _untitled(schema: dict[str, object], path: str) -> list[str]:
    """Named properties without a title (the editor would show the raw key)."""
    missing: list[str] = []
    for key, member in schema.get("properties", {}).items():  # type: ignore[attr-defined]
        if not member.get("title"):
            missing.append(f"{path}{key}")
        missing += _untitled(member, f"{path}{key}.")
        if isinstance(member.get("items"), dict):
            missing += _untitled(member["items"], f"{path}{key}[].")
    return missing


@pytest.mark.parametrize("name", TYPES)
def test_every_text_of_the_type_has_danish(name: str) -> None:
    meta = registry.get(name).editor()
    found = list(texts(meta))
    assert meta["label"] in found
    assert meta["description"] in found
    assert all(p["label"] in found for p in meta["ports"])
    assert [text for text in found if danish(text) is None] == []


@pytest.mark.parametrize("name", TYPES)
def test_every_field_has_a_title_to_translate(name: str) -> None:
    assert _untitled(registry.get(name).editor()["properties"], f"{name}.") == []


def test_every_category_is_named_in_both_languages() -> None:
    used = {t.editor()["category"] for t in registry.all_types().values()}
    assert used <= set(CATEGORIES)
    assert all(danish(CATEGORIES[c]) for c in used)


def test_danish_metadata_keeps_the_logic_and_changes_the_texts() -> None:
    english = registry.get("transfer").editor()
    da = localise(english, "da")
    assert (da["label"], da["category_label"]) == ("Viderestil", "Personer")
    assert [p["label"] for p in da["ports"]] == ["Efter samtalen", "Intet svar"]
    assert da["properties"]["properties"]["caller_id"]["title"] == "Vist nummer (nummervisning)"
    assert da["properties"]["properties"]["number"]["format"] == "e164"
    ring = localise(registry.get("ring_group").editor(), "da")["properties"]["properties"]
    assert ring["strategy"]["choices"]["simultaneous"] == "Alle på én gang"
    assert ring["strategy"]["enum"] == ["simultaneous", "sequential", "random"]
    assert [p["name"] for p in da["ports"]] == [p["name"] for p in english["ports"]]
    assert english["label"] == "Transfer"  # the English is not changed in place
    assert localise(english, "en") == english


def test_menu_key_ports_and_nested_titles_are_translated() -> None:
    menu = registry.describe("da")[[m["type"] for m in registry.describe()].index("menu")]
    assert menu["ports"][0]["label"] == "Tast 1"
    option = menu["properties"]["properties"]["options"]["items"]["properties"]
    assert option["digit"]["title"] == "Tast"
    assert menu["properties"]["properties"]["prompt"]["properties"]["text"]["title"] == (
        "Tekst, der læses op"
    )


def test_the_catalogue_holds_no_dead_entries() -> None:
    used = {text for t in registry.all_types().values() for text in texts(t.editor())}
    used |= set(CATEGORIES.values())
    assert set(DANISH) - used == set()


def _worded_enums(schema: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    """Fields offering word values (not keys or digits): those need a title per value."""
    found: list[tuple[str, dict[str, Any]]] = []
    for key, member in schema.get("properties", {}).items():
        enum = member.get("enum") or []
        if any(isinstance(v, str) and len(v) > 1 for v in enum):
            found.append((f"{path}{key}", member))
        found += _worded_enums(member, f"{path}{key}.")
        if isinstance(member.get("items"), dict):
            found += _worded_enums(member["items"], f"{path}{key}[].")
    return found


@pytest.mark.parametrize("name", TYPES)
def test_every_word_choice_has_a_title(name: str) -> None:
    for where, member in _worded_enums(registry.get(name).editor()["properties"], f"{name}."):
        assert set(member.get("choices", {})) == set(member["enum"]), where
