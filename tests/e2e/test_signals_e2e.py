"""One signal policy for every screen, in a real terminal (tmux): SIGINT from outside
(`kill -INT`, a supervisor's ctrl+c), SIGTERM and SIGHUP end `run`, `moderate` and
`kiosk` the same way: the session saved `interrupted` with an `exit` event naming
the signal and a `session_end`, a running task's active time kept, the terminal
restored. Exit status: 128+N for `run` and `moderate`, 0 for the kiosk (a signal is
how its supervisor stops it)."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from terminal import Terminal, require_tmux  # tests/ is on pytest's pythonpath

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FEEDBACK = str(REPO / "surveys" / "store-feedback.yaml")

STUDY = """\
surveykit: 1
id: sig-study
title: Signal study
questions:
  - {id: consent, type: note, text: "Ready?"}
tasks:
  order: fixed
  items:
    - {id: search, title: Search a product, prompt: Find a blue teapot.}
"""


def read(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def ending(db: Path, session_id: int) -> list[tuple[str, object]]:
    """The last two events of a session: (kind, data)."""
    rows = read(db, "SELECT * FROM events WHERE session_id = ? ORDER BY id", session_id)
    return [
        (r["kind"], json.loads(r["data_json"]) if r["data_json"] else None) for r in rows[-2:]
    ]


SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_run_saves_the_session_as_interrupted(tmp_path: Path, sig: int) -> None:
    require_tmux()
    db = tmp_path / "run.db"
    cmd = [sys.executable, "-m", "surveykit", "run", FEEDBACK, "--db", str(db), "-p", "S1"]
    with Terminal(cmd, cwd=REPO) as term:
        term.wait_for("Start →")
        term.send("Enter")
        term.wait_for("How likely are you to recommend")
        term.send("8", "Enter")
        term.wait_for("How satisfied were you")
        term.kill(sig)
        assert term.wait_exit() == 128 + sig
        screen = term.screen().replace("\n", "")
        assert "interrupted" in screen and "stopped unexpectedly" not in screen
        assert "Traceback" not in screen
    (s,) = read(db, "SELECT * FROM sessions")
    assert s["status"] == "interrupted" and s["ended_at"]
    name = signal.Signals(sig).name
    assert ending(db, s["id"]) == [
        ("exit", {"by": name}),
        ("session_end", {"status": "interrupted"}),
    ]
    assert read(db, "SELECT value_json FROM answers")[0][0] == "8"


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_moderate_keeps_the_running_task_time(tmp_path: Path, sig: int) -> None:
    require_tmux()
    (tmp_path / "study.yaml").write_text(STUDY)
    db = tmp_path / "mod.db"
    cmd = [sys.executable, "-m", "surveykit", "moderate", str(tmp_path / "study.yaml")]
    cmd += ["--participant", "P1", "--db", str(db)]
    with Terminal(cmd, width=80, height=24, cwd=tmp_path) as term:
        term.wait_for("Question 1 of 1")
        term.send("Enter")
        term.wait_for("Task 1 of 1")
        term.send("s")
        term.wait_for("RUNNING")
        time.sleep(1.5)
        term.kill(sig)
        assert term.wait_exit() == 128 + sig
        screen = term.screen().replace("\n", "")
        assert "interrupted" in screen and "Traceback" not in screen
    (s,) = read(db, "SELECT * FROM sessions")
    assert s["status"] == "interrupted"
    (run,) = read(db, "SELECT * FROM task_runs")
    assert run["active_ms"] >= 1400, run["active_ms"]  # the time ran is kept, not 0
    pauses = read(db, "SELECT data_json FROM events WHERE kind = 'pause'")
    assert [json.loads(p[0])["reason"] for p in pauses] == ["console closed"]
    assert ending(db, s["id"]) == [
        ("exit", {"by": signal.Signals(sig).name}),
        ("session_end", {"status": "interrupted"}),
    ]
