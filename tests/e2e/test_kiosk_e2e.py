"""`surveykit kiosk` in a real terminal (tmux, 80x24): every escape key, signals, the PIN,
and a database locked by another program, checked in the database afterwards."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from terminal import Terminal, require_tmux  # tests/ is on pytest's pythonpath

from surveykit.session.kiosk import pin_sha256

pytestmark = pytest.mark.e2e

PIN = "2468"
SURVEY = f"""\
surveykit: 1
id: e2e-kiosk
title: How was your visit?
intro: Two quick questions.
outro: Thank you!
questions:
  - {{id: nps, type: nps, text: How likely are you to recommend us?}}
  - {{id: csat, type: csat, text: How satisfied were you today?}}
kiosk:
  idle_reset_s: 300
  thank_you_s: 2
  exit_pin_sha256: {pin_sha256(PIN)}
"""
WELCOME = "Tap or press any key to start"
NPS = "How likely are you to recommend us?"
CSAT = "How satisfied were you today?"
ESCAPE_KEYS = ["C-c", "C-z", "C-\\", "C-p", *[f"F{n}" for n in range(1, 13)]]
# Settings a staff member's shell might carry that would open a way out if honoured:
# ctrl+c as SIGINT, devtools/debug, a screenshot-and-exit timer.
HOSTILE_ENV = {"TEXTUAL_ALLOW_SIGNALS": "1", "TEXTUAL": "devtools,debug", "TEXTUAL_SCREENSHOT": "2"}


def kiosk(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    (tmp_path / "kiosk.yaml").write_text(textwrap.dedent(SURVEY))
    cmd = [sys.executable, "-m", "surveykit", "kiosk", str(tmp_path / "kiosk.yaml")]
    cmd += ["--db", str(tmp_path / "kiosk.db"), "--device", "till-1", *extra]
    return Terminal(cmd, width=80, height=24, cwd=tmp_path, env=env or {})


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def answers(db: Path, sid: int) -> dict[str, Any]:
    return {
        r["question_id"]: json.loads(r["value_json"])
        for r in rows(db, "SELECT * FROM answers WHERE session_id = ?", sid)
    }


def start_survey(term: Any, key: str = "Enter") -> None:
    term.wait_for(WELCOME)
    time.sleep(0.8)  # the welcome screen ignores input for its first 0.6 s
    term.send(key)
    term.wait_for(NPS)


def escape_everything(term: Any, expect: str) -> None:
    """Send every escape key; the kiosk must still run and show `expect`."""
    for key in ESCAPE_KEYS:
        term.send(key)
        time.sleep(0.15)
    term.send("Escape")  # alone, then wait (Textual's ESC delay)
    time.sleep(0.3)
    term.send("C-q")
    term.wait_for("Staff: enter the PIN")
    term.send("Escape")
    term.wait_gone("Staff: enter the PIN")
    time.sleep(0.3)
    assert term.alive
    screen = term.screen()
    assert expect in screen, screen


def test_no_key_leaves_and_sigterm_saves_the_session(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    with kiosk(tmp_path, env=HOSTILE_ENV) as term:
        term.wait_for(WELCOME)
        escape_everything(term, WELCOME)
        assert rows(db, "SELECT * FROM sessions") == []  # none of them started a survey
        time.sleep(2.5)  # TEXTUAL_SCREENSHOT=2 was dropped: no screenshot-and-exit
        assert term.alive and not list(tmp_path.glob("*.svg"))

        term.send("Space")
        term.wait_for(NPS)
        escape_everything(term, NPS)
        term.send("7")
        time.sleep(0.2)
        term.send("Enter")
        term.wait_for(CSAT)
        escape_everything(term, CSAT)
        (s,) = rows(db, "SELECT * FROM sessions")
        assert s["status"] == "in_progress" and s["device"] == "till-1"

        term.kill(signal.SIGTERM)
        assert term.wait_exit(15) == 0
        screen = term.screen()
        assert "stopped by SIGTERM" in screen.replace("\n", "")
    (s,) = rows(db, "SELECT * FROM sessions")
    assert s["status"] == "interrupted" and s["ended_at"]
    assert answers(db, s["id"]) == {"nps": 7}
    exits = rows(db, "SELECT * FROM events WHERE session_id = ? AND kind = 'exit'", s["id"])
    assert json.loads(exits[0]["data_json"]) == {"by": "SIGTERM"}


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT])
def test_sighup_and_sigint_exit_cleanly_with_the_session_saved(tmp_path: Path, sig: int) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    with kiosk(tmp_path) as term:
        start_survey(term)
        term.send("9")
        time.sleep(0.2)
        term.send("Enter")
        term.wait_for(CSAT)
        term.kill(sig)
        assert term.wait_exit(15) == 0
    (s,) = rows(db, "SELECT * FROM sessions")
    assert s["status"] == "interrupted"
    assert answers(db, s["id"]) == {"nps": 9}
    last = rows(db, "SELECT * FROM events WHERE session_id = ? ORDER BY id", s["id"])[-2:]
    assert [(e["kind"], json.loads(e["data_json"])) for e in last] == [
        ("exit", {"by": signal.Signals(sig).name}),
        ("session_end", {"status": "interrupted"}),
    ]


def test_full_loop_then_the_staff_pin(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    with kiosk(tmp_path) as term:
        start_survey(term, "a")
        for key in ("1", "0"):
            term.send(key)
            time.sleep(0.05)
        time.sleep(0.2)
        term.send("Enter")
        term.wait_for(CSAT)
        term.send("5")
        time.sleep(0.2)
        term.send("Enter")
        term.wait_for("Thank you!")
        term.wait_for(WELCOME, timeout=10)  # after thank_you_s
        term.send("C-q")
        term.wait_for("Staff: enter the PIN")
        term.type("1111")
        term.send("Enter")
        term.wait_for("Wrong PIN.")
        term.type(PIN)
        screen = term.wait_for("● ● ● ●")
        assert PIN not in screen
        term.send("Enter")
        assert term.wait_exit(15) == 0
        assert "closed with the staff PIN" in term.screen().replace("\n", "")
    (s,) = rows(db, "SELECT * FROM sessions")
    assert (s["status"], s["mode"], s["device"]) == ("completed", "kiosk", "till-1")
    assert answers(db, s["id"]) == {"nps": 10, "csat": 5}
    assert PIN.encode() not in db.read_bytes()


def test_database_locked_mid_session_shows_staff_banner_and_loses_nothing(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    with kiosk(tmp_path, "--busy-timeout", "0.2") as term:
        start_survey(term)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            term.send("3")
            time.sleep(0.2)
            term.send("Enter")
            term.wait_for(CSAT)  # the person carries on
            screen = term.wait_for("STAFF: answers cannot be saved")
            assert "locked" in screen
            term.send("2")
            time.sleep(0.2)
            term.send("Enter")
            term.wait_for("Thank you!")
            assert term.alive
            (s,) = rows(db, "SELECT * FROM sessions")
            assert s["status"] == "in_progress" and answers(db, s["id"]) == {}
        finally:
            other.execute("ROLLBACK")
            other.close()
        term.wait_for("Saving works again", timeout=20)
        (s,) = rows(db, "SELECT * FROM sessions")
        assert s["status"] == "completed"
        assert answers(db, s["id"]) == {"nps": 3, "csat": 2}
        term.wait_for(WELCOME)
        term.kill(signal.SIGTERM)
        assert term.wait_exit(15) == 0


def test_stopped_while_the_database_is_locked_then_the_next_start_writes_it_all(
    tmp_path: Path,
) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    other = sqlite3.connect(db, isolation_level=None, timeout=10)
    with kiosk(tmp_path, "--busy-timeout", "0.2") as term:
        start_survey(term)
        other.execute("BEGIN IMMEDIATE")
        term.send("8")
        time.sleep(0.2)
        term.send("Enter")
        term.wait_for("STAFF: answers cannot be saved")
        term.kill(signal.SIGTERM)  # the lock is still held: it waits 5 s, then keeps the rest
        assert term.wait_exit(20) == 0
        flat = term.screen().replace("\n", "")
        assert "could not be saved yet" in flat and "surveykit-pending-" in flat
    other.execute("ROLLBACK")
    other.close()
    kept = list(tmp_path.glob("surveykit-pending-*.json"))
    assert len(kept) == 1
    (s,) = rows(db, "SELECT * FROM sessions")
    assert s["status"] == "in_progress" and answers(db, s["id"]) == {}

    with kiosk(tmp_path) as term:
        term.wait_for(WELCOME)
        term.kill(signal.SIGTERM)
        assert term.wait_exit(15) == 0
    assert not kept[0].exists()
    (s,) = rows(db, "SELECT * FROM sessions")
    assert s["status"] == "interrupted"
    assert answers(db, s["id"]) == {"nps": 8}
