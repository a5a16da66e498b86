"""`TERM=dumb` and `NO_COLOR` in the commands that print (no full screen).

Each command runs as a child process whose stdout and stderr are a real
pseudo-terminal. With `TERM=dumb` (a terminal that understands no escape
sequence: a screen reader's console, an Emacs shell) not one ESC byte may reach
it: no bold, no colour, no progress bar drawn with cursor moves. With `NO_COLOR`
no colour reaches any terminal (bold, which is not a colour, may).
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_data import S, fill, write_definition

ROOT = Path(__file__).resolve().parent.parent
#: an SGR sequence that sets a colour (30–39, 40–49, 90–97, 100–107, 38;…, 48;…)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def on_a_terminal(args: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> tuple[int, bytes]:
    """`python -m surveykit ARGS` with a pty as stdout and stderr; (exit code, bytes it printed)."""
    leader, follower = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SURVEYKIT_PLAIN", "TERM", "FORCE_COLOR")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "surveykit", *args],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=follower, stderr=follower, cwd=cwd, env={**base, "COLUMNS": "100", **env},
    )
    os.close(follower)
    if stdin is not None and proc.stdin is not None:
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    sink = write_definition(tmp_path)
    path = tmp_path / "s.db"
    fill(path, sink, [S({"nps": 9}, device="a"), S({"nps": 3}, device="b")])
    return path


def commands(db: Path) -> dict[str, tuple[list[str], str | None]]:
    here = db.parent
    return {
        "score": (["score", str(db)], None),
        "score --by": (["score", str(db), "--by", "device"], None),
        "score --csv": (["score", str(db), "--csv"], None),
        "export": (["export", str(db), "--out", str(here / "out"), "--progress"], None),
        "validate": (["validate", str(ROOT / "surveys" / "store-feedback.yaml")], None),
        "validate (bad)": (["validate", str(here / "sink.yaml"), "--strict"], None),
        "simulate": (["simulate", str(ROOT / "surveys" / "store-feedback.yaml"), "--db",
                      str(here / "sim.db"), "--sessions", "5000", "--no-events"], None),
        "run (plain)": (["run", str(ROOT / "surveys" / "store-feedback.yaml"), "--db",
                         str(here / "plain.db")], "\n9\n\n4\n\nquit\nyes\n"),
    }


@pytest.mark.parametrize("name", list(commands(Path("x"))))
def test_term_dumb_gets_no_escape_sequence(name: str, db: Path) -> None:
    args, stdin = commands(db)[name]
    code, out = on_a_terminal(args, db.parent, {"TERM": "dumb"}, stdin)
    assert out, name
    assert b"\x1b" not in out, out.decode("utf-8", "replace")[:2000]
    if name not in ("validate (bad)", "run (plain)"):
        assert code == 0, out.decode("utf-8", "replace")[:2000]


@pytest.mark.parametrize("name", list(commands(Path("x"))))
def test_no_color_gets_no_colour(name: str, db: Path) -> None:
    args, stdin = commands(db)[name]
    _, out = on_a_terminal(args, db.parent, {"TERM": "xterm-256color", "NO_COLOR": "1"}, stdin)
    assert not COLOUR.search(out.decode("utf-8", "replace")), out.decode("utf-8", "replace")[:2000]


def test_score_keeps_its_bold_headings_on_a_colour_terminal(db: Path) -> None:
    _, out = on_a_terminal(["score", str(db)], db.parent, {"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert b"\x1b[1m" in out  # bold is not a colour: NO_COLOR keeps it
    assert not COLOUR.search(out.decode("utf-8", "replace"))
