"""The retention sweep on 100,000 expired voicemails with their files.

Generates the rows with bulk inserts (and a small WAV file each), runs the real sweep
(:func:`ivr_designer.retention.sweep.sweep`, batches of ``--batch-size``) and prints the
total time, rows/s, the number of batches and the longest single batch transaction
(the longest time the sweep held its locks). While it runs, a writer thread stores a
young call row every 20 ms, as the webhooks would, and its slowest commit is printed:
that is what a caller would feel.

The baseline, in the same run on regenerated data, is the naive way: one DELETE of
every expired row in one transaction, then the files. Its time, its lock time and the
writer's slowest commit during it are printed, with the ratios.

    .venv/bin/python bench/retention.py [--rows 100000] [--batch-size 500]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, delete, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from ivr_designer import migrate
from ivr_designer.database import build_engine, normalise_database_url
from ivr_designer.models import Call, Organisation, Voicemail, VoicemailBox
from ivr_designer.models.base import utcnow
from ivr_designer.retention.sweep import remove_media, sweep

CHUNK = 5_000
WAV = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00"


def open_database(url: str | None, folder: Path) -> tuple[Engine, Callable[[], None]]:
    """A migrated, empty database; the callable cleans it up."""
    if not url:
        engine = build_engine(f"sqlite:///{folder / 'bench.sqlite'}")
        cleanup: Callable[[], None] = engine.dispose
    else:
        base = normalise_database_url(url)
        schema = f"bench_retention_{uuid.uuid4().hex[:8]}"
        admin = build_engine(base)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            connection.commit()
        engine = build_engine(base, connect_args={"options": f"-csearch_path={schema}"})

        def cleanup() -> None:
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                connection.commit()
            admin.dispose()

    with engine.connect() as connection:
        migrate.upgrade(connection)
    return engine, cleanup


def generate(engine: Engine, media: Path, rows: int, round_: int) -> tuple[int, int]:
    """``rows`` voicemails 40 days old, each with a small file; returns (org, box)."""
    folder = media / "voicemail"
    folder.mkdir(parents=True, exist_ok=True)
    with Session(engine) as session:
        org = session.execute(select(Organisation)).scalar_one_or_none()
        if org is None:
            org = Organisation(name="Bench ApS", slug="bench")
            session.add(org)
            session.flush()
            session.add(VoicemailBox(org_id=org.id, key="main", name="Main"))
            session.commit()
        box_id = session.execute(select(VoicemailBox.id)).scalar_one()
        org_id = org.id
    old = utcnow() - timedelta(days=40)
    table = Voicemail.__table__
    for start in range(0, rows, CHUNK):
        batch: list[dict[str, Any]] = []
        for n in range(start, min(rows, start + CHUNK)):
            name = f"voicemail/r{round_}-{n}.wav"
            (media / name).write_bytes(WAV)
            batch.append(
                {
                    "org_id": org_id,
                    "box_id": box_id,
                    "recording_sid": f"RE{round_}-{n}",
                    "caller": "+4511223344",
                    "status": "ready",
                    "download_attempts": 0,
                    "media_path": name,
                    "created_at": old,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(table), batch)
    return org_id, box_id


class Writer(threading.Thread):
    """Commits a young call every 20 ms; remembers the slowest commit and failures."""

    def __init__(self, engine: Engine, org_id: int) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.org_id = org_id
        self.stop = threading.Event()
        self.slowest = 0.0
        self.failures = 0
        self.commits = 0

    def run(self) -> None:
        n = 0
        while not self.stop.wait(0.02):
            n += 1
            started = time.perf_counter()
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        insert(Call.__table__).values(
                            org_id=self.org_id,
                            call_sid=f"CA-{uuid.uuid4().hex}",
                            caller="+4511223344",
                            called="+4570000000",
                            started_at=utcnow(),
                            outcome="answered",
                        )
                    )
                self.commits += 1
            except Exception:  # a locked database: exactly what we are measuring
                self.failures += 1
            self.slowest = max(self.slowest, time.perf_counter() - started)


def run_sweep(engine: Engine, media: Path, batch_size: int, org_id: int) -> dict[str, float]:
    writer = Writer(engine, org_id)
    writer.start()
    new_session = sessionmaker(bind=engine, expire_on_commit=False)
    report = sweep(new_session, media, batch_size=batch_size, run_by="bench")
    writer.stop.set()
    writer.join()
    return {
        "seconds": report.seconds,
        "rows": report.total("voicemail"),
        "files": report.files_deleted,
        "batches": report.batches,
        "lock": report.longest_batch_s,
        "in_transactions": report.in_transactions_s,
        "writer_slowest": writer.slowest,
        "writer_failures": writer.failures,
    }


def run_baseline(engine: Engine, media: Path, org_id: int) -> dict[str, float]:
    """One DELETE for everything, then the files: the fastest way, and the longest lock."""
    writer = Writer(engine, org_id)
    writer.start()
    started = time.perf_counter()
    horizon = utcnow() - timedelta(days=30)
    table = Voicemail.__table__
    with engine.begin() as connection:
        paths = (
            connection.execute(
                delete(table).where(table.c.created_at < horizon).returning(table.c.media_path)
            )
            .scalars()
            .all()
        )
    lock = time.perf_counter() - started
    files = sum(remove_media(media, path) for path in paths)
    seconds = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    return {
        "seconds": seconds,
        "rows": len(paths),
        "files": files,
        "lock": lock,
        "writer_slowest": writer.slowest,
        "writer_failures": writer.failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="PostgreSQL; default SQLite")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-retention-") as tmp:
        folder = Path(tmp)
        media = folder / "media"
        engine, cleanup = open_database(args.database_url, folder)
        try:
            backend = engine.dialect.name
            started = time.perf_counter()
            org_id, _box = generate(engine, media, args.rows, 1)
            print(
                f"backend {backend}: generated {args.rows:,} expired voicemails with files "
                f"in {time.perf_counter() - started:.1f} s"
            )
            swept = run_sweep(engine, media, args.batch_size, org_id)
            leftover = len(list((media / "voicemail").iterdir()))
            generate(engine, media, args.rows, 2)
            base = run_baseline(engine, media, org_id)
        finally:
            cleanup()

    print(f"\nsweep (batches of {args.batch_size}):")
    print(f"  deleted rows         {swept['rows']:>10,.0f}   files {swept['files']:,.0f}")
    print(f"  total time           {swept['seconds']:>10.2f} s")
    print(f"  rows/s               {swept['rows'] / swept['seconds']:>10,.0f}")
    print(f"  batches              {swept['batches']:>10,.0f}")
    print(f"  longest transaction  {swept['lock'] * 1000:>10.1f} ms")
    print(
        f"  all transactions     {swept['in_transactions']:>10.2f} s   (the rest: unlinking files)"
    )
    print(
        f"  writer slowest commit{swept['writer_slowest'] * 1000:>10.1f} ms"
        f"   (failed: {swept['writer_failures']:.0f})"
    )
    print(f"  files left behind    {leftover:>10,}")
    print("\nbaseline (one DELETE in one transaction, then the files):")
    print(f"  total time           {base['seconds']:>10.2f} s")
    print(f"  rows/s               {base['rows'] / base['seconds']:>10,.0f}")
    print(f"  transaction          {base['lock'] * 1000:>10.1f} ms")
    print(f"  unlinking files      {base['seconds'] - base['lock']:>10.2f} s")
    print(
        f"  writer slowest commit{base['writer_slowest'] * 1000:>10.1f} ms"
        f"   (failed: {base['writer_failures']:.0f})"
    )
    print("\nratios (sweep / baseline):")
    print(f"  total time           {swept['seconds'] / base['seconds']:>10.2f}x")
    print(f"  longest lock         {swept['lock'] / base['lock']:>10.4f}x")
    writer_ratio = swept["writer_slowest"] / max(base["writer_slowest"], 1e-9)
    print(f"  writer slowest       {writer_ratio:>10.4f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
