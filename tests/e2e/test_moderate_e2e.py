"""A whole moderated two-task session in a real terminal (tmux, 80x24), keys only,
with a crash (SIGKILL) in the middle of the second task and a resume."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest
from terminal import Terminal, require_tmux  # tests/ is on pytest's pythonpath

from surveykit.storage.store import Store

pytestmark = pytest.mark.e2e

STUDY = """\
surveykit: 1
id: e2e-study
title: E2E moderated study
questions:
  - {id: consent, type: note, text: "We are testing the site, not you. Ready?"}
tasks:
  order: fixed
  after_each: [seq]
  items:
    - {id: search, title: Search a product, prompt: Find a blue teapot., success: Teapot page open}
    - {id: coupon, title: Apply a coupon, prompt: Use the code SPRING10., time_limit_s: 120}
  error_codes: [navigation, form]
after:
  - {id: sus, type: sus, product: the shop}
"""

SUS = (4, 2, 5, 1, 4, 2, 4, 2, 5, 1)  # score 85.0


def moderate(tmp_path: Path) -> Terminal:
    cmd = [sys.executable, "-m", "surveykit", "moderate", str(tmp_path / "study.yaml")]
    cmd += ["--participant", "P1", "--db", str(tmp_path / "e2e.db")]
    return Terminal(cmd, width=80, height=24, cwd=tmp_path)


def test_whole_session_keys_only_with_a_crash_and_resume(tmp_path: Path) -> None:
    require_tmux()
    (tmp_path / "study.yaml").write_text(STUDY)

    with moderate(tmp_path) as term:
        term.wait_for("Question 1 of 1")
        term.send("Enter")  # the consent note
        term.wait_for("Task 1 of 2")
        assert "Find a blue teapot." in term.screen()
        started = time.monotonic()
        term.send("s")
        term.wait_for("RUNNING")
        term.send("e")
        term.wait_for("Log an error")
        term.send("1")
        term.wait_for("Error 1 (navigation) logged")
        term.send("h")
        term.wait_for("Hint 1 counted")
        term.send("n")
        term.wait_for("What happened?")
        term.type("Clicked the logo twice")
        term.send("Enter")
        term.wait_for("Note saved")
        term.send("Space")
        term.wait_for("PAUSED")
        time.sleep(2.0)
        term.send("Space")
        term.wait_for("Resumed at")
        term.send("y")
        term.wait_for("Outcome SUCCESS")
        ended = time.monotonic()
        term.send("f")  # correct it before moving on
        term.wait_for("Outcome corrected: success → fail")
        term.send("Enter")
        term.wait_for("how difficult or easy")
        term.send("5")
        term.send("Enter")
        term.wait_for("Task 2 of 2")
        term.send("s")
        term.wait_for("RUNNING")
        time.sleep(0.5)
        term.send("h")
        term.wait_for("Hint 1 counted")
        term.kill(signal.SIGKILL)  # the laptop dies mid-task
        assert term.wait_exit() == -signal.SIGKILL

    with moderate(tmp_path) as term:
        screen = term.wait_for("Apply a coupon was running")
        assert "Task 2 of 2" in screen and "hints 1" in screen
        term.send("h")
        term.wait_for("Hint 2 counted")
        term.send("p")
        term.wait_for("Outcome PARTIAL")
        term.send("Enter")
        term.wait_for("how difficult or easy")
        term.send("3")
        term.send("Enter")
        for n, value in enumerate(SUS, 1):
            term.wait_for(f"Statement {n} of 10")
            term.send(str(value))
            term.send("Enter")
        screen = term.wait_for("SUS score")
        assert "85.0" in screen and "fail" in screen and "partial" in screen
        term.send("q")
        assert term.wait_exit() == 0

    with Store(tmp_path / "e2e.db") as store:
        (session,) = store.sessions("e2e-study")
        assert (session.participant, session.status) == ("P1", "completed")
        assert session.task_order == ["search", "coupon"]
        runs = {r["task_id"]: r for r in store.task_runs(session.id)}
        search, coupon = runs["search"], runs["coupon"]
        assert (search["outcome"], search["errors"], search["hints"]) == ("fail", 1, 1)
        assert (coupon["outcome"], coupon["errors"], coupon["hints"]) == ("partial", 0, 2)
        # the 2 s pause is not in the active time
        wall_ms = (ended - started) * 1000
        assert 300 < search["active_ms"] < wall_ms - 1500
        assert 400 < coupon["active_ms"] < 30_000
        events = store.events(session.id)
        (note,) = [e for e in events if e["kind"] == "note"]
        assert (note["task_id"], note["data"]["text"]) == ("search", "Clicked the logo twice")
        assert note["elapsed_ms"] is not None and note["data"]["task_ms"] >= 0
        (error,) = [e for e in events if e["kind"] == "error"]
        assert error["data"]["code"] == "navigation"
        coupon_kinds = [e["kind"] for e in events if e["task_id"] == "coupon"]
        assert coupon_kinds[:3] == ["task_start", "hint", "hint"]  # nothing lost in the crash
        assert "resume" in [e["kind"] for e in events if e["task_id"] is None]
        answers = store.answers(session.id)
        assert answers[("search", "seq")].value == 5
        assert answers[("coupon", "seq")].value == 3
        assert [answers[("", f"sus.{n}")].value for n in range(1, 11)] == list(SUS)


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_closing_the_terminal_pauses_the_running_task(tmp_path: Path, sig: int) -> None:
    require_tmux()
    (tmp_path / "study.yaml").write_text(STUDY)
    with moderate(tmp_path) as term:
        term.wait_for("Question 1 of 1")
        term.send("Enter")
        term.wait_for("Task 1 of 2")
        term.send("s")
        term.wait_for("RUNNING")
        time.sleep(0.3)
        term.kill(sig)
        term.wait_exit()
    with Store(tmp_path / "e2e.db") as store:
        (session,) = store.sessions("e2e-study")
        assert session.status == "interrupted"  # resumable
        pause = [e for e in store.events(session.id) if e["kind"] == "pause"]
        assert [e["data"]["reason"] for e in pause] == ["console closed"]
        assert pause[0]["data"]["active_ms"] >= 300
