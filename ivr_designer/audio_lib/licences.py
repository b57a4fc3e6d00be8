"""The daily licence check: warn before music rights lapse, swap lapsed music out.

For each organisation with licensed audio: a KODA/Gramex agreement or a royalty-free
licence that ends within 30 or 7 days is announced once per threshold (a
``LicenceWarning`` row remembers it); music whose rights have lapsed is marked
``rights_expired`` and audited with the licence-free default that calls play instead
(``playback.choose`` makes that switch at call time even before this job runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from audio import rights as domain
from ivr_designer.actor import Actor
from ivr_designer.audio_lib.catalogue import music_lines_covered, numbers_playing_licensed_music
from ivr_designer.audio_lib.defaults import ensure_defaults
from ivr_designer.audio_lib.rights import agreements_of, asset_rights
from ivr_designer.audit.record import record
from ivr_designer.models import (
    AudioAsset,
    LicenceWarning,
    MusicAgreement,
    Organisation,
)
from ivr_designer.outbox.enqueue import enqueue_event

__all__ = ["LicenceReport", "check_licences", "numbers_playing_licensed_music"]

SYSTEM = Actor(user=None)


@dataclass
class LicenceReport:
    warnings: list[domain.LicenceWarning] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)  # "org_id:key"
    lines_exceeded: list[int] = field(default_factory=list)  # org ids


def _orgs_with_licences(session: Session) -> list[int]:
    licensed = (domain.RightsKind.ROYALTY_FREE.value, domain.RightsKind.KODA_GRAMEX.value)
    query = union(
        select(MusicAgreement.org_id),
        select(AudioAsset.org_id).where(AudioAsset.rights_kind.in_(licensed)),
    )
    return sorted(set(session.execute(query).scalars()))


def _warn(session: Session, org_id: int, warning: domain.LicenceWarning, subject: object) -> None:
    session.add(
        LicenceWarning(
            org_id=org_id,
            subject=warning.subject,
            subject_id=warning.subject_id,
            expires_on=warning.expires_on,
            threshold=warning.threshold,
        )
    )
    record(
        session,
        SYSTEM,
        "audio.licence_warning",
        subject,
        after={
            "name": warning.name,
            "expires_on": warning.expires_on.isoformat(),
            "days_left": warning.days_left,
            "threshold": warning.threshold,
        },
        org_id=org_id,
    )
    subject_id = int(warning.subject_id) if warning.subject_id.isdigit() else None
    enqueue_event(
        session,
        org_id=org_id,
        event="licence.expiring",
        subject_type="audio_asset" if warning.subject == "asset" else "music_agreement",
        subject_id=subject_id,
        payload={
            "text": f"{warning.name}: the licence ends on {warning.expires_on.isoformat()} "
            f"({warning.days_left} days left).",
            "name": warning.name,
            "expires_on": warning.expires_on.isoformat(),
            "days_left": warning.days_left,
            "threshold": warning.threshold,
        },
        to_admins=True,
        dedupe=":".join(str(part) for part in warning.key),
    )


def _check_org(session: Session, org_id: int, today: date, media_root: Path) -> LicenceReport:
    report = LicenceReport()
    agreements = agreements_of(session, org_id)
    assets = list(
        session.execute(
            select(AudioAsset).where(AudioAsset.org_id == org_id, AudioAsset.is_default.is_(False))
        ).scalars()
    )
    by_id = {str(asset.id): asset for asset in assets}
    agreement_rows = {
        str(row.id): row
        for row in session.execute(
            select(MusicAgreement).where(MusicAgreement.org_id == org_id)
        ).scalars()
    }
    sent = session.execute(select(LicenceWarning).where(LicenceWarning.org_id == org_id))
    already = {row.key for row in sent.scalars()}
    rights = [asset_rights(asset) for asset in assets]
    for warning in domain.licence_warnings(rights, agreements, today, already_warned=already):
        subject = (agreement_rows if warning.subject == "agreement" else by_id)[warning.subject_id]
        _warn(session, org_id, warning, subject)
        report.warnings.append(warning)
    for asset in assets:
        if asset.status == "rights_expired" and domain.usable(
            asset_rights(asset), agreements, today
        ):
            asset.status = "ready"  # renewed: the music plays again
            session.flush()
            record(
                session,
                SYSTEM,
                "audio.rights_restored",
                asset,
                before={"status": "rights_expired"},
                after={"status": "ready", "key": asset.key},
            )
    live = [asset_rights(a) for a in assets if a.status == "ready"]
    lapsed = domain.expired(live, agreements, today)
    if lapsed:
        default = ensure_defaults(session, org_id, media_root)["hold_music"]
        for item in lapsed:
            asset = by_id[item.id]
            reason = domain.rights_valid(item.rights, agreements, today).reason
            asset.status = "rights_expired"
            session.flush()
            record(
                session,
                SYSTEM,
                "audio.rights_expired",
                asset,
                before={"status": "ready"},
                after={
                    "status": "rights_expired",
                    "key": asset.key,
                    "default": default.key,
                    "reason": reason,
                },
            )
            report.expired.append(f"{org_id}:{asset.key}")
    return report


def _check_lines(session: Session, org_id: int, today: date) -> int:
    """Audit when more numbers play licensed music than the agreements cover."""
    numbers = numbers_playing_licensed_music(session, org_id)
    covered = music_lines_covered(session, org_id, today)
    over = domain.lines_exceeded(numbers, covered)
    if over:
        org = session.get(Organisation, org_id)
        record(
            session,
            SYSTEM,
            "audio.lines_exceeded",
            org,
            after={"numbers": numbers, "lines_covered": covered or 0, "over": over},
            org_id=org_id,
        )
        enqueue_event(
            session,
            org_id=org_id,
            event="admin.notice",
            subject_type="organisation",
            subject_id=org_id,
            payload={
                "text": f"{len(numbers)} numbers "
                f"play licensed music but the agreements cover {covered or 0} lines "
                f"({over} too many). Extend the KODA/Gramex agreement or change the music.",
            },
            to_admins=True,
            dedupe=f"lines:{len(numbers)}:{covered or 0}",  # once per situation, not daily
        )
    return over


def check_licences(session: Session, today: date, media_root: Path) -> LicenceReport:
    """Run the check for every organisation; flushes only (the job commits)."""
    total = LicenceReport()
    for org_id in _orgs_with_licences(session):
        report = _check_org(session, org_id, today, media_root)
        if _check_lines(session, org_id, today):
            report.lines_exceeded.append(org_id)
        total.lines_exceeded.extend(report.lines_exceeded)
        total.warnings.extend(report.warnings)
        total.expired.extend(report.expired)
    return total
