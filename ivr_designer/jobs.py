"""Every scheduled job, declared in one place; each a thin wrapper of a domain function.

The scheduler runs in one process (``ivr-designer scheduler``), never in web workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from ivr_designer.calls.storage import app_provider_factory, retry_pending_media
from ivr_designer.extensions import db
from ivr_designer.models.base import utcnow

log = logging.getLogger(__name__)

__all__ = ["JOBS", "Job", "jobs_for", "retry_media"]


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


def jobs_for(app: Flask) -> list[Job]:
    """The jobs with their schedules from ``app``'s configuration."""
    return [
        Job(
            "retry-pending-media",
            retry_media,
            "interval",
            {"minutes": int(app.config["SCHEDULER_MEDIA_RETRY_MINUTES"])},
        ),
    ]


JOBS = ("retry-pending-media",)
