"""The organisation's catalogue as a JSON file, for validating flow files offline.

The web app builds a `Catalogue` from its database; `flows validate --catalogue` reads
the same facts from a file so references can be checked without one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flows.catalogue import AudioInfo, AudioUse, BoxInfo, Catalogue

__all__ = ["catalogue_from_dict", "load_catalogue"]


def _entries(data: Any, what: str) -> dict[str, dict[str, Any]]:
    """A catalogue section as {id: {...}}: an object keyed by id or a list of objects."""
    if data is None:
        return {}
    if isinstance(data, list):
        items = {}
        for item in data:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ValueError(f'"{what}": list items must be objects with a string "id"')
            items[item["id"]] = {k: v for k, v in item.items() if k != "id"}
        return items
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if not isinstance(value, dict):
                raise ValueError(f'"{what}.{key}": must be an object')
            out[str(key)] = value
        return out
    raise ValueError(f'"{what}": must be an object keyed by id or a list')


def _build(cls: Any, item_id: str, fields: dict[str, Any], what: str) -> Any:
    try:
        return cls(id=item_id, **fields)
    except TypeError as exc:
        raise ValueError(f'"{what}.{item_id}": {exc}') from None


def catalogue_from_dict(data: Any) -> Catalogue:
    """A `Catalogue` from its JSON form::

    {"audio": {"welcome": {"name": "Welcome", "use": "prompt", "ready": true,
                           "is_music": false, "rights_valid": true}},
     "voicemail_boxes": {"sales": {"name": "Sales", "listeners": 2}},
     "fax_boxes": {}, "numbers": ["+4512345678"], "flows": ["after-hours"],
     "music_lines_covered": 10}
    """
    if not isinstance(data, dict):
        raise ValueError("a catalogue must be an object")
    known = {"audio", "voicemail_boxes", "fax_boxes", "numbers", "flows", "music_lines_covered"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f'unknown key "{unknown[0]}" (expected {", ".join(sorted(known))})')
    audio = {}
    for item_id, fields in _entries(data.get("audio"), "audio").items():
        fields = dict(fields)
        try:
            fields["use"] = AudioUse(fields.get("use", "prompt"))
        except ValueError:
            raise ValueError(f'"audio.{item_id}.use": unknown use {fields["use"]!r}') from None
        audio[item_id] = _build(AudioInfo, item_id, fields, "audio")
    boxes = {
        section: {
            item_id: _build(BoxInfo, item_id, fields, section)
            for item_id, fields in _entries(data.get(section), section).items()
        }
        for section in ("voicemail_boxes", "fax_boxes")
    }
    lists = {}
    for section in ("numbers", "flows"):
        value = data.get(section, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f'"{section}": must be a list of strings')
        lists[section] = frozenset(value)
    lines = data.get("music_lines_covered")
    if lines is not None and (isinstance(lines, bool) or not isinstance(lines, int)):
        raise ValueError('"music_lines_covered": must be a whole number or null')
    return Catalogue(
        audio=audio,
        voicemail_boxes=boxes["voicemail_boxes"],
        fax_boxes=boxes["fax_boxes"],
        numbers=lists["numbers"],
        flows=lists["flows"],
        music_lines_covered=lines,
    )


def load_catalogue(path: Path) -> Catalogue:
    try:
        return catalogue_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read file: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
