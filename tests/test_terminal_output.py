"""What `score`, `export` and `simulate` print: on a terminal, control characters
are shown as symbols; into a pipe or file, the data stays exact.

The terminal is a real pseudo-terminal: the command runs as a child process
whose stdout and stderr are the pty, and the test reads what reached it.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from surveykit.definition.loader import Definition
from tests.fixtures_data import S, fill, write_definition

HOSTILE = "\x1b]0;pwned\x07kiosk\x1b[31m-1\u202e"


def on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run `python -m surveykit ARGS` with a pty as stdout and stderr; (exit code, output)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "surveykit", *args], stdin=subprocess.DEVNULL,
        stdout=follower, stderr=follower, cwd=cwd,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"},
    )
    os.close(follower)
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
    code = proc.wait(timeout=60)
    return code, b"".join(chunks).decode("utf-8", "replace")


def in_a_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "surveykit", *args], capture_output=True,
                          text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=60)


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    sink: Definition = write_definition(tmp_path)
    path = tmp_path / "hostile.db"
    fill(path, sink, [S({"nps": 9}, mode="kiosk", device=HOSTILE),
                      S({"nps": 3}, mode="kiosk", device="plain")])
    return path


def assert_shown_as_symbols(out: str) -> None:
    assert "\x1b]" not in out and "\x07" not in out and "\x1b[31m" not in out
    assert "\u202e" not in out


@pytest.mark.parametrize("fmt", [[], ["--csv"], ["--json"]])
def test_score_by_device_on_a_terminal(hostile_db: Path, fmt: list[str]) -> None:
    code, out = on_a_terminal(["score", str(hostile_db), "--by", "device", *fmt],
                              hostile_db.parent)
    assert code == 0, out
    assert_shown_as_symbols(out)
    if fmt == ["--csv"]:
        assert "␛]0;pwned␇kiosk␛[31m-1\ufffd" in out
    if fmt == []:  # the table's own bold headings stay bold
        assert "\x1b[1m" in out and "device = " in out


def test_score_csv_into_a_pipe_keeps_the_exact_data(hostile_db: Path) -> None:
    r = in_a_pipe(["score", str(hostile_db), "--by", "device", "--csv"], hostile_db.parent)
    assert r.returncode == 0, r.stderr
    assert HOSTILE in r.stdout


def test_export_file_list_on_a_terminal(hostile_db: Path) -> None:
    out_dir = hostile_db.parent / "out\x1b]0;x\x07"
    code, out = on_a_terminal(["export", str(hostile_db), "--out", str(out_dir),
                               "--no-progress"], hostile_db.parent)
    assert code == 0, out
    assert "\x1b" not in out and "\x07" not in out
    assert "out␛]0;x␇/answers.csv" in out
    r = in_a_pipe(["export", str(hostile_db), "--out", str(out_dir)], hostile_db.parent)
    assert f"{out_dir}/answers.csv" in r.stdout


def test_simulate_summary_and_errors_on_a_terminal(tmp_path: Path) -> None:
    definition = tmp_path / "sink.yaml"
    write_definition(tmp_path)
    db = tmp_path / "sim\x1b[2J.db"
    code, out = on_a_terminal(["simulate", str(definition), "-n", "3", "--db", str(db)],
                              tmp_path)
    assert code == 0, out
    assert "\x1b" not in out and "sim␛[2J.db: 3 simulated sessions" in out
    # an error message naming the file is made safe too
    code, out = on_a_terminal(["score", str(tmp_path / "no\x1b[2Jpe.db")], tmp_path)
    assert code == 1
    assert "\x1b" not in out and "no␛[2Jpe.db" in out


def test_simulate_start_too_late_is_one_clear_line(tmp_path: Path) -> None:
    write_definition(tmp_path)
    db = tmp_path / "late.db"
    r = in_a_pipe(["simulate", str(tmp_path / "sink.yaml"), "-n", "3", "--db", str(db),
                   "--start", "9999-12-31"], tmp_path)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("Error: --start 9999-12-31: 28 days of fieldwork")
    assert not db.exists()  # refused before anything was created
    ok = in_a_pipe(["simulate", str(tmp_path / "sink.yaml"), "-n", "3", "--db", str(db),
                    "--start", "9999-12-01", "--days", "29"], tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_merge_messages_show_control_characters_as_symbols(tmp_path: Path) -> None:
    """A file name holding an escape sequence, echoed back in merge's error line,
    reaches the terminal as symbols (run, kiosk, moderate and sync print through
    the same `cli.base.echo`)."""
    bad = tmp_path / f"{HOSTILE}.db"
    bad.write_bytes(b"not a database")
    code, out = on_a_terminal(["merge", str(bad), "--into", str(tmp_path / "all.db")], tmp_path)
    assert code == 1
    assert "kiosk" in out and "\x1b" not in out and "\x07" not in out
    assert "␛]0;pwned␇kiosk" in out
