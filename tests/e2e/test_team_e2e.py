"""Real terminals on one database file (tmux): the moderator console, the
participant screen and an observer. The participant answers the SEQ on their
own screen after the moderator ends a task; the observer's tagged note shows on
the console; the participant screen killed mid-SEQ and started again continues
at the same question."""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import pytest
from terminal import Terminal, require_tmux  # tests/ is on pytest's pythonpath

from surveykit.storage.store import Store

pytestmark = pytest.mark.e2e

STUDY = """\
surveykit: 1
id: team-e2e
title: Team study
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
  - {id: overall, type: csat}
outro: Thank you, that is all.
"""


def surveykit(tmp_path: Path, *args: str, width: int = 80) -> Terminal:
    cmd = [sys.executable, "-m", "surveykit", *args, "--db", str(tmp_path / "team.db")]
    return Terminal(cmd, width=width, height=24, cwd=tmp_path)


def test_console_and_participant_screen_in_two_terminals(tmp_path: Path) -> None:
    require_tmux()
    (tmp_path / "study.yaml").write_text(STUDY)
    study = str(tmp_path / "study.yaml")
    with surveykit(tmp_path, "moderate", study, "--participant", "P1", width=80) as console:
        # no participant screen yet: the console asks the opening questions itself
        console.wait_for("Question 1 of 1")
        console.send("Enter")
        screen = console.wait_for("Task 1 of 2")
        found = re.search(r"join ([A-Z0-9]{4})", screen)
        assert found, screen
        code = found.group(1)

        with surveykit(tmp_path, "participant", "--code", code) as participant, \
                surveykit(tmp_path, "observe", study, "-p", "P1", "--as", "Dana",
                          width=100) as observer:
            participant.wait_for("Please wait")
            observer.wait_for("observing as Dana")
            console.wait_for("participant: waiting")
            console.send("s")
            shown = participant.wait_for("Find a blue teapot.")
            assert "Teapot page open" not in shown  # the success criterion is the moderator's
            assert "RUNNING" not in shown and "navigation" not in shown
            observer.wait_for("RUNNING")
            observer.send("n")
            observer.wait_for("What happened?")
            observer.type("Missed the search box #nav")
            observer.send("Enter")
            observer.wait_for("tags: #nav")
            console.wait_for("note (Dana): Missed")  # the observer's note on the console
            console.send("y")
            console.wait_for("Outcome SUCCESS")
            console.send("Enter")
            participant.wait_for("how difficult or easy")
            console.wait_for("answering SEQ for task 1")
            participant.send("5")
            participant.send("Enter")
            console.wait_for("Task 2 of 2")
            participant.wait_for("Please wait")
            console.send("s")
            participant.wait_for("SPRING10")
            console.send("p")
            console.wait_for("Outcome PARTIAL")
            console.send("Enter")
            participant.wait_for("how difficult or easy")
            participant.send("2")  # chosen, not yet submitted: the screen dies
            participant.kill(signal.SIGKILL)
            participant.wait_exit()

        # the console says the participant screen is gone; a new one continues the SEQ
        with surveykit(tmp_path, "participant", "--participant", "P1") as participant:
            participant.wait_for("how difficult or easy")
            participant.send("3")
            participant.send("Enter")
            participant.wait_for("how satisfied")
            console.wait_for("answering CSAT")
            participant.send("4")
            participant.send("Enter")
            participant.wait_for("Thank you, that is all.")
            console.wait_for("Everything is saved")
            participant.send("C-q")
            assert participant.wait_exit() == 0
        console.send("q")
        assert console.wait_exit() == 0

    with Store(tmp_path / "team.db") as store:
        (session,) = store.sessions("team-e2e")
        assert (session.participant, session.status) == ("P1", "completed")
        answers = store.answers(session.id)
        assert answers[("search", "seq")].value == 5
        assert answers[("coupon", "seq")].value == 3
        assert answers[("", "overall")].value == 4
        events = store.events(session.id)
        claims = [(e["data"]["key"], e["data"]["by"]) for e in events if e["kind"] == "block_claim"]
        assert claims == [
            ("after_each:search", "participant"),
            ("after_each:coupon", "participant"),
            ("after", "participant"),
        ]
        joins = sorted((e["data"]["role"], e["data"]["name"] or "") for e in events
                       if e["kind"] == "screen_join")
        assert joins == [("observer", "Dana"), ("participant", ""), ("participant", "")]
        (note,) = [e for e in events if e["kind"] == "note"]
        assert note["task_id"] == "search" and note["data"]["by"] == "Dana"
        assert note["data"]["tags"] == ["nav"] and note["data"]["task_ms"] >= 0
        shown_seq = [e for e in events if e["kind"] == "shown" and e["task_id"] == "coupon"]
        assert len(shown_seq) == 2  # shown before the crash, and again after the rejoin


def test_the_console_crashes_while_the_participant_answers(tmp_path: Path) -> None:
    require_tmux()
    (tmp_path / "study.yaml").write_text(STUDY)
    study = str(tmp_path / "study.yaml")
    moderate = ("moderate", study, "--participant", "P2")
    with surveykit(tmp_path, *moderate, width=80) as console:
        console.wait_for("Question 1 of 1")
        console.send("Enter")
        console.wait_for("Task 1 of 2")
        with surveykit(tmp_path, "participant", "-p", "P2") as participant:
            participant.wait_for("Please wait")
            console.wait_for("participant: waiting")
            console.send("s")
            participant.wait_for("Find a blue teapot.")
            console.send("f")
            console.wait_for("Outcome FAIL")
            console.send("Enter")
            participant.wait_for("how difficult or easy")
            console.kill(signal.SIGKILL)  # the moderator's laptop dies
            console.wait_exit()
            participant.send("6")  # the participant answers on: it is saved all the same
            participant.send("Enter")
            participant.wait_for("Please wait")
            with surveykit(tmp_path, *moderate, width=80) as again:
                again.wait_for("Task 2 of 2")  # the SEQ was answered while it was away
                again.wait_for("participant: waiting")
                again.send("s")
                participant.wait_for("SPRING10")
                again.send("C-q")
                again.wait_for("Close the console?")
                again.send("y")
                assert again.wait_exit() == 0
            participant.wait_for("The session is paused")
    with Store(tmp_path / "team.db") as store:
        (session,) = store.sessions("team-e2e")
        assert session.status == "interrupted"
        assert store.answers(session.id)[("search", "seq")].value == 6
        events = store.events(session.id)
        elapsed = [e["elapsed_ms"] for e in events]
        assert elapsed == sorted(elapsed)  # one session clock, whichever screen logged
