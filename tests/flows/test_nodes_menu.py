from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.findings import Severity
from flows.model import Node
from flows.nodes.base import Reference, Waits
from tests.flows.factories import ctx, render_node, says, take

MENU = registry.get("menu")
PROPS: dict[str, Any] = {
    "prompt": {"text": "Tryk 1 for salg, 2 for support"},
    "options": [{"digit": "1", "label": "Salg"}, {"digit": "2"}, {"digit": "#"}],
}


def menu(props: dict[str, Any] | None = None, **ports: str) -> Node:
    wired = ports or {"1": "sales", "2": "support", "#": "repeat", "fallback": "vm"}
    return Node("m", "menu", props or PROPS, wired)


def test_defaults() -> None:
    props = MENU.load({"prompt": {"audio": "menu"}})
    assert props == {
        "prompt": {"audio": "menu", "text": None, "language": None},
        "options": [],
        "timeout": 5,
        "max_retries": 3,
        "invalid_prompt": None,
        "timeout_prompt": None,
    }
    assert MENU.waits is Waits.CALLER


def test_ports_are_the_option_digits_then_fallbacks() -> None:
    ports = MENU.ports(MENU.load(PROPS))
    assert [(p.name, p.label, p.required, p.choice) for p in ports] == [
        ("1", "Salg", False, True),
        ("2", "Key 2", False, True),
        ("#", "Key #", False, True),
        ("fallback", "After too many tries", True, False),
        ("invalid", "Too many invalid keys", False, False),
        ("timeout", "Too long silence", False, False),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": None},
        {"prompt": {"text": "a", "audio": "b"}},
        {"options": [{"digit": "A"}]},
        {"options": [{"digit": "12"}]},
        {"options": [{"digit": "1", "target": "x"}]},
        {"options": [{"digit": "1"}] * 13},
        {"timeout": 0},
        {"timeout": 61},
        {"max_retries": -1},
        {"max_retries": 11},
        {"max_retries": 1.5},
        {"invalid_prompt": {"text": ""}},
        {"retries": 3},
    ],
)
def test_rejects_bad_properties(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        MENU.load(PROPS | change)


def test_requires_a_prompt() -> None:
    with pytest.raises(ValidationError):
        MENU.load({"options": []})


def test_gather_one_key_and_report_silence_to_the_action() -> None:
    root, port = render_node(menu())
    assert port is None
    gather, redirect = root
    action = "/hooks/voice/main/m/result?invalid=0&timeout=0"
    assert gather.tag == "Gather"
    assert gather.attrib == {
        "input": "dtmf",
        "numDigits": "1",
        "finishOnKey": "",
        "timeout": "5",
        "action": action,
        "method": "POST",
        "actionOnEmptyResult": "true",
    }
    assert says(gather) == ["Tryk 1 for salg, 2 for support"]
    assert (redirect.tag, redirect.text, redirect.attrib) == (
        "Redirect",
        action,
        {"method": "POST"},
    )


@pytest.mark.parametrize(
    ("language", "kind", "expected"),
    [
        ("da-DK", "invalid", "Det valg findes ikke. Prøv igen."),
        ("da-DK", "timeout", "Vi hørte ikke noget valg. Prøv igen."),
        ("en-GB", "invalid", "Sorry, that is not a valid choice. Please try again."),
        ("sv-SE", "timeout", "Sorry, we did not hear a choice. Please try again."),
    ],
)
def test_retry_plays_the_default_text_before_the_prompt(
    language: str, kind: str, expected: str
) -> None:
    state = {"invalid": "1", "timeout": "2", "retry": kind}
    root, _ = render_node(menu(), ctx(state=state, language=language))
    gather = root[0]
    assert says(gather) == [expected, "Tryk 1 for salg, 2 for support"]
    assert gather.attrib["action"].endswith("?invalid=1&timeout=2")


def test_retry_plays_a_custom_prompt() -> None:
    props = PROPS | {"timeout_prompt": {"audio": "hello-again"}}
    root, _ = render_node(menu(props), ctx(state={"timeout": "1", "retry": "timeout"}))
    assert [e.tag for e in root[0]] == ["Play", "Say"]
    refs = MENU.references(MENU.load(props))
    assert Reference("audio", "hello-again", "timeout_prompt.audio", "prompt") in refs


@pytest.mark.parametrize("digit", ["1", "2", "#", " 1 "])
def test_connected_digit_takes_its_port(digit: str) -> None:
    result = take(menu(), {"Digits": digit})
    assert (result.port, result.input) == (digit.strip(), digit.strip())


@pytest.mark.parametrize("digits", ["5", "12", "x", "*", "1#", "\u00e6"])
def test_other_keys_count_as_invalid(digits: str) -> None:
    result = take(menu(), {"Digits": digits}, ctx(state={"invalid": "0", "timeout": "2"}))
    assert result.port is None
    assert result.state == {"invalid": "1", "timeout": "2", "retry": "invalid"}


@pytest.mark.parametrize("params", [{}, {"Digits": ""}, {"Digits": "  "}, {"SpeechResult": "ja"}])
def test_no_key_counts_as_timeout(params: dict[str, str]) -> None:
    result = take(menu(), params)
    assert result.port is None
    assert result.state == {"invalid": "0", "timeout": "1", "retry": "timeout"}
    assert result.input is None


def test_option_without_a_connection_counts_as_invalid() -> None:
    result = take(menu(**{"1": "sales", "fallback": "vm"}), {"Digits": "2"})
    assert result.port is None


def test_garbage_state_counts_from_zero() -> None:
    result = take(menu(), {"Digits": "9"}, ctx(state={"invalid": "²", "timeout": "-1"}))
    assert result.state["invalid"] == "1"
    assert result.state["timeout"] == "0"


def test_after_max_retries_of_one_kind_fallback_is_taken() -> None:
    props = PROPS | {"max_retries": 2}
    assert take(menu(props), {"Digits": "9"}, ctx(state={"invalid": "1"})).port is None
    assert take(menu(props), {"Digits": "9"}, ctx(state={"invalid": "2"})).port == "fallback"
    # silence has its own counter
    assert take(menu(props), {}, ctx(state={"invalid": "2", "timeout": "0"})).port is None


def test_zero_retries_falls_back_at_once() -> None:
    assert take(menu(PROPS | {"max_retries": 0}), {}).port == "fallback"


def test_connected_invalid_and_timeout_ports_win_over_fallback() -> None:
    wired = menu(PROPS | {"max_retries": 0}, **{"1": "a", "fallback": "f", "invalid": "i"})
    assert take(wired, {"Digits": "7"}).port == "invalid"
    assert take(wired, {}).port == "fallback"


def test_validate_reports_duplicates_and_unconnected_options() -> None:
    props = MENU.load(
        {"prompt": {"text": "x"}, "options": [{"digit": "1"}, {"digit": "1"}, {"digit": "2"}]}
    )
    findings = list(MENU.validate(Node("m", "menu", {}, {"1": "a"}), props, None))
    assert [(f.severity, f.code, f.port) for f in findings] == [
        (Severity.ERROR, "menu.duplicate_digit", "1"),
        (Severity.WARNING, "menu.option_unconnected", "2"),
    ]


def test_validate_requires_one_connected_digit() -> None:
    props = MENU.load(PROPS)
    findings = list(MENU.validate(Node("m", "menu", {}, {"fallback": "vm"}), props, None))
    assert [f.code for f in findings] == ["menu.no_choice"]
    assert list(MENU.validate(menu(), props, None)) == []
