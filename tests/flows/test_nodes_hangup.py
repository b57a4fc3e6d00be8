from __future__ import annotations

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.nodes.base import Reference, Waits
from tests.flows.factories import node, render_node

HANGUP = registry.get("hangup")


def test_declaration() -> None:
    assert HANGUP.load({}) == {"goodbye": None}
    assert HANGUP.waits is Waits.END
    assert HANGUP.ports({}) == []


@pytest.mark.parametrize(
    "props", [{"goodbye": "Farvel"}, {"goodbye": {}}, {"goodbye": {"text": "x"}, "extra": 1}]
)
def test_rejects_bad_properties(props: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        HANGUP.load(props)


def test_without_goodbye_only_hangs_up() -> None:
    root, port = render_node(node("hangup"))
    assert port is None
    assert [e.tag for e in root] == ["Hangup"]


def test_goodbye_comes_first() -> None:
    root, _ = render_node(node("hangup", {"goodbye": {"audio": "bye"}}))
    assert [e.tag for e in root] == ["Play", "Hangup"]
    props = HANGUP.load({"goodbye": {"audio": "bye"}})
    assert list(HANGUP.references(props)) == [Reference("audio", "bye", "goodbye.audio", "prompt")]
