"""Every scheduled job and service, declared in one place; each a thin wrapper.

The scheduler runs in one process at a time (``ivr-designer scheduler``, guarded by a
database lock; see :mod:`ivr_designer.scheduler`), never in web workers. Services are
long-running threads (the outbox worker) started while the lock is held and stopped
when it is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from flask import Flask

from ivr_designer.audio_lib.licences import LicenceReport, check_licences
from ivr_designer.audio_lib.processing import process_pending
from ivr_designer.audio_lib.storage import limits_from
from ivr_designer.calls.storage import app_provider_factory, retry_pending_media
from ivr_designer.extensions import db
from ivr_designer.models.base import utcnow
from ivr_designer.retention.sweep import SweepReport, sweep

log = logging.getLogger(__name__)

__all__ = [
    "HOLDER_KEY",
    "JOBS",
    "Job",
    "Service",
    "check_audio_licences",
    "deliver_outbox",
    "jobs_for",
    "process_audio",
    "retry_media",
    "services_for",
    "start_outbox_worker",
    "sweep_retention",
]

#: ``app.extensions`` key naming the scheduler that holds the lock (for audit entries).
HOLDER_KEY = "ivr_designer.scheduler.holder"
OUTBOX_BATCH = 100


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


def sweep_retention(app: Flask) -> SweepReport:
    """Delete what is past each org's retention, in short batches, files included."""
    with app.app_context():
        return sweep(
            db.new_session,
            Path(app.config["MEDIA_FOLDER"]),
            batch_size=int(app.config["RETENTION_BATCH_SIZE"]),
            run_by=str(app.extensions.get(HOLDER_KEY, "")),
        )


def deliver_outbox(app: Flask) -> int:
    """Deliver due notifications when no worker threads run (``NOTIFY_WORKER_THREADS=0``)."""
    from ivr_designer.outbox.worker import deliver_due

    return deliver_due(app, OUTBOX_BATCH)


class Stoppable(Protocol):
    def stop(self) -> Any: ...


@dataclass(frozen=True)
class Service:
    id: str
    start: Callable[[Flask], Stoppable | None]


def start_outbox_worker(app: Flask) -> Stoppable | None:
    """The outbox delivery threads (woken when a voicemail or fax is stored)."""
    from ivr_designer.outbox.worker import start_worker

    handle: Stoppable = start_worker(app)
    return handle


def _outbox_threads(app: Flask) -> int:
    return int(app.config["NOTIFY_WORKER_THREADS"])


def jobs_for(app: Flask) -> list[Job]:
    """The jobs with their schedules from ``app``'s configuration."""
    jobs = [
        Job(
            "retry-pending-media",
            retry_media,
            "interval",
            {"minutes": int(app.config["SCHEDULER_MEDIA_RETRY_MINUTES"])},
        ),
        Job("audio-licence-check", check_audio_licences, "cron", {"hour": 3, "minute": 17}),
        Job("audio-process-pending", process_audio, "interval", {"minutes": 5}),
        # Minutes may be a fraction (tests sweep every few seconds).
        Job(
            "retention-sweep",
            sweep_retention,
            "interval",
            {"seconds": float(app.config["RETENTION_SWEEP_MINUTES"]) * 60},
        ),
    ]
    if _outbox_threads(app) <= 0:
        seconds = float(app.config["NOTIFY_POLL_SECONDS"])
        jobs.append(Job("outbox-deliver-due", deliver_outbox, "interval", {"seconds": seconds}))
    return jobs


def services_for(app: Flask) -> list[Service]:
    """Long-running parts started while this process holds the scheduler lock."""
    if _outbox_threads(app) <= 0:
        return []
    return [Service("outbox-worker", start_outbox_worker)]


JOBS = (
    "retry-pending-media",
    "audio-licence-check",
    "audio-process-pending",
    "retention-sweep",
)
