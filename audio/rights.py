"""Rights to play an asset, and the KODA/Gramex agreements behind music.

Pure functions of plain data and a date, so the validator, the upload form and the
daily licence job all apply the same rules. The rule that matters: music (hold
music, or anything declared or detected as music) may only be used while its
rights are valid on that day. Dates are inclusive: an agreement valid until
31 December covers calls on 31 December.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "WARN_DAYS",
    "AssetRights",
    "LicenceWarning",
    "MusicAgreement",
    "RightsCheck",
    "RightsDeclaration",
    "RightsKind",
    "expired",
    "licence_warnings",
    "lines_exceeded",
    "rights_valid",
    "usable",
]

WARN_DAYS = (30, 7)


class RightsKind(StrEnum):
    OWN_RECORDING = "own_recording"  # the org recorded it and owns it (speech, own jingle)
    ROYALTY_FREE = "royalty_free"  # bought/downloaded under a licence text
    PUBLIC_DOMAIN = "public_domain"  # incl. the project's synthesised defaults
    KODA_GRAMEX = "koda_gramex"  # commercial music under the org's agreement


@dataclass(frozen=True)
class RightsDeclaration:
    """What the admin declared when uploading."""

    kind: RightsKind
    source: str = ""  # where it came from (URL, vendor, "own recording")
    licence_text: str = ""  # royalty-free: the licence as granted
    valid_until: date | None = None  # royalty-free: licence end, None = perpetual
    agreement_id: str | None = None  # koda_gramex: which MusicAgreement


@dataclass(frozen=True)
class MusicAgreement:
    """A KODA/Gramex agreement for music on hold: how many lines, for how long."""

    id: str
    number: str  # the agreement number printed on KODA's invoice
    lines_covered: int
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class AssetRights:
    """An asset as the rights rules see it."""

    id: str
    name: str = ""
    is_music: bool = False  # declared music, hold music, or flagged by detection
    rights: RightsDeclaration | None = None


@dataclass(frozen=True)
class RightsCheck:
    """Verdict with a machine code and a reason an admin can act on."""

    ok: bool
    code: str
    reason: str

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class LicenceWarning:
    """Something expires soon. ``key`` is what the caller records once it has warned."""

    subject: str  # "agreement" or "asset"
    subject_id: str
    name: str
    expires_on: date
    days_left: int
    threshold: int  # 30 or 7
    asset_ids: tuple[str, ...] = ()  # music that stops being playable with it

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.subject, self.subject_id, self.expires_on.isoformat(), self.threshold)


def _index(agreements: Iterable[MusicAgreement]) -> dict[str, MusicAgreement]:
    return {agreement.id: agreement for agreement in agreements}


def rights_valid(
    rights: RightsDeclaration | None,
    agreements: Iterable[MusicAgreement] | Mapping[str, MusicAgreement],
    on: date,
) -> RightsCheck:
    """Whether a declaration covers playing the asset on ``on``.

    >>> rights_valid(RightsDeclaration(RightsKind.OWN_RECORDING), [], date(2026, 1, 1)).ok
    True
    """
    by_id = dict(agreements) if isinstance(agreements, Mapping) else _index(agreements)
    if rights is None:
        return RightsCheck(False, "no_rights", "No rights have been declared for this audio.")
    if rights.kind is RightsKind.OWN_RECORDING:
        return RightsCheck(True, "ok", "Own recording.")
    if rights.kind is RightsKind.PUBLIC_DOMAIN:
        if not rights.source.strip():
            return RightsCheck(
                False, "missing_source", "Say where the public-domain audio is from."
            )
        return RightsCheck(True, "ok", "Public domain.")
    if rights.kind is RightsKind.ROYALTY_FREE:
        if not rights.source.strip() or not rights.licence_text.strip():
            return RightsCheck(
                False, "missing_licence", "Royalty-free audio needs its source and licence text."
            )
        if rights.valid_until is not None and on > rights.valid_until:
            return RightsCheck(
                False, "licence_expired", f"The licence expired on {rights.valid_until:%Y-%m-%d}."
            )
        return RightsCheck(True, "ok", "Royalty-free licence.")
    agreement = by_id.get(rights.agreement_id or "")
    if agreement is None:
        return RightsCheck(
            False, "unknown_agreement", "The KODA/Gramex agreement is missing or was deleted."
        )
    if on < agreement.valid_from:
        return RightsCheck(
            False,
            "agreement_not_started",
            f"KODA/Gramex agreement {agreement.number} starts on {agreement.valid_from:%Y-%m-%d}.",
        )
    if on > agreement.valid_until:
        return RightsCheck(
            False,
            "agreement_expired",
            f"KODA/Gramex agreement {agreement.number} expired on "
            f"{agreement.valid_until:%Y-%m-%d}.",
        )
    return RightsCheck(True, "ok", f"KODA/Gramex agreement {agreement.number}.")


def usable(asset: AssetRights, agreements: Iterable[MusicAgreement], on: date) -> RightsCheck:
    """Whether the asset may be played on ``on``: music needs valid rights.

    Speech without a declaration is usable (the org's own prompts); a declaration
    that exists but has lapsed blocks any asset, music or not.
    """
    if asset.rights is None and not asset.is_music:
        return RightsCheck(True, "ok", "Speech; no music rights needed.")
    verdict = rights_valid(asset.rights, agreements, on)
    if not verdict and asset.is_music:
        return RightsCheck(
            False, verdict.code, f"Music cannot be played without valid rights: {verdict.reason}"
        )
    return verdict


def expired(
    assets: Iterable[AssetRights], agreements: Iterable[MusicAgreement], on: date
) -> list[AssetRights]:
    """Music whose rights no longer hold on ``on``: the daily job swaps these for
    licence-free audio. Only lapses count (expired agreement or licence), not
    declarations that were never valid - those never went live."""
    by_id = _index(agreements)
    lapsed = {"licence_expired", "agreement_expired", "unknown_agreement"}
    return [
        asset
        for asset in assets
        if asset.is_music and rights_valid(asset.rights, by_id, on).code in lapsed
    ]


def licence_warnings(
    assets: Iterable[AssetRights],
    agreements: Iterable[MusicAgreement],
    today: date,
    *,
    already_warned: Collection[tuple[str, str, str, int]] = (),
    thresholds: tuple[int, ...] = WARN_DAYS,
) -> list[LicenceWarning]:
    """What to warn about today: agreements and royalty-free licences expiring within
    30 or 7 days. Each (subject, expiry date, threshold) is returned until the caller
    records its ``key`` in ``already_warned``; a job that missed the 30-day mark and
    runs inside 7 days sends only the 7-day warning. A renewal (new end date) starts
    over."""
    assets = list(assets)
    warnings: list[LicenceWarning] = []
    for agreement in agreements:
        users = tuple(
            a.id
            for a in assets
            if a.rights is not None
            and a.rights.kind is RightsKind.KODA_GRAMEX
            and a.rights.agreement_id == agreement.id
        )
        found = _due(
            "agreement",
            agreement.id,
            f"KODA/Gramex {agreement.number}",
            agreement.valid_until,
            today,
            already_warned,
            thresholds,
            users,
        )
        if found:
            warnings.append(found)
    for asset in assets:
        rights = asset.rights
        if rights is None or rights.kind is not RightsKind.ROYALTY_FREE:
            continue
        if rights.valid_until is None:
            continue
        found = _due(
            "asset",
            asset.id,
            asset.name or asset.id,
            rights.valid_until,
            today,
            already_warned,
            thresholds,
            (asset.id,),
        )
        if found:
            warnings.append(found)
    return warnings


def _due(
    subject: str,
    subject_id: str,
    name: str,
    expires_on: date,
    today: date,
    already_warned: Collection[tuple[str, str, str, int]],
    thresholds: tuple[int, ...],
    asset_ids: tuple[str, ...],
) -> LicenceWarning | None:
    days_left = (expires_on - today).days
    if days_left < 0:
        return None  # expired: that is ``expired``'s business
    crossed = sorted(t for t in thresholds if days_left <= t)
    if not crossed:
        return None
    tightest = crossed[0]
    if (subject, subject_id, expires_on.isoformat(), tightest) in already_warned:
        return None
    return LicenceWarning(subject, subject_id, name, expires_on, days_left, tightest, asset_ids)


def lines_exceeded(numbers_playing_music: Collection[str] | int, lines_covered: int | None) -> int:
    """How many lines play music beyond the agreement (0 = within it).

    Takes the org's numbers whose flows can play music (or a count); duplicates are
    counted once. No agreement (None) covers no lines.
    """
    if isinstance(numbers_playing_music, int):
        in_use = numbers_playing_music
    else:
        in_use = len(set(numbers_playing_music))
    return max(0, in_use - (lines_covered or 0))
