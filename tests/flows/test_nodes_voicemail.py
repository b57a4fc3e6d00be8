from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.model import Node
from flows.nodes.base import Reference, Waits
from tests.flows.factories import ctx, render_node, says, take

VOICEMAIL = registry.get("voicemail")


def box(**more: Any) -> Node:
    return Node("vm", "voicemail", {"box": "vm-main", **more}, {})


def test_defaults_and_declaration() -> None:
    assert VOICEMAIL.load({"box": "vm-main"}) == {
        "box": "vm-main",
        "greeting": None,
        "max_length": 120,
        "play_beep": True,
        "finish_on_key": "#",
        "transcribe": False,
    }
    assert VOICEMAIL.waits is Waits.PROVIDER
    assert [(p.name, p.required) for p in VOICEMAIL.ports({})] == [("next", False)]


@pytest.mark.parametrize(
    "props",
    [
        {},
        {"box": ""},
        {"box": "vm", "max_length": 4},
        {"box": "vm", "max_length": 601},
        {"box": "vm", "finish_on_key": "A"},
        {"box": "vm", "greeting": {"text": "a", "audio": "b"}},
        {"box": "vm", "transcribe": "often"},
        {"box": "vm", "email": "x@example.dk"},
    ],
)
def test_rejects_bad_properties(props: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        VOICEMAIL.load(props)


def test_references_box_and_greeting() -> None:
    props = VOICEMAIL.load({"box": "vm-main", "greeting": {"audio": "closed"}})
    assert list(VOICEMAIL.references(props)) == [
        Reference("voicemail_box", "vm-main", "box"),
        Reference("audio", "closed", "greeting.audio", "prompt"),
    ]


def test_default_greeting_then_record() -> None:
    root, port = render_node(box())
    assert port is None
    say, record = root
    assert say.tag == "Say"
    assert "efter tonen" in (say.text or "")
    assert record.tag == "Record"
    assert record.attrib == {
        "action": "/hooks/voice/main/vm/result",
        "method": "POST",
        "maxLength": "120",
        "playBeep": "true",
        "finishOnKey": "#",
        "recordingStatusCallback": "/hooks/voice/main/vm/recording",
        "recordingStatusCallbackMethod": "POST",
        "recordingStatusCallbackEvent": "completed",
    }


def test_english_default_greeting() -> None:
    root, _ = render_node(box(), ctx(language="en-US"))
    assert says(root) == [
        "Sorry, no one can take your call right now. Please leave a message after the tone."
    ]


def test_custom_greeting_no_beep_and_transcription() -> None:
    the_node = box(greeting={"audio": "closed"}, play_beep=False, transcribe=True, max_length=60)
    root, _ = render_node(the_node)
    play, record = root
    assert play.text == "/media/audio/closed.wav"
    assert record.attrib["playBeep"] == "false"
    assert record.attrib["transcribe"] == "true"
    assert record.attrib["transcribeCallback"] == "/hooks/voice/main/vm/recording"
    assert record.attrib["maxLength"] == "60"


def test_validate_warns_when_transcription_cannot_cover_the_length() -> None:
    long_props = VOICEMAIL.load({"box": "vm", "transcribe": True, "max_length": 300})
    assert [f.code for f in VOICEMAIL.validate(box(), long_props, None)] == [
        "voicemail.transcribe_too_long"
    ]
    short = VOICEMAIL.load({"box": "vm", "transcribe": True})
    assert list(VOICEMAIL.validate(box(), short, None)) == []


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"RecordingUrl": "https://api.example/rec/RE1", "RecordingDuration": "12"}, "recorded"),
        ({}, None),
        ({"RecordingUrl": "  "}, None),
    ],
)
def test_any_result_moves_on(params: dict[str, str], shown: str | None) -> None:
    result = take(box(), params)
    assert (result.port, result.input) == ("next", shown)
