"""APScheduler wiring: one scheduler process runs :mod:`ivr_designer.jobs`."""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from ivr_designer.jobs import jobs_for

__all__ = ["build_scheduler", "start_embedded"]

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def build_scheduler(app: Flask, scheduler_class: type[Any] = BlockingScheduler) -> BaseScheduler:
    scheduler: BaseScheduler = scheduler_class(timezone="UTC", job_defaults=JOB_DEFAULTS)
    for job in jobs_for(app):
        scheduler.add_job(
            job.run, job.trigger, args=[app], id=job.id, replace_existing=True, **job.trigger_args
        )
    return scheduler


def start_embedded(app: Flask) -> BaseScheduler:
    """For ``ivr-designer run``: the same jobs in a background thread of this process."""
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    return scheduler
