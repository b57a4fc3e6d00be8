"""Audio assets and KODA/Gramex agreements: create, read, change, delete (audited).

Operations take plain arguments and the acting user and flush only; the request (or
job) boundary commits. Files are written before the row and removed again when the
operation refuses, so a refused upload leaves nothing on disk.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audio.errors import AudioError
from audio.ingest import Upload, ingest
from audio.limits import Limits
from audio.probe import check, probe
from audio.rights import RightsKind, usable
from ivr_designer.actor import Actor
from ivr_designer.audio_lib.processing import apply_result
from ivr_designer.audio_lib.rights import agreements_of, asset_rights
from ivr_designer.audio_lib.storage import audio_dir, relative, remove, stored_files
from ivr_designer.audit.record import changed_only, record, snapshot
from ivr_designer.callflows.access import list_filter, load, require_admin, target_org
from ivr_designer.callflows.references import published_flows_referencing
from ivr_designer.errors import Conflict, Forbidden, Invalid
from ivr_designer.models import AudioAsset, MusicAgreement

__all__ = [
    "create_tts",
    "delete_asset",
    "get_asset",
    "list_assets",
    "refused",
    "update_asset",
    "upload_asset",
]

WHAT = "audio"
KEY_RE = re.compile(r"^[a-z0-9_-]{1,64}$")
RESERVED_PREFIX = "default-"
RIGHTS_FIELDS = ("rights_kind", "rights_source", "rights_licence_text", "rights_valid_until")


def refused(error: AudioError, field: str = "file") -> Invalid:
    """An ``AudioError`` as a 422 naming the field, with its stable code."""
    return Invalid(error.reason, {field: [error.reason], "code": error.code})


def _require_reader(actor: Actor) -> None:
    if actor.user is not None and actor.org_id is None and not actor.is_system_admin:
        raise Forbidden("no organisation")


def list_assets(session: Session, actor: Actor, *, org_id: int | None = None) -> list[AudioAsset]:
    """Staff may look (the editor's asset picker); only admins change anything."""
    _require_reader(actor)
    query = select(AudioAsset).order_by(AudioAsset.org_id, AudioAsset.key)
    org = list_filter(actor, org_id)
    if org is not None:
        query = query.where(AudioAsset.org_id == org)
    return list(session.execute(query).scalars())


def get_asset(session: Session, actor: Actor, asset_id: int) -> AudioAsset:
    _require_reader(actor)
    return load(session, AudioAsset, asset_id, "audio asset")


def get_asset_for_admin(session: Session, actor: Actor, asset_id: int) -> AudioAsset:
    require_admin(actor, WHAT)
    return load(session, AudioAsset, asset_id, "audio asset")


def _check_key(session: Session, org_id: int, key: str) -> None:
    if not KEY_RE.match(key or ""):
        raise Invalid("invalid key", {"key": ["use 1-64 of a-z, 0-9, '-' and '_'"]})
    if key.startswith(RESERVED_PREFIX):
        raise Invalid("reserved key", {"key": [f"keys starting {RESERVED_PREFIX!r} are ours"]})
    taken = session.execute(
        select(func.count())
        .select_from(AudioAsset)
        .where(AudioAsset.org_id == org_id, AudioAsset.key == key)
    ).scalar_one()
    if taken:
        raise Conflict("key already in use", {"key": [f"{key!r} is already an audio key"]})


def _apply_rights(session: Session, asset: AudioAsset, rights: dict[str, Any]) -> None:
    """Copy the declaration onto the asset; a KODA/Gramex one must name an own agreement."""
    for field in RIGHTS_FIELDS:
        if field in rights:
            value = rights[field]
            if field in ("rights_source", "rights_licence_text"):
                value = value or ""
            setattr(asset, field, value)
    if "declared_music" in rights:
        asset.declared_music = bool(rights["declared_music"])
    if "agreement_id" in rights:
        agreement_id = rights["agreement_id"]
        if agreement_id is not None:
            found = session.execute(
                select(MusicAgreement.id).where(
                    MusicAgreement.id == agreement_id, MusicAgreement.org_id == asset.org_id
                )
            ).scalar_one_or_none()
            if found is None:
                raise Invalid(
                    "agreement not found", {"agreement_id": [f"agreement {agreement_id} not found"]}
                )
        asset.agreement_id = agreement_id
    if asset.rights_kind == RightsKind.KODA_GRAMEX and asset.agreement_id is None:
        raise Invalid(
            "KODA/Gramex music needs its agreement",
            {"agreement_id": ["required for rights_kind koda_gramex"]},
        )


def upload_asset(
    session: Session,
    actor: Actor,
    upload: Upload,
    *,
    key: str,
    name: str,
    use: str,
    original_filename: str,
    media_root: Path,
    limits: Limits,
    inline_max_seconds: float,
    org_id: int | None = None,
    **rights: Any,
) -> AudioAsset:
    """Make an asset of a received upload (its file is consumed either way).

    The content is probed now, so anything that is not acceptable audio is a 422 before
    a row exists. Up to ``inline_max_seconds`` it is transcoded here and comes back
    ``ready``; longer files come back ``processing`` with the original kept for the
    worker (see ``processing.process_pending``).
    """
    keep_upload = False
    try:
        require_admin(actor, WHAT)
        org = target_org(session, actor, org_id)
        _check_key(session, org, key)
        asset = AudioAsset(
            org_id=org,
            key=key,
            name=name,
            use=use,
            kind="upload",
            status="processing",
            original_filename=original_filename,
            sha256=upload.sha256,
        )
        _apply_rights(session, asset, rights)
        music = asset.declared_music or use == "hold_music"
        try:
            info = probe(upload.path, timeout=limits.probe_timeout)
            check(info, limits, music=music)
            if 0 <= info.duration <= inline_max_seconds:
                result = ingest(
                    upload.path,
                    audio_dir(media_root),
                    use=use,
                    declared_music=asset.declared_music,
                    limits=limits,
                )
                apply_result(asset, result, media_root)
            else:
                asset.upload_path = relative(upload.path, media_root)
                asset.duration_s = info.duration if info.duration >= 0 else None
                asset.sample_rate = info.sample_rate
                asset.channels = info.channels
                keep_upload = True
        except AudioError as error:
            raise refused(error) from error
        session.add(asset)
        try:
            session.flush()
        except Exception:
            remove(stored_files(asset), media_root)
            raise
        record(session, actor, "create", asset, after=snapshot(asset))
        return asset
    finally:
        if not keep_upload:
            upload.path.unlink(missing_ok=True)


def create_tts(
    session: Session,
    actor: Actor,
    *,
    key: str,
    name: str,
    text: str,
    language: str,
    use: str = "prompt",
    org_id: int | None = None,
) -> AudioAsset:
    """A spoken prompt (``<Say>`` at call time): flows can be drawn before recordings exist."""
    require_admin(actor, WHAT)
    org = target_org(session, actor, org_id)
    _check_key(session, org, key)
    if use == "hold_music":
        raise Invalid("speech is not hold music", {"use": ["text-to-speech cannot be hold music"]})
    asset = AudioAsset(
        org_id=org,
        key=key,
        name=name,
        use=use,
        kind="tts",
        status="ready",
        tts_text=text,
        tts_language=language,
        rights_kind=RightsKind.OWN_RECORDING.value,
        rights_source="text-to-speech",
    )
    session.add(asset)
    session.flush()
    record(session, actor, "create", asset, after=snapshot(asset))
    return asset


def update_asset(
    session: Session, actor: Actor, asset_id: int, changes: dict[str, Any], *, today: date
) -> AudioAsset:
    """Rename, change use or rights. New valid rights bring expired music back."""
    asset = get_asset_for_admin(session, actor, asset_id)
    if asset.is_default:
        raise Conflict("the default sounds cannot be changed", {})
    before = snapshot(asset)
    if "name" in changes:
        asset.name = changes["name"]
    if "use" in changes:
        if asset.kind == "tts" and changes["use"] == "hold_music":
            raise Invalid("speech is not hold music", {"use": ["TTS cannot be hold music"]})
        asset.use = changes["use"]
    rights = {k: v for k, v in changes.items() if k not in ("name", "use")}
    _apply_rights(session, asset, rights)
    agreements = agreements_of(session, asset.org_id)
    if asset.status == "rights_expired" and usable(asset_rights(asset), agreements, today).ok:
        asset.status = "ready"
    session.flush()
    old, new = changed_only(before, snapshot(asset))
    record(session, actor, "update", asset, before=old, after=new)
    return asset


def delete_asset(session: Session, actor: Actor, asset_id: int, *, media_root: Path) -> None:
    """Refused (409) while a published flow plays the key."""
    asset = get_asset_for_admin(session, actor, asset_id)
    if asset.is_default:
        raise Conflict("the default sounds are the fallback for expired music", {})
    users = published_flows_referencing(session, asset.org_id, "audio", asset.key)
    if users:
        raise Conflict(
            f"the published version of {', '.join(users)} plays this audio; "
            "publish them without it first",
            {"flows": users},
        )
    files = stored_files(asset)
    record(session, actor, "delete", asset, before=snapshot(asset))
    session.delete(asset)
    session.flush()
    remove(files, media_root)
