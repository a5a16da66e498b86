"""Soak the kiosk: thousands of sessions through the headless app, watching memory and speed.

The real `KioskApp` runs headless (Textual's `run_test`, 80x24) on a real SQLite file
(WAL, synchronous=FULL) with the real screens, widgets and writer, on
`surveys/store-feedback.yaml`: welcome → NPS → (reason, for detractors) → CSAT → CES
→ a shuffled choice → thank-you → welcome. Every 10th person walks away and the
idle reset saves the session as `abandoned`; every 50th session staff open the PIN
screen and close it. Time only moves by hand (a fake clock), so the thank-you pause
and the idle reset cost no wall time: what is measured is the kiosk's own work.

Two ways through a session, mixed:

* keys (every `--keys-every`-th session, default every 5th): key events as the
  terminal sends them (space, digits, letters, Enter, ctrl+q, Escape), each one
  processed before the next — Pilot without its wall-clock idle sleeps;
* direct (the others): the welcome screen's `start()`, and for each question
  what the Next button does (`QuestionRun.submit`, then `QuestionsScreen.show_step`
  or `dismiss`) — the same app, screens, widgets and writer, minus key handling
  and the redraws between keys, so that 5,000 sessions fit in ~10 minutes on 2 cores.

Prints RSS (VmRSS from /proc/self/status) and ms per session for the first and the
last `--window` sessions (and for the key-driven sessions alone), the RSS growth,
the trend of time per session (a linear fit) after the warm-up window, checks the
database (every session and answer landed), then the targets: RSS growth under
20 MB, and no upward trend in time per session.

    python bench/bench_kiosk_soak.py                   # 5,000 sessions
    python bench/bench_kiosk_soak.py --sessions 500    # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from surveykit.definition.loader import load  # noqa: E402
from surveykit.storage.kiosk_writer import KioskWriter  # noqa: E402
from surveykit.tui.kiosk_app import KioskApp  # noqa: E402
from surveykit.tui.screens.kiosk_welcome import KioskWelcomeScreen  # noqa: E402
from surveykit.tui.screens.questions import QuestionsScreen  # noqa: E402

SURVEY = ROOT / "surveys" / "store-feedback.yaml"
EPOCH = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
PRINT_EVERY = 500


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return EPOCH + timedelta(seconds=self.t - 1000.0)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Soak:
    times: list[float] = field(default_factory=list)
    keyed: list[bool] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0
    answers: int = 0
    written: int = 0


async def soak(n: int, db: Path, seed: int, keys_every: int) -> Soak:
    rng = random.Random(seed)
    clock = Clock()
    definition = load(SURVEY)
    kiosk = definition.survey.kiosk
    assert kiosk is not None
    writer = KioskWriter(db, wall=clock.wall, mono=clock)
    app = KioskApp(
        definition,
        writer,
        device="soak",
        mono=clock,
        wall=clock.wall,
        tick_s=3600,
        flush_in_thread=False,
    )
    out = Soak()

    async with app.run_test(size=(80, 24)) as pilot:
        driver = app._driver
        assert driver is not None

        def state() -> tuple[Any, ...]:
            """What the person sees: the screen, the question and its answer widget."""
            screen = app.screen
            run = getattr(screen, "run", None)
            step = run.current.key if run is not None and run.current is not None else None
            return (screen, step, getattr(screen, "answer", None))

        async def settle(before: tuple[Any, ...] | None = None) -> None:
            """Let the app process everything the last input caused (no wall-clock sleeps:
            Pilot.press adds ~40 ms of idle waiting per key, which is not kiosk work)."""
            for _ in range(500):
                await pilot._wait_for_screen()
                now = state()
                if before is None or now != before:
                    await pilot._wait_for_screen()  # a new screen's mount and focus
                    if state() == now:
                        return
                await asyncio.sleep(0)
            raise RuntimeError(f"the app did not settle: {state()}")

        async def press(*keys: str, moves: bool = False) -> None:
            """Keys as the terminal sends them; `moves`: the last one changes screen or step."""
            for i, key in enumerate(keys):
                before = state()
                char = key if len(key) == 1 else (" " if key == "space" else None)
                driver.send_message(events.Key(key, char))
                await settle(before if moves and i == len(keys) - 1 else None)

        async def later(seconds: float) -> None:
            clock.t += seconds
            app.tick()
            await settle()

        def value_for(step: Any, nps: int) -> Any:
            if step.key == "nps":
                return nps
            if step.key == "nps_reason":
                return "too slow"
            if step.key == "csat":
                return rng.randint(1, 5)
            if step.key == "ces":
                return rng.randint(1, 7)
            return rng.choice(step.options).stored  # visit

        async def direct(nps: int, walk_away: bool) -> int:
            """What the Next button does, step by step; returns the answers given."""
            screen = app.screen
            assert isinstance(screen, KioskWelcomeScreen)
            screen.start()
            await settle()
            given = 0
            while app.phase == "survey":
                screen = app.screen
                assert isinstance(screen, QuestionsScreen)
                step = screen.run.current
                assert step is not None
                if walk_away and step.key == "csat":
                    await later(kiosk.idle_reset_s + 1)
                    break
                clock.t += 2
                assert screen.run.submit(value_for(step, nps)) is None
                given += 1
                if screen.run.finished:
                    screen.dismiss(True)
                else:
                    await screen.show_step()
                await settle()
            return given

        async def keyed(nps: int, walk_away: bool) -> int:
            await press("space", moves=True)  # any key on the welcome screen
            assert app.phase == "survey"
            clock.t += 2
            await press(*str(nps), "enter", moves=True)
            given = 1
            if nps <= 6:
                await press(*"too slow", "enter", moves=True)
                given += 1
            if walk_away:
                await later(kiosk.idle_reset_s + 1)
                return given
            await press(str(rng.randint(1, 5)), "enter", moves=True)
            await press(str(rng.randint(1, 7)), "enter", moves=True)
            await press(str(rng.randint(1, 4)), "enter", moves=True)
            return given + 3

        await later(1)
        for i in range(n):
            t0 = time.perf_counter()
            nps = rng.randint(0, 10)
            walk_away = i % 10 == 9
            by_keys = i % keys_every == 0
            out.answers += await (keyed if by_keys else direct)(nps, walk_away)
            if walk_away:
                assert app.phase == "welcome", f"session {i}: no idle reset"
                out.abandoned += 1
            else:
                assert app.phase == "thanks", f"session {i}: not finished"
                out.completed += 1
                await later(kiosk.thank_you_s)
            if i % 50 == 49:  # staff open the PIN screen, type two digits, close it
                await press("ctrl+q", moves=True)
                await press("1", "2")
                await press("escape", moves=True)
            await later(1)  # past the welcome screen's arming delay
            assert app.phase == "welcome", f"session {i}: not back to welcome"
            out.times.append((time.perf_counter() - t0) * 1000)
            out.keyed.append(by_keys)
            if i % 100 == 99:
                gc.collect()
            out.rss.append(rss_mb())
            if (i + 1) % PRINT_EVERY == 0:
                recent = out.times[-PRINT_EVERY:]
                print(
                    f"  {i + 1:>5} sessions  RSS {out.rss[-1]:6.1f} MB  "
                    f"{statistics.mean(recent):6.1f} ms/session (last {len(recent)})",
                    flush=True,
                )
        await app.run_action("app.quit")  # a kiosk answers quit with the PIN screen
        assert app.is_running
    out.written = writer.written
    assert writer.healthy
    writer.close_store()
    return out


def slope(values: list[float]) -> float:
    """Least-squares slope of values against their index (per session)."""
    n = len(values)
    mx = (n - 1) / 2
    my = statistics.fmean(values)
    num = sum((i - mx) * (v - my) for i, v in enumerate(values))
    den = sum((i - mx) ** 2 for i in range(n))
    return num / den if den else 0.0


def check_database(db: Path, result: Soak) -> str:
    conn = sqlite3.connect(db)
    try:
        by_status = dict(conn.execute("SELECT status, COUNT(*) FROM sessions GROUP BY status"))
        answers = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    finally:
        conn.close()
    expected = {"completed": result.completed, "abandoned": result.abandoned}
    assert by_status == expected, (by_status, expected)
    assert answers == result.answers, (answers, result.answers)
    return f"{by_status.get('completed', 0)} completed + {by_status.get('abandoned', 0)} abandoned sessions, {answers} answers"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument(
        "--window", type=int, default=500, help="sessions compared at start and end"
    )
    parser.add_argument(
        "--keys-every", type=int, default=5, help="every Nth session by key presses"
    )
    parser.add_argument(
        "--db", type=Path, default=None, help="SQLite file (default: a temporary one)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    window = min(args.window, max(1, args.sessions // 2))
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "soak.db"
        print(f"kiosk soak: {args.sessions} sessions of {SURVEY.name} into {db}", flush=True)
        start_rss = rss_mb()
        t0 = time.perf_counter()
        result = asyncio.run(soak(args.sessions, db, args.seed, args.keys_every))
        total = time.perf_counter() - t0
        in_db = check_database(db, result)
        size_mb = db.stat().st_size / 2**20

    times, rss = result.times, result.rss
    first, last = times[:window], times[-window:]
    kfirst = [t for t, k in zip(times[:window], result.keyed[:window], strict=True) if k]
    klast = [t for t, k in zip(times[-window:], result.keyed[-window:], strict=True) if k]
    growth = rss[-1] - rss[window - 1]
    trend = slope(times[window:]) * 1000 if len(times) > 2 * window else slope(times) * 1000
    print()
    print(
        f"sessions      {args.sessions} ({result.completed} completed, {result.abandoned} abandoned "
        f"by idle reset; every {args.keys_every}th by keys), {result.written} writes"
    )
    print(f"database      {in_db}: all there; {size_mb:.1f} MB")
    print(f"total         {total:.0f} s; RSS before the app {start_rss:.1f} MB")
    print(
        f"first {window:<7} RSS {rss[window - 1]:6.1f} MB at its end; "
        f"{statistics.mean(first):6.1f} ms/session (median {statistics.median(first):.1f}; "
        f"by keys {statistics.mean(kfirst):.1f})"
    )
    print(
        f"last {window:<8} RSS {rss[-1]:6.1f} MB at its end; "
        f"{statistics.mean(last):6.1f} ms/session (median {statistics.median(last):.1f}; "
        f"by keys {statistics.mean(klast):.1f})"
    )
    print(
        f"RSS growth    {growth:+.1f} MB (end of the first {window} → end of the run; "
        f"{rss[0]:.1f} MB after session 1)"
    )
    print(
        f"time trend    {trend:+.2f} ms/session per 1,000 sessions (linear fit after the first "
        f"{window}); last/first median {statistics.median(last) / statistics.median(first):.2f}"
    )
    ok_rss = growth < 20
    ok_time = statistics.median(last) <= statistics.median(first) * 1.15
    print(
        f"targets       RSS growth < 20 MB: {'ok' if ok_rss else 'FAILED'}; no upward trend "
        f"(last median within 15% of first): {'ok' if ok_time else 'FAILED'}"
    )
    return 0 if ok_rss and ok_time else 1


if __name__ == "__main__":
    raise SystemExit(main())
