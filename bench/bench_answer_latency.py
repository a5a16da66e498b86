"""Keypress-to-committed latency of an answer in `surveykit run`, against a raw sqlite3 commit.

The real `RunApp` runs headless (Textual's own test driver) on a real database
file: WAL, `synchronous=FULL`, exactly as `surveykit run` opens it. For each of
N questions the bench chooses a value with a digit, then presses Enter; the
latency is from the Enter key event's timestamp (taken by Textual when the key
arrives) to the moment `Store.record_answer` returns, i.e. when the answer is
committed and on disk (split into the way from the key to the Store call, and
the Store's own transaction). Between two answers the bench does one raw
`BEGIN IMMEDIATE; INSERT; COMMIT` with the sqlite3 module on a second
connection to the same file, so both see the same disk and the same load.

    python bench/bench_answer_latency.py [--answers 200]

Target: p99 of the runner ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events
from textual.message import Message

from surveykit.definition.loader import load
from surveykit.storage.store import Store
from surveykit.tui.run_app import RunApp


def survey_file(folder: Path, n: int) -> Path:
    lines = ["surveykit: 1", "id: latency", "title: Latency bench", "questions:"]
    lines += [f"  - {{id: q{i}, type: csat, text: Question {i}}}" for i in range(n)]
    path = folder / "latency.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def quantile(data: list[float], q: float) -> float:
    ordered = sorted(data)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class RawWriter:
    """The baseline: one insert and commit per call, on the same file, same pragmas."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (i INTEGER, at REAL)")

    def commit_one(self, i: int) -> float:
        start = time.monotonic()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO bench_raw VALUES (?, ?)", (i, start))
        self.conn.execute("COMMIT")
        return time.monotonic() - start


async def measure(n: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        definition = load(survey_file(folder, n))
        db = folder / "bench.db"
        store = Store(db)
        raw = RawWriter(db)
        called: list[float] = []
        committed: list[float] = []
        enter_times: list[float] = []
        original = store.record_answer

        def record_answer(*args: Any, **kwargs: Any) -> None:
            called.append(time.monotonic())
            original(*args, **kwargs)
            committed.append(time.monotonic())

        store.record_answer = record_answer  # type: ignore[method-assign]

        def hook(message: Message) -> None:
            if isinstance(message, events.Key) and message.key == "enter":
                if len(enter_times) == len(committed):  # the first delivery of this key
                    enter_times.append(message.time)

        ours: list[float] = []
        dispatch: list[float] = []
        commit: list[float] = []
        theirs: list[float] = []
        app = RunApp(definition, store)
        async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
            await pilot.pause()
            for i in range(n):
                await pilot.press(str(1 + i % 5))
                await pilot.press("enter")
                await pilot.pause()
                assert len(committed) == i + 1, f"answer {i} was not committed"
                ours.append(committed[-1] - enter_times[-1])
                dispatch.append(called[-1] - enter_times[-1])
                commit.append(committed[-1] - called[-1])
                theirs.append(raw.commit_one(i))
        store.close()
        raw.conn.close()
        return {
            "surveykit run": ours,
            "  key to Store call": dispatch,
            "  Store commit": commit,
            "raw sqlite3 commit": theirs,
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    results = asyncio.run(measure(args.answers))
    print(f"keypress-to-committed latency, {args.answers} answers (milliseconds)")
    print(f"{'':<22} {'p50':>7} {'p99':>7} {'max':>7} {'mean':>7}")
    for name, data in results.items():
        ms = [x * 1000 for x in data]
        print(
            f"{name:<22} {quantile(ms, 0.5):7.2f} {quantile(ms, 0.99):7.2f} "
            f"{max(ms):7.2f} {statistics.fmean(ms):7.2f}"
        )
    ours, raw = results["surveykit run"], results["raw sqlite3 commit"]
    print(
        f"surveykit run - raw: p50 {1000 * (quantile(ours, 0.5) - quantile(raw, 0.5)):+.2f} ms, "
        f"p99 {1000 * (quantile(ours, 0.99) - quantile(raw, 0.99)):+.2f} ms"
    )
    print("target: surveykit run p99 <= 5 ms")


if __name__ == "__main__":
    main()
