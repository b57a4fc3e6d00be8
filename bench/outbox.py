"""Outbox throughput: voicemails stored while a slow fake Telegram receives them.

Sets up what ``bench/webhook_throughput.py`` sets up (its functions, imported: a
migrated temporary database, the app under gunicorn, signed call steps), adds a
Telegram bot and a listener's linked chat, and starts the fake Telegram Bot API from
the tests with 50 ms latency per request. Then the call-runtime webhook load runs in
windows, half of them **without** and half **with** the worker (``ivr-designer worker``,
its own process), in the order A B B A (A without), repeated ``--pairs`` / 2 times. In
every window voicemails are stored at ``--rate`` per second (each committed with its
outbox row, as the recording callback does), ``--count`` / ``--pairs`` per window: with
the worker they are delivered; without it they are set aside after the window. On
SQLite, a process checkpoints the log in the background during the windows without the
worker, as the worker's process does when it runs (``--no-baseline-checkpoints``:
SQLite's own checkpoints only, in commits). Interleaving spreads whatever drifts over a
run (growing tables, a busier host) over both sides; run one after the other, the side
that ran second took all of it. Each side's p50/p99 pools the requests of its windows.
Then, with no webhook load, **capacity**: ``--burst`` voicemails stored at once; the
time until the worker has delivered them all gives its top rate (with ``--threads`` and
the fake's latency).

Prints deliveries/s (kept up with the storing rate, and the capacity), the median and
p99 time from storing a voicemail to its delivery and the share delivered within a
second, and the webhook p99 with/without the worker (target: ratio <= 1.2).

Voicemails share one ready OGG/Opus rendition, so the figures are about the outbox
(claiming, Telegram uploads, bookkeeping), not ffmpeg (see bench/audio_transcode.py).

    .venv/bin/python bench/outbox.py [--count 10000] [--rate 100] [--threads 4]
        [--pairs 2] [--call-rate 50 | --concurrency 4] [--seconds N] [--burst 1000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import webhook_throughput as wt  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from ivr_designer.database import sqlite_file  # noqa: E402
from tests.integrations.fake_telegram import FakeTelegramServer  # noqa: E402

BOT_TOKEN = "123456:AAH-bench-token_for-outbox-0123456789"
CHAT_ID = 777001


LOAD_BEFORE = " ".join(f"{x:.1f}" for x in os.getloadavg())


def cpu_ticks() -> tuple[int, int, int]:
    """Machine-wide (busy, stolen, total) CPU ticks from /proc/stat.

    "Stolen" is time the hypervisor gave our vCPUs to someone else: a phase with more
    of it has slower webhooks for reasons outside this machine (Linux only)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return 0, 0, 0
    idle = fields[3] + fields[4]  # idle, iowait
    steal = fields[7] if len(fields) > 7 else 0
    total = sum(fields[:8])
    return total - idle - steal, steal, total


def share(before: tuple[int, int, int], after: tuple[int, int, int]) -> tuple[float, float]:
    """(busy %, stolen %) of the CPU time between two :func:`cpu_ticks` readings."""
    total = after[2] - before[2]
    if total <= 0:
        return float("nan"), float("nan")
    return (
        100 * (after[0] - before[0]) / total,
        100 * (after[1] - before[1]) / total,
    )


def _processes() -> tuple[dict[int, list[int]], dict[int, float], dict[int, str]]:
    """Every process's children, CPU seconds (user + system, with its reaped
    children's) and command name, from /proc; empty where there is no /proc."""
    children: dict[int, list[int]] = {}
    seconds: dict[int, float] = {}
    names: dict[int, str] = {}
    try:
        entries = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return children, seconds, names
    tick = os.sysconf("SC_CLK_TCK")
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as stat:
                head, tail = stat.read().rsplit(")", 1)
        except OSError:  # gone meanwhile
            continue
        fields = tail.split()
        children.setdefault(int(fields[1]), []).append(entry)
        seconds[entry] = sum(int(x) for x in fields[11:15]) / tick
        names[entry] = head.partition("(")[2]
    return children, seconds, names


def _tree(pid: int, children: dict[int, list[int]], stop: Collection[int] = ()) -> list[int]:
    """``pid`` and its descendants, breadth first, not entering the ``stop`` pids."""
    tree = [pid]
    for member in tree:  # grows while walked
        tree.extend(child for child in children.get(member, []) if child not in stop)
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system, with reaped children's) of ``pid`` and its live
    descendants, from /proc: the worker's delivery threads run in a child process on
    SQLite and in the worker's own on PostgreSQL. 0.0 where there is no /proc."""
    children, seconds, _names = _processes()
    return sum(seconds.get(member, 0.0) for member in _tree(pid, children))


def cpu_by_group(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far per named process tree (a tree stops where another named
    one starts), plus "database" (every ``postgres`` process outside them: the server
    answers all clients, so it is not split) and "other" (the rest of the machine)."""
    children, seconds, names = _processes()
    stop = set(roots.values())
    totals: dict[str, float] = {}
    counted: set[int] = set()
    for group, pid in roots.items():
        members = _tree(pid, children, stop - {pid})
        counted.update(members)
        totals[group] = sum(seconds.get(member, 0.0) for member in members)
    totals["database"] = totals["other"] = 0.0
    for pid, value in seconds.items():
        if pid not in counted:
            totals["database" if names.get(pid, "").startswith("postgres") else "other"] += value
    return totals


FFMPEG_SINE = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=2"]


def make_opus(path: Path) -> None:
    subprocess.run(
        [*FFMPEG_SINE, "-ac", "1", "-c:a", "libopus", "-b:a", "24k", str(path)],
        check=True,
    )


class Store:
    """Stores voicemails the way the recording callback does (row + outbox, one commit)."""

    def __init__(self, env: dict[str, str], *, seed: bool = True) -> None:
        os.environ.update(env)
        from ivr_designer import create_app, crypto
        from ivr_designer.extensions import db
        from ivr_designer.models import (
            Organisation,
            TelegramBot,
            TelegramChat,
            User,
            VoicemailBox,
        )

        self.app = create_app()
        self.engine = db.engine(self.app)
        if not seed:
            with Session(self.engine) as session:
                self.org_id = session.execute(select(Organisation.id)).scalar_one()
                self.box_id = session.execute(
                    select(VoicemailBox.id).where(VoicemailBox.key == "vm-main")
                ).scalar_one()
            return
        media = Path(self.app.config["MEDIA_FOLDER"]) / "voicemail"
        media.mkdir(parents=True, exist_ok=True)
        make_opus(media / "shared.opus.ogg")
        (media / "shared.wav").write_bytes(b"RIFF")  # never read: the rendition exists
        with Session(self.engine) as session:
            org = session.execute(select(Organisation)).scalar_one()
            box = session.execute(
                select(VoicemailBox).where(VoicemailBox.key == "vm-main")
            ).scalar_one()
            listener = User(
                org_id=org.id,
                role="staff",
                email="listener@bench.example",
                name="Listener",
                password_hash="x",
            )
            box.listeners = [listener]
            session.add(listener)
            session.add(
                TelegramBot(
                    org_id=org.id,
                    token_encrypted=crypto.encrypt(BOT_TOKEN, self.app),
                    webhook_secret_encrypted=crypto.encrypt("bench", self.app),
                )
            )
            session.flush()
            session.add(
                TelegramChat(
                    org_id=org.id, chat_id=CHAT_ID, chat_type="private", user_id=listener.id
                )
            )
            session.commit()
            self.org_id, self.box_id = org.id, box.id

    def one(self) -> None:
        from ivr_designer.hooks.transactions import begin_writes
        from ivr_designer.models import Voicemail
        from ivr_designer.outbox.enqueue import enqueue_voicemail

        with Session(self.engine) as session:
            voicemail = Voicemail(
                org_id=self.org_id,
                box_id=self.box_id,
                recording_sid=f"RE{uuid.uuid4().hex}",
                caller="+4512345678",
                duration_s=2,
                media_path="voicemail/shared.wav",
                opus_path="voicemail/shared.opus.ogg",
                status="ready",
            )
            begin_writes(session, relaxed=False)  # as the recording callback does
            session.add(voicemail)
            session.flush()
            enqueue_voicemail(session, voicemail)
            session.commit()

    def run(self, count: int, rate: float) -> None:
        started = time.perf_counter()
        for index in range(count):
            if rate > 0:
                wait = started + index / rate - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            self.one()

    def cancel_all(self) -> None:
        """Set aside what is waiting (stored with no worker running); delivered rows stay."""
        from ivr_designer.models import OutboxDelivery

        with Session(self.engine) as session:
            session.execute(
                update(OutboxDelivery)
                .where(OutboxDelivery.status.in_(("pending", "delivering")))
                .values(status="cancelled")
            )
            session.commit()

    def autovacuum(self) -> str | None:
        """PostgreSQL's ``autovacuum`` setting ("on"/"off"); None on SQLite."""
        if self.engine.dialect.name != "postgresql":
            return None
        with Session(self.engine) as session:
            return str(session.execute(text("SHOW autovacuum")).scalar_one())

    def maintenance(self) -> Counter[str]:
        """PostgreSQL: autovacuum's visits so far to the bench's tables, per table and
        kind ("vacuum call_step"); empty on SQLite. Told per window, they show whether
        a slow window met a vacuum or an analyze."""
        if self.engine.dialect.name != "postgresql":
            return Counter()
        query = text(
            "SELECT relname, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables"
            " WHERE schemaname = current_schema()"
        )
        counts: Counter[str] = Counter()
        with Session(self.engine) as session:
            for name, vacuums, analyzes in session.execute(query):
                counts[f"vacuum {name}"] += vacuums
                counts[f"analyze {name}"] += analyzes
        return counts

    def progress(self) -> tuple[int, int]:
        from ivr_designer.models import OutboxDelivery

        with Session(self.engine) as session:
            total = session.execute(
                select(func.count(OutboxDelivery.id)).where(OutboxDelivery.status != "cancelled")
            ).scalar_one()
            delivered = session.execute(
                select(func.count(OutboxDelivery.id)).where(OutboxDelivery.status == "delivered")
            ).scalar_one()
        return int(total), int(delivered)

    def last_id(self) -> int:
        from ivr_designer.models import Voicemail

        with Session(self.engine) as session:
            return int(session.execute(select(func.max(Voicemail.id))).scalar_one() or 0)

    def latencies(self, after: int = 0, upto: int | None = None) -> tuple[list[float], float]:
        """Seconds from storing to delivery, and the span first store → last delivery,
        for the voicemails with ``after < id <= upto``."""
        from ivr_designer.models import OutboxDelivery, Voicemail

        window = [Voicemail.id > after]
        if upto is not None:
            window.append(Voicemail.id <= upto)
        with Session(self.engine) as session:
            rows = session.execute(
                select(Voicemail.created_at, OutboxDelivery.delivered_at)
                .join(OutboxDelivery, OutboxDelivery.subject_id == Voicemail.id)
                .where(OutboxDelivery.status == "delivered", *window)
            ).all()
        if not rows:
            return [], 0.0
        delays = [(done - stored).total_seconds() for stored, done in rows]
        span = (max(d for _, d in rows) - min(s for s, _ in rows)).total_seconds()
        return delays, span


def wait_delivered(store: Store, deadline: float) -> None:
    while time.perf_counter() < deadline:
        total, delivered = store.progress()
        if delivered >= total:
            return
        time.sleep(0.25)


def _store_in_child(env: dict[str, str], count: int, rate: float) -> None:
    """Its own process, so neither the load generator nor the fake slows the storing."""
    Store(env, seed=False).run(count, rate)


def _checkpoint_in_child(path: str) -> None:
    """SQLite, phase 1: the worker process checkpoints the log in the background (see
    ``WalCheckpointer``), which spares webhook commits that work. Phase 1 gets the same,
    so the ratio shows what delivering costs, not what the worker's checkpoints save."""
    from ivr_designer.database import WalCheckpointer

    WalCheckpointer(path).start()._thread.join()


def _fake_in_child(latency: float, queue: Any) -> None:
    # The fake stands in for Telegram's servers, which do not share this machine's CPUs:
    # at idle priority its own work (parsing each upload, ~3.5 ms of CPU per message)
    # is not charged to the worker as webhook delay. Its threads inherit the policy.
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    # The real Bot API keeps connections open (HTTP/1.1); the tests' fake by default
    # answers in HTTP/1.0 and closes each one, which would add a TCP connect to every
    # delivery here.
    with FakeTelegramServer(BOT_TOKEN, keep_alive=True) as fake:
        fake.fake.delay = latency
        fake.fake.chats[CHAT_ID] = "ok"
        queue.put(fake.base_url)
        while True:
            time.sleep(60)
            fake.fake.received.clear()  # nobody reads them; keep the memory flat


async def drive_rate(
    port: int, pairs: list[Any], rate: float, seconds: float, connections: int = 32
) -> dict[str, Any]:
    """Open-loop load: a new call every ``1/rate`` s whatever the server does.

    A call's first request is timed from when it was due (so a server falling behind
    shows in the figures instead of slowing the load down); the second from its send.
    """
    host = f"127.0.0.1:{port}"
    pool: asyncio.Queue[Any] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    errors: list[int] = []

    async def call(pair: Any, due: float) -> None:
        reader, writer = await pool.get()
        try:
            for kind, item in enumerate(pair):
                status, elapsed = await wt._request(reader, writer, host, item)
                if kind == 0:
                    elapsed = time.perf_counter() - due
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)
        except (ConnectionError, asyncio.IncompleteReadError):
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            errors.append(0)
        finally:
            pool.put_nowait((reader, writer))

    started = time.perf_counter()
    tasks = []
    for index, pair in enumerate(pairs[: int(rate * seconds)]):
        due = started + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(call(pair, due)))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait()[1].close()
    return summary(latencies, wall, len(errors))


def summary(latencies: list[float], seconds: float, errors: int) -> dict[str, Any]:
    """Requests/s, p50 and p99 (ms) of one window's latencies, or of several pooled."""
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / seconds if seconds else 0.0,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p99_ms": wt.percentile(ordered, 0.99) * 1000,
        "errors": errors,
        "latencies": ordered,
        "seconds": seconds,
    }


def webhook_load(port: int, base: str, version_id: int, args: argparse.Namespace) -> Any:
    """Closed loop (``--concurrency`` callers back to back: the machine saturated) or,
    with ``--call-rate``, open loop at a fixed rate of calls (headroom left)."""
    pairs = wt.prepare_calls(base, version_id, args.max_requests // 2)
    started = time.perf_counter()
    if args.call_rate > 0:
        result = asyncio.run(drive_rate(port, pairs, args.call_rate, args.seconds))
    else:
        result = asyncio.run(wt.drive(port, pairs, args.concurrency, args.seconds))
    result.setdefault("seconds", time.perf_counter() - started)
    return result


def window_plan(pairs: int) -> list[bool]:
    """Which windows run with the worker, in order: A B B A A B B A … (A without).

    Whatever drifts over a run (the tables grow, the host gets busier, the database
    checkpoints) then falls on both sides alike, instead of on the worker's side when
    it always runs second.

    >>> window_plan(2)
    [False, True, True, False]
    """
    return [index % 4 in (1, 2) for index in range(2 * pairs)]


def pooled(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's windows taken together: every request counts once in its p50/p99."""
    return {
        **summary(
            [x for result in results for x in result["latencies"]],
            sum(result["seconds"] for result in results),
            sum(result["errors"] for result in results),
        ),
        "windows_p99_ms": [result["p99_ms"] for result in results],
    }


def start_worker_process(
    env: dict[str, str], args: argparse.Namespace, store: Store
) -> subprocess.Popen[bytes]:
    """``ivr-designer worker``, started and warm: one voicemail delivered first (a
    process start under load takes seconds, which would count as delivery delay)."""
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ivr-designer")),
            "worker",
            "--threads",
            str(args.threads),
            "--nice",
            str(args.nice),
        ],
        env=env,
    )
    store.one()
    wait_delivered(store, time.perf_counter() + 120)
    return worker


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--count", type=int, default=10_000, help="voicemails to store")
    parser.add_argument("--rate", type=float, default=100.0, help="stored per second (0: max)")
    parser.add_argument(
        "--threads", type=int, default=4, help="worker delivery threads (the shipped default)"
    )
    parser.add_argument("--nice", type=int, default=0, help="worker niceness (0-19)")
    parser.add_argument("--latency", type=float, default=0.05, help="fake Telegram, seconds")
    parser.add_argument("--concurrency", type=int, default=4, help="webhook load (closed loop)")
    parser.add_argument(
        "--call-rate",
        type=float,
        default=0.0,
        help="webhook load as calls per second, open loop (two requests each; 0: closed loop)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=2,
        help="pairs of windows without/with the worker, run A B B A … (default 2)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="window length when storing at max rate (--rate 0); else count/pairs/rate",
    )
    parser.add_argument(
        "--burst", type=int, default=1000, help="capacity phase: voicemails stored at once"
    )
    parser.add_argument(
        "--no-baseline-checkpoints",
        dest="baseline_checkpoints",
        action="store_false",
        help="SQLite: no background checkpoints without the worker (SQLite's own only)",
    )
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--gunicorn-threads", dest="threads_web", type=int, default=4)
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")

    folder = Path(tempfile.mkdtemp(prefix="ivr-outbox-bench-"))
    url, schema = wt.database_for(args, folder)
    port = wt.free_port()
    base = f"http://127.0.0.1:{port}"
    queue: Any = multiprocessing.Queue()
    fake = multiprocessing.Process(target=_fake_in_child, args=(args.latency, queue), daemon=True)
    fake.start()
    fake_url = queue.get(timeout=30)
    env = {
        **os.environ,
        "IVR_INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret",
        "PUBLIC_BASE_URL": base,
        "TELEPHONY_PROVIDER": "null",
        "TELEGRAM_API_BASE_URL": fake_url,
        "PYTHONPATH": str(ROOT),
    }
    from ivr_designer.crypto import generate_key

    env["ENCRYPTION_KEY"] = generate_key()
    keys = ("IVR_INSTANCE_PATH", "DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEY")
    web_args = argparse.Namespace(worker_class=args.worker_class, threads=args.threads_web)
    processes: list[subprocess.Popen[bytes]] = []
    worker: subprocess.Popen[bytes] | None = None
    plan = window_plan(args.pairs)
    per_window = max(1, round(args.count / args.pairs))
    window_args = argparse.Namespace(
        **{**vars(args), "seconds": per_window / args.rate if args.rate > 0 else args.seconds}
    )
    results: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    ticks: dict[bool, list[int]] = {False: [0, 0, 0], True: [0, 0, 0]}
    by_group: dict[bool, dict[str, float]] = {False: {}, True: {}}  # CPU s per process group
    delays: list[float] = []
    span = stored_in = burst_span = worker_cpu = 0.0
    burst_delays: list[float] = []
    autovacuum: str | None = None  # PostgreSQL's setting, printed with the figures
    timeline: list[str] = []  # p99 per window in run order (A without, B with the worker)
    try:
        version_id = wt.seed({k: env[k] for k in keys})
        store_env = {**{k: env[k] for k in keys}, "TELEGRAM_API_BASE_URL": fake_url}
        store = Store(store_env)
        checkpoint_path = sqlite_file(store.engine) if args.baseline_checkpoints else None
        autovacuum = store.autovacuum()
        if autovacuum == "off":
            print(
                "warning: this PostgreSQL server runs without autovacuum; the outbox "
                "table's dead row versions pile up (the figures differ from a server's "
                "with autovacuum on)",
                flush=True,
            )
        web = wt.gunicorn("ivr_designer:create_app()", port, web_args, env, ROOT)
        processes.append(web)
        asyncio.run(wt.drive(port, wt.prepare_calls(base, version_id, 50), 4, 2.0))  # warm-up
        for index, with_worker in enumerate(plan):
            if with_worker and worker is None:
                worker = start_worker_process(env, args, store)
                processes.append(worker)
            elif not with_worker and worker is not None:
                wt.stop(worker)
                processes.remove(worker)
                worker = None
            first = store.last_id()
            # Without the worker, SQLite gets the background checkpoints the worker's
            # process would run (see _checkpoint_in_child).
            checkpoints = None
            if not with_worker and checkpoint_path is not None:
                checkpoints = multiprocessing.Process(
                    target=_checkpoint_in_child, args=(checkpoint_path,), daemon=True
                )
                checkpoints.start()
            storer = multiprocessing.Process(
                target=_store_in_child, args=(store_env, per_window, args.rate)
            )
            started = time.perf_counter()
            worker_before = tree_cpu_seconds(worker.pid) if worker is not None else 0.0
            maintenance_before = store.maintenance()
            storer.start()
            roots = {"webhooks": web.pid, "bench (load, storing)": os.getpid()}
            roots |= {"worker": worker.pid} if worker is not None else {}
            roots |= {"fake Telegram": fake.pid} if fake.pid is not None else {}
            groups_before = cpu_by_group(roots)
            before = cpu_ticks()
            result = webhook_load(port, base, version_id, window_args)
            after = cpu_ticks()
            groups = cpu_by_group(roots)
            spent = {group: groups[group] - groups_before.get(group, 0.0) for group in groups}
            for group, value in spent.items():
                by_group[with_worker][group] = by_group[with_worker].get(group, 0.0) + value
            storer.join()
            for n in range(3):
                ticks[with_worker][n] += after[n] - before[n]
            results[with_worker].append(result)
            timeline.append(f"{'B' if with_worker else 'A'} {result['p99_ms']:.2f}")
            if with_worker:
                stored_in += time.perf_counter() - started
                wait_delivered(store, time.perf_counter() + 600)
                assert worker is not None
                worker_seconds = tree_cpu_seconds(worker.pid) - worker_before
                worker_cpu += worker_seconds
                window_delays, window_span = store.latencies(after=first, upto=store.last_id())
                delays += window_delays
                span += window_span
            else:
                if checkpoints is not None:
                    checkpoints.terminate()
                    checkpoints.join()
                store.cancel_all()  # the worker must not find them when it starts
            busy, stolen = share(before, after)
            visits = store.maintenance() - maintenance_before
            maintenance = (
                "; autovacuum meanwhile: "
                + (", ".join(f"{what} x{n}" for what, n in sorted(visits.items())) or "none")
                if autovacuum == "on"
                else ""
            )
            per_delivery = (
                f"; worker CPU {worker_seconds * 1000 / per_window:.2f} ms per delivery"
                if with_worker
                else ""
            )
            print(
                f"window {index + 1}/{len(plan)} {'with' if with_worker else 'without'} "
                f"worker: webhook p50 {result['p50_ms']:.2f} ms p99 {result['p99_ms']:.2f} ms, "
                f"{result['requests']} requests; CPU busy {busy:.1f} %, stolen {stolen:.2f} %"
                + per_delivery
                + maintenance,
                flush=True,
            )
            print(
                "  CPU seconds: " + ", ".join(f"{g} {v:.1f}" for g, v in spent.items()), flush=True
            )
        if args.burst > 0:  # capacity: no webhook load, everything stored at once
            if worker is None:
                worker = start_worker_process(env, args, store)
                processes.append(worker)
            mark = store.last_id()
            burster = multiprocessing.Process(
                target=_store_in_child, args=(store_env, args.burst, 0.0)
            )
            burster.start()
            burster.join()
            wait_delivered(store, time.perf_counter() + 600)
            burst_delays, burst_span = store.latencies(after=mark)
        if worker is not None:
            wt.stop(worker)
            processes.remove(worker)
    finally:
        for process in processes:
            wt.stop(process)
        fake.terminate()
        wt.drop_schema(args, schema)
        shutil.rmtree(folder, ignore_errors=True)

    without, with_worker = pooled(results[False]), pooled(results[True])
    cpu_without = share((0, 0, 0), (ticks[False][0], ticks[False][1], ticks[False][2]))
    cpu_with = share((0, 0, 0), (ticks[True][0], ticks[True][1], ticks[True][2]))
    count = per_window * plan.count(True)
    backend = urlsplit(url).scheme.split("+")[0]
    ratio = with_worker["p99_ms"] / without["p99_ms"] if without["p99_ms"] else float("nan")
    load_label = (
        f"open loop, {args.call_rate:g} calls/s"
        if args.call_rate > 0
        else f"closed loop, {args.concurrency} concurrent"
    )
    print(
        f"\noutbox — {backend}; {count} voicemails stored at "
        f"{'max' if args.rate <= 0 else f'{args.rate:g}/s'} in {stored_in:.1f} s "
        f"(with the worker; as many without it); "
        f"fake Telegram {args.latency * 1000:.0f} ms; worker {args.threads} threads, "
        f"nice {args.nice}; load average before: {LOAD_BEFORE}"
        + (
            "; without worker: background checkpoints "
            + ("as with it" if args.baseline_checkpoints else "off (SQLite's own only)")
            if backend == "sqlite"
            else f"; autovacuum {autovacuum}"
        )
    )
    print(
        f"delivered {len(delays)}/{count}: {len(delays) / span if span else 0:.1f} "
        f"deliveries/s; store→delivery median {statistics.median(delays) * 1000:.0f} ms, "
        f"p99 {wt.percentile(delays, 0.99) * 1000:.0f} ms"
        if delays
        else "nothing was delivered"
    )
    if delays:
        within = sum(1 for d in delays if d <= 1.0) / len(delays)
        print(f"delivered within 1 s of storing: {within * 100:.1f} %")
    if burst_delays:
        print(
            f"capacity: {args.burst} stored at once, {len(burst_delays)} delivered in "
            f"{burst_span:.1f} s -> {len(burst_delays) / burst_span if burst_span else 0:.1f}"
            f" deliveries/s ({args.threads} threads, {args.latency * 1000:.0f} ms per request)"
        )
    print(
        f"webhook load ({load_label}): without worker "
        f"{without['rps']:.0f} req/s p50 {without['p50_ms']:.2f} ms p99 {without['p99_ms']:.2f} ms "
        f"({without['errors']} errors); with worker {with_worker['rps']:.0f} req/s "
        f"p50 {with_worker['p50_ms']:.2f} ms p99 {with_worker['p99_ms']:.2f} ms "
        f"({with_worker['errors']} errors)"
    )
    print(
        f"webhook p99 per window ({len(plan)} x {window_args.seconds:.0f} s, "
        f"A without / B with the worker): {', '.join(timeline)} ms"
    )
    print(
        f"CPU busy without worker {cpu_without[0]:.1f} %, with worker {cpu_with[0]:.1f} %; "
        f"stolen by the host {cpu_without[1]:.2f} % / {cpu_with[1]:.2f} %"
    )
    sides = plan.count(False), plan.count(True)
    print(
        "CPU seconds per window (mean) without -> with the worker: "
        + ", ".join(
            f"{g} {by_group[False].get(g, 0.0) / sides[0]:.1f} -> "
            f"{by_group[True].get(g, 0.0) / sides[1]:.1f}"
            for g in dict.fromkeys([*by_group[False], *by_group[True]])
        )
    )
    if count:
        print(
            f"worker process CPU (its threads and child processes, not the database's): "
            f"{worker_cpu * 1000 / count:.2f} ms per delivery"
        )
    print(
        f"webhook p99 ratio with/without worker: {ratio:.2f} (target <= 1.20 -> "
        f"{'met' if ratio <= 1.2 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    raise SystemExit(main())
