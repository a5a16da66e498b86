"""Hostile input in a real terminal (tmux): bytes that are not UTF-8, a paste that never
ends, every ctrl/alt/function key, a tiny terminal. The kiosk must keep running as the
same process with no traceback and the staff PIN still working; `surveykit run` must
carry on with the session.

Bytes go in with `send_bytes` (tmux `send-keys -H`: passed through untouched). The
unit-level versions, without a terminal, are in tests/test_driver.py.
"""

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
from terminal import (  # tests/ is on pytest's pythonpath
    Terminal,
    crash_marks,
    require_tmux,
    send_bytes,
    wait_until,
)

from surveykit.session.kiosk import pin_sha256
from surveykit.tui.driver import PASTE_IDLE_S

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PIN = "2468"
SURVEY = f"""\
surveykit: 1
id: e2e-hostile
title: How was your visit?
intro: Three quick questions.
outro: Thank you!
questions:
  - {{id: nps, type: nps, text: How likely are you to recommend us?}}
  - {{id: csat, type: csat, text: How satisfied were you today?}}
  - {{id: why, type: text, text: Anything else to tell us?, required: false}}
kiosk:
  idle_reset_s: 300
  thank_you_s: 2
  exit_pin_sha256: {pin_sha256(PIN)}
"""
WELCOME = "Tap or press any key to start"
NPS = "How likely are you to recommend us?"
CSAT = "How satisfied were you today?"
WHY = "Anything else to tell us?"
STAFF = "Staff: enter the PIN"
KIOSK_SCREENS = (WELCOME, NPS, CSAT, WHY, "Thank you!", STAFF)

INVALID_UTF8 = [
    b"\xff",  # never valid in UTF-8
    b"\xe9",  # Latin-1 e-acute
    b"caf\xe9",
    b"\xe2\x82",  # a euro sign cut short
    b"\xf0\x9f\x98",  # an emoji cut short
    b"\xc0\xaf",  # overlong "/"
    b"\xed\xa0\x80",  # a UTF-16 surrogate
    b"\xfe\xfe\xff\xff\x80\xbf",
]
PASTE_START = b"\x1b[200~"
CTRL_LETTERS = [f"C-{c}" for c in "abcdefghijklmnopqrstuvwxyz" if c != "q"]  # C-q: staff
ALT_LETTERS = [f"M-{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
FUNCTION_KEYS = [f"F{n}" for n in range(1, 13)]
OTHER_KEYS = ["C-\\", "C-]", "C-^", "C-_", "C-Space", "M-C-c", "M-Enter", "M-Escape", "BTab"]


def kiosk(tmp_path: Path) -> Terminal:
    (tmp_path / "kiosk.yaml").write_text(textwrap.dedent(SURVEY))
    cmd = [sys.executable, "-m", "surveykit", "kiosk", str(tmp_path / "kiosk.yaml")]
    cmd += ["--db", str(tmp_path / "kiosk.db"), "--device", "till-1"]
    return Terminal(cmd, width=80, height=24, cwd=tmp_path)


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def answers(db: Path) -> dict[str, Any]:
    return {
        r["question_id"]: json.loads(r["value_json"])
        for r in rows(db, "SELECT * FROM answers WHERE value_json IS NOT NULL ORDER BY rowid")
    }


def crash_events(db: Path) -> list[str]:
    return [
        r["data_json"]
        for r in rows(db, "SELECT data_json FROM events WHERE kind = 'exit'")
        if "crash" in (r["data_json"] or "")
    ]


def start_survey(term: Terminal) -> None:
    term.wait_for(WELCOME)
    time.sleep(0.8)  # the welcome screen ignores input for its first 0.6 s
    term.send("Enter")
    term.wait_for(NPS)


def assert_healthy(term: Terminal, pid: int | None) -> str:
    """Same process still running, no traceback anywhere, a kiosk screen showing."""
    assert term.alive and term.pid() == pid, "the kiosk exited or was restarted"
    assert crash_marks(term) == []
    screen = term.screen()
    assert any(text in screen for text in KIOSK_SCREENS), screen
    return screen


def staff_exit(term: Terminal) -> None:
    """Open the PIN screen, enter the PIN: the kiosk closes with status 0."""
    term.send("C-q")
    term.wait_for(STAFF)
    term.type(PIN)
    term.wait_for("● ● ● ●")
    term.send("Enter")
    assert term.wait_exit(15) == 0
    assert "closed with the staff PIN" in term.screen().replace("\n", "")


def test_kiosk_takes_invalid_utf8_as_replacement_characters(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    with kiosk(tmp_path) as term:
        term.wait_for(WELCOME)
        pid = term.pid()
        send_bytes(term, b"\xff")  # on the welcome screen's quiet 0.6 s
        time.sleep(0.8)
        send_bytes(term, b"\xe9\xff")  # keys like any other: they start the survey
        term.wait_for(NPS)
        for bad in INVALID_UTF8:
            send_bytes(term, bad)
        send_bytes(term, b"7")
        term.wait_for("Your answer: 7")
        assert_healthy(term, pid)
        term.send("Enter")
        term.wait_for(CSAT)
        send_bytes(term, b"\x80\xe94")
        term.wait_for("Your answer: 4")
        term.send("Enter")
        term.wait_for(WHY)
        send_bytes(term, "Très bien, ".encode() + b"caf\xe9 \xff!")
        term.wait_for("Très bien, caf\ufffd \ufffd!")  # visible, in place of the bad bytes
        assert_healthy(term, pid)
        term.send("Enter")
        term.wait_for("Thank you!")
        term.wait_for(WELCOME, timeout=10)

        term.send("C-q")
        term.wait_for(STAFF)
        for bad in INVALID_UTF8:  # on the PIN screen: not digits, ignored
            send_bytes(term, bad)
        assert_healthy(term, pid)
        term.send("Escape")
        term.wait_gone(STAFF)
        staff_exit(term)
    (s,) = rows(db, "SELECT * FROM sessions")
    assert s["status"] == "completed"
    assert answers(db) == {"nps": 7, "csat": 4, "why": "Très bien, caf\ufffd \ufffd!"}
    assert crash_events(db) == []


def press_until_the_pin_screen(term: Terminal, within: float = 2.0) -> None:
    """Press ctrl+q (again, as staff would if nothing happens) until the PIN screen shows."""

    def pin_screen_open() -> bool:
        if STAFF in term.screen():
            return True
        term.send("C-q")
        return False

    took = wait_until(pin_screen_open, "the PIN screen", timeout=within + 3)
    assert took < within, f"the PIN screen took {took:.1f}s"


def test_an_unterminated_paste_does_not_make_the_kiosk_deaf(tmp_path: Path) -> None:
    require_tmux()
    with kiosk(tmp_path) as term:
        start_survey(term)
        pid = term.pid()
        send_bytes(term, PASTE_START + b"12345 pasted, never ended")
        press_until_the_pin_screen(term)
        assert_healthy(term, pid)
        term.send("Escape")
        term.wait_gone(STAFF)

        send_bytes(term, PASTE_START)  # a bare start on the question screen...
        time.sleep(PASTE_IDLE_S + 0.2)  # ...is over after the paste-idle bound
        send_bytes(term, b"9")
        term.wait_for("Your answer: 9", timeout=2)
        send_bytes(term, PASTE_START + b"\x11")  # a ctrl+q byte inside a paste is text
        press_until_the_pin_screen(term)
        term.type(PIN)
        term.wait_for("● ● ● ●")
        term.send("Enter")
        assert term.wait_exit(15) == 0


def test_no_ctrl_alt_or_function_key_takes_the_kiosk_down(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    with kiosk(tmp_path) as term:
        term.wait_for(WELCOME)
        pid = term.pid()
        for screen_name in ("welcome", "question"):
            if screen_name == "question":
                start_survey_from_anywhere(term)
            for key in CTRL_LETTERS + ALT_LETTERS + FUNCTION_KEYS + OTHER_KEYS:
                term.send(key)
                time.sleep(0.03)
            term.send("C-c", "C-z", "C-\\", "C-p", "C-s")  # once more, back to back
            wait_until(lambda: term.screen() == term.screen(), "a still screen")
            assert_healthy(term, pid)
            assert "Command" not in term.screen()  # no command palette
        assert not list(tmp_path.glob("*.svg"))  # no screenshot
        staff_exit(term)
    assert crash_events(db) == []


def start_survey_from_anywhere(term: Terminal) -> None:
    """Get back to the first question, whatever screen the keys left the kiosk on."""
    deadline = time.monotonic() + 20
    while NPS not in term.screen():
        assert time.monotonic() < deadline, term.screen()
        if WELCOME in term.screen():
            time.sleep(0.8)
            term.send("Enter")
        else:
            term.send("PPage")  # back
        time.sleep(0.3)


def test_kiosk_survives_a_tiny_terminal_and_comes_back(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "kiosk.db"
    with kiosk(tmp_path) as term:
        start_survey(term)
        pid = term.pid()
        before = term.screen()
        term.resize(20, 10)
        wait_until(lambda: term.size == (20, 10) and term.screen() != before, "a 20x10 frame")
        assert term.alive and term.pid() == pid and crash_marks(term) == []
        term.send("5")  # keys still work while tiny
        term.resize(80, 24)
        term.wait_for("Your answer: 5")
        assert_healthy(term, pid)
        term.send("Enter")
        term.wait_for(CSAT)
        staff_exit(term)
    assert answers(db) == {"nps": 5}
    assert crash_events(db) == []


def test_run_takes_invalid_utf8_and_the_session_carries_on(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "run.db"
    cmd = [sys.executable, "-m", "surveykit", "run", "surveys/store-feedback.yaml"]
    cmd += ["--db", str(db), "--participant", "H1"]
    with Terminal(cmd, cwd=REPO) as term:
        term.wait_for("Start →")
        pid = term.pid()
        term.send("Enter")
        term.wait_for("How likely are you to recommend Corner Books")
        for bad in INVALID_UTF8:
            send_bytes(term, bad)
        send_bytes(term, b"3")
        term.wait_for("Your answer: 3")
        term.send("Enter")
        term.wait_for("What is the main reason")
        send_bytes(term, b"Prices \xe9\xff high")
        term.wait_for("Prices \ufffd\ufffd high")
        send_bytes(term, PASTE_START + b" (pasted)")  # never ended: delivered after a pause
        term.wait_for("high (pasted)")
        assert term.alive and term.pid() == pid and crash_marks(term) == []
        term.send("Enter")
        term.wait_for("How satisfied were you")
        term.kill(signal.SIGTERM)
        assert term.wait_exit(15) == 128 + signal.SIGTERM
    assert answers(db) == {"nps": 3, "nps_reason": "Prices \ufffd\ufffd high (pasted)"}
    (s,) = rows(db, "SELECT * FROM sessions")
    assert s["status"] == "interrupted"


STUDY = """\
surveykit: 1
id: e2e-hostile-study
title: Hostile input study
tasks:
  order: fixed
  items:
    - {id: search, title: Search a product, prompt: Find a blue teapot.}
  error_codes: [navigation, form]
"""


def test_moderate_takes_invalid_utf8_and_digits_of_other_scripts(tmp_path: Path) -> None:
    require_tmux()
    (tmp_path / "study.yaml").write_text(STUDY)
    db = tmp_path / "study.db"
    cmd = [sys.executable, "-m", "surveykit", "moderate", str(tmp_path / "study.yaml")]
    cmd += ["--participant", "P1", "--db", str(db)]
    with Terminal(cmd, cwd=tmp_path) as term:
        term.wait_for("Task 1 of 1")
        pid = term.pid()
        for bad in INVALID_UTF8:
            send_bytes(term, bad)
        term.send("s")
        term.wait_for("RUNNING")
        term.send("e")
        term.wait_for("Log an error")
        # "²" and "٣" are digits to str.isdigit(), not to int(); "\xff" is not UTF-8
        send_bytes(term, "²".encode() + b"\xff" + "٣".encode())
        send_bytes(term, b"1")
        term.wait_for("Error 1 (navigation) logged")
        assert term.alive and term.pid() == pid and crash_marks(term) == []
        term.kill(signal.SIGTERM)
        term.wait_exit(15)
    errors = rows(db, "SELECT * FROM events WHERE kind = 'error'")
    assert len(errors) == 1
