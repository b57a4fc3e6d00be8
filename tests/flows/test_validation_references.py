"""Reference rules: audio, boxes, numbers and flows against the organisation's catalogue."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from flows.catalogue import AudioInfo, AudioUse, BoxInfo, Catalogue
from flows.findings import Finding, Severity
from flows.validation import validate
from flows.validation.graph import build_graph
from flows.validation.references import (
    audio_problems,
    boxes_nobody_receives,
    missing_references,
    music_lines_exceeded,
)
from tests.flows.test_validation_fakes import flow, install


@pytest.fixture(autouse=True)
def _fake_types(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch)


CATALOGUE = Catalogue(
    audio={
        "welcome": AudioInfo("welcome", "Welcome"),
        "raw": AudioInfo("raw", "Fresh upload", ready=False),
        "song": AudioInfo(
            "song", "Pop song", use=AudioUse.HOLD_MUSIC, is_music=True, rights_valid=False
        ),
        "jazz": AudioInfo("jazz", "Jazz", use=AudioUse.HOLD_MUSIC, is_music=True),
    },
    voicemail_boxes={"sales": BoxInfo("sales", "Sales", listeners=2), "old": BoxInfo("old", "Old")},
    fax_boxes={"fax": BoxInfo("fax", "Fax", listeners=1), "nofax": BoxInfo("nofax")},
    numbers=frozenset({"+4512345678"}),
    flows=frozenset({"after-hours"}),
)


def refs(*items: dict[str, Any]) -> Any:
    return build_graph(flow("a", a=("t_ref", {"refs": list(items)})))


def found(rule: Any, *items: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(f.code, f.node, f.field) for f in rule(refs(*items), CATALOGUE)]


@pytest.mark.parametrize(
    ("kind", "good", "code"),
    [
        ("audio", "welcome", "ref.audio_missing"),
        ("voicemail_box", "sales", "ref.voicemail_box_missing"),
        ("fax_box", "fax", "ref.fax_box_missing"),
        ("number", "+4512345678", "ref.number_missing"),
        ("flow", "after-hours", "ref.flow_missing"),
    ],
)
def test_missing_references(kind: str, good: str, code: str) -> None:
    assert found(missing_references, {"kind": kind, "id": "nope"}) == [(code, "a", "refs.0")]
    assert found(missing_references, {"kind": kind, "id": good}) == []


def test_missing_reference_is_an_error_naming_the_thing() -> None:
    [finding] = missing_references(refs({"kind": "voicemail_box", "id": "nope"}), CATALOGUE)
    assert finding.severity == Severity.ERROR
    assert 'voicemail box "nope" does not exist' in finding.message


def test_references_not_checked_without_a_catalogue() -> None:
    g = refs({"kind": "audio", "id": "nope"}, {"kind": "voicemail_box", "id": "old"})
    assert missing_references(g, None) == []
    assert audio_problems(g, None) == []
    assert boxes_nobody_receives(g, None) == []


def test_unknown_reference_kinds_are_ignored() -> None:
    assert found(missing_references, {"kind": "hologram", "id": "x"}) == []


def test_audio_not_ready() -> None:
    assert found(audio_problems, {"kind": "audio", "id": "raw"}) == [
        ("audio.not_ready", "a", "refs.0")
    ]
    assert found(audio_problems, {"kind": "audio", "id": "welcome", "use": "prompt"}) == []


def test_music_without_rights_is_an_error() -> None:
    [finding] = audio_problems(
        refs({"kind": "audio", "id": "song", "use": "hold_music"}), CATALOGUE
    )
    assert (finding.code, finding.severity) == ("audio.music_unlicensed", Severity.ERROR)
    assert "Pop song" in finding.message


def test_licensed_music_as_hold_music_is_fine() -> None:
    assert found(audio_problems, {"kind": "audio", "id": "jazz", "use": "hold_music"}) == []


def test_hold_music_played_as_a_prompt_is_a_warning() -> None:
    [finding] = audio_problems(refs({"kind": "audio", "id": "jazz", "use": "prompt"}), CATALOGUE)
    assert (finding.code, finding.severity) == ("audio.wrong_use", Severity.WARNING)
    assert "meant as hold music but played as prompt" in finding.message


def test_missing_audio_is_not_also_an_audio_problem() -> None:
    assert found(audio_problems, {"kind": "audio", "id": "nope"}) == []


@pytest.mark.parametrize(
    ("kind", "box", "code"),
    [
        ("voicemail_box", "old", "voicemail_box.no_listeners"),
        ("fax_box", "nofax", "fax_box.no_listeners"),
    ],
)
def test_box_nobody_receives(kind: str, box: str, code: str) -> None:
    [finding] = boxes_nobody_receives(refs({"kind": kind, "id": box}), CATALOGUE)
    assert (finding.code, finding.severity, finding.node) == (code, Severity.WARNING, "a")
    assert "nobody receives" in finding.message


def test_box_with_listeners() -> None:
    assert found(boxes_nobody_receives, {"kind": "voicemail_box", "id": "sales"}) == []
    assert found(boxes_nobody_receives, {"kind": "fax_box", "id": "fax"}) == []


def test_real_play_node_audio_through_validate() -> None:
    result = validate(
        flow("p", p=("play", {"audio": "gone"}, {"next": "e"}), e=("hangup",)), CATALOGUE
    )
    assert [(f.code, f.field) for f in result] == [("ref.audio_missing", "audio")]
    result = validate(
        flow("p", p=("play", {"audio": "jazz"}, {"next": "e"}), e=("hangup",)), CATALOGUE
    )
    assert [f.code for f in result] == ["audio.wrong_use"]


def test_validate_with_a_clean_catalogue_reports_nothing() -> None:
    g = flow("a", a=("t_ref", {"refs": [{"kind": "audio", "id": "welcome", "use": "prompt"}]}))
    assert validate(g, CATALOGUE) == []


def test_findings_are_findings() -> None:
    result = validate(
        flow("a", a=("t_ref", {"refs": [{"kind": "audio", "id": "song", "use": "prompt"}]})),
        CATALOGUE,
    )
    assert all(isinstance(f, Finding) for f in result)
    assert [f.code for f in result] == ["audio.music_unlicensed", "audio.wrong_use"]


KODA = Catalogue(
    audio={
        "welcome": AudioInfo("welcome", "Welcome"),
        "jazz": AudioInfo("jazz", "Jazz", use=AudioUse.HOLD_MUSIC, is_music=True),
        "hit": AudioInfo(
            "hit", "Radio hit", use=AudioUse.HOLD_MUSIC, is_music=True, collective_licence=True
        ),
    },
    music_lines_covered=2,
    music_numbers_elsewhere=2,
    numbers_for_flow=1,
)


def two_nodes_playing(*ids: str) -> Any:
    return build_graph(
        flow(
            "a",
            a=("t_ref", {"refs": [{"kind": "audio", "id": ids[0], "use": "hold_music"}]}),
            b=("t_ref", {"refs": [{"kind": "audio", "id": i} for i in ids[1:]]}),
        )
    )


def lines_found(graph: Any, **counts: int | None) -> list[tuple[str, str | None, str | None]]:
    catalogue = dataclasses.replace(KODA, **counts)  # type: ignore[arg-type]
    return [(f.code, f.node, f.field) for f in music_lines_exceeded(graph, catalogue)]


def test_more_numbers_playing_koda_music_than_lines_is_an_error_on_each_node() -> None:
    graph = two_nodes_playing("hit", "welcome", "hit")
    assert lines_found(graph) == [
        ("audio.music_lines_exceeded", "a", "refs.0"),
        ("audio.music_lines_exceeded", "b", "refs.1"),
    ]
    finding = music_lines_exceeded(graph, KODA)[0]
    assert finding.severity == Severity.ERROR
    assert "3 numbers would play KODA/Gramex music but the agreements cover 2 lines" in (
        finding.message
    )
    assert "Radio hit" in finding.message


def test_koda_music_within_the_lines_is_fine() -> None:
    graph = two_nodes_playing("hit", "hit")
    assert lines_found(graph, music_numbers_elsewhere=0) == []
    assert lines_found(graph, music_numbers_elsewhere=0, numbers_for_flow=2) == []


def test_exactly_at_the_limit_is_fine_and_one_more_is_not() -> None:
    graph = two_nodes_playing("hit")
    assert lines_found(graph, music_numbers_elsewhere=1) == []
    assert lines_found(graph, music_numbers_elsewhere=1, numbers_for_flow=2) == [
        ("audio.music_lines_exceeded", "a", "refs.0")
    ]


def test_without_koda_music_the_lines_do_not_matter() -> None:
    graph = two_nodes_playing("jazz", "welcome")
    assert lines_found(graph, music_numbers_elsewhere=9, numbers_for_flow=9) == []


def test_a_flow_no_number_answers_with_adds_no_number() -> None:
    graph = two_nodes_playing("hit")
    assert lines_found(graph, music_numbers_elsewhere=5, numbers_for_flow=0) == []


def test_no_agreement_is_left_to_the_rights_rule() -> None:
    graph = two_nodes_playing("hit")
    assert lines_found(graph, music_lines_covered=None, numbers_for_flow=5) == []
    assert music_lines_exceeded(graph, None) == []


def test_the_default_catalogue_never_reports_lines() -> None:
    assert music_lines_exceeded(two_nodes_playing("hit"), Catalogue()) == []
    assert CATALOGUE.music_numbers_elsewhere == 0
    assert CATALOGUE.numbers_for_flow == 0


def test_lines_exceeded_through_validate_on_a_real_queue_node() -> None:
    queue = flow(
        "q",
        q=("queue", {"hold_music": "hit"}, {"answered": "e", "overflow": "e"}),
        e=("hangup",),
    )
    over = dataclasses.replace(KODA, music_numbers_elsewhere=1, numbers_for_flow=2)
    result = validate(queue, over)
    assert [(f.code, f.node, f.field) for f in result] == [
        ("audio.music_lines_exceeded", "q", "hold_music")
    ]
    assert validate(queue, dataclasses.replace(over, numbers_for_flow=1)) == []
