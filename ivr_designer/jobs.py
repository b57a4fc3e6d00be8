"""Every scheduled job, declared in one place; each a thin wrapper of a domain function.

The scheduler runs in one process (``ivr-designer scheduler``), never in web workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from ivr_designer.audio_lib.licences import LicenceReport, check_licences
from ivr_designer.audio_lib.processing import process_pending
from ivr_designer.audio_lib.storage import limits_from
from ivr_designer.calls.storage import app_provider_factory, retry_pending_media
from ivr_designer.extensions import db
from ivr_designer.models.base import utcnow

log = logging.getLogger(__name__)

__all__ = [
    "JOBS",
    "Job",
    "check_audio_licences",
    "jobs_for",
    "process_audio",
    "retry_media",
]


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[Flask], Any]
    trigger: str  # an APScheduler trigger name
    trigger_args: dict[str, Any] = field(default_factory=dict)


def retry_media(app: Flask) -> dict[str, int]:
    """Fetch voicemail/fax media that the provider could not deliver at callback time."""
    with app.app_context(), db.new_session() as session:
        counts = retry_pending_media(
            session,
            app_provider_factory(app),
            utcnow(),
            media_root=Path(app.config["MEDIA_FOLDER"]),
        )
        session.commit()
    return counts


def check_audio_licences(app: Flask, today: date | None = None) -> LicenceReport:
    """Daily: warn 30/7 days before music rights end; mark lapsed music, audit the swap."""
    with app.app_context(), db.new_session() as session:
        report = check_licences(session, today or utcnow().date(), Path(app.config["MEDIA_FOLDER"]))
        session.commit()
    return report


def process_audio(app: Flask, now: datetime | None = None) -> list[int]:
    """Transcode uploads left in ``processing`` (a restart, a crashed worker)."""
    with app.app_context(), db.new_session() as session:
        return process_pending(
            session,
            Path(app.config["MEDIA_FOLDER"]),
            limits_from(app),
            now=now,
            stale_after=timedelta(seconds=int(app.config["AUDIO_STALE_PROCESSING_SECONDS"])),
        )


def jobs_for(app: Flask) -> list[Job]:
    """The jobs with their schedules from ``app``'s configuration."""
    return [
        Job(
            "retry-pending-media",
            retry_media,
            "interval",
            {"minutes": int(app.config["SCHEDULER_MEDIA_RETRY_MINUTES"])},
        ),
        Job("audio-licence-check", check_audio_licences, "cron", {"hour": 3, "minute": 17}),
        Job("audio-process-pending", process_audio, "interval", {"minutes": 5}),
    ]


JOBS = ("retry-pending-media", "audio-licence-check", "audio-process-pending")
