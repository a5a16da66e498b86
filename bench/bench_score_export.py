#!/usr/bin/env python
"""Benchmark `score` and `export` on simulated data, against plain SQLite baselines.

    python bench/bench_score_export.py [--sessions 100000] [--keep DIR]

For 10,000 sessions and for --sessions (default 100,000), half of them of the
study `surveys/checkout-study.yaml` (3 tasks, SEQ after each, SUS) and half of
the kiosk survey `surveys/store-feedback.yaml` (about 10 answers per session on
average, so 100,000 sessions hold about 1,000,000 answers):

* score, in process: `metrics.score()` against the same counts done by plain
  SQL (answer histograms, task outcomes, session statuses) through Python's
  sqlite3 module; and as commands: `surveykit score --json` against the
  `sqlite3` command line running that SQL (best of 3 each);
* export of the answers table: `surveykit export --tables answers` against
  `sqlite3 -csv -header DB 'SELECT * FROM answers'` (when the sqlite3 command
  is missing, against Python's sqlite3 + csv module, and it says so);
* the full export (every file): time, and peak memory (max RSS of the process)
  at both sizes: it should be flat.

All ratios compare figures measured in the same run on the same machine. Not
part of the test suite; about 5 minutes at 100,000 sessions on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from surveykit.definition.loader import load  # noqa: E402
from surveykit.scoring.metrics import ScoreOptions, score  # noqa: E402
from surveykit.simulate import SimOptions, simulate  # noqa: E402
from surveykit.storage.queries import open_readonly  # noqa: E402
from surveykit.storage.store import Store  # noqa: E402

PY = sys.executable

#: The same counts `score` needs, as plain aggregations.
BASELINE_SQL = [
    "SELECT question_id, task_id, value_num, COUNT(*) FROM answers "
    "WHERE is_na = 0 AND value_num IS NOT NULL GROUP BY question_id, task_id, value_num",
    "SELECT task_id, outcome, errors, COUNT(*) FROM task_runs GROUP BY task_id, outcome, errors",
    "SELECT task_id, active_ms FROM task_runs WHERE outcome = 'success'",
    "SELECT survey_id, status, COUNT(*) FROM sessions GROUP BY survey_id, status",
]

PEAK_RSS = (
    "import resource, subprocess, sys;"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def build(db: Path, sessions: int) -> dict[str, int]:
    study = load(ROOT / "surveys" / "checkout-study.yaml")
    kiosk = load(ROOT / "surveys" / "store-feedback.yaml")
    with Store(db) as store:
        simulate(study, store, SimOptions(sessions=sessions // 2, seed=1))
        simulate(kiosk, store, SimOptions(sessions=sessions - sessions // 2, seed=2))
    conn = sqlite3.connect(db)
    counts = {
        t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("sessions", "answers", "task_runs", "events")
    }
    conn.close()
    return counts


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run(cmd: list[str], stdin: str | None = None, stdout: object = subprocess.DEVNULL) -> None:
    subprocess.run(cmd, input=stdin, text=True, check=True, stdout=stdout)  # type: ignore[arg-type]


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a command run in a fresh child."""
    t = time.perf_counter()
    out = subprocess.run([PY, "-c", PEAK_RSS, *cmd], check=True, capture_output=True, text=True)
    return time.perf_counter() - t, int(out.stdout.strip()) / 1024


def bench(db: Path, work: Path, sqlite_cli: str | None) -> dict[str, float]:
    r: dict[str, float] = {}

    # --- score ------------------------------------------------------------------------
    def score_in_process() -> None:
        conn = open_readonly(db)
        score(conn, ScoreOptions())
        conn.close()

    def baseline_in_process() -> None:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        for sql in BASELINE_SQL:
            conn.execute(sql).fetchall()
        conn.close()

    r["score"] = best(score_in_process)
    r["score_base"] = best(baseline_in_process)
    r["score_cli"] = best(lambda: run([PY, "-m", "surveykit", "score", str(db), "--json"]))
    if sqlite_cli:
        script = ";\n".join(BASELINE_SQL) + ";\n"
        r["score_cli_base"] = best(lambda: run([sqlite_cli, str(db)], stdin=script))

    # --- export of the answers table ------------------------------------------------------
    out = work / "answers-only"
    t = time.perf_counter()
    run(
        [
            PY,
            "-m",
            "surveykit",
            "export",
            str(db),
            "--out",
            str(out),
            "--tables",
            "answers",
            "--no-progress",
        ]
    )
    r["export_answers"] = time.perf_counter() - t
    base_csv = work / "baseline-answers.csv"
    t = time.perf_counter()
    if sqlite_cli:
        with base_csv.open("w") as f:
            run([sqlite_cli, "-csv", "-header", str(db), "SELECT * FROM answers"], stdout=f)
    else:
        conn = sqlite3.connect(db)
        cur = conn.execute("SELECT * FROM answers")
        with base_csv.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow([d[0] for d in cur.description])
            w.writerows(cur)
        conn.close()
    r["export_answers_base"] = time.perf_counter() - t
    r["answers_mb"] = (out / "answers.csv").stat().st_size / 1e6
    r["answers_base_mb"] = base_csv.stat().st_size / 1e6

    # --- full export: time and peak memory ----------------------------------------------
    full = work / "full"
    r["export_full"], r["export_rss"] = peak_rss_mb(
        [PY, "-m", "surveykit", "export", str(db), "--out", str(full), "--no-progress"]
    )
    r["export_full_mb"] = sum(p.stat().st_size for p in full.iterdir()) / 1e6
    _, r["python_rss"] = peak_rss_mb(
        [PY, "-c", "import surveykit.cli, surveykit.export, surveykit.scoring.stats"]
    )
    shutil.rmtree(out)
    shutil.rmtree(full)
    base_csv.unlink()
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="keep the databases in this folder")
    args = ap.parse_args()
    sizes = sorted({min(10_000, args.sessions), args.sessions})
    sqlite_cli = shutil.which("sqlite3")
    work = args.keep or Path(tempfile.mkdtemp(prefix="surveykit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"surveykit bench · python {sys.version.split()[0]} · SQLite {sqlite3.sqlite_version}"
        f" · sqlite3 command: {sqlite_cli or 'missing (baselines use Python sqlite3 + csv)'}"
    )
    results = {}
    try:
        for n in sizes:
            db = work / f"bench-{n}.db"
            if db.exists() and args.keep:
                counts = {
                    t: sqlite3.connect(db).execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                    for t in ("sessions", "answers", "task_runs", "events")
                }
                built = 0.0
            else:
                t = time.perf_counter()
                counts = build(db, n)
                built = time.perf_counter() - t
            print(
                f"\n{n:,} sessions: {counts['answers']:,} answers, {counts['task_runs']:,} "
                f"task runs, {counts['events']:,} events ({db.stat().st_size / 1e6:.0f} MB)"
                + (f"; simulated in {built:.1f} s ({n / built:,.0f} sessions/s)" if built else "")
            )
            r = bench(db, work, sqlite_cli)
            results[n] = r
            print(
                f"  score, in process    {r['score']:7.2f} s   plain SQL counts "
                f"{r['score_base']:6.2f} s   ratio {r['score'] / r['score_base']:.2f}×"
            )
            line = f"  score --json (CLI)   {r['score_cli']:7.2f} s"
            if "score_cli_base" in r:
                line += (
                    f"   sqlite3 CLI      {r['score_cli_base']:6.2f} s   ratio "
                    f"{r['score_cli'] / r['score_cli_base']:.2f}×"
                )
            print(line)
            base = "sqlite3 -csv" if sqlite_cli else "python csv  "
            print(
                f"  export answers.csv   {r['export_answers']:7.2f} s   {base}     "
                f"{r['export_answers_base']:6.2f} s   ratio "
                f"{r['export_answers'] / r['export_answers_base']:.2f}×   "
                f"({r['answers_mb']:.0f} MB with text and labels vs {r['answers_base_mb']:.0f} MB)"
            )
            print(
                f"  export, all files    {r['export_full']:7.2f} s   peak RSS "
                f"{r['export_rss']:.0f} MB ({r['export_full_mb']:.0f} MB written; python + "
                f"imports alone {r['python_rss']:.0f} MB)"
            )
        if len(sizes) == 2:
            a, b = (results[n] for n in sizes)
            print(
                f"\nexport peak memory: {a['export_rss']:.0f} MB at {sizes[0]:,} sessions, "
                f"{b['export_rss']:.0f} MB at {sizes[1]:,} ({b['export_rss'] / a['export_rss']:.2f}× "
                f"for {sizes[1] / sizes[0]:.0f}× the data)"
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
