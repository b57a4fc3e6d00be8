from __future__ import annotations

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.nodes.base import Reference, Waits
from tests.flows.factories import node, render_node

GOTO = registry.get("goto_flow")


def test_declaration() -> None:
    props = GOTO.load({"flow": "after-hours"})
    assert GOTO.waits is Waits.NOTHING
    assert GOTO.ports(props) == []
    assert GOTO.enters_flow(props) == "after-hours"
    assert list(GOTO.references(props)) == [Reference("flow", "after-hours", "flow")]


@pytest.mark.parametrize("props", [{}, {"flow": ""}, {"flow": 3}, {"flow": "x", "node": "y"}])
def test_rejects_bad_properties(props: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GOTO.load(props)


def test_renders_nothing_itself() -> None:
    root, port = render_node(node("goto_flow", {"flow": "other"}))
    assert port is None
    assert list(root) == []


def test_other_types_enter_no_flow() -> None:
    play = registry.get("play")
    assert play.enters_flow(play.load({"text": "x"})) is None
