"""Webhook throughput: the real app under gunicorn vs a bare Flask app, same settings.

Serves the app with gunicorn (2 workers) on 127.0.0.1 from a temporary instance folder
(migrated, seeded with an org, a provider account, boxes, a number and the published
main-number flow, forced open), then drives signed call steps at increasing
concurrency: each simulated call is ``POST /hooks/voice`` (creates the call record,
renders hours → welcome → menu) followed by the menu's result with ``Digits=1``
(transition + the answer group's <Enqueue>), both signed exactly as Twilio signs.
The same load then hits a bare Flask app answering a constant TwiML string under the
same gunicorn settings. Prints requests/s, p50 and p99 for both and the ratio, and the
workers' CPU time per request (from /proc: on a shared machine the figure that moves
least with the neighbours' load). After a clean shutdown of the app's workers it counts
the stored calls and trace steps against the answered requests ("trace check").

Targets: ratio >= 0.6, p99 < 25 ms at 50 concurrent requests, SQLite and PostgreSQL.

The load generator is an asyncio keep-alive HTTP/1.1 client in this file (no extra
install). Loopback only; each level is bounded by --seconds and --max-requests.

    .venv/bin/python bench/webhook_throughput.py [--concurrency 1,10,50] [--seconds 5]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--worker-class gthread --threads 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

TOKEN = "bench-auth-token-0123456789"
SID = "AC" + "b" * 32
NUMBER = "+4570900001"
BARE_APP = """
from flask import Flask, Response

app = Flask(__name__)
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/x" '
    'numDigits="1"><Say language="da-DK">Tryk 1 for salg.</Say></Gather></Response>'
)


@app.post("/hooks/voice")
@app.post("/hooks/voice/<version>/<node>/result")
def answer(version: str = "", node: str = "") -> Response:
    return Response(TWIML, mimetype="text/xml")
"""


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank); NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited; see its output above")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


# --- setup ---------------------------------------------------------------------------


def database_for(args: argparse.Namespace, folder: Path) -> tuple[str, str | None]:
    """(URL the app uses, PostgreSQL schema to drop afterwards or None)."""
    if not args.database_url:
        return f"sqlite:///{folder / 'bench.sqlite'}", None
    from ivr_designer.database import build_engine, normalise_database_url

    base = normalise_database_url(args.database_url)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = build_engine(base)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.commit()
    engine.dispose()
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}", schema


def drop_schema(args: argparse.Namespace, schema: str | None) -> None:
    if schema is None:
        return
    from ivr_designer.database import build_engine

    engine = build_engine(args.database_url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.commit()
    engine.dispose()


def seed(environment: dict[str, str]) -> int:
    """Migrate and seed through the app itself; returns the published version id."""
    os.environ.update(environment)
    from ivr_designer import create_app, crypto, migrate
    from ivr_designer.callflows.documents import document_sha256
    from ivr_designer.extensions import db
    from ivr_designer.models import (
        FaxBox,
        Flow,
        FlowVersion,
        Organisation,
        PhoneNumber,
        ProviderAccount,
        VoicemailBox,
    )

    app = create_app()
    with app.app_context():
        with db.engine().connect() as connection:
            migrate.upgrade(connection)
        document = json.loads((ROOT / "flows" / "examples" / "main_number.json").read_text())
        document["nodes"]["hours"]["props"]["override"] = "open"
        with Session(db.engine()) as session:
            org = Organisation(name="Bench ApS", slug="bench", language="da")
            session.add(org)
            session.flush()
            account = ProviderAccount(
                org_id=org.id,
                provider="twilio",
                account_sid=SID,
                auth_token_encrypted=crypto.encrypt(TOKEN, app),
            )
            session.add_all(
                [
                    account,
                    VoicemailBox(org_id=org.id, key="vm-main", name="Main"),
                    FaxBox(org_id=org.id, key="fax-main", name="Fax"),
                ]
            )
            flow = Flow(org_id=org.id, name="main_number", draft=document)
            session.add(flow)
            session.flush()
            version = FlowVersion(
                org_id=org.id,
                flow_id=flow.id,
                number=1,
                document=document,
                sha256=document_sha256(document),
            )
            session.add(version)
            session.flush()
            flow.published_version_id = version.id
            session.add(
                PhoneNumber(
                    org_id=org.id,
                    e164=NUMBER,
                    provider_account_id=account.id,
                    voice_flow_id=flow.id,
                )
            )
            session.commit()
            version_id = version.id
        db.engine().dispose()
    return version_id


def gunicorn(
    target: str, port: int, args: argparse.Namespace, env: dict[str, str], cwd: Path
) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        "2",
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--keep-alive",
        "30",
        target,
    ]
    process = subprocess.Popen(command, cwd=cwd, env=env)
    wait_for(port, process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_cpu(master: int) -> float:
    """CPU seconds used so far by gunicorn's workers (Linux /proc; 0.0 elsewhere).

    Requests/s depend on whatever else the machine is doing; CPU per request much less.
    """
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    except (OSError, ValueError, IndexError):
        return 0.0
    return total / os.sysconf("SC_CLK_TCK")


# --- load -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    path: str
    body: bytes
    signature: str


def prepare_calls(base: str, version_id: int, calls: int) -> list[tuple[Prepared, Prepared]]:
    """Signed request pairs (incoming call, menu result), one CallSid each."""
    validator = RequestValidator(TOKEN)
    pairs = []
    result_path = f"/hooks/voice/{version_id}/menu/result?invalid=0&timeout=0"
    for index in range(calls):
        params = {
            "AccountSid": SID,
            "CallSid": f"CA{uuid.uuid4().hex}",
            "From": f"+45{20000000 + index}",
            "To": NUMBER,
            "CallStatus": "in-progress",
        }
        signed = []
        for path, extra in (("/hooks/voice", {}), (result_path, {"Digits": "1"})):
            form = {**params, **extra}
            signature = validator.compute_signature(base + path, form)
            signed.append(Prepared(path, urlencode(form).encode(), signature))
        pairs.append((signed[0], signed[1]))
    return pairs


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, item: Prepared
) -> tuple[int, float]:
    head = (
        f"POST {item.path} HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(item.body)}\r\nX-Twilio-Signature: {item.signature}\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    writer.write(head + item.body)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    await reader.readexactly(length)
    elapsed = time.perf_counter() - started
    return int(status_line.split()[1]), elapsed


async def _worker(
    port: int,
    queue: asyncio.Queue[tuple[Prepared, Prepared]],
    deadline: float,
    latencies: list[float],
    errors: list[int],
    answered: list[int],
) -> None:
    host = f"127.0.0.1:{port}"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline and not queue.empty():
            pair = queue.get_nowait()
            for kind, item in enumerate(pair):
                try:
                    status, elapsed = await _request(reader, writer, host, item)
                except (ConnectionError, asyncio.IncompleteReadError):
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    errors.append(0)
                    continue
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)
                else:
                    answered[kind] += 1
    finally:
        writer.close()


async def drive(
    port: int, pairs: list[tuple[Prepared, Prepared]], concurrency: int, seconds: float
) -> dict[str, Any]:
    queue: asyncio.Queue[tuple[Prepared, Prepared]] = asyncio.Queue()
    for pair in pairs:
        queue.put_nowait(pair)
    latencies: list[float] = []
    errors: list[int] = []
    answered = [0, 0]  # incoming calls, menu results answered with 200
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(_worker(port, queue, deadline, latencies, errors, answered) for _ in range(concurrency))
    )
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall if wall else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "errors": len(errors),
        "statuses": sorted(set(errors)),
        "answered": answered,
        "latencies": latencies,
    }


def run_levels(
    port: int, base: str, version_id: int, args: argparse.Namespace, master: int
) -> dict[Any, dict[str, Any]]:
    results: dict[Any, dict[str, Any]] = {}
    # warm-up (caches, pools)
    results["warm-up"] = asyncio.run(drive(port, prepare_calls(base, version_id, 50), 5, 2.0))
    for concurrency in args.concurrency:
        pairs = prepare_calls(base, version_id, args.max_requests // 2)
        cpu = server_cpu(master)
        result = asyncio.run(drive(port, pairs, concurrency, args.seconds))
        used = server_cpu(master) - cpu
        result["cpu_ms"] = used * 1000 / result["requests"] if result["requests"] else 0.0
        results[concurrency] = result
    return results


def trace_rows(url: str) -> tuple[int, int]:
    """(calls, trace steps) the app stored, read after its workers stopped."""
    from ivr_designer.database import build_engine

    engine = build_engine(url)
    with engine.connect() as connection:
        calls = connection.execute(text("SELECT count(*) FROM call")).scalar_one()
        steps = connection.execute(text("SELECT count(*) FROM call_step")).scalar_one()
    engine.dispose()
    return int(calls), int(steps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--concurrency", default="1,10,50", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="per level")
    parser.add_argument("--max-requests", type=int, default=20000, help="per level")
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ivr-bench-"))
    url, schema = database_for(args, folder)
    app_port, bare_port = free_port(), free_port()
    base = f"http://127.0.0.1:{app_port}"
    env = {
        **os.environ,
        "IVR_INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret",
        "PUBLIC_BASE_URL": base,
        "TELEPHONY_PROVIDER": "null",
        "PYTHONPATH": str(ROOT),
    }
    from ivr_designer.crypto import generate_key

    env["ENCRYPTION_KEY"] = generate_key()
    (folder / "bare_app.py").write_text(BARE_APP)
    processes = []
    try:
        version_id = seed(
            {
                k: env[k]
                for k in ("IVR_INSTANCE_PATH", "DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEY")
            }
        )
        processes.append(gunicorn("ivr_designer:create_app()", app_port, args, env, ROOT))
        app_results = run_levels(app_port, base, version_id, args, processes[-1].pid)
        stop(processes.pop())  # a clean shutdown: everything answered must be stored
        stored = trace_rows(url)
        processes.append(gunicorn("bare_app:app", bare_port, args, env, folder))
        bare_results = run_levels(
            bare_port, f"http://127.0.0.1:{bare_port}", version_id, args, processes[-1].pid
        )
        stop(processes.pop())
    finally:
        for process in processes:
            stop(process)
        drop_schema(args, schema)
        shutil.rmtree(folder, ignore_errors=True)

    backend = urlsplit(url).scheme.split("+")[0]
    print(
        f"\nwebhook throughput — {backend}, gunicorn 2 workers x {args.threads} threads "
        f"({args.worker_class}), {args.seconds:g} s or {args.max_requests} requests per level"
    )
    print(
        f"{'conc':>5} | {'app req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'err':>4} | "
        f"{'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7} | {'ratio':>5} | "
        f"{'app cpu ms':>10} {'bare cpu ms':>11}"
    )
    verdict = True
    for concurrency in args.concurrency:
        a, b = app_results[concurrency], bare_results[concurrency]
        ratio = a["rps"] / b["rps"] if b["rps"] else float("nan")
        print(
            f"{concurrency:>5} | {a['rps']:>9.0f} {a['p50_ms']:>7.2f} {a['p99_ms']:>7.2f} "
            f"{a['errors']:>4} | {b['rps']:>10.0f} {b['p50_ms']:>7.2f} {b['p99_ms']:>7.2f} | "
            f"{ratio:>5.2f} | {a['cpu_ms']:>10.2f} {b['cpu_ms']:>11.2f}"
        )
        if concurrency == max(args.concurrency):
            verdict = ratio >= 0.6 and a["p99_ms"] < 25 and a["errors"] == 0
    print(
        f"target at {max(args.concurrency)} concurrent: ratio >= 0.60 and app p99 < 25 ms "
        f"-> {'met' if verdict else 'NOT met'}"
    )
    incoming = sum(result["answered"][0] for result in app_results.values())
    results = sum(result["answered"][1] for result in app_results.values())
    # main_number forced open: the call renders hours, welcome, menu (3 steps); Digits=1
    # adds the menu's transition and the sales queue (2 steps).
    expected = (incoming, 3 * incoming + 2 * results)
    print(
        f"trace check: {stored[0]} calls, {stored[1]} steps stored; answered requests "
        f"imply {expected[0]} calls, {expected[1]} steps -> "
        f"{'complete' if stored == expected else 'MISMATCH'}"
    )
    return 0 if stored == expected else 1


if __name__ == "__main__":
    raise SystemExit(main())
