"""SIGKILL `surveykit run` mid-survey: nothing confirmed is lost, and the session can be finished."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from terminal import Terminal  # tests/ is on pytest's pythonpath

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SURVEY = "surveys/post-support.yaml"


def read(db: Path, sql: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def answers(db: Path) -> dict[str, object]:
    return {
        r["question_id"]: ("N/A" if r["is_na"] else json.loads(r["value_json"]))
        for r in read(db, "SELECT * FROM answers ORDER BY rowid")
    }


def start(db: Path) -> Terminal:
    command = [
        sys.executable,
        "-m",
        "surveykit",
        "run",
        SURVEY,
        "--db",
        str(db),
        "--participant",
        "K1",
    ]
    return Terminal(command, cwd=REPO).__enter__()


def test_sigkill_mid_survey_then_resume_and_finish(tmp_path) -> None:
    db = tmp_path / "surveykit.db"

    # 1. answer two questions, choose a third without confirming it, then SIGKILL
    term = start(db)
    try:
        term.wait_for("Start →")
        term.send("Enter")
        term.wait_for("Was your issue resolved?")
        term.send("2", "Enter")  # Partly
        term.wait_for("How satisfied are you with the support")
        term.send("4", "Enter")
        term.wait_for("made it easy for me to handle my issue")  # csat is confirmed
        term.send("6")
        term.wait_for("Your answer: 6")  # chosen, not confirmed
        term.kill(signal.SIGKILL)
        assert term.wait_exit() == -signal.SIGKILL
    finally:
        term.close()
    assert answers(db) == {"resolved": "partly", "csat": 4}
    (session,) = read(db, "SELECT * FROM sessions")
    assert session["status"] == "in_progress" and session["ended_at"] is None

    # 2. start again: continue, answer one more, SIGKILL right after it was confirmed
    term = start(db)
    try:
        screen = term.wait_for("unfinished session")
        assert "K1 has an unfinished session (#1)" in " ".join(screen.split())
        term.send("Enter")  # Continue
        screen = term.wait_for("made it easy for me to handle my issue")
        assert "No answer chosen yet" in screen  # unconfirmed choices are not kept
        term.send("PageUp")
        term.wait_for("Your answer: 4 · Satisfied")  # confirmed answers are in place
        term.send("PageDown")
        term.wait_for("made it easy for me to handle my issue")
        term.send("7", "Enter")
        term.wait_for("How many times did you contact us")
        term.kill(signal.SIGKILL)
        assert term.wait_exit() == -signal.SIGKILL
    finally:
        term.close()
    assert answers(db) == {"resolved": "partly", "csat": 4, "ces": 7}

    # 3. start again and finish
    term = start(db)
    try:
        term.wait_for("unfinished session")
        term.send("Enter")
        term.wait_for("How many times did you contact us")
        term.type("3")
        term.send("Enter")
        term.wait_for("Which channels did you use?")
        term.send("1", "2", "Enter")
        screen = term.wait_for("What is still missing?")
        assert "You said 'Partly'." in screen  # piping from before the crashes
        term.type("A refund")
        term.send("C-n")
        term.wait_for("How would you rate the person who helped you?")
        term.send("1", "0")
        term.wait_for("Your answer: 10 · Excellent")
        term.send("Enter")
        term.wait_for("A person reads every answer.")
        term.send("Enter")
        assert term.wait_exit() == 0
    finally:
        term.close()

    assert answers(db) == {
        "resolved": "partly",
        "csat": 4,
        "ces": 7,
        "contacts": 3,
        "channels": ["Email", "Chat"],
        "unresolved_why": "A refund",
        "agent_rating": 10,
    }
    sessions = read(db, "SELECT * FROM sessions")
    assert len(sessions) == 1 and sessions[0]["status"] == "completed"
    kinds = [r["kind"] for r in read(db, "SELECT kind FROM events ORDER BY id")]
    assert kinds.count("resume") == 2 and kinds.count("session_start") == 1
    # elapsed time continues across the crashes and never goes backwards
    elapsed = [r["elapsed_ms"] for r in read(db, "SELECT elapsed_ms FROM events ORDER BY id")]
    assert elapsed == sorted(elapsed)
