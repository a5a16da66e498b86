"""The shared preamble of the commands that open a screen (`run`, `kiosk`,
`moderate`): without a terminal on stdin (here /dev/null, stdout still a real
terminal) they exit 1 with one clear line, before anything is created or changed:
no database file, no session, nothing drawn, no CPU spent waiting."""

from __future__ import annotations

import hashlib
import shlex
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from terminal import Terminal, require_tmux  # tests/ is on pytest's pythonpath

from surveykit.definition.loader import load
from surveykit.storage.store import Store

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FEEDBACK = str(REPO / "surveys" / "store-feedback.yaml")
STUDY = str(REPO / "surveys" / "checkout-study.yaml")


def no_stdin(*args: str) -> list[str]:
    """`surveykit ARGS < /dev/null` in the terminal."""
    line = shlex.join([sys.executable, "-m", "surveykit", *args])
    return ["sh", "-c", f"exec {line} < /dev/null"]


def digest(path: Path) -> str:
    return "".join(
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.parent.glob(path.name + "*"))
    )


def refused(term: Terminal, command: str) -> None:
    started = time.monotonic()
    assert term.wait_exit(15) == 1
    lines = [line for line in term.screen().split("\n") if line.strip()]
    assert lines == [
        f"Error: surveykit {command} needs an interactive terminal (stdin and stdout)"
    ], lines
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "command,source", [("run", FEEDBACK), ("moderate", STUDY)], ids=["run", "moderate"]
)
def test_no_database_is_created(tmp_path: Path, command: str, source: str) -> None:
    require_tmux()
    db = tmp_path / "new.db"
    with Terminal(no_stdin(command, source, "--db", str(db), "-p", "P1"), cwd=tmp_path) as term:
        refused(term, command)
    assert list(tmp_path.iterdir()) == []


def test_moderate_leaves_an_existing_session_as_it_was(tmp_path: Path) -> None:
    """The reported bug: moderate < /dev/null drew into nowhere, spun a CPU and left
    the participant's session `interrupted`."""
    require_tmux()
    db = tmp_path / "lab.db"
    with Store(db) as store:
        sid = store.start_session(load(STUDY), "moderate", participant="P1", task_order=[])
        store.finish_session(sid, "interrupted")
    before = digest(db)
    cmd = no_stdin("moderate", STUDY, "--db", str(db), "--participant", "P1")
    with Terminal(cmd, cwd=tmp_path) as term:
        refused(term, "moderate")
    assert digest(db) == before  # not a byte changed (not even opened for writing)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2
    finally:
        conn.close()


@pytest.mark.parametrize("command", ["run", "moderate", "kiosk"])
def test_without_any_terminal(tmp_path: Path, command: str) -> None:
    """Both stdin and stdout redirected (a cron job, a pipe): the same one line."""
    source = STUDY if command == "moderate" else FEEDBACK
    db = tmp_path / "x.db"
    r = subprocess.run(
        [sys.executable, "-m", "surveykit", command, source, "--db", str(db)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (
        f"Error: surveykit {command} needs an interactive terminal (stdin and stdout)\n"
    )
    assert list(tmp_path.iterdir()) == []
