"""Rights rules with dates: music needs valid rights; warnings at 30 and 7 days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from audio.rights import (
    AssetRights,
    LicenceWarning,
    MusicAgreement,
    RightsDeclaration,
    RightsKind,
    expired,
    licence_warnings,
    lines_exceeded,
    rights_valid,
    usable,
)

DAY = date(2026, 11, 21)
AGREEMENT = MusicAgreement(
    id="ag1",
    number="KG-2026-0042",
    lines_covered=3,
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
)
KODA = RightsDeclaration(RightsKind.KODA_GRAMEX, agreement_id="ag1")
ROYALTY_FREE = RightsDeclaration(
    RightsKind.ROYALTY_FREE,
    source="https://music.example/track/7",
    licence_text="Use on hold lines of the licensee.",
    valid_until=date(2026, 12, 10),
)


@pytest.mark.parametrize(
    ("rights", "on", "ok", "code"),
    [
        (None, DAY, False, "no_rights"),
        (RightsDeclaration(RightsKind.OWN_RECORDING), DAY, True, "ok"),
        (RightsDeclaration(RightsKind.PUBLIC_DOMAIN, source="ivr-designer"), DAY, True, "ok"),
        (RightsDeclaration(RightsKind.PUBLIC_DOMAIN), DAY, False, "missing_source"),
        (ROYALTY_FREE, DAY, True, "ok"),
        (ROYALTY_FREE, date(2026, 12, 10), True, "ok"),  # last day included
        (ROYALTY_FREE, date(2026, 12, 11), False, "licence_expired"),
        (RightsDeclaration(RightsKind.ROYALTY_FREE, source="x"), DAY, False, "missing_licence"),
        (
            RightsDeclaration(RightsKind.ROYALTY_FREE, source="x", licence_text="CC0"),
            date(2099, 1, 1),
            True,
            "ok",
        ),
        (KODA, DAY, True, "ok"),
        (KODA, date(2025, 12, 31), False, "agreement_not_started"),
        (KODA, date(2026, 1, 1), True, "ok"),
        (KODA, date(2026, 12, 31), True, "ok"),
        (KODA, date(2027, 1, 1), False, "agreement_expired"),
        (
            RightsDeclaration(RightsKind.KODA_GRAMEX, agreement_id="gone"),
            DAY,
            False,
            "unknown_agreement",
        ),
    ],
)
def test_rights_valid(rights: RightsDeclaration | None, on: date, ok: bool, code: str) -> None:
    verdict = rights_valid(rights, [AGREEMENT], on)
    assert (verdict.ok, bool(verdict), verdict.code) == (ok, ok, code)
    assert verdict.reason


def test_expired_agreement_reason_names_number_and_date() -> None:
    verdict = rights_valid(KODA, {"ag1": AGREEMENT}, date(2027, 1, 5))
    assert "KG-2026-0042" in verdict.reason
    assert "2026-12-31" in verdict.reason


def test_music_needs_valid_rights_speech_does_not() -> None:
    later = date(2027, 2, 1)
    speech = AssetRights("s1", is_music=False)
    music_without = AssetRights("m0", is_music=True)
    music_koda = AssetRights("m1", is_music=True, rights=KODA)
    assert usable(speech, [], later)
    assert not usable(music_without, [AGREEMENT], DAY)
    assert "Music cannot be played" in usable(music_without, [AGREEMENT], DAY).reason
    assert usable(music_koda, [AGREEMENT], DAY)
    assert not usable(music_koda, [AGREEMENT], later)
    lapsed_speech = AssetRights("s2", rights=ROYALTY_FREE)
    assert not usable(lapsed_speech, [], later)


def test_expired_lists_lapsed_music_only() -> None:
    assets = [
        AssetRights("m1", is_music=True, rights=KODA),
        AssetRights("m2", is_music=True, rights=ROYALTY_FREE),
        AssetRights("m3", is_music=True, rights=RightsDeclaration(RightsKind.OWN_RECORDING)),
        AssetRights("m4", is_music=True),  # never valid: never went live, not "expired"
        AssetRights("s1", rights=ROYALTY_FREE),  # speech: not swapped
    ]
    assert [a.id for a in expired(assets, [AGREEMENT], DAY)] == []
    assert [a.id for a in expired(assets, [AGREEMENT], date(2026, 12, 11))] == ["m2"]
    assert [a.id for a in expired(assets, [AGREEMENT], date(2027, 1, 1))] == ["m1", "m2"]
    assert [a.id for a in expired(assets, [], DAY)] == ["m1"]  # agreement deleted


def _warn(
    today: date, warned: set[tuple[str, str, str, int]] | None = None
) -> list[LicenceWarning]:
    assets = [
        AssetRights("m1", "Jazz loop", is_music=True, rights=KODA),
        AssetRights("m2", "Piano", is_music=True, rights=ROYALTY_FREE),
    ]
    return licence_warnings(assets, [AGREEMENT], today, already_warned=warned or set())


def test_no_warning_more_than_30_days_before() -> None:
    assert _warn(date(2026, 11, 9)) == []  # 31 days before the licence, 52 before KODA
    assert [w.subject_id for w in _warn(date(2026, 11, 10))] == ["m2"]


def test_warns_once_at_30_then_once_at_7_days() -> None:
    warned: set[tuple[str, str, str, int]] = set()
    sent: list[tuple[date, str, int]] = []
    day = date(2026, 11, 1)
    while day <= date(2027, 1, 5):
        for warning in _warn(day, warned):
            sent.append((day, warning.subject_id, warning.threshold))
            warned.add(warning.key)
        day += timedelta(days=1)
    assert sent == [
        (date(2026, 11, 10), "m2", 30),
        (date(2026, 12, 1), "ag1", 30),
        (date(2026, 12, 3), "m2", 7),
        (date(2026, 12, 24), "ag1", 7),
    ]


def test_warning_contents_and_missed_30_day_mark() -> None:
    (warning,) = [w for w in _warn(date(2026, 12, 28)) if w.subject == "agreement"]
    assert warning.threshold == 7  # the 30-day mark was missed: only the tighter one
    assert warning.days_left == 3
    assert warning.asset_ids == ("m1",)
    assert warning.key == ("agreement", "ag1", "2026-12-31", 7)
    assert "KG-2026-0042" in warning.name


def test_renewal_starts_warnings_over() -> None:
    renewed = MusicAgreement("ag1", "KG-2027-0042", 3, date(2027, 1, 1), date(2027, 12, 31))
    old_keys = {("agreement", "ag1", "2026-12-31", 30), ("agreement", "ag1", "2026-12-31", 7)}
    found = licence_warnings([], [renewed], date(2027, 12, 1), already_warned=old_keys)
    assert [(w.subject_id, w.threshold) for w in found] == [("ag1", 30)]


def test_no_warning_after_expiry() -> None:
    assert [w for w in _warn(date(2027, 1, 1)) if w.subject == "agreement"] == []


@pytest.mark.parametrize(
    ("numbers", "covered", "excess"),
    [
        (["+4570000001", "+4570000002"], 3, 0),
        (["+4570000001", "+4570000002", "+4570000003"], 3, 0),
        (["+4570000001", "+4570000002", "+4570000003", "+4570000004"], 3, 1),
        (["+4570000001", "+4570000001"], 1, 0),  # duplicates count once
        (5, 2, 3),
        (["+4570000001"], None, 1),  # no agreement covers nothing
        ([], None, 0),
    ],
)
def test_lines_exceeded(numbers: list[str] | int, covered: int | None, excess: int) -> None:
    assert lines_exceeded(numbers, covered) == excess
