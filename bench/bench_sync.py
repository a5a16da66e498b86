#!/usr/bin/env python
"""Benchmark `surveykit sync` to a local PostgreSQL against a bare `COPY`.

    python bench/bench_sync.py [--sessions 100000] [--db FILE] [--url postgresql://…]

One SQLite file of --sessions simulated kiosk sessions (`surveys/store-feedback.yaml`,
about 10 answers and 28 events each; or --db, an existing surveykit file with
travelling ids, e.g. the merged file `bench_merge.py --keep DIR` leaves), and a
PostgreSQL: a throwaway one started like the tests do (`tests/pg_server.py`,
initdb + pg_ctl, fsync off), or --url (the bench creates and drops two
databases there). Timed, each into an empty database:

* baseline: read every session, answer, task run and event row from the file
  with sqlite3 and `COPY` them into the same server tables, one transaction:
  the least work that puts the same rows on the server;
* `push()` (what `surveykit sync` runs): closed sessions, content hashes,
  staging + insert-if-absent by uuid, one transaction per 2,000 sessions, and
  the acknowledgements written to the local file;
* a second `push()` of the same file (nothing to send).

Targets: sync ≤ 5× the bare COPY; the second sync a few seconds. Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import psycopg  # noqa: E402

from surveykit.definition.loader import load  # noqa: E402
from surveykit.simulate import SimOptions, simulate  # noqa: E402
from surveykit.storage import pg  # noqa: E402
from surveykit.storage.merge import (  # noqa: E402
    ANSWER_FIELDS,
    EVENT_FIELDS,
    SESSION_FIELDS,
    TASK_RUN_FIELDS,
)
from surveykit.storage.store import Store  # noqa: E402


def bare_copy(db: Path, url: str) -> int:
    src = sqlite3.connect(db)
    rows = 0
    with psycopg.connect(url) as conn:
        pg.ensure_schema(conn)
        with conn.transaction(), conn.cursor() as cur:
            for table, fields, extra in (
                ("definitions", ("sha256", "survey_id", "title", "format_version", "source_path",
                                 "body_json", "first_seen_at"), ()),
                ("sessions", ("id", *SESSION_FIELDS), ("content_sha256", "received_at")),
                ("answers", ("session_id", *ANSWER_FIELDS), ()),
                ("task_runs", ("session_id", *TASK_RUN_FIELDS), ()),
                ("events", ("session_id", *EVENT_FIELDS), ()),
            ):
                with cur.copy(f"COPY {table} ({', '.join((*fields, *extra))}) FROM STDIN") as cp:
                    for row in src.execute(f"SELECT {', '.join(fields)} FROM {table}"):
                        cp.write_row((*row, *("", "")[: len(extra)]))
                        rows += 1
    src.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--db", type=Path, help="an existing surveykit file (copied, not changed)")
    ap.add_argument("--url", help="a PostgreSQL to use (default: a throwaway one)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    server = None
    try:
        db = folder / "kiosk.db"
        t0 = time.perf_counter()
        if args.db:
            shutil.copy(args.db, db)
        else:
            with Store(db) as store:
                simulate(load(ROOT / "surveys/store-feedback.yaml"), store, SimOptions(
                    sessions=args.sessions, seed=1, start=datetime(2026, 10, 5, tzinfo=UTC)))
        with Store(db) as store:
            n = store.conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        print(f"{n:,} sessions ready ({time.perf_counter() - t0:.1f} s)", flush=True)
        if args.url:
            admin = args.url
        else:
            from pg_server import start_server

            server = start_server()
            admin = server.url()
        urls = {}
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in ("bench_bare", "bench_sync"):
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
                urls[name] = admin.rsplit("/", 1)[0] + "/" + name

        t0 = time.perf_counter()
        rows = bare_copy(db, urls["bench_bare"])
        t_bare = time.perf_counter() - t0

        with Store(db) as store:
            t0 = time.perf_counter()
            first = pg.push(store, urls["bench_sync"])
            t_sync = time.perf_counter() - t0
            t0 = time.perf_counter()
            second = pg.push(store, urls["bench_sync"])
            t_again = time.perf_counter() - t0
        assert second.sent == 0 and not first.conflicts
        print(f"rows copied: {rows:,}")
        print(f"bare COPY                 {t_bare:8.2f} s   {n / t_bare:,.0f} sessions/s")
        print(f"surveykit sync            {t_sync:8.2f} s   {first.sent / t_sync:,.0f} sessions/s   "
              f"ratio {t_sync / t_bare:.2f}× (target ≤ 5×)")
        print(f"second sync (nothing new) {t_again:8.2f} s   sent {second.sent}")
        if args.url:
            with psycopg.connect(admin, autocommit=True) as conn:
                for name in urls:
                    conn.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
