#!/usr/bin/env python
"""Benchmark `surveykit report` against `surveykit score --json` on the same file, same run.

    python bench/bench_report.py [--sessions 100000] [--keep DIR]

Simulates --sessions sessions spread over the three example surveys, then times
`score --json` and `report` (best of 3 each, as commands) and prints the
report's size. Targets (issue 12): the report within 3× the score, and under
2 MB for the three example surveys at 100,000 sessions. Not part of the test
suite.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVEYS = ("store-feedback.yaml", "post-support.yaml", "checkout-study.yaml")


def surveykit(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "surveykit", *args], check=True,
                   stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def best_of(n: int, *args: str) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        surveykit(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the database and report in this folder")
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db, page = folder / "bench.db", folder / "report.html"
        if not db.exists():
            each = a.sessions // len(SURVEYS)
            for i, name in enumerate(SURVEYS):
                surveykit("simulate", str(ROOT / "surveys" / name), "-n", str(each), "--db", str(db),
                          "--seed", str(i), "--meta", "design=A,B")
        score = best_of(3, "score", str(db), "--json")
        report = best_of(3, "report", str(db), "--out", str(page))
        size = page.stat().st_size
        print(f"{a.sessions:,} sessions: score --json {score:.2f} s, report {report:.2f} s "
              f"({report / score:.1f}× score; target ≤ 3×), report {size / 1e6:.2f} MB "
              f"(target < 2 MB)")


if __name__ == "__main__":
    main()
