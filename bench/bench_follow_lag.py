"""How fast a participant screen follows the console, and what an idle one costs.

Two processes on one SQLite file (WAL): the console makes N actions through
`StudySession` (start, error, hint, note, pause/resume, end, next…), noting
the monotonic time each was committed; the participant screen's
`ParticipantLink` polls as the app does (every `POLL_S`) and notes when it
saw each event, after rebuilding the session and its view. The monotonic
clock is shared by the processes of one machine, so the two times compare.
Then the idle cost: CPU seconds used by a participant link and an observer
link polling for `--idle` seconds while nothing happens.

    python bench/bench_follow_lag.py            # 200 actions, 10 s idle
    python bench/bench_follow_lag.py --actions 500 --idle 30
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveykit.definition.loader import load
from surveykit.session.participants import open_study
from surveykit.session.team import POLL_S, ConsoleLink, ObserverLink, ParticipantLink
from surveykit.storage.store import Store

STUDY = """\
surveykit: 1
id: lag-study
title: Lag study
tasks:
  order: fixed
  after_each: []
  items:
{items}
"""


def follower(db: str, session_id: int, stop: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    seen: list[tuple[int, float]] = []
    with Store(db) as store:
        link = ParticipantLink(store, session_id)
        out.put("ready")
        while time.monotonic() < stop:
            if link.poll():
                link.view()
                seen.append((link.cursor, time.monotonic()))
            time.sleep(POLL_S)
        link.leave()
    out.put(seen)


def idle(db: str, session_id: int, seconds: float, role: str, out: mp.Queue) -> None:  # type: ignore[type-arg]
    with Store(db) as store:
        link = (ParticipantLink if role == "participant" else ObserverLink)(store, session_id)
        cpu0, t0 = time.process_time(), time.monotonic()
        while time.monotonic() - t0 < seconds:
            if link.poll() and isinstance(link, ParticipantLink):
                link.view()
            time.sleep(POLL_S)
        out.put((role, (time.process_time() - cpu0) / (time.monotonic() - t0)))
        link.leave()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actions", type=int, default=200)
    ap.add_argument("--idle", type=float, default=10.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    tasks = max(2, args.actions // 6 + 2)
    items = "\n".join(f"    - {{id: t{i}, title: Task {i}, prompt: Do {i}.}}" for i in range(tasks))
    (tmp / "lag.yaml").write_text(STUDY.format(items=items))
    definition = load(tmp / "lag.yaml")
    db = str(tmp / "lag.db")
    ctx = mp.get_context("spawn")
    with Store(db) as store:
        study, _ = open_study(store, definition, "P1")
        ConsoleLink(store, study)
        q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        run_for = 3.0 + args.actions * 0.06
        proc = ctx.Process(target=follower, args=(db, study.session_id, time.monotonic() + run_for, q))
        proc.start()
        assert q.get(timeout=30) == "ready"
        done: list[tuple[int, float]] = []
        steps = ["start", "error", "hint", "note", "pause", "end"]
        i = 0
        while len(done) < args.actions:
            step = steps[i % len(steps)]
            i += 1
            if step == "start":
                study.start()
            elif step == "error":
                study.error("x")
            elif step == "hint":
                study.hint()
            elif step == "note":
                study.note("lag #bench")
            elif step == "pause":
                study.toggle_pause()
            else:
                study.end("success")
                study.next()
            done.append((store.last_event_id(study.session_id), time.monotonic()))
            time.sleep(0.05)  # a moderator is never faster than this
        seen = q.get(timeout=run_for + 30)
        proc.join(30)
        lags = []
        for event_id, at in done:
            when = next((t for cursor, t in seen if cursor >= event_id), None)
            if when is not None:
                lags.append((when - at) * 1000)
        lags.sort()
        p50 = statistics.median(lags)
        p99 = lags[min(len(lags) - 1, round(0.99 * (len(lags) - 1)))]
        print(f"console action → participant screen saw it: n={len(lags)}/{len(done)} "
              f"p50={p50:.0f} ms p99={p99:.0f} ms max={max(lags):.0f} ms (poll every {POLL_S * 1000:.0f} ms)")

        procs = [ctx.Process(target=idle, args=(db, study.session_id, args.idle, role, q))
                 for role in ("participant", "observer")]
        for p in procs:
            p.start()
        for _ in procs:
            role, share = q.get(timeout=args.idle + 60)
            print(f"idle {role} link: {share * 100:.2f}% of a core")
        for p in procs:
            p.join(30)


if __name__ == "__main__":
    main()
