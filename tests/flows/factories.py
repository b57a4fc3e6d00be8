"""Builders for flow-engine tests, and the table of TwiML Twilio documents."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from twilio.twiml.voice_response import VoiceResponse

from flows import registry
from flows.context import RenderContext
from flows.model import Flow, Node
from flows.nodes.base import Transition

CPH = ZoneInfo("Europe/Copenhagen")
# A plain Wednesday morning in Copenhagen.
WEDNESDAY_10 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=CPH)

# Verb -> attributes Twilio documents for it (voice TwiML, plus <Receive> of fax TwiML).
DOCUMENTED: dict[str, set[str]] = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Pause": {"length"},
    "Gather": {
        "action",
        "method",
        "timeout",
        "finishOnKey",
        "numDigits",
        "input",
        "actionOnEmptyResult",
        "language",
        "hints",
        "speechTimeout",
        "profanityFilter",
    },
    "Dial": {
        "action",
        "method",
        "timeout",
        "callerId",
        "hangupOnStar",
        "timeLimit",
        "record",
        "trim",
        "answerOnBridge",
        "ringTone",
    },
    "Number": {"sendDigits", "url", "method", "statusCallback", "statusCallbackEvent"},
    "Sip": {"username", "password", "url", "method", "statusCallback", "statusCallbackEvent"},
    "Enqueue": {"action", "method", "waitUrl", "waitUrlMethod", "maxQueueSize", "workflowSid"},
    "Leave": set(),
    "Record": {
        "action",
        "method",
        "timeout",
        "finishOnKey",
        "maxLength",
        "playBeep",
        "trim",
        "recordingStatusCallback",
        "recordingStatusCallbackMethod",
        "recordingStatusCallbackEvent",
        "transcribe",
        "transcribeCallback",
    },
    "Redirect": {"method"},
    "Hangup": set(),
    "Receive": {"action", "method", "mediaType", "pageSize", "storeMedia"},
}
CHILDREN: dict[str, set[str]] = {
    "Response": set(DOCUMENTED) - {"Response", "Number", "Sip"},
    "Gather": {"Say", "Play", "Pause"},
    "Dial": {"Number", "Sip"},
}
BOOLEAN = {"actionOnEmptyResult", "playBeep", "transcribe", "storeMedia"}


def assert_documented(root: ET.Element) -> None:
    """Every verb, nesting and attribute in the document is one Twilio documents."""
    assert root.tag == "Response"
    for parent in root.iter():
        assert parent.tag in DOCUMENTED, parent.tag
        assert set(parent.attrib) <= DOCUMENTED[parent.tag], (parent.tag, parent.attrib)
        for name in set(parent.attrib) & BOOLEAN:
            assert parent.attrib[name] in ("true", "false")
        for child in parent:
            assert child.tag in CHILDREN.get(parent.tag, set()), (parent.tag, child.tag)


def parse(twiml: str) -> ET.Element:
    root = ET.fromstring(twiml.encode())
    assert_documented(root)
    return root


def ctx(**overrides: Any) -> RenderContext:
    values: dict[str, Any] = {"now": WEDNESDAY_10, "call_sid": "CA0001", "flow": "main"}
    values.update(overrides)
    return RenderContext(**values)


def node(type_name: str, props: Mapping[str, Any] | None = None, **ports: str) -> Node:
    return Node(id="n", type=type_name, props=dict(props or {}), ports=dict(ports))


def flow(entry: str, *nodes: Node, name: str = "main") -> Flow:
    return Flow(name=name, entry=entry, nodes={n.id: n for n in nodes})


def render_node(
    the_node: Node, context: RenderContext | None = None
) -> tuple[ET.Element, str | None]:
    """Render one node on its own: the parsed document and the port it follows at once."""
    kind = registry.get(the_node.type)
    props = kind.load(the_node.props)
    response = VoiceResponse()
    port = kind.render(the_node, props, context or ctx(), response)
    return parse(str(response)), port


def take(
    the_node: Node, params: Mapping[str, str], context: RenderContext | None = None
) -> Transition:
    kind = registry.get(the_node.type)
    return kind.transition(the_node, kind.load(the_node.props), params, context or ctx())


def says(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter("Say")]
