"""Turning an uploaded original into a playable asset: ``processing`` → ``ready``/``failed``.

``process_asset`` is the one conversion step, used inline for short uploads, by the
in-process worker and by the scheduler job that picks up what a restart left behind
(``process_pending``). A failure never escapes: the asset records the reason.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from audio.errors import AudioError
from audio.ingest import IngestResult, ingest
from audio.limits import Limits
from ivr_designer.audio_lib.storage import absolute, audio_dir, relative, remove
from ivr_designer.models import AudioAsset
from ivr_designer.models.base import utcnow

__all__ = ["apply_result", "claim", "process_asset", "process_pending"]

log = logging.getLogger(__name__)


def apply_result(asset: AudioAsset, result: IngestResult, media_root: Path) -> None:
    """Store what ``ingest`` measured and wrote; the asset becomes ``ready``."""
    asset.telephony_path = relative(result.renditions.telephony_pcm, media_root)
    asset.ulaw_path = relative(result.renditions.telephony_ulaw, media_root)
    asset.opus_path = relative(result.renditions.opus, media_root)
    asset.duration_s = round(result.duration, 3)
    asset.sample_rate = result.sample_rate
    asset.channels = result.channels
    asset.sha256 = result.sha256
    integrated = result.loudness_before.integrated
    asset.loudness_lufs = round(integrated, 2) if math.isfinite(integrated) else None
    asset.gain_db = round(result.gain_db, 2)
    music = result.music
    asset.music_label = music.label if music.conclusive else "inconclusive"
    asset.music_speech_votes = music.speech_votes
    asset.needs_review = result.sounds_like_undeclared_music
    asset.status = "ready"
    asset.failure_code = None
    asset.failure_reason = None


def fail(asset: AudioAsset, error: AudioError) -> None:
    asset.status = "failed"
    asset.failure_code = error.code
    asset.failure_reason = str(error)[:2000]


def process_asset(session: Session, asset: AudioAsset, media_root: Path, limits: Limits) -> None:
    """Convert the asset's original; flush. ffmpeg failures end as ``failed``, not raised."""
    source = absolute(asset.upload_path, media_root)
    try:
        if source is None:
            raise AudioError("The uploaded original is gone; upload the file again.")
        result = ingest(
            source,
            audio_dir(media_root),
            use=asset.use,
            declared_music=asset.declared_music,
            limits=limits,
        )
    except AudioError as error:
        fail(asset, error)
    except Exception:  # a worker must survive anything
        log.exception("processing audio asset %s failed", asset.id)
        fail(asset, AudioError("The audio could not be processed."))
    else:
        apply_result(asset, result, media_root)
    if asset.upload_path:
        remove([asset.upload_path], media_root)
        asset.upload_path = None
    asset.processing_started_at = None
    session.flush()


def claim(session: Session, asset_id: int, now: datetime, stale_after: timedelta) -> bool:
    """Take the asset for processing unless someone fresher has it (conditional UPDATE)."""
    result = session.execute(
        update(AudioAsset)
        .where(
            AudioAsset.id == asset_id,
            AudioAsset.status == "processing",
            or_(
                AudioAsset.processing_started_at.is_(None),
                AudioAsset.processing_started_at < now - stale_after,
            ),
        )
        .values(processing_started_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def process_pending(
    session: Session,
    media_root: Path,
    limits: Limits,
    *,
    now: datetime | None = None,
    stale_after: timedelta = timedelta(minutes=30),
    only: int | None = None,
) -> list[int]:
    """Process every asset left in ``processing`` (or just ``only``); commits per asset
    so each finished conversion is kept even if a later one takes the process down."""
    now = now or utcnow()
    query = select(AudioAsset.id).where(AudioAsset.status == "processing")
    if only is not None:
        query = query.where(AudioAsset.id == only)
    done: list[int] = []
    for asset_id in list(session.execute(query).scalars()):
        if not claim(session, asset_id, now, stale_after):
            continue
        session.commit()
        asset = session.get(AudioAsset, asset_id, populate_existing=True)
        if asset is None:
            continue
        process_asset(session, asset, media_root, limits)
        session.commit()
        done.append(asset_id)
    return done
