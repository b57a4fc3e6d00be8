"""The jobs list and the scheduler wiring (no scheduler is started)."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from ivr_designer.jobs import JOBS, jobs_for, retry_media
from ivr_designer.models import Voicemail
from ivr_designer.scheduler import build_scheduler


def test_every_declared_job_is_scheduled(app):
    scheduler = build_scheduler(app, BackgroundScheduler)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS) == {job.id for job in jobs_for(app)}
    assert jobs["retry-pending-media"].trigger.interval.total_seconds() == 300


def test_media_retry_interval_is_configurable(app):
    app.config["SCHEDULER_MEDIA_RETRY_MINUTES"] = 1
    [job] = [job for job in jobs_for(app) if job.id == "retry-pending-media"]
    assert job.trigger_args == {"minutes": 1}


def test_retry_job_runs_the_domain_function(app, make_org, make_box, db_session):
    org = make_org()
    box = make_box(org, "vm-main")
    db_session.add(
        Voicemail(
            org_id=org.id,
            box_id=box.id,
            recording_sid="RE" + "7" * 32,
            media_url="https://api.twilio.com/x",
            status="pending_media",
            download_attempts=1,
        )
    )
    db_session.commit()
    # No provider account in the org: the row stays pending, one attempt more.
    assert retry_media(app) == {"ready": 0, "pending": 1, "failed": 0}
    db_session.expire_all()
    row = db_session.execute(select(Voicemail)).scalar_one()
    assert (row.status, row.download_attempts) == ("pending_media", 2)


def test_scheduler_command_is_registered():
    from ivr_designer.cli import cli

    assert "scheduler" in cli.commands
    assert "--scheduler" in [p.opts[0] for p in cli.commands["run"].params if p.opts]


def test_retry_gives_up_after_the_last_attempt(app, make_org, make_box, db_session):
    from ivr_designer.calls.storage import MAX_DOWNLOAD_ATTEMPTS

    org = make_org()
    box = make_box(org, "vm-main")
    db_session.add(
        Voicemail(
            org_id=org.id,
            box_id=box.id,
            recording_sid="RE" + "8" * 32,
            media_url="https://api.twilio.com/x",
            status="pending_media",
            download_attempts=MAX_DOWNLOAD_ATTEMPTS - 1,
        )
    )
    db_session.commit()
    assert retry_media(app) == {"ready": 0, "pending": 0, "failed": 1}
    db_session.expire_all()
    assert db_session.execute(select(Voicemail.status)).scalar_one() == "failed"
