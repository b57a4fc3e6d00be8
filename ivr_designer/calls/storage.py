"""Voicemails and faxes: download the media, keep the row, never lose a message.

Idempotent on the provider's RecordingSid/FaxSid (unique columns; a concurrent
duplicate loses the insert race and its downloaded file is removed). When the
provider cannot deliver the media now, the row is kept as ``pending_media`` and
:func:`retry_pending_media` (a scheduled job) fetches it later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from integrations.telephony import MediaUnavailable, TelephonyProvider, make_provider
from ivr_designer import crypto
from ivr_designer.calls.operations import set_outcome
from ivr_designer.models import (
    Call,
    Fax,
    FaxBox,
    PhoneNumber,
    ProviderAccount,
    Voicemail,
    VoicemailBox,
)
from ivr_designer.outbox.enqueue import enqueue_fax, enqueue_voicemail, media_ready

log = logging.getLogger(__name__)

__all__ = [
    "MAX_DOWNLOAD_ATTEMPTS",
    "MediaRequest",
    "ProviderFactory",
    "app_provider_factory",
    "retry_pending_media",
    "store_fax",
    "store_voicemail",
]

MAX_DOWNLOAD_ATTEMPTS = 12
ProviderFactory = Callable[[ProviderAccount], TelephonyProvider]
_FOLDERS = {Voicemail: "voicemail", Fax: "fax"}


@dataclass(frozen=True)
class MediaRequest:
    """What a recording or fax callback told us (already signature-checked)."""

    org_id: int
    sid: str
    media_url: str
    caller: str = ""
    call_id: int | None = None


def app_provider_factory(app: Flask) -> ProviderFactory:
    """Providers as configured (TELEPHONY_PROVIDER: rest | null)."""
    config = app.config

    def factory(account: ProviderAccount) -> TelephonyProvider:
        return make_provider(
            str(config["TELEPHONY_PROVIDER"]),
            provider=account.provider,
            account_sid=account.account_sid,
            auth_token=crypto.decrypt(account.auth_token_encrypted, app),
            base_url=account.api_base_url,
            timeout=float(config["TELEPHONY_TIMEOUT"]),
            max_bytes=int(config["TELEPHONY_MAX_MEDIA_BYTES"]),
        )

    return factory


def _download(
    provider: TelephonyProvider, url: str, media_root: Path, folder: str, suffix: str
) -> str | None:
    """The stored file's path relative to ``media_root``, or None (try again later)."""
    try:
        media = provider.download_media(url, media_root / folder, suffix)
    except MediaUnavailable as exc:
        log.warning("media download postponed: %s", exc)
        return None
    return str(media.path.relative_to(media_root))


def _insert(session: Session, row: Any, media_root: Path) -> Any:
    """Insert ``row``; when the SID exists already, drop our copy and keep theirs."""
    model = type(row)
    column = model.recording_sid if model is Voicemail else model.fax_sid
    sid = row.recording_sid if model is Voicemail else row.fax_sid
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if row.media_path:
            (media_root / row.media_path).unlink(missing_ok=True)
        existing = session.execute(select(model).where(column == sid)).scalar_one_or_none()
        if existing is None:
            raise
        return existing
    return row


def _existing(session: Session, model: Any, sid: str) -> Any:
    column = model.recording_sid if model is Voicemail else model.fax_sid
    return session.execute(select(model).where(column == sid)).scalar_one_or_none()


def store_voicemail(
    session: Session,
    request: MediaRequest,
    *,
    box_key: str,
    duration_s: int | None,
    account: ProviderAccount,
    provider_factory: ProviderFactory,
    media_root: Path,
    before_write: Callable[[], None] | None = None,
) -> Voicemail | None:
    """The voicemail of RecordingSid ``request.sid`` in box ``box_key``, stored once.

    ``before_write`` runs between the download and the first write (see
    ``ivr_designer.hooks.transactions``).
    """
    found = _existing(session, Voicemail, request.sid)
    if found is not None:
        return found
    box_id = session.execute(
        select(VoicemailBox.id).where(
            VoicemailBox.org_id == request.org_id, VoicemailBox.key == box_key
        )
    ).scalar_one_or_none()
    if box_id is None:
        log.error("recording %s names unknown voicemail box %r", request.sid, box_key)
        return None
    path = _download(provider_factory(account), request.media_url, media_root, "voicemail", ".wav")
    row = Voicemail(
        org_id=request.org_id,
        box_id=box_id,
        call_id=request.call_id,
        recording_sid=request.sid,
        caller=request.caller[:64],
        duration_s=duration_s,
        media_path=path,
        media_url=request.media_url,
        status="ready" if path else "pending_media",
        download_attempts=1,
    )
    if before_write is not None:
        before_write()  # the download is done; now the writes
    stored: Voicemail = _insert(session, row, media_root)
    if stored is row:
        enqueue_voicemail(session, row)  # same transaction: stored and announced, or neither
        if request.call_id is not None:
            set_outcome(session, request.call_id, "voicemail")
    return stored


def store_fax(
    session: Session,
    request: MediaRequest,
    *,
    box_id: int,
    pages: int | None,
    account: ProviderAccount,
    provider_factory: ProviderFactory,
    media_root: Path,
    before_write: Callable[[], None] | None = None,
) -> Fax:
    """The fax of FaxSid ``request.sid`` in box ``box_id``, stored once."""
    found = _existing(session, Fax, request.sid)
    if found is not None:
        return found
    path = _download(provider_factory(account), request.media_url, media_root, "fax", ".pdf")
    row = Fax(
        org_id=request.org_id,
        box_id=box_id,
        call_id=request.call_id,
        fax_sid=request.sid,
        caller=request.caller[:64],
        pages=pages,
        media_path=path,
        media_url=request.media_url,
        status="ready" if path else "pending_media",
        download_attempts=1,
    )
    if before_write is not None:
        before_write()
    stored: Fax = _insert(session, row, media_root)
    if stored is row:
        enqueue_fax(session, row)
        if request.call_id is not None:
            set_outcome(session, request.call_id, "fax")
    return stored


def fax_box_id(session: Session, org_id: int, key: str) -> int | None:
    return session.execute(
        select(FaxBox.id).where(FaxBox.org_id == org_id, FaxBox.key == key)
    ).scalar_one_or_none()


def _account_for(session: Session, row: Voicemail | Fax) -> ProviderAccount | None:
    """The account of the number the call came in on, else the org's first account."""
    if row.call_id is not None:
        account = session.execute(
            select(ProviderAccount)
            .join(PhoneNumber, PhoneNumber.provider_account_id == ProviderAccount.id)
            .join(Call, Call.phone_number_id == PhoneNumber.id)
            .where(Call.id == row.call_id)
        ).scalar_one_or_none()
        if account is not None:
            return account
    return session.execute(
        select(ProviderAccount)
        .where(ProviderAccount.org_id == row.org_id)
        .order_by(ProviderAccount.id)
        .limit(1)
    ).scalar_one_or_none()


def retry_pending_media(
    session: Session,
    provider_factory: ProviderFactory,
    now: datetime,
    *,
    media_root: Path,
    limit: int = 100,
) -> dict[str, int]:
    """Fetch media still missing; give up (status ``failed``) after many attempts.

    Returns counts: {"ready": n, "pending": n, "failed": n}. The caller commits.
    """
    counts = {"ready": 0, "pending": 0, "failed": 0}
    models: tuple[type[Voicemail] | type[Fax], ...] = (Voicemail, Fax)
    for model in models:
        pending = session.execute(
            select(model)
            .where(model.status == "pending_media")
            .order_by(model.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
        rows = [row for row in pending if isinstance(row, Voicemail | Fax)]
        for row in rows:
            account = _account_for(session, row)
            path = None
            if account is not None and row.media_url:
                suffix = ".wav" if model is Voicemail else ".pdf"
                path = _download(
                    provider_factory(account), row.media_url, media_root, _FOLDERS[model], suffix
                )
            row.download_attempts += 1
            if path is not None:
                row.media_path, row.status = path, "ready"
                media_ready(session, _FOLDERS[model], row.id)  # waiting notifications go now
                counts["ready"] += 1
            elif row.download_attempts >= MAX_DOWNLOAD_ATTEMPTS:
                row.status = "failed"
                counts["failed"] += 1
                log.error("giving up on media of %r after %d attempts", row, row.download_attempts)
            else:
                counts["pending"] += 1
    session.flush()
    log.info("pending media retry at %s: %s", now.isoformat(), counts)
    return counts
