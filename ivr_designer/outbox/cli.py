"""``ivr-designer worker``: deliver notifications until SIGTERM/SIGINT."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext

from ivr_designer.outbox.worker import start_worker

__all__ = ["worker_command"]


@click.command("worker")
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Delivery threads (default: NOTIFY_WORKER_THREADS).",
)
@click.option(
    "--nice",
    "niceness",
    type=click.IntRange(min=0, max=19),
    default=0,
    show_default=True,
    help="Lower this process's CPU priority (PostgreSQL: webhooks on the same machine first; "
    "with SQLite a low-priority writer can hold up webhooks waiting for its lock).",
)
@with_appcontext
def worker_command(threads: int | None, niceness: int) -> None:
    """Deliver the notification outbox (Telegram, webhooks) until stopped.

    On SIGTERM or SIGINT no new delivery starts; those in flight finish first.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if niceness:
        os.nice(niceness)
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    handle = start_worker(app, threads)
    click.echo(f"  Outbox worker running with {handle.threads} thread(s) (Ctrl+C to stop)")
    while not stop.wait(1.0):
        if not handle.running:
            raise click.ClickException("the outbox dispatcher stopped unexpectedly")
    click.echo("  Stopping: finishing deliveries in flight")
    handle.stop()
    click.echo("  Outbox worker stopped")
