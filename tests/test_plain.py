"""`surveykit run --plain`: the survey asked line by line, through pipes or a
`TERM=dumb` terminal, storing exactly what the full-screen runner stores."""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from surveykit.definition.loader import load
from surveykit.plain.runner import END_OF_INPUT, PlainRunner
from surveykit.session.run import RunOpener
from surveykit.storage.store import Store
from surveykit.vocabulary import Mode, Status

SURVEY = """\
surveykit: 1
id: plain-check
title: Plain check
intro: A short check.
outro: Thanks.
questions:
  - id: consent
    type: note
    text: Your answers are kept anonymous.
  - id: nps
    type: nps
  - id: reason
    type: text
    text: "You chose {nps}. Why?"
    show_if: nps <= 6
  - id: csat
    type: csat
    na: true
  - id: visit
    type: choice
    text: What brought you in?
    options: [Browsing, {text: A gift, value: gift}]
    other: true
  - id: channels
    type: multi
    text: "After {visit}: how did you hear of us?"
    options: [Email, Radio, Friends]
    min_selected: 1
  - id: age
    type: number
    text: How old are you?
    integer: true
    min: 16
    max: 120
    na: true
    na_label: Prefer not to say
"""

#: the lines a detractor types (each answer followed by an empty line: confirmed)
DETRACTOR_LINES = [
    "",  # intro: start
    "",  # the note
    "5", "",
    "Too slow", "",
    "na", "",
    "2", "",
    "1, 3", "",
    "42", "",
]
#: the same answers, given to the session layer directly (as the full mode does)
DETRACTOR_VALUES: list[tuple[Any, bool]] = [
    (None, False),
    (5, False),
    ("Too slow", False),
    (None, True),
    ("gift", False),
    (["Email", "Friends"], False),
    (42, False),
]


@pytest.fixture
def survey_file(tmp_path: Path) -> Path:
    path = tmp_path / "plain-check.yaml"
    path.write_text(SURVEY)
    return path


def surveykit(
    *args: str, stdin: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("SURVEYKIT_PLAIN", "TERM")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "surveykit", "run", *args],
        input=stdin.encode(),
        capture_output=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def lines(*typed: str) -> str:
    return "".join(t + "\n" for t in typed)


def stored(db: Path, session_id: int) -> dict[tuple[str, str], tuple[Any, bool]]:
    with Store(str(db)) as store:
        return {k: (a.value, a.is_na) for k, a in store.answers(session_id).items()}


def events(db: Path, session_id: int) -> list[tuple[str, str | None, str | None]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT kind, task_id, question_id FROM events WHERE session_id = ? ORDER BY id",
            (session_id,),
        ).fetchall()
    finally:
        conn.close()
    return [tuple(r) for r in rows]


def status(db: Path, session_id: int) -> str:
    with Store(str(db)) as store:
        return store.session(session_id).status


def exit_event_by(db: Path, session_id: int) -> str:
    conn = sqlite3.connect(db)
    try:
        (data,) = conn.execute(
            "SELECT data_json FROM events WHERE session_id = ? AND kind = 'exit'", (session_id,)
        ).fetchone()
    finally:
        conn.close()
    return str(json.loads(data)["by"])


def run_in_process(
    survey_file: Path, db: Path, typed: list[str], **kwargs: Any
) -> tuple[PlainRunner, Any, str]:
    out = io.StringIO()
    with Store(str(db)) as store:
        runner = PlainRunner(
            load(str(survey_file)), store, stdin=io.StringIO(lines(*typed)), stdout=out, **kwargs
        )
        result = runner.run()
    return runner, result, out.getvalue()


# --- the same rows as the full mode -----------------------------------------------------------


def test_piped_survey_stores_what_the_session_layer_stores(survey_file: Path, tmp_path: Path) -> None:
    plain_db = tmp_path / "plain.db"
    done = surveykit(str(survey_file), "--plain", "--db", str(plain_db), stdin=lines(*DETRACTOR_LINES))
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout and b"\x1b" not in done.stderr
    assert b"session 1 completed, 6 answers saved" in done.stderr

    direct_db = tmp_path / "direct.db"
    with Store(str(direct_db)) as store:
        session = RunOpener(store, load(str(survey_file)), mode=Mode.RUN).begin()
        values = iter(DETRACTOR_VALUES)
        while (nxt := session.next_block()) is not None:
            _, run = nxt
            while run.current is not None:
                value, is_na = next(values)
                assert run.submit(value, is_na=is_na) is None
        session.complete(outro_shown=True)

    assert stored(plain_db, 1) == stored(direct_db, 1)
    assert stored(plain_db, 1)[("", "channels")] == (["Email", "Friends"], False)
    assert events(plain_db, 1) == events(direct_db, 1)
    assert status(plain_db, 1) == Status.COMPLETED


def test_what_the_participant_reads(survey_file: Path, tmp_path: Path) -> None:
    done = surveykit(
        str(survey_file), "--plain", "--db", str(tmp_path / "x.db"), stdin=lines(*DETRACTOR_LINES)
    )
    out = done.stdout.decode()
    assert "Question 3 of 7." in out  # progress in words; the reason question is shown
    assert "You chose 5. Why?" in out  # piping
    assert "After A gift: how did you hear of us?" in out  # an option's text, not its value
    assert "  1. Browsing\n  2. A gift\n  3. Other (please say)\n" in out
    assert "  0: Not at all likely\n" in out and "  10: Extremely likely\n" in out
    assert "Type a whole number. Type na for Prefer not to say." in out
    assert "Your answer: Not applicable." in out  # the csat's N/A, said back
    assert "Your answer: Email, Friends." in out
    assert "Thanks." in out


def test_skip_logic_hides_the_reason_for_a_promoter(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    _, result, out = run_in_process(
        survey_file, db, ["", "", "9", "", "4", "", "1", "", "2", "", "120", ""]
    )
    assert result.status == Status.COMPLETED
    answers = stored(db, 1)
    assert ("", "reason") not in answers
    assert answers[("", "csat")] == (4, False) and answers[("", "age")] == (120, False)
    assert "Question 2 of 6." in out and "Why?" not in out


def test_other_is_asked_and_stored_as_other(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    typed = ["", "", "9", "", "4", "", "3", "A reading", "", "2", "", "na", ""]
    _, result, out = run_in_process(survey_file, db, typed)
    assert result.status == Status.COMPLETED
    assert stored(db, 1)[("", "visit")] == ({"other": "A reading"}, False)
    assert stored(db, 1)[("", "age")] == (None, True)
    assert "After A reading: how did you hear of us?" in out


# --- typing mistakes, back, quit ----------------------------------------------------------------


def test_invalid_input_is_asked_again_with_a_message(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    typed = [
        "", "",
        "eleven", "11", "", "na", "9", "",  # nps: words, out of range, empty, no N/A here
        "4", "",
        "0", "1 2", "1", "",  # choice: out of range, two numbers
        "", "4", "2", "",  # multi: none, out of range
        "15", "abc", "30.5", "30", "",  # number: too small, not a number, not whole
    ]
    _, result, out = run_in_process(survey_file, db, typed)
    assert result.status == Status.COMPLETED
    for message in (
        "Please type a whole number from 0 to 10.",
        "Choose a number from 0 to 10.",
        "Please answer this question to continue.",
        "Please type a number from 1 to 3.",
        "Please type one number, from 1 to 3.",
        "Please enter a number of at least 16.",
        "Please type a number, like 12 or 2.5.",
        "Please enter a whole number.",
    ):
        assert message in out, message
    assert stored(db, 1)[("", "nps")] == (9, False)
    assert stored(db, 1)[("", "age")] == (30, False)


def test_no_at_the_confirmation_asks_again(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    typed = ["", "", "9", "no", "8", "", "4", "", "1", "", "2", "", "30", ""]
    _, result, _ = run_in_process(survey_file, db, typed)
    assert result.status == Status.COMPLETED
    assert stored(db, 1)[("", "nps")] == (8, False)


def test_back_changes_an_answer_and_skip_logic_follows(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    typed = [
        "", "",
        "9", "",  # a promoter: no reason asked
        "back",  # at csat: back to nps
        "3", "",  # now a detractor
        "Too dear", "",
        "back",  # at csat: back to the reason
        "",  # Enter keeps "Too dear"
        "4", "", "1", "", "2", "", "30", "",
    ]
    _, result, out = run_in_process(survey_file, db, typed)
    assert result.status == Status.COMPLETED
    assert "Your answer so far: 9. Press Enter to keep it." in out
    assert "You chose 3. Why?" in out
    answers = stored(db, 1)
    assert answers[("", "nps")] == (3, False) and answers[("", "reason")] == ("Too dear", False)
    kinds = [k for k, _, _ in events(db, 1)]
    assert kinds.count("back") == 2


def test_back_on_the_first_question_says_so(survey_file: Path, tmp_path: Path) -> None:
    _, result, out = run_in_process(survey_file, tmp_path / "x.db", ["", "back"])
    assert "This is the first question: there is nothing before it." in out
    assert result.status == Status.INTERRUPTED  # (then the input ended)


def test_quit_asks_then_saves_as_abandoned(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    _, result, out = run_in_process(
        survey_file, db, ["", "", "9", "", "quit", "maybe", "no", "quit", "yes"]
    )
    assert "Please type yes or no." in out
    assert result.status == Status.ABANDONED and result.answers == 1
    assert status(db, 1) == Status.ABANDONED


# --- interruptions and resume ---------------------------------------------------------------------


def test_end_of_input_interrupts_and_the_session_resumes(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    first = surveykit(
        str(survey_file), "--plain", "--db", str(db), stdin=lines("", "", "5", "", "Too slow", "")
    )
    assert first.returncode == 1
    assert b"session 1 interrupted; 2 answers saved" in first.stderr
    assert b"--resume --plain" in first.stderr
    assert status(db, 1) == Status.INTERRUPTED
    assert exit_event_by(db, 1) == END_OF_INPUT

    second = surveykit(
        str(survey_file), "--plain", "--resume", "--db", str(db),
        stdin=lines("na", "", "2", "", "1 3", "", "42", ""),
    )
    assert second.returncode == 0, second.stderr
    out = second.stdout.decode()
    assert "Continuing session 1: answers kept: 2." in out
    assert "Question 4 of 7." in out  # straight to the first question still to answer
    assert status(db, 1) == Status.COMPLETED
    assert stored(db, 1)[("", "reason")] == ("Too slow", False)
    assert len(stored(db, 1)) == 6


def test_a_participant_is_offered_their_unfinished_session(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    surveykit(str(survey_file), "--plain", "-p", "P7", "--db", str(db), stdin=lines("", "", "9", ""))
    again = surveykit(
        str(survey_file), "--plain", "-p", "P7", "--db", str(db),
        stdin=lines("yes", "4", "", "1", "", "2", "", "30", ""),
    )
    assert again.returncode == 0, again.stderr
    assert b"An unfinished session for participant P7 was found: session 1" in again.stdout
    assert status(db, 1) == Status.COMPLETED and stored(db, 1)[("", "nps")] == (9, False)


def test_sigterm_while_waiting_saves_the_session_as_interrupted(
    survey_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    env = {k: v for k, v in os.environ.items() if k != "SURVEYKIT_PLAIN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "surveykit", "run", str(survey_file), "--plain", "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"\n\n9\n\n")
    proc.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 30
    while b"Question 2 of" not in seen and time.monotonic() < deadline:
        seen += proc.stdout.readline()
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert status(db, 1) == Status.INTERRUPTED
    assert exit_event_by(db, 1) == "SIGTERM"
    assert stored(db, 1) == {("", "nps"): (9, False)}


# --- choosing the plain mode ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "env", [{"SURVEYKIT_PLAIN": "1"}, {"TERM": "dumb"}], ids=["SURVEYKIT_PLAIN", "TERM=dumb"]
)
def test_plain_is_chosen_by_the_environment(
    survey_file: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "x.db"
    done = surveykit(str(survey_file), "--db", str(db), stdin=lines(*DETRACTOR_LINES), env=env)
    assert done.returncode == 0, done.stderr
    assert status(db, 1) == Status.COMPLETED


def test_without_plain_a_pipe_is_still_refused(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    done = surveykit(
        str(survey_file), "--db", str(db), stdin="", env={"SURVEYKIT_PLAIN": "0", "TERM": "xterm"}
    )
    assert done.returncode == 1
    assert b"needs an interactive terminal" in done.stderr
    assert not db.exists()


def test_control_characters_are_shown_safely(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        'surveykit: 1\nid: s\ntitle: "T\\e[31m"\nquestions:\n'
        '  - {id: c, type: choice, text: "Pick \\e]0;x\\a", options: ["A\\e[2J"]}\n'
        '  - {id: t, type: text, text: Say}\n'
    )
    db = tmp_path / "x.db"
    done = surveykit(str(path), "--plain", "--db", str(db), stdin=lines("1", "", "\x1b[31mred", ""))
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    out = done.stdout.decode()
    assert "1. A\u241b[2J" in out and "Your answer: \u241b[31mred." in out
    assert stored(db, 1)[("", "t")] == ("\x1b[31mred", False)  # kept as typed


def test_sigkill_then_the_participant_continues(survey_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    env = {k: v for k, v in os.environ.items() if k != "SURVEYKIT_PLAIN"}
    command = [sys.executable, "-m", "surveykit", "run", str(survey_file), "--plain"]
    proc = subprocess.Popen(
        [*command, "--db", str(db), "-p", "P9"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"\n\n5\n\n")
    proc.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 30
    while b"You chose 5. Why?" not in seen and time.monotonic() < deadline:
        seen += proc.stdout.readline()
    proc.kill()
    proc.wait(timeout=30)
    assert status(db, 1) == Status.IN_PROGRESS  # nobody closed it
    again = surveykit(
        str(survey_file), "--plain", "-p", "P9", "--db", str(db),
        stdin=lines("yes", "Too slow", "", "na", "", "2", "", "1", "", "42", ""),
    )
    assert again.returncode == 0, again.stderr
    assert status(db, 1) == Status.COMPLETED
    assert stored(db, 1)[("", "nps")] == (5, False) and len(stored(db, 1)) == 6


def test_in_a_pseudo_terminal_no_escape_byte_is_written(survey_file: Path, tmp_path: Path) -> None:
    import pty

    db = tmp_path / "x.db"
    main_fd, child_fd = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "SURVEYKIT_PLAIN"}
    env["TERM"] = "dumb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "surveykit", "run", str(survey_file), "--db", str(db)],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        close_fds=True,
    )
    os.close(child_fd)
    output = b""
    try:
        os.write(main_fd, lines(*DETRACTOR_LINES).encode())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the child side is closed: it has exited
                break
            if not chunk:
                break
            output += chunk
        proc.wait(timeout=30)
        with contextlib.suppress(OSError):
            output += os.read(main_fd, 65536)
    finally:
        os.close(main_fd)
    assert proc.returncode == 0, output.decode(errors="replace")[-500:]
    assert b"Question 7 of 7." in output and b"session 1 completed" in output
    assert b"\x1b" not in output
    assert status(db, 1) == Status.COMPLETED
