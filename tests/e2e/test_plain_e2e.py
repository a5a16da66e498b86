"""`surveykit run` in a real terminal whose TERM is `dumb`: the plain mode is chosen
by itself, and a participant answers the whole survey line by line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from terminal import Terminal, require_tmux  # tests/ is on pytest's pythonpath

from surveykit.storage.store import Store
from surveykit.vocabulary import Status

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FEEDBACK = str(REPO / "surveys" / "store-feedback.yaml")


def answer(term: Terminal, prompt: str, typed: str) -> None:
    term.wait_for(prompt)
    if typed:
        term.type(typed)
    term.send("Enter")


def test_term_dumb_answers_the_whole_survey_line_by_line(tmp_path: Path) -> None:
    require_tmux()
    db = tmp_path / "x.db"
    command = [sys.executable, "-m", "surveykit", "run", FEEDBACK, "--db", str(db), "-p", "P3"]
    with Terminal(command, width=80, height=24, env={"TERM": "dumb"}) as term:
        answer(term, "Press Enter to start.", "")
        answer(term, "Question 1 of 4.", "3")
        answer(term, "Your answer: 3.", "")
        answer(term, "You chose 3. What is the main reason", "Too few chairs")
        answer(term, "Your answer: Too few chairs.", "")
        answer(term, "Question 3 of 5.", "5")
        answer(term, "Your answer: 5, Very satisfied.", "")
        answer(term, "Type na for Not applicable.", "na")
        answer(term, "Your answer: Not applicable.", "")
        screen = term.wait_for("Question 5 of 5.")
        assert "Other (please say)" in screen
        answer(term, "Type the number of your choice.", "5")
        answer(term, "please say what:", "A reading")
        answer(term, "Your answer: A reading.", "")
        term.wait_for("Thank you! Your answers help us improve.")
        assert term.wait_exit(15) == 0
    with Store(str(db)) as store:
        (session,) = store.sessions("store-feedback", participant="P3")
        assert session.status == Status.COMPLETED
        answers = {k: (a.value, a.is_na) for k, a in store.answers(session.id).items()}
    assert answers == {
        ("", "nps"): (3, False),
        ("", "nps_reason"): ("Too few chairs", False),
        ("", "csat"): (5, False),
        ("", "ces"): (None, True),
        ("", "visit"): ({"other": "A reading"}, False),
    }
