"""A small in-process worker that transcodes long uploads off the request thread.

It is only a head start: the asset row (``processing``, with its original on disk)
is the real queue, and the scheduler's job picks up whatever a restart or a crash
left behind, so nothing is lost when this process goes away.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask, Response, current_app

from ivr_designer.audio_lib.processing import process_pending
from ivr_designer.audio_lib.storage import limits_from
from ivr_designer.extensions import db

__all__ = ["EXTENSION", "executor_for", "run_one", "submit_after_response"]

EXTENSION = "ivr_designer.audio_worker"
log = logging.getLogger(__name__)


_lock = threading.Lock()


def executor_for(app: Flask) -> ThreadPoolExecutor | None:
    """The app's worker pool, started on first use; None when AUDIO_WORKER_THREADS is 0
    (tests, whose sessions share one connection that threads must not touch)."""
    threads = int(app.config.get("AUDIO_WORKER_THREADS", 0))
    if threads <= 0:
        return None
    with _lock:
        executor: ThreadPoolExecutor | None = app.extensions.get(EXTENSION)
        if executor is None:
            executor = ThreadPoolExecutor(threads, thread_name_prefix="audio")
            app.extensions[EXTENSION] = executor
    return executor


def run_one(app: Flask, asset_id: int) -> None:
    """Process one asset in its own session; never raises (the job retries later)."""
    with app.app_context():
        session = db.new_session()
        try:
            process_pending(
                session, Path(app.config["MEDIA_FOLDER"]), limits_from(app), only=asset_id
            )
        except Exception:  # the worker thread outlives any failure
            log.exception("audio worker failed on asset %s", asset_id)
            session.rollback()
        finally:
            session.close()


def submit_after_response(response: Response, asset_id: int) -> None:
    """Queue the asset once the response is out (and its row committed)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    executor = executor_for(app)
    if executor is None:
        return
    response.call_on_close(lambda: executor.submit(run_one, app, asset_id))
