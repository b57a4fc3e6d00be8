from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from marshmallow import ValidationError
from twilio.twiml.voice_response import VoiceResponse

from flows import registry
from flows.context import RenderContext
from flows.model import Node
from flows.nodes.base import Reference, Waits
from flows.nodes.queue import Queue
from tests.flows.factories import ctx, parse, render_node, says, take

QUEUE = registry.get("queue")
assert isinstance(QUEUE, Queue)
PROPS: dict[str, Any] = {
    "hold_music": "hold-default",
    "announcement": {"text": "Alle er optaget"},
    "announce_every": 30,
    "max_wait": 120,
}


def queue(**more: Any) -> Node:
    return Node("q", "queue", PROPS | more, {"answered": "bye", "overflow": "vm"})


def wait(params: dict[str, str], context: RenderContext | None = None, **more: Any) -> ET.Element:
    the_node = queue(**more)
    response = VoiceResponse()
    QUEUE.render_wait(the_node, QUEUE.load(the_node.props), params, context or ctx(), response)
    return parse(str(response))


def test_defaults_and_declaration() -> None:
    assert QUEUE.load({}) == {
        "kind": "basic",
        "name": None,
        "hold_music": None,
        "announcement": None,
        "announce_every": 60,
        "max_wait": 300,
    }
    assert QUEUE.waits is Waits.PROVIDER
    assert [(p.name, p.required) for p in QUEUE.ports({})] == [
        ("answered", False),
        ("overflow", True),
    ]


@pytest.mark.parametrize(
    "props",
    [
        {"kind": "premium"},
        {"name": "has spaces"},
        {"hold_music": ""},
        {"announce_every": 9},
        {"max_wait": 3601},
        {"max_wait": 9},
        {"announcement": "Vent"},
        {"max_queue": 5},
    ],
)
def test_rejects_bad_properties(props: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        QUEUE.load(props)


def test_references_hold_music_and_announcement_with_their_use() -> None:
    props = QUEUE.load(PROPS | {"announcement": {"audio": "busy"}})
    assert list(QUEUE.references(props)) == [
        Reference("audio", "busy", "announcement.audio", "queue_message"),
        Reference("audio", "hold-default", "hold_music", "hold_music"),
    ]


def test_validate_warns_about_silence() -> None:
    assert [f.code for f in QUEUE.validate(queue(), QUEUE.load({}), None)] == [
        "queue.no_hold_music"
    ]
    assert list(QUEUE.validate(queue(), QUEUE.load(PROPS), None)) == []


def test_basic_group_enqueues_with_a_limit_of_five() -> None:
    root, port = render_node(queue())
    assert port is None
    (enqueue,) = root
    assert enqueue.text == "main-q"
    assert enqueue.attrib == {
        "action": "/hooks/voice/main/q/result",
        "method": "POST",
        "waitUrl": "/hooks/voice/main/q/wait",
        "waitUrlMethod": "POST",
        "maxQueueSize": "5",
    }


@pytest.mark.parametrize("kind", ["advanced", "receptionist"])
def test_other_kinds_have_no_limit(kind: str) -> None:
    root, _ = render_node(queue(kind=kind, name="support"))
    assert root[0].text == "support"
    assert "maxQueueSize" not in root[0].attrib


def test_wait_announces_then_plays_hold_music_and_comes_back() -> None:
    root = wait({"QueueTime": "0", "QueuePosition": "2"})
    assert [e.tag for e in root] == ["Say", "Play", "Redirect"]
    assert says(root) == ["Alle er optaget"]
    assert root[1].text == "/media/audio/hold-default.wav"
    assert root[2].text == "/hooks/voice/main/q/wait?announced=0"


def test_wait_announces_once_per_period() -> None:
    again = wait({"QueueTime": "20"}, ctx(state={"announced": "0"}))
    assert [e.tag for e in again] == ["Play", "Redirect"]
    assert again[1].text == "/hooks/voice/main/q/wait?announced=0"
    due = wait({"QueueTime": "65"}, ctx(state={"announced": "0"}))
    assert [e.tag for e in due] == ["Say", "Play", "Redirect"]
    assert due[2].text == "/hooks/voice/main/q/wait?announced=2"


def test_wait_without_music_pauses_between_checks() -> None:
    root = wait({"QueueTime": "115"}, hold_music=None, announcement=None)
    assert [(e.tag, e.attrib) for e in root][:1] == [("Pause", {"length": "5"})]
    assert root[1].text == "/hooks/voice/main/q/wait"


@pytest.mark.parametrize(
    ("params", "kind", "leaves"),
    [
        ({"QueueTime": "120"}, "basic", True),
        ({"QueueTime": "119"}, "basic", False),
        ({"QueueTime": "5", "QueuePosition": "6"}, "basic", True),
        ({"QueueTime": "5", "QueuePosition": "5"}, "basic", False),
        ({"QueueTime": "5", "CurrentQueueSize": "6"}, "basic", True),
        ({"QueueTime": "5", "QueuePosition": "60"}, "advanced", False),
        ({"QueueTime": "garbage", "QueuePosition": "-3"}, "basic", False),
        ({"QueueTime": "\u00b2", "QueuePosition": "\u0669"}, "basic", False),
        ({}, "basic", False),
    ],
)
def test_wait_leaves_after_max_wait_or_beyond_the_limit(
    params: dict[str, str], kind: str, leaves: bool
) -> None:
    root = wait(params, kind=kind)
    assert ([e.tag for e in root] == ["Leave"]) is leaves


@pytest.mark.parametrize(
    ("result", "port", "ends"),
    [
        ("bridged", "answered", False),
        ("bridging-in-process", "answered", False),
        ("hangup", None, True),
        ("leave", "overflow", False),
        ("queue-full", "overflow", False),
        ("error", "overflow", False),
        ("system-error", "overflow", False),
        ("redirected", "overflow", False),
        ("", "overflow", False),
        ("<script>", "overflow", False),
    ],
)
def test_queue_result_picks_the_port(result: str, port: str | None, ends: bool) -> None:
    outcome = take(queue(), {"QueueResult": result})
    assert (outcome.port, outcome.ends) == (port, ends)


def test_missing_result_overflows() -> None:
    assert take(queue(), {}).port == "overflow"
