from __future__ import annotations

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.context import Playable
from flows.nodes.base import Reference, Waits
from tests.flows.factories import ctx, node, render_node, says

PLAY = registry.get("play")


def test_defaults_and_declaration() -> None:
    assert PLAY.load({"text": "Hej"}) == {"text": "Hej", "audio": None, "language": None, "loop": 1}
    assert PLAY.waits is Waits.NOTHING
    assert [(p.name, p.required, p.choice) for p in PLAY.ports({})] == [("next", True, False)]


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"audio": "a", "text": "b"},
        {"text": ""},
        {"text": "x", "loop": 0},
        {"text": "x", "loop": 11},
        {"text": "x", "loop": "2"},
        {"text": "x", "language": "Danish"},
        {"audio": "a", "language": "da-DK"},
        {"text": "x", "colour": "red"},
    ],
)
def test_rejects_bad_properties(props: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PLAY.load(props)


def test_text_is_spoken_in_the_org_language_by_default() -> None:
    root, port = render_node(node("play", {"text": "Velkommen", "loop": 2}))
    assert port == "next"
    (say,) = root
    assert say.tag == "Say"
    assert say.attrib == {"language": "da-DK", "loop": "2"}
    assert say.text == "Velkommen"


def test_text_language_overrides_the_org_language() -> None:
    root, _ = render_node(
        node("play", {"text": "Welcome", "language": "en-GB"}), ctx(language="da-DK")
    )
    assert root[0].attrib == {"language": "en-GB"}


def test_audio_is_played_from_its_url() -> None:
    root, _ = render_node(node("play", {"audio": "welcome"}))
    assert [(e.tag, e.text, e.attrib) for e in root] == [("Play", "/media/audio/welcome.wav", {})]


def test_audio_without_a_recording_falls_back_to_its_text() -> None:
    context = ctx(audio=lambda asset: Playable(text=f"spoken {asset}", language="en-US"))
    root, _ = render_node(node("play", {"audio": "welcome"}), context)
    assert says(root) == ["spoken welcome"]
    assert root[0].attrib["language"] == "en-US"


def test_references_name_the_audio_as_a_prompt() -> None:
    props = PLAY.load({"audio": "welcome"})
    assert list(PLAY.references(props)) == [Reference("audio", "welcome", "audio", "prompt")]
    assert list(PLAY.references(PLAY.load({"text": "x"}))) == []


def test_takes_no_provider_result() -> None:
    with pytest.raises(NotImplementedError):
        PLAY.transition(node("play"), PLAY.load({"text": "x"}), {}, ctx())
