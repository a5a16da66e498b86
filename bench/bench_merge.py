#!/usr/bin/env python
"""Benchmark `surveykit merge` against a plain `INSERT … SELECT` through `ATTACH`.

    python bench/bench_merge.py [--files 20] [--sessions 5000] [--keep DIR]

Makes --files kiosk files of --sessions simulated sessions each (the kiosk survey
`surveys/store-feedback.yaml`: about 10 answers and 28 events per session), each
file with its own device id, then times, into a fresh destination each:

* baseline: Python's sqlite3 module, the destination with the same schema
  (indexes and triggers included), each source attached and its rows copied by
  `INSERT … SELECT` with the integer ids offset, one transaction per file: the
  least work that puts the same rows in one file;
* `merge_files()` (what `surveykit merge` runs): read-only sources, closed
  sessions only, ids remapped by uuid, one transaction per 1,000 sessions;
* a second `merge_files()` into the merged file (everything already there:
  every session is compared by content hash, nothing written).

Target: merge ≤ 3× the baseline. Not part of the test suite.
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

from surveykit.definition.loader import load  # noqa: E402
from surveykit.simulate import SimOptions, simulate  # noqa: E402
from surveykit.storage.merge import merge_files  # noqa: E402
from surveykit.storage.store import Store  # noqa: E402


def make_sources(folder: Path, files: int, sessions: int) -> list[Path]:
    definition = load(ROOT / "surveys/store-feedback.yaml")
    out = []
    for i in range(files):
        path = folder / f"kiosk-{i + 1:02d}.db"
        with Store(path) as store:
            simulate(definition, store, SimOptions(
                sessions=sessions, seed=i, devices=(f"kiosk-{i + 1}",),
                start=datetime(2026, 10, 5, tzinfo=UTC),
            ))
        out.append(path)
    return out


def plain_copy(dest: Path, sources: list[Path]) -> None:
    Store(dest).close()
    conn = sqlite3.connect(dest, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    for src in sources:
        conn.execute("ATTACH DATABASE ? AS src", (str(src),))
        conn.execute("BEGIN IMMEDIATE")
        off = conn.execute("SELECT COALESCE(MAX(id), 0) FROM main.sessions").fetchone()[0]
        for t in ("definitions", "questions", "tasks"):
            conn.execute(f"INSERT OR IGNORE INTO main.{t} SELECT * FROM src.{t}")
        for t in ("sessions", "answers", "task_runs", "events"):
            cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info({t})")]
            shifted = [
                "id + ?1" if c == "id" and t == "sessions" else
                "session_id + ?1" if c == "session_id" else
                "NULL" if c == "id" else c
                for c in cols
            ]
            conn.execute(
                f"INSERT INTO main.{t} ({', '.join(cols)}) SELECT {', '.join(shifted)} FROM src.{t}",
                (off,),
            )
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
    conn.close()


def counts(db: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(db)
    try:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("sessions", "answers", "task_runs", "events")
        )
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--sessions", type=int, default=5000, help="sessions per file")
    ap.add_argument("--keep", type=Path, help="make the files here and keep them")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-merge-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        sources = sorted(folder.glob("kiosk-*.db"))
        if len(sources) != args.files:
            for p in folder.glob("kiosk-*.db*"):
                p.unlink()
            sources = make_sources(folder, args.files, args.sessions)
        print(f"{args.files} files × {args.sessions:,} sessions ready "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)

        for p in [*folder.glob("plain.db*"), *folder.glob("merged.db*")]:
            p.unlink()
        base = folder / "plain.db"
        t0 = time.perf_counter()
        plain_copy(base, sources)
        t_plain = time.perf_counter() - t0

        dest = folder / "merged.db"
        t0 = time.perf_counter()
        results = merge_files(sources, dest)
        t_merge = time.perf_counter() - t0
        assert all(r.error is None for r in results), [r.error for r in results]

        t0 = time.perf_counter()
        again = merge_files(sources, dest)
        t_again = time.perf_counter() - t0
        assert sum(r.copied for r in again) == 0

        rows = counts(dest)
        assert rows == counts(base), (rows, counts(base))
        print(f"rows: {rows[0]:,} sessions, {rows[1]:,} answers, {rows[2]:,} task runs, "
              f"{rows[3]:,} events")
        print(f"plain INSERT … SELECT via ATTACH  {t_plain:8.2f} s")
        print(f"surveykit merge                    {t_merge:8.2f} s   "
              f"{rows[0] / t_merge:,.0f} sessions/s   ratio {t_merge / t_plain:.2f}× (target ≤ 3×)")
        print(f"second merge (nothing new)         {t_again:8.2f} s")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
