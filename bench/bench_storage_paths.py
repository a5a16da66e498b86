"""Where raw sqlite3 stays, and why: the same storage work done with sqlite-utils.

Three measurements in one run, on real files (WAL, as `Store` opens them):

* import: `import sqlite3` against `import sqlite_utils`, each in a fresh
  interpreter (median of --runs). Every command opens the database, so this
  cost would land on the start-up of `run`, `kiosk`, `score` and `export`;
* one answer committed: `Store.record_answer` (BEGIN IMMEDIATE, upsert, event,
  COMMIT with synchronous=FULL) against the same upsert and event written with
  sqlite-utils' `upsert` and `insert` in the same transaction (median, p99);
* bulk rows: `executemany` (what `storage.bulk` and `simulate` do) against
  sqlite-utils' `insert_all`, rows per second for --rows answer rows in one
  transaction with synchronous=NORMAL (as `BulkWriter` commits).

    python bench/bench_storage_paths.py [--runs 7] [--answers 300] [--rows 200000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from surveykit.definition.loader import load  # noqa: E402
from surveykit.storage.store import Store  # noqa: E402

ANSWER_COLUMNS = ["session_id", "task_id", "question_id", "value_json", "value_num", "is_na",
                  "shown_at", "answered_at", "response_ms"]


def import_time(module: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def answer_latency(folder: Path, answers: int) -> tuple[list[float], list[float]]:
    import sqlite_utils

    definition = load(REPO / "surveys" / "store-feedback.yaml")
    raw: list[float] = []
    su: list[float] = []
    with Store(folder / "latency.db") as store:
        sid = store.start_session(definition, "run")
        db = sqlite_utils.Database(store.conn)
        for i in range(answers):
            t = time.perf_counter()
            store.record_answer(sid, f"q{i}", i % 11, response_ms=1000)
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            now = store.now()
            store.conn.execute("BEGIN IMMEDIATE")
            db["answers"].upsert(
                {"session_id": sid, "task_id": "", "question_id": f"r{i}",
                 "value_json": json.dumps(i % 11), "value_num": float(i % 11), "is_na": 0,
                 "shown_at": None, "answered_at": now, "response_ms": 1000},
                pk=("session_id", "task_id", "question_id"),
            )
            db["events"].insert(
                {"session_id": sid, "at": now, "elapsed_ms": store.elapsed_ms(sid),
                 "kind": "answered", "task_id": "", "question_id": f"r{i}",
                 "data_json": json.dumps({"value": i % 11})},
            )
            store.conn.execute("COMMIT")
            su.append(time.perf_counter() - t)
    return raw, su


def bulk_rates(folder: Path, n: int) -> tuple[float, float]:
    import sqlite_utils

    rng = random.Random(1)
    rows = [(1 + i // 20, "", f"q{i % 20}", json.dumps(v := rng.randrange(11)), float(v), 0,
             "2026-11-02T10:00:00.000Z", "2026-11-02T10:00:01.000Z", 1000) for i in range(n)]
    rates = []
    for name in ("raw", "su"):
        with Store(folder / f"bulk-{name}.db") as store:
            c = store.conn
            c.execute("PRAGMA foreign_keys = OFF")
            c.execute("PRAGMA synchronous = NORMAL")
            t = time.perf_counter()
            c.execute("BEGIN IMMEDIATE")
            if name == "raw":
                c.executemany(
                    f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(ANSWER_COLUMNS))})", rows)
            else:
                sqlite_utils.Database(c)["answers"].insert_all(
                    (dict(zip(ANSWER_COLUMNS, r, strict=True)) for r in rows), batch_size=2000)
            c.execute("COMMIT")
            rates.append(n / (time.perf_counter() - t))
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    sqlite3_s = import_time("sqlite3", args.runs)
    su_s = import_time("sqlite_utils", args.runs)
    pass_s = import_time("os", args.runs)
    print(f"import (fresh interpreter, median of {args.runs}; `python -c 'import os'` "
          f"{pass_s * 1000:.0f} ms)")
    print(f"  sqlite3       {sqlite3_s * 1000:7.0f} ms")
    print(f"  sqlite_utils  {su_s * 1000:7.0f} ms   (+{(su_s - sqlite3_s) * 1000:.0f} ms)")
    with tempfile.TemporaryDirectory() as tmp:
        raw, su = answer_latency(Path(tmp), args.answers)
        print(f"one answer committed (synchronous=FULL, {args.answers} answers)")
        print(f"  Store.record_answer     median {statistics.median(raw) * 1000:6.2f} ms   "
              f"p99 {p99(raw) * 1000:6.2f} ms")
        print(f"  sqlite-utils upsert     median {statistics.median(su) * 1000:6.2f} ms   "
              f"p99 {p99(su) * 1000:6.2f} ms")
        r, s = bulk_rates(Path(tmp), args.rows)
        print(f"bulk answer rows ({args.rows:,} in one transaction, synchronous=NORMAL)")
        print(f"  executemany             {r:10,.0f} rows/s")
        print(f"  sqlite-utils insert_all {s:10,.0f} rows/s   ({r / s:.1f}x slower)")


if __name__ == "__main__":
    main()
