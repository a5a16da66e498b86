"""`surveykit validate`, `schema`, `hash-pin`, `--help` of every command, `python -m surveykit`,
and the exit codes of SPEC §7: 0 ok, 1 user error, 2 usage error."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveykit.cli import cli, main
from surveykit.definition.loader import load
from surveykit.pin import hash_pin, verify_pin

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = sorted((ROOT / "surveys").glob("*.yaml"))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_main(args: list[str], stdin: str | None = None, cwd: Path = ROOT) -> Run:
    """Call the real entry point (`main`, with its error handling) in-process."""
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        with CliRunner().isolation(input=stdin) as (out, err, _mixed):
            try:
                main(args)
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            return Run(code, out.getvalue().decode(), err.getvalue().decode())
    finally:
        os.chdir(old)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- validate ----------------------------------------------------------------------------


def test_validate_good_files() -> None:
    r = run_main(["validate", *map(rel, SURVEYS)])
    assert r.code == 0, r.stderr
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert len(lines) == len(SURVEYS)
    for path, line in zip(SURVEYS, lines, strict=True):
        s = load(path).survey
        assert line.startswith(f"{rel(path)}: ok — {s.id}: {len(s.all_questions())} questions")
    assert "3 tasks (latin_square)" in r.stdout
    assert "kiosk settings" in r.stdout


def test_validate_quiet() -> None:
    r = run_main(["validate", "-q", *map(rel, SURVEYS)])
    assert (r.code, r.stdout, r.stderr) == (0, "", "")


def test_validate_prints_every_problem() -> None:
    broken = ROOT / "tests/golden/broken/five_mistakes.yaml"
    r = run_main(["validate", rel(broken)])
    assert r.code == 1
    problems = r.stderr.splitlines()[:-1]
    assert len(problems) == 5
    assert all(re.match(rf"{re.escape(rel(broken))}:\d+:\d+: \S", p) for p in problems)
    assert r.stderr.splitlines()[-1] == "1 of 1 file has problems (5 in all)"
    assert "Traceback" not in r.stderr


def test_validate_good_and_bad_together() -> None:
    bad = ROOT / "tests/golden/broken/misspelled_type.yaml"
    r = run_main(["validate", rel(SURVEYS[0]), rel(bad)])
    assert r.code == 1
    assert f"{rel(SURVEYS[0])}: ok" in r.stdout
    assert "unknown question type 'raiting'; did you mean 'rating'?" in r.stderr
    assert r.stderr.splitlines()[-1] == "1 of 2 files has problems (1 in all)"


def test_validate_missing_file_and_directory(tmp_path: Path) -> None:
    r = run_main(["validate", "no/such/file.yaml"])
    assert r.code == 1
    assert r.stderr.splitlines()[0] == "no/such/file.yaml:1:1: file not found"
    # a folder stands for the definition files in it
    r = run_main(["validate", "surveys"])
    assert r.code == 0
    assert sorted(line.split(":")[0] for line in r.stdout.splitlines()) == sorted(
        str(p) for p in Path("surveys").glob("*.yaml")
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_main(["validate", str(empty)])
    assert r.code == 1
    assert r.stderr.splitlines()[0] == f"{empty}:1:1: is a directory, not a definition file"


def test_validate_needs_a_file() -> None:
    r = run_main(["validate"])
    assert r.code == 2
    assert "Missing argument" in r.stderr


def test_validate_reads_json_toml_and_a_bom(tmp_path: Path) -> None:
    data = json.loads(load(SURVEYS[0]).body_json)
    (tmp_path / "a.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "b.yaml").write_bytes(b"\xef\xbb\xbf" + SURVEYS[0].read_bytes())
    (tmp_path / "c.toml").write_text(
        'surveykit = 1\nid = "c"\ntitle = "C"\nquestions = ["nps"]\n', encoding="utf-8"
    )
    r = run_main(["validate", "a.json", "b.yaml", "c.toml"], cwd=tmp_path)
    assert r.code == 0, r.stderr
    assert r.stdout.count(": ok") == 3


# --- schema ------------------------------------------------------------------------------


def test_schema_prints_json() -> None:
    r = run_main(["schema"])
    assert r.code == 0
    schema = json.loads(r.stdout)
    assert schema["title"] == "surveykit definition"
    assert r.stdout.startswith("{\n  ")
    compact = run_main(["schema", "--indent", "0"])
    assert json.loads(compact.stdout) == schema


# --- hash-pin ----------------------------------------------------------------------------


def test_hash_pin_from_stdin(tmp_path: Path) -> None:
    r = run_main(["hash-pin", "--stdin"], stdin="2468\n")
    assert r.code == 0
    assert re.fullmatch(r"exit_pin_hash: scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\n", r.stdout)
    assert "2468" not in r.stdout + r.stderr
    stored = r.stdout.split(": ", 1)[1].strip()
    assert verify_pin(stored, "2468") and not verify_pin(stored, "2469")
    # salted: the same PIN never gives the same line twice
    again = run_main(["hash-pin", "--stdin"], stdin="2468\n")
    assert again.stdout != r.stdout and verify_pin(again.stdout.split(": ", 1)[1].strip(), "2468")
    # the printed line, pasted under kiosk: in place of the example's, loads without a warning
    example = (ROOT / "surveys/store-feedback.yaml").read_text(encoding="utf-8")
    pasted = re.sub(r"exit_pin_(hash|sha256): \S+", lambda _m: r.stdout.strip(), example)
    (tmp_path / "k.yaml").write_text(pasted, encoding="utf-8")
    loaded = load(tmp_path / "k.yaml")
    assert loaded.survey.kiosk.exit_pin_hash == stored
    assert loaded.survey.kiosk.pin_hash == stored
    assert loaded.warnings == ()


@pytest.mark.parametrize("pin", ["12ab", "", "123", "1234567890123", "12 34", "-1234", "１２３４"])
def test_hash_pin_rejects_what_is_not_a_pin(pin: str) -> None:
    r = run_main(["hash-pin", "--stdin"], stdin=pin + "\n")
    assert r.code == 1
    assert r.stdout == ""
    assert r.stderr == "Error: a PIN is 4 to 12 digits\n"


def test_hash_pin_prompt_asks_twice() -> None:
    r = run_main(["hash-pin"], stdin="975310\n975310\n")
    assert r.code == 0
    assert r.stdout.startswith("exit_pin_hash: scrypt$")
    assert verify_pin(r.stdout.split(": ", 1)[1].strip(), "975310")
    assert "975310" not in r.stderr  # not echoed


# --- the old unsalted PIN hash: a warning, not an error --------------------------------

OLD_PIN = hashlib.sha256(b"2468").hexdigest()
KIOSK = "surveykit: 1\nid: k\ntitle: K\nquestions: [nps]\nkiosk:\n  idle_reset_s: 45\n"


def test_old_sha256_pin_is_a_located_warning(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(KIOSK + f"  exit_pin_sha256: {OLD_PIN}\n", encoding="utf-8")
    r = run_main(["validate", "old.yaml"], cwd=tmp_path)
    assert r.code == 0, r.stderr
    assert r.stdout == "old.yaml: ok — k: 1 questions, kiosk settings (1 warning)\n"
    assert r.stderr == (
        "old.yaml:7:3: warning: an unsalted sha256 PIN can be recovered from a copy of this file "
        "in seconds; run `surveykit hash-pin` and replace it with the exit_pin_hash line\n"
    )
    # the old hash still works for the kiosk
    d = load(tmp_path / "old.yaml")
    assert d.survey.kiosk.pin_hash == OLD_PIN and verify_pin(d.survey.kiosk.pin_hash, "2468")
    assert [str(w) for w in d.warnings] == [f"{tmp_path}/{r.stderr.strip()}"]
    # quiet hides the ok line, not the warning
    r = run_main(["validate", "-q", "old.yaml"], cwd=tmp_path)
    assert (r.code, r.stdout) == (0, "") and "warning:" in r.stderr


def test_strict_turns_warnings_into_problems(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(KIOSK + f"  exit_pin_sha256: {OLD_PIN}\n", encoding="utf-8")
    (tmp_path / "new.yaml").write_text(KIOSK + f"  exit_pin_hash: {hash_pin('2468')}\n", encoding="utf-8")
    r = run_main(["validate", "--strict", "new.yaml", "old.yaml"], cwd=tmp_path)
    assert r.code == 1
    assert r.stdout == "new.yaml: ok — k: 1 questions, kiosk settings\n"
    assert r.stderr.splitlines() == [
        "old.yaml:7:3: warning: an unsalted sha256 PIN can be recovered from a copy of this file "
        "in seconds; run `surveykit hash-pin` and replace it with the exit_pin_hash line",
        "1 of 2 files has problems (1 in all)",
    ]


def test_warnings_are_printed_with_the_problems_of_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(KIOSK.replace("idle_reset_s: 45", "idle_reset_s: 1")
                                     + f"  exit_pin_sha256: {OLD_PIN}\n", encoding="utf-8")
    r = run_main(["validate", "b.yaml"], cwd=tmp_path)
    assert r.code == 1
    lines = r.stderr.splitlines()
    assert lines[0].startswith("b.yaml:6:17: 'idle_reset_s' in kiosk must be ≥ 5 seconds")
    assert lines[1].startswith("b.yaml:7:3: warning: an unsalted sha256 PIN")
    assert lines[2] == "1 of 1 file has problems (1 in all)"


def test_weaker_scrypt_parameters_are_a_warning(tmp_path: Path) -> None:
    weak = hash_pin("2468", n=2**10)
    (tmp_path / "w.yaml").write_text(KIOSK + f"  exit_pin_hash: {weak}\n", encoding="utf-8")
    r = run_main(["validate", "w.yaml"], cwd=tmp_path)
    assert r.code == 0
    assert "w.yaml:7:3: warning: this PIN hash was made with less work than today's default" in r.stderr


def test_the_schema_knows_the_new_key() -> None:
    kiosk = json.loads(run_main(["schema"]).stdout)["$defs"]["KioskSettings"]["properties"]
    assert "exit_pin_hash" in kiosk and "exit_pin_sha256" in kiosk
    assert "scrypt" in kiosk["exit_pin_hash"]["anyOf"][0]["pattern"]


# --- help, version, python -m ------------------------------------------------------------


def test_python_m_surveykit_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "surveykit", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: surveykit")
    for name in cli.commands:
        assert re.search(rf"^\s+{re.escape(name)}\b", result.stdout, re.M), name


def test_the_tools_are_commands() -> None:
    assert {"validate", "schema", "hash-pin"} <= set(cli.commands)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name: str) -> None:
    r = run_main([name, "--help"])
    assert r.code == 0, r.stderr
    assert r.stdout.startswith(f"Usage: surveykit {name}")
    assert r.stderr == ""
    assert run_main([name, "-h"]).code == 0


def test_version_and_unknown_command() -> None:
    r = run_main(["--version"])
    assert r.code == 0 and r.stdout.startswith("surveykit, version ")
    r = run_main(["frobnicate"])
    assert r.code == 2
    assert "No such command" in r.stderr
    r = run_main(["validate", "--frob", "x.yaml"])
    assert r.code == 2
