"""`surveykit run` refuses clearly, before any screen: bad files, unusable databases, studies."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from surveykit.cli import common as common_module
from surveykit.cli import main
from surveykit.cli import run as run_module
from surveykit.cli.common import check_writable
from surveykit.storage.store import StorageError, Store

REPO = Path(__file__).resolve().parents[2]
FEEDBACK = str(REPO / "surveys" / "store-feedback.yaml")
STUDY = str(REPO / "surveys" / "checkout-study.yaml")


def as_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdin and stdout report a terminal, as in a real session (the checks after the
    terminal check are what these tests look at). Called in the test body: capsys
    puts its own stdout in place only then."""
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(["run", *args])
    out, err = capsys.readouterr()
    return int(stopped.value.code or 0), out, err


def test_bad_definition_prints_every_problem_and_exits_1(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "surveykit: 1\nid: Bad Id\ntitle: x\nquestions:\n"
        "  - {id: q1, type: npss}\n  - {id: q2, type: csat, requird: true}\n"
    )
    db = tmp_path / "x.db"
    code, out, err = run_cli(capsys, str(bad), "--db", str(db))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) >= 3
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert "did you mean 'nps'" in err and "did you mean 'required'" in err
    assert "Traceback" not in err
    assert not db.exists()  # nothing was opened


def test_missing_file(tmp_path, capsys) -> None:
    code, _, err = run_cli(capsys, str(tmp_path / "nope.yaml"), "--db", str(tmp_path / "x.db"))
    assert code == 1 and "nope.yaml" in err and "Traceback" not in err


def test_database_folder_missing(tmp_path, capsys, monkeypatch) -> None:
    as_in_a_terminal(monkeypatch)
    code, _, err = run_cli(capsys, FEEDBACK, "--db", str(tmp_path / "no" / "such" / "x.db"))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("Error: cannot open database")
    assert "does not exist" in err


def test_not_a_database(tmp_path, capsys, monkeypatch) -> None:
    as_in_a_terminal(monkeypatch)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    code, _, err = run_cli(capsys, FEEDBACK, "--db", str(junk))
    assert code == 1 and err.count("\n") == 1
    assert "not a surveykit database" in err


def test_read_only_database_is_refused_before_any_screen(tmp_path, monkeypatch, capsys) -> None:
    as_in_a_terminal(monkeypatch)
    db = tmp_path / "ro.db"
    Store(db).close()
    real_access = os.access

    def access(path, mode):  # as for a file without write permission
        return False if Path(path) == db and mode & os.W_OK else real_access(path, mode)

    monkeypatch.setattr(common_module.os, "access", access)
    code, _, err = run_cli(capsys, FEEDBACK, "--db", str(db))
    assert code == 1
    assert err == f"Error: cannot write database {db}: the file is read-only\n"


def test_read_only_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(common_module.os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(StorageError, match="is read-only"):
        check_writable(str(tmp_path / "new.db"))


def test_a_study_points_at_moderate(tmp_path, capsys) -> None:
    code, _, err = run_cli(capsys, STUDY, "--db", str(tmp_path / "x.db"))
    assert code == 1
    assert "surveykit moderate" in err and "--preview" in err


def test_needs_a_terminal(tmp_path, capsys) -> None:
    code, _, err = run_cli(capsys, FEEDBACK, "--db", str(tmp_path / "x.db"))
    assert code == 1 and "needs an interactive terminal" in err


def test_resume_with_nothing_to_continue(tmp_path, capsys, monkeypatch) -> None:
    as_in_a_terminal(monkeypatch)
    code, _, err = run_cli(
        capsys, FEEDBACK, "--db", str(tmp_path / "x.db"), "--participant", "P3", "--resume"
    )
    assert code == 1
    assert "no unfinished 'store-feedback' session for participant P3 to continue" in err


def test_help_lists_the_options(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--help"])
    out, _ = capsys.readouterr()
    assert stopped.value.code == 0
    for option in ("--db", "--participant", "--device", "--preview", "--resume"):
        assert option in out


def test_a_session_of_another_version_of_the_file_is_not_continued(tmp_path) -> None:
    from surveykit.cli.common import UserError
    from surveykit.definition.loader import load

    first = tmp_path / "v1.yaml"
    first.write_text("surveykit: 1\nid: s\ntitle: One\nquestions:\n  - {id: a, type: nps}\n")
    second = tmp_path / "v2.yaml"
    second.write_text("surveykit: 1\nid: s\ntitle: Two\nquestions:\n  - {id: a, type: csat}\n")
    v1, v2 = load(first), load(second)
    db = tmp_path / "x.db"
    crashed = Store(db)
    session_id = crashed.start_session(v1, "run", participant="P1")
    store = Store(db)  # another process's view: the first owner is gone
    plan = run_module._plan_resume
    found = plan(store, v1, participant="P1", mode="run", resume=False, source="v1.yaml")
    assert found is not None and found.id == session_id
    assert plan(store, v2, participant="P1", mode="run", resume=False, source="v2.yaml") is None
    with pytest.raises(UserError, match=r"different version of v2\.yaml"):
        plan(store, v2, participant="P1", mode="run", resume=True, source="v2.yaml")
    # an anonymous run without --resume never looks for one
    assert plan(store, v1, participant=None, mode="run", resume=False, source="v1.yaml") is None
    crashed.close()
    store.close()
