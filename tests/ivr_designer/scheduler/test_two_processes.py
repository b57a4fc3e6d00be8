"""Two real ``ivr-designer scheduler`` processes on one database: one runs the jobs;
when it is killed, the standby takes over.

The instance config sets a short lease and a retention sweep every 0.6 s
(``RETENTION_SWEEP_MINUTES = 0.01``); each sweep that deletes something writes an audit
entry naming the process that ran it (``after.run_by`` = host:pid:random).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.models import AuditEntry, Organisation, SchedulerLock, Voicemail, VoicemailBox
from ivr_designer.models.base import utcnow
from ivr_designer.retention.sweep import AUDIT_ACTION

CLI = str(Path(sys.executable).parent / "ivr-designer")
_serial = itertools.count(1)


def _wait_for(check: Callable[[], Any], what: str, timeout: float = 40.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _start(instance: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IVR_INSTANCE_PATH": str(instance), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    with log.open("wb") as out:
        return subprocess.Popen([CLI, "scheduler"], env=env, stdout=out, stderr=subprocess.STDOUT)


def _expired_voicemail(engine, box_id: int, org_id: int, media: Path) -> Path:
    number = next(_serial)
    folder = media / "voicemail"
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"old-{number}.wav"
    wav.write_bytes(b"RIFF....WAVE")
    with Session(engine) as session:
        session.add(
            Voicemail(
                org_id=org_id,
                box_id=box_id,
                recording_sid=f"RE-proc-{os.getpid()}-{number}",
                status="ready",
                media_path=f"voicemail/{wav.name}",
                created_at=utcnow() - timedelta(days=40),
            )
        )
        session.commit()
    return wav


def _sweeps(engine) -> list[str]:
    with Session(engine) as session:
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION).order_by(AuditEntry.id)
        ).scalars()
        return [entry.after["run_by"] for entry in entries]


def _holder(engine) -> str | None:
    with Session(engine) as session:
        return session.execute(select(SchedulerLock.holder)).scalar_one_or_none()


def _pid_of(holder: str | None) -> int | None:
    return int(holder.split(":")[-2]) if holder else None


def test_one_scheduler_runs_the_jobs_and_the_standby_takes_over(own_database, tmp_path):
    url, engine = own_database
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"DATABASE_URL = {url!r}\n"
        "SECRET_KEY = 'two-schedulers'\n"
        "SCHEDULER_LOCK_SECONDS = 2\n"
        "RETENTION_SWEEP_MINUTES = 0.01\n"
        "AUDIO_WORKER_THREADS = 0\n"
    )
    media = instance / "media"
    with Session(engine) as session:
        org = Organisation(name="Proc ApS", slug="proc")
        session.add(org)
        session.flush()
        box = VoicemailBox(org_id=org.id, key="main", name="Main")
        session.add(box)
        session.commit()
        org_id, box_id = org.id, box.id

    first = _start(instance, tmp_path / "first.log")
    second = None
    try:
        _wait_for(lambda: _pid_of(_holder(engine)) == first.pid, "the first scheduler's lock")
        second = _start(instance, tmp_path / "second.log")
        _wait_for(lambda: b"standby" in (tmp_path / "second.log").read_bytes(), "a standby")

        files = []
        for _ in range(3):
            files.append(_expired_voicemail(engine, box_id, org_id, media))
            count = len(_sweeps(engine))
            _wait_for(lambda c=count: len(_sweeps(engine)) > c, "a sweep")
        runners = {_pid_of(holder) for holder in _sweeps(engine)}
        assert runners == {first.pid}  # the standby ran no job
        assert not any(path.exists() for path in files)

        first.send_signal(signal.SIGKILL)  # no clean release: the lease must lapse
        first.wait(10)
        _wait_for(lambda: _pid_of(_holder(engine)) == second.pid, "the takeover", timeout=20)
        late = _expired_voicemail(engine, box_id, org_id, media)
        _wait_for(lambda: second.pid in {_pid_of(h) for h in _sweeps(engine)}, "a sweep by b")
        assert not late.exists()
        with Session(engine) as session:
            assert session.execute(select(Voicemail)).first() is None

        second.send_signal(signal.SIGTERM)
        assert second.wait(20) == 0
        assert _holder(engine) is None  # released on a clean stop
        assert b"holding the lock" in (tmp_path / "second.log").read_bytes()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
