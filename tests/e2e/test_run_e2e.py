"""`surveykit run` in a real terminal (tmux): the whole store-feedback survey by keys and mouse."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from terminal import Terminal  # tests/ is on pytest's pythonpath

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FEEDBACK = "surveys/store-feedback.yaml"


def run_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "surveykit", "run", FEEDBACK, "--db", str(db), *args]


def read(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def answers(db: Path) -> dict[str, object]:
    return {
        r["question_id"]: ("N/A" if r["is_na"] else json.loads(r["value_json"]))
        for r in read(db, "SELECT * FROM answers ORDER BY rowid")
    }


def click(term: Terminal, x: int, y: int) -> None:
    """A left click at 0-based column x, row y, as an xterm SGR mouse report."""
    term.type(f"\x1b[<0;{x + 1};{y + 1}M\x1b[<0;{x + 1};{y + 1}m")


def find(screen: str, text: str) -> tuple[int, int]:
    """(column, row) of `text` on the screen."""
    for row, line in enumerate(screen.split("\n")):
        col = line.find(text)
        if col >= 0:
            return col, row
    raise AssertionError(f"{text!r} not on screen:\n{screen}")


def test_whole_survey_by_keyboard_at_80x24(tmp_path) -> None:
    db = tmp_path / "surveykit.db"
    with Terminal(run_command(db, "--participant", "E1", "--device", "tmux"), cwd=REPO) as term:
        screen = term.wait_for("Start →")
        assert "Four quick questions, under a minute." in screen
        term.send("Enter")
        term.wait_for("How likely are you to recommend Corner Books")
        term.send("1", "0")  # NPS 10 from the keyboard
        screen = term.wait_for("Your answer: 10 · Extremely likely")
        assert "Not at all likely" in screen and "Question 1 of 4" in screen
        term.send("Enter")
        term.wait_for("How satisfied were you")
        term.send("Right", "Right", "Right", "Right")  # first arrow chooses 1, then 2, 3, 4
        term.wait_for("Your answer: 4 · Satisfied")
        term.send("Enter")
        term.wait_for("made it easy for me")
        term.send("End", "Right")  # past 7: Not applicable
        term.wait_for("Your answer: Not applicable")
        term.send("Enter")
        screen = term.wait_for("What brought you in today?")
        assert "5 ( ) Other (please say)" in screen
        term.send("5")
        term.wait_for("5 (●) Other (please say)")
        term.type("A reading group")  # typing goes straight into Other's field
        term.wait_for("A reading group")
        term.send("Enter")
        term.wait_for("Thank you! Your answers help us improve.")
        rows = read(db, "SELECT status FROM sessions")
        assert [r["status"] for r in rows] == ["completed"]  # before the last screen is closed
        term.send("Enter")
        assert term.wait_exit() == 0
        assert "session 1 completed, 4 answers saved" in term.screen()
    assert answers(db) == {
        "nps": 10,
        "csat": 4,
        "ces": "N/A",
        "visit": {"other": "A reading group"},
    }
    session = read(db, "SELECT * FROM sessions")[0]
    assert (session["mode"], session["participant"], session["device"]) == ("run", "E1", "tmux")
    for row in read(db, "SELECT * FROM answers"):
        assert row["shown_at"] <= row["answered_at"]
        assert row["response_ms"] > 0
        assert row["shown_at"].endswith("Z") and len(row["shown_at"]) == 24
    shown = [r["question_id"] for r in read(db, "SELECT * FROM events WHERE kind = 'shown'")]
    assert shown == ["nps", "csat", "ces", "visit"]


def test_mouse_answers_and_back_at_80x24(tmp_path) -> None:
    db = tmp_path / "surveykit.db"
    with Terminal(run_command(db), cwd=REPO) as term:
        screen = term.wait_for("Start →")
        click(term, *find(screen, "Start →"))
        screen = term.wait_for("How likely are you to recommend")
        x, y = find(screen, "│ 3 │")
        click(term, x + 2, y)
        screen = term.wait_for("Your answer: 3")
        click(term, *find(screen, "Next →"))
        screen = term.wait_for("You chose 3. What is the main reason")  # skip logic and piping
        term.type("Too noisy")
        term.send("Enter")
        screen = term.wait_for("How satisfied were you")
        click(term, *find(screen, "← Back"))
        screen = term.wait_for("Too noisy")
        time.sleep(0.4)  # a button ignores clicks while it shows that it was pressed (0.2 s)
        click(term, *find(screen, "← Back"))
        screen = term.wait_for("Your answer: 3")
        x, y = find(screen, "│ 9 │")
        click(term, x + 2, y)
        term.wait_for("Your answer: 9")
        term.send("Enter")
        screen = term.wait_for("How satisfied were you")  # 9: no reason asked
        x, y = find(screen, "│      5     │")
        click(term, x + 5, y)
        term.wait_for("Your answer: 5")
        term.send("C-q")
        screen = term.wait_for("Leave the survey?")
        _, row = find(screen, "Stay")
        click(term, screen.split("\n")[row].find("Leave") + 1, row)
        assert term.wait_exit() == 0
        assert "left before the end ('abandoned')" in term.screen()
    assert answers(db) == {"nps": 9}
    assert read(db, "SELECT status FROM sessions")[0]["status"] == "abandoned"
    cleared = read(db, "SELECT * FROM events WHERE kind = 'cleared'")
    assert [r["question_id"] for r in cleared] == ["nps_reason"]
    changed = read(db, "SELECT * FROM events WHERE kind = 'changed'")
    assert json.loads(changed[0]["data_json"])["from"]["value"] == 3


def test_larger_terminal_and_sigterm(tmp_path) -> None:
    db = tmp_path / "surveykit.db"
    with Terminal(run_command(db, "--participant", "E3"), width=120, height=40, cwd=REPO) as term:
        term.wait_for("Start →")
        term.send("Enter")
        screen = term.wait_for("How likely are you to recommend")
        # taller boxes on a tall terminal: the number sits in the middle of five rows
        lines = screen.split("\n")
        _, y = find(screen, "│   7   │")
        assert "│       │" in lines[y - 1] and "│       │" in lines[y + 1]
        term.send("7", "Enter")
        term.wait_for("How satisfied were you")
        term.kill(signal.SIGTERM)
        assert term.wait_exit() == 128 + signal.SIGTERM
        assert "interrupted" in term.screen() and "--participant E3" in term.screen()
    assert answers(db) == {"nps": 7}
    assert read(db, "SELECT status FROM sessions")[0]["status"] == "interrupted"


def test_bad_file_exits_1_before_any_screen(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("surveykit: 1\nid: x\ntitle: X\nquestions:\n  - {id: a, type: nsp}\n")
    command = [sys.executable, "-m", "surveykit", "run", str(bad), "--db", str(tmp_path / "x.db")]
    with Terminal(command, cwd=REPO) as term:
        started = time.monotonic()
        assert term.wait_exit() == 1
        screen = term.screen()
        assert f"{bad}:5:" in screen and "did you mean 'nps'" in screen
        assert time.monotonic() - started < 10
    assert not (tmp_path / "x.db").exists()
