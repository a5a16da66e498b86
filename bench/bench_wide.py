"""The typed wide tables: reading `responses_<survey>` at scale, and what keeping
`wide_<survey>` current costs each answer written.

1. Reading: a file with N kiosk sessions of `surveys/store-feedback.yaml`
   (written by `surveykit simulate`, through the triggers) is read as
   Datasette reads a view: its first page (`SELECT * … LIMIT 101`) and its
   count (`SELECT COUNT(*) FROM (SELECT * …)`), and a facet over a meta column
   (`meta.store`, read from `meta_json` row by row). For comparison, the same two
   queries on the pivot view earlier versions shipped (rebuilt on every read),
   cut off after `--pivot-limit` seconds as Datasette would.
2. Writing: two files, the same definition; in one the wide table's triggers
   are dropped (as before the wide table existed). Answers are committed by
   `Store.record_answer` alternately to each (same disk, same load), and the
   p50/p90 commit times and their ratio are printed.

    python bench/bench_wide.py [--sessions 100000] [--answers 400]

Targets: first page and count < 1 s each at 100,000 sessions; answer commit
p50 with the triggers within 1.2x of the p50 without.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from surveykit.definition.loader import load
from surveykit.storage.store import Store
from surveykit.storage.wide import TRIGGER_PREFIX

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "surveys/store-feedback.yaml"


def legacy_pivot_sql(conn: sqlite3.Connection) -> str:
    """The pivot view of schema 3 (`responses_<survey>` before the wide tables)."""
    cols = []
    for (qid,) in conn.execute(
        "SELECT question_id FROM questions WHERE type != 'note' GROUP BY question_id "
        "ORDER BY MIN(position)"
    ):
        cols.append(
            f"MAX(CASE WHEN a.question_id = '{qid}' AND a.task_id = '' THEN CASE WHEN a.is_na "
            f"THEN 'N/A' ELSE COALESCE(a.value_num, a.value_json) END END) AS \"{qid}\""
        )
    return (
        "SELECT s.id AS session_id, s.mode, s.participant, s.device, s.status, s.started_at, "
        f"s.ended_at, {', '.join(cols)} FROM sessions s LEFT JOIN answers a "
        "ON a.session_id = s.id WHERE s.survey_id = 'store-feedback' GROUP BY s.id"
    )


def timed(conn: sqlite3.Connection, sql: str, limit_s: float) -> float | None:
    """Seconds to run sql to the end, or None when cut off after limit_s."""
    start = time.perf_counter()
    conn.set_progress_handler(lambda: int(time.perf_counter() - start > limit_s), 10_000)
    try:
        conn.execute(sql).fetchall()
    except sqlite3.OperationalError as e:
        if "interrupted" in str(e):
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)
    return time.perf_counter() - start


def fmt(s: float | None, limit: float) -> str:
    if s is not None and s < 0:
        return "-"
    return f"> {limit:.0f} s (interrupted)" if s is None else f"{s * 1000:8.1f} ms"


def bench_read(folder: Path, sessions: int, pivot_limit: float) -> None:
    db = folder / "read.db"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "surveykit", "simulate", str(SURVEY), "-n", str(sessions),
         "--db", str(db), "--seed", "1", "--meta", "store=north,south,east"],
        check=True, stdout=subprocess.DEVNULL,
    )
    print(f"wrote {sessions:,} sessions in {time.perf_counter() - start:.1f} s (simulate, "
          "triggers on)")
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TEMP VIEW legacy_pivot AS {legacy_pivot_sql(conn)}")
    print(f"{'query':44} {'wide table view':>18} {'legacy pivot view':>24}")
    for label, template in (
        ("first page: SELECT * … LIMIT 101", "SELECT * FROM {} LIMIT 101"),
        ("count: SELECT COUNT(*) FROM (SELECT * …)", "SELECT COUNT(*) FROM (SELECT * FROM {})"),
        # a meta column is read from meta_json row by row: a facet scans them all
        ("facet: meta.store … GROUP BY", 'SELECT "meta.store", COUNT(*) FROM {} GROUP BY 1'),
    ):
        best = min(
            t for t in (timed(conn, template.format("responses_store_feedback"), 30)
                        for _ in range(3)) if t is not None
        )
        old = (timed(conn, template.format("legacy_pivot"), pivot_limit)
               if "meta" not in label else -1.0)
        print(f"{label:44} {fmt(best, 30):>18} {fmt(old, pivot_limit):>24}")
    conn.close()


def bench_write(folder: Path, answers: int) -> None:
    definition = load(SURVEY)
    with_path, without_path = folder / "with.db", folder / "without.db"
    stores = {}
    for name, path in (("with wide table", with_path), ("without", without_path)):
        store = Store(path)
        store.register_definition(definition)
        if name == "without":
            for (trig,) in store.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                (TRIGGER_PREFIX + "%",),
            ).fetchall():
                store.conn.execute(f'DROP TRIGGER "{trig}"')
        stores[name] = store
    times: dict[str, list[float]] = {name: [] for name in stores}
    questions = ["nps", "csat", "ces", "visit"]
    values = {"nps": 9, "csat": 4, "ces": 6, "visit": "A gift"}
    sid = {name: s.start_session(definition, "kiosk") for name, s in stores.items()}
    for i in range(answers):
        qid = questions[i % len(questions)]
        if i % len(questions) == 0 and i:
            sid = {name: s.start_session(definition, "kiosk") for name, s in stores.items()}
        order = list(stores.items()) if i % 2 == 0 else list(reversed(stores.items()))
        for name, store in order:
            start = time.perf_counter()
            store.record_answer(sid[name], qid, values[qid])
            times[name].append(time.perf_counter() - start)
    print(f"\n{answers} answers committed per file (Store.record_answer, synchronous=FULL)")
    p50 = {}
    for name, t in times.items():
        t.sort()
        p50[name] = statistics.median(t)
        p90 = t[int(0.9 * (len(t) - 1))]
        print(f"  {name:16} p50 {p50[name] * 1000:6.2f} ms   p90 {p90 * 1000:6.2f} ms")
    print(f"  ratio p50 with / without: {p50['with wide table'] / p50['without']:.3f} "
          "(target <= 1.2)")
    for store in stores.values():
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--answers", type=int, default=400)
    ap.add_argument("--pivot-limit", type=float, default=10.0,
                    help="seconds after which the legacy pivot query is interrupted")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_read(Path(tmp), args.sessions, args.pivot_limit)
        bench_write(Path(tmp), args.answers)


if __name__ == "__main__":
    main()
