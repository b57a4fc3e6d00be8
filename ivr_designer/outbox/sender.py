"""SQLite: the delivery threads in a process of their own, at idle CPU priority.

Building and uploading a message costs CPU (python-telegram-bot, HTTP, the ORM) that
call webhooks on the same machine should get first. On PostgreSQL the worker simply
lowers its delivery threads (see ``worker.background_priority``). On SQLite that does
not work inside one process: the dispatcher holds the database write lock that the
webhooks queue for, and between two statements it needs Python's GIL back; a lowered
delivery thread that holds the GIL but gets no CPU then keeps every waiting webhook
waiting (measured: webhook p99 11 ms -> 224 ms).

So on SQLite the dispatcher stays in the worker process at normal priority, alone with
its GIL, and the delivery threads run here, in a child process at idle priority. The
child reads what a message needs, calls the remote side and sends back what happened
(an :class:`~ivr_designer.outbox.settle.Attempted`, also for a delivery found cancelled
or postponed); the dispatcher writes it all down. The one write left here is a
voicemail's Opus rendition path, stored the first time it is sent (one short UPDATE
after ffmpeg has run). The child exits when its parent does (a killed worker leaves
nothing sending), and claimed rows of a child that died are taken up again when their
lease runs out. The cost is a second Python process (about 120 MB resident).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

__all__ = ["SenderProcess", "config_snapshot", "run_sender", "separate_process_wanted"]

log = logging.getLogger(__name__)
RESPAWN_AFTER = 5.0  # seconds: a child that dies sooner is not restarted at once


def config_snapshot(app: Flask) -> dict[str, Any]:
    """The app's settings that can cross to the child (everything a delivery reads)."""
    snapshot: dict[str, Any] = {}
    for key, value in app.config.items():
        if not key.isupper():
            continue
        try:
            pickle.dumps(value)
        except Exception:  # objects (none of which a delivery needs) stay behind
            log.debug("setting %s is not passed to the sending process", key)
            continue
        snapshot[key] = value
    return snapshot


def _exit_with_parent(parent: int) -> None:
    """Stop sending once the worker that started us is gone (killed, crashed)."""
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1.0)


def run_sender(
    settings: dict[str, Any],
    instance: str,
    threads: int,
    todo: multiprocessing.Queue[int | None],
    done: multiprocessing.Queue[Any],
    parent: int,
) -> None:
    """The child's main: deliver ids from ``todo`` with ``threads`` threads until None."""
    from ivr_designer import create_app
    from ivr_designer.outbox.worker import background_priority, serve

    os.environ["IVR_INSTANCE_PATH"] = instance
    background_priority()  # before any thread starts: they all inherit it
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    app = create_app(settings)

    def finished(delivery_id: int, status: str) -> None:
        if status != "attempted":  # skipped or failed: nothing to write, free the slot
            done.put(delivery_id)

    workers = [
        threading.Thread(target=serve, args=(app, todo.get, done.put, finished), name=f"outbox-{n}")
        for n in range(max(1, threads))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def separate_process_wanted(app: Flask, dialect: str) -> bool:
    """SQLite in a file, and the operator did not turn background sending off."""
    database = str(app.config["DATABASE_URL"])
    in_memory = database.endswith((":memory:", "sqlite://")) or "mode=memory" in database
    return (
        dialect == "sqlite"
        and bool(app.config["NOTIFY_SEND_IN_BACKGROUND"])
        and not in_memory
        and hasattr(os, "SCHED_IDLE")
    )


class SenderProcess:
    """The worker's side of the child: hands it ids, reports what comes back.

    ``on_done(item)`` is called for each finished delivery with its ``Attempted`` (or
    ``None`` when nothing is to be written); a child that died is replaced, and the
    deliveries it had are retried after their lease.
    """

    def __init__(self, app: Flask, threads: int, on_done: Callable[[Any], None]) -> None:
        self.app = app
        self.threads = threads
        self._on_done = on_done
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        self._todo: Any = None
        self._done: Any = None
        self._child: Any = None
        self._in_flight = 0
        self._started = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._forwarder = threading.Thread(target=self._forward, name="outbox-results")

    def start(self) -> SenderProcess:
        self._spawn()
        self._forwarder.start()
        return self

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    def _spawn(self) -> None:
        self._todo = self._context.Queue()
        self._done = self._context.Queue()
        self._child = self._context.Process(
            target=run_sender,
            args=(
                config_snapshot(self.app),
                self.app.instance_path,
                self.threads,
                self._todo,
                self._done,
                os.getpid(),
            ),
            name="outbox-sender",
            daemon=True,
        )
        self._child.start()
        self._started = time.monotonic()

    def submit(self, delivery_id: int) -> None:
        with self._lock:
            self._in_flight += 1
            self._todo.put(delivery_id)

    def stop(self, timeout: float | None = None) -> None:
        """Let the deliveries handed over finish, then end the child and the forwarder."""
        self._stopping.set()  # first: a child ending now is not one to replace
        for _ in range(self.threads):
            self._todo.put(None)
        self._child.join(timeout)
        if self._child.is_alive():
            self._child.kill()
            self._child.join(5)
        self._forwarder.join(timeout)

    def _finished(self, item: Any) -> None:
        with self._lock:
            self._in_flight -= 1
        self._on_done(None if isinstance(item, int) else item)

    def _forward(self) -> None:
        while True:
            try:
                item = self._done.get(timeout=0.5)
            except queue.Empty:
                if self._child.is_alive():
                    continue
                if self._stopping.is_set():
                    return
                self._replace()
                continue
            self._finished(item)

    def _replace(self) -> None:
        """The child died: start another, and free the slots of what it had."""
        if time.monotonic() - self._started < RESPAWN_AFTER:  # dying at start: wait first
            self._stopping.wait(RESPAWN_AFTER)
            if self._stopping.is_set():
                return
        with self._lock:
            lost, self._in_flight = self._in_flight, 0
        log.error(
            "outbox: the sending process died (exit code %s); %d deliveries retry after "
            "their lease",
            self._child.exitcode,
            lost,
        )
        self._spawn()
        for _ in range(lost):
            self._on_done(None)
