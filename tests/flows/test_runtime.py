from __future__ import annotations

from typing import Any

import pytest

from flows import registry, runtime
from flows.context import Playable
from flows.errors import (
    FlowError,
    InvalidParams,
    InvalidProperties,
    InvalidStep,
    NodeFailed,
    NodeNotFound,
    UnknownType,
)
from flows.model import Flow, Node
from flows.nodes.base import Waits
from tests.flows.factories import ctx, flow, parse

MENU = {"prompt": {"audio": "menu"}, "options": [{"digit": "1"}, {"digit": "2"}], "max_retries": 1}


def main() -> Flow:
    return flow(
        "hours",
        Node("hours", "hours", {}, {"open": "welcome", "closed": "after"}),
        Node("welcome", "play", {"text": "Velkommen"}, {"next": "menu"}),
        Node("menu", "menu", MENU, {"1": "sales", "2": "gone", "fallback": "vm"}),
        Node("sales", "queue", {"hold_music": "hold"}, {"overflow": "vm"}),
        Node("vm", "voicemail", {"box": "vm-main"}, {"next": "bye"}),
        Node("bye", "hangup", {"goodbye": {"text": "Farvel"}}),
        Node("after", "goto_flow", {"flow": "closed"}),
    )


def closed() -> Flow:
    return flow(
        "note",
        Node("note", "play", {"audio": "closed-note"}, {"next": "box"}),
        Node("box", "voicemail", {"box": "vm-after"}),
        name="closed",
    )


def test_render_follows_pass_through_nodes_until_the_caller_is_asked() -> None:
    result = runtime.render_step(main(), "hours", ctx())
    assert result.chain == (
        ("main", "hours", "open"),
        ("main", "welcome", "next"),
        ("main", "menu", None),
    )
    assert result.heard == ('"Velkommen"', "audio menu")
    assert (result.waits, result.stop, result.ended) == (Waits.CALLER, ("main", "menu"), None)
    root = parse(result.twiml)
    assert [e.tag for e in root] == ["Say", "Gather", "Redirect"]
    assert runtime.render(main(), "hours", ctx()) == result.twiml
    assert result.twiml.startswith("<?xml")


def test_heard_uses_the_audio_names() -> None:
    named = ctx(audio=lambda a: Playable(url=f"https://cdn.example/{a}", name=f"Menu {a}"))
    assert runtime.render_step(main(), "menu", named).heard == ("audio Menu menu",)


def test_goto_flow_continues_in_the_other_flow_with_its_urls() -> None:
    at_night = ctx(now=ctx().now.replace(hour=22), flows={"closed": closed()})
    result = runtime.render_step(main(), "hours", at_night)
    assert result.chain == (
        ("main", "hours", "closed"),
        ("main", "after", None),
        ("closed", "note", "next"),
        ("closed", "box", None),
    )
    assert result.visits[1].into == "closed"
    assert result.stop == ("closed", "box")
    record = parse(result.twiml).find("Record")
    assert record is not None
    assert record.attrib["action"] == "/hooks/voice/closed/box/result"


def test_goto_a_missing_flow_ends_politely() -> None:
    result = runtime.render_step(main(), "after", ctx())
    assert result.ended == "missing_flow"
    assert [e.tag for e in parse(result.twiml)] == ["Hangup"]


def test_goto_the_own_flow_restarts_it() -> None:
    looped = flow(
        "a",
        Node("a", "play", {"text": "x"}, {"next": "b"}),
        Node("b", "goto_flow", {"flow": "main"}),
    )
    result = runtime.render_step(looped, "a", ctx())
    assert result.ended == "loop"
    assert len(result.visits) == runtime.MAX_CHAIN


def test_unconnected_port_ends_politely() -> None:
    short = flow("p", Node("p", "play", {"text": "Hej"}))
    result = runtime.render_step(short, "p", ctx())
    assert result.ended == "unconnected"
    assert (result.waits, result.stop) == (Waits.END, None)
    assert [e.tag for e in parse(result.twiml)] == ["Say", "Hangup"]


def test_port_to_a_missing_node_ends_politely() -> None:
    broken = flow("p", Node("p", "play", {"text": "Hej"}, {"next": "ghost"}))
    result = runtime.render_step(broken, "p", ctx())
    assert result.ended == "missing_node"
    assert [e.tag for e in parse(result.twiml)] == ["Say", "Hangup"]


def test_endless_pass_through_loop_is_capped() -> None:
    loop = flow(
        "a",
        Node("a", "hours", {"override": "open"}, {"open": "b", "closed": "b"}),
        Node("b", "hours", {"override": "closed"}, {"open": "a", "closed": "a"}),
    )
    result = runtime.render_step(loop, "a", ctx())
    assert result.ended == "loop"
    assert len(result.visits) == runtime.MAX_CHAIN
    assert [e.tag for e in parse(result.twiml)] == ["Hangup"]


def test_hangup_node_ends_once() -> None:
    result = runtime.render_step(main(), "bye", ctx())
    assert result.ended == "hangup"
    assert [e.tag for e in parse(result.twiml)] == ["Say", "Hangup"]


def test_empty_ring_group_passes_through() -> None:
    rg = flow(
        "rg",
        Node("rg", "ring_group", {}, {"no_answer": "bye"}),
        Node("bye", "hangup"),
    )
    assert runtime.render_step(rg, "rg", ctx()).chain[0] == ("main", "rg", "no_answer")


@pytest.mark.parametrize("node_id", ["ghost", "", 7, None])
def test_unknown_node_raises(node_id: Any) -> None:
    with pytest.raises(NodeNotFound):
        runtime.render(main(), node_id, ctx())
    with pytest.raises(NodeNotFound):
        runtime.transition(main(), node_id, {}, ctx())


def test_unknown_type_raises() -> None:
    with pytest.raises(UnknownType) as caught:
        runtime.render(flow("x", Node("x", "teleport")), "x", ctx())
    assert caught.value.type_name == "teleport"


@pytest.mark.parametrize("props", [{"loop": 99}, {"text": "x", "speed": 2}, ["text"], None])
def test_invalid_properties_raise(props: Any) -> None:
    with pytest.raises(InvalidProperties):
        runtime.render(flow("x", Node("x", "play", props)), "x", ctx())


def test_invalid_properties_found_while_following_raise() -> None:
    bad = flow("a", Node("a", "play", {"text": "x"}, {"next": "b"}), Node("b", "menu", {}))
    with pytest.raises(InvalidProperties):
        runtime.render(bad, "a", ctx())


def test_a_node_bug_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    play = registry.get("play")

    def broken(*args: Any) -> str:
        raise KeyError("oops")

    monkeypatch.setattr(play, "render", broken)
    with pytest.raises(NodeFailed) as caught:
        runtime.render(flow("x", Node("x", "play", {"text": "x"})), "x", ctx())
    assert isinstance(caught.value.cause, KeyError)
    assert isinstance(caught.value, FlowError)


def test_transition_to_the_next_node() -> None:
    step = runtime.transition(main(), "menu", {"Digits": "1"}, ctx())
    assert step == runtime.Next("main", "sales", "1", {}, "1", None)


def test_transition_retry_stays_on_the_node_with_state() -> None:
    step = runtime.transition(main(), "menu", {"Digits": "9"}, ctx())
    assert (step.node, step.port) == ("menu", None)
    assert step.state == {"invalid": "1", "timeout": "0", "retry": "invalid"}


def test_transition_to_an_unconnected_or_missing_port_ends() -> None:
    step = runtime.transition(main(), "menu", {"Digits": "2"}, ctx())
    assert (step.node, step.port, step.ended) == (None, "2", "missing_node")
    lonely = flow("vm", Node("vm", "voicemail", {"box": "b"}))
    step = runtime.transition(lonely, "vm", {"RecordingUrl": "u"}, ctx())
    assert (step.node, step.port, step.ended, step.input) == (
        None,
        "next",
        "unconnected",
        "recorded",
    )


def test_caller_hanging_up_in_the_queue_ends() -> None:
    step = runtime.transition(main(), "sales", {"QueueResult": "hangup"}, ctx())
    assert (step.node, step.ended) == (None, "hangup")


def test_pass_through_nodes_take_no_result() -> None:
    with pytest.raises(InvalidStep):
        runtime.transition(main(), "welcome", {"Digits": "1"}, ctx())


@pytest.mark.parametrize("params", [None, "Digits=1", ["Digits"]])
def test_params_must_be_a_mapping(params: Any) -> None:
    with pytest.raises(InvalidParams):
        runtime.transition(main(), "menu", params, ctx())
    with pytest.raises(InvalidParams):
        runtime.render_wait(main(), "sales", params, ctx())


def test_respond_renders_the_next_node_directly() -> None:
    root = parse(runtime.respond(main(), "menu", {"Digits": "1"}, ctx()))
    assert [e.tag for e in root] == ["Enqueue"]
    assert root.find("Redirect") is None


def test_respond_retry_renders_the_menu_again_with_its_state() -> None:
    step, result = runtime.respond_step(main(), "menu", {}, ctx())
    assert step.port is None
    gather = parse(result.twiml).find("Gather")
    assert gather is not None
    assert gather.attrib["action"] == "/hooks/voice/main/menu/result?invalid=0&timeout=1"
    assert result.heard[0] == '"Vi hørte ikke noget valg. Prøv igen."'


def test_respond_after_retries_runs_the_fallback_chain() -> None:
    late = ctx(state={"invalid": "1", "timeout": "0"})
    step, result = runtime.respond_step(main(), "menu", {"Digits": "7"}, late)
    assert (step.port, step.node) == ("fallback", "vm")
    assert result.stop == ("main", "vm")


def test_respond_at_the_end_hangs_up() -> None:
    _, result = runtime.respond_step(main(), "sales", {"QueueResult": "hangup"}, ctx())
    assert [e.tag for e in parse(result.twiml)] == ["Hangup"]
    assert result.ended == "hangup"


def test_respond_after_voicemail_says_goodbye() -> None:
    root = parse(runtime.respond(main(), "vm", {"RecordingUrl": "u"}, ctx()))
    assert [e.tag for e in root] == ["Say", "Hangup"]


def test_render_wait_for_a_queue() -> None:
    root = parse(runtime.render_wait(main(), "sales", {"QueueTime": "10"}, ctx()))
    assert [e.tag for e in root] == ["Play", "Redirect"]
    assert (
        parse(runtime.render_wait(main(), "sales", {"QueueTime": "900"}, ctx()))[0].tag == "Leave"
    )


def test_render_wait_for_other_nodes_is_invalid() -> None:
    with pytest.raises(InvalidStep):
        runtime.render_wait(main(), "menu", {}, ctx())


def test_loaded_properties_are_cached_per_node_object() -> None:
    first = Node("x", "play", {"text": "x"})
    kind, props = runtime.load_node(first)
    assert runtime.load_node(first)[1] is props
    twin = Node("x", "play", {"text": "x", "loop": 2})
    assert runtime.load_node(twin)[1]["loop"] == 2
    assert kind is registry.get("play")
