"""`surveykit validate` never hangs and never crashes, whatever path or file it is given.

Paths that are not regular files (a FIFO, a device, a symlink loop, `-`) and files
over the size limit are refused with one `path:1:1: message` line and exit code 1.
The CLI runs in a subprocess with a timeout, so a regression fails instead of
hanging the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from surveykit.definition.loader import load
from surveykit.definition.problems import DefinitionError
from surveykit.definition.source import MAX_FILE_BYTES, read_bounded

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "surveys" / "store-feedback.yaml"


def validate(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "surveykit", "validate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def one_problem(r: subprocess.CompletedProcess[str], path: str, fragment: str) -> None:
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    assert lines[0].startswith(f"{path}:1:1: "), lines[0]
    assert fragment in lines[0]
    assert lines[1] == "1 of 1 file has problems (1 in all)"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    one_problem(validate("pipe.yaml", cwd=tmp_path), "pipe.yaml", "named pipe (FIFO)")


def test_a_fifo_inside_a_folder_does_not_stop_the_others(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a-pipe.yaml")
    (tmp_path / "b.yaml").write_bytes(GOOD.read_bytes())
    r = validate(".", cwd=tmp_path)
    assert r.returncode == 1
    assert "b.yaml: ok" in r.stdout
    assert "a-pipe.yaml:1:1: is a named pipe (FIFO)" in r.stderr


def test_dev_zero_and_dev_null_are_devices(tmp_path: Path) -> None:
    one_problem(validate("/dev/zero", cwd=tmp_path), "/dev/zero", "is a device")
    one_problem(validate("/dev/null", cwd=tmp_path), "/dev/null", "is a device")


def test_a_symlink_loop_and_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    one_problem(validate("a.yaml", cwd=tmp_path), "a.yaml", "symbolic link loop")
    (tmp_path / "gone.yaml").symlink_to("nowhere.yaml")
    one_problem(validate("gone.yaml", cwd=tmp_path), "gone.yaml", "link to a file that does not exist")


def test_a_symlink_to_a_good_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "link.yaml").symlink_to(GOOD)
    r = validate("link.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("link.yaml: ok")


def test_a_20_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.write(GOOD.read_bytes())
        f.write(b"# padding\n" * 2_000_000)
    assert big.stat().st_size > 20_000_000
    one_problem(validate("big.yaml", cwd=tmp_path, timeout=20), "big.yaml", "larger than 5,000,000 bytes")


def test_standard_input_is_not_read(tmp_path: Path) -> None:
    one_problem(validate("-", cwd=tmp_path, timeout=20), "-", "not read from standard input")
    # a file that is really called "-" is read when named as ./-
    (tmp_path / "-").write_bytes(GOOD.read_bytes())
    r = validate("./-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_a_directory_named_like_a_definition_file(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    one_problem(validate("folder.yaml/", cwd=tmp_path), "folder.yaml/", "is a directory")
    # inside a folder it is listed with the definition files and refused the same way
    r = validate(".", cwd=tmp_path)
    assert r.returncode == 1 and "folder.yaml:1:1: is a directory" in r.stderr


def test_an_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    secret = tmp_path / "secret.yaml"
    secret.write_bytes(GOOD.read_bytes())
    secret.chmod(0)
    one_problem(validate("secret.yaml", cwd=tmp_path), "secret.yaml", "permission denied")


# --- the bound itself, in process --------------------------------------------------------


def test_the_reader_never_reads_more_than_the_limit_plus_one(tmp_path: Path) -> None:
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"x" * 1000)
    assert read_bounded(exact, limit=1000) == b"x" * 1000
    with pytest.raises(DefinitionError, match="larger than 999 bytes"):
        read_bounded(exact, limit=999)
    # /dev/zero claims size 0 and never ends: refused before any read
    with pytest.raises(DefinitionError, match="is a device"):
        read_bounded("/dev/zero")


def test_the_limit_is_documented() -> None:
    assert MAX_FILE_BYTES == 5_000_000
    docs = (ROOT / "docs" / "definitions.md").read_text(encoding="utf-8")
    assert "5 MB" in docs


def test_load_refuses_what_validate_refuses(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.yaml")
    with pytest.raises(DefinitionError, match=r"p\.yaml:1:1: is a named pipe"):
        load(tmp_path / "p.yaml")
    with pytest.raises(DefinitionError, match="not read from standard input"):
        load("-")
