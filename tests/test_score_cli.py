"""`surveykit score` end to end: table, --json, --csv, options and errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from surveykit.definition.loader import Definition
from surveykit.storage.store import Store
from tests.fixtures_data import (
    OTHER_YAML,
    Run,
    S,
    fill,
    run_cli,
    sus_answers,
    write_definition,
)

Cap = pytest.CaptureFixture[str]


@pytest.fixture
def sink(tmp_path: Path) -> Definition:
    return write_definition(tmp_path)


@pytest.fixture
def db(db_path: Path, sink: Definition) -> Path:
    path = db_path
    fill(path, sink, [
        S({"nps": 10, "csat": 5, "ces": 6, "t1/seq": 6, **sus_answers([4, 2, 4, 2, 4, 2, 4, 2, 4, 2])},
          runs=[Run("t1", "success", 40_000), Run("t2", "fail", 70_000, errors=2)],
          mode="kiosk", device="k1", meta={"store": "north"}),
        S({"nps": 6, "why": "=HYPERLINK(\"http://x\")", "csat": 3, "ces": 3, "t1/seq": 3,
           **sus_answers([3, 3, 3, 3, 3, 3, 3, 3, 3, 3])},
          runs=[Run("t1", "partial", 80_000, errors=1), Run("t2", "success", 50_000)],
          mode="kiosk", device="k2", meta={"store": "south"}),
        S({"nps": 9, "csat": 4}, status="abandoned", mode="run", meta={"store": "north"}),
    ])
    return path


def test_table_has_one_line_per_metric_with_n_and_interval(db: Path, capsys: Cap) -> None:
    code, out, err = run_cli(["score", str(db)], capsys)
    assert code == 0, err
    assert out.startswith("sink · Kitchen sink\n3 sessions: 2 completed, 1 abandoned\n")
    nps = next(line for line in out.splitlines() if line.strip().startswith("NPS"))
    assert re.search(r"NPS\s+n=3\s+\+33\.3\s+\[-?\d+\.\d, \+\d+\.\d\]\s+95% adj-Wald", nps), nps
    assert "grade D" in out  # SUS 75 and 50 → mean 62.5 (C- starts at 62.7)
    assert re.search(r"SUS\s+n=2\s+62\.5\s+\[", out)
    assert "Task t3 · Never tried" in out
    t3 = out.split("Task t3")[1]
    assert re.search(r"Completion\s+n=0\s+—\s+no runs", t3)
    assert "Rating mean          n=0" in out  # a metric with no answers is said plainly
    for line in out.splitlines():
        assert len(line) <= 80, line


def test_json_structure(db: Path, capsys: Cap) -> None:
    code, out, _ = run_cli(["score", str(db), "--json", "--by", "mode"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "surveykit-score/1"
    assert data["confidence"] == 0.95
    assert data["options"]["by"] == ["mode"]
    survey = data["surveys"][0]
    assert survey["survey_id"] == "sink" and survey["title"] == "Kitchen sink"
    kiosk = next(g for g in survey["groups"] if g["group"] == {"mode": "kiosk"})
    assert kiosk["sessions"] == {"started": 2, "completed": 2, "abandoned": 0,
                                 "interrupted": 0, "in_progress": 0}
    nps = next(m for m in kiosk["metrics"] if m["metric"] == "nps")
    assert set(nps) == {"metric", "label", "question_id", "task_id", "subject", "value", "low",
                        "high", "n", "confidence", "unit", "method", "details"}
    assert nps["value"] == 0.0 and nps["n"] == 2 and nps["unit"] == "points"
    sus = next(m for m in kiosk["metrics"] if m["metric"] == "sus")
    assert sus["details"]["grade"] == "D"
    empty = next(m for m in kiosk["metrics"] if m["metric"] == "rating_mean")
    assert empty["n"] == 0 and empty["value"] is None and empty["low"] is None


def test_csv_rows(db: Path, capsys: Cap) -> None:
    code, out, _ = run_cli(["score", str(db), "--csv", "--by", "store", "--confidence", "90"],
                           capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["survey_id", "by_store", "question_id", "task_id", "metric", "value",
                             "low", "high", "n", "confidence", "unit", "method", "grade",
                             "scale"]
    nps = [r for r in rows if r["metric"] == "nps"]
    assert {r["by_store"] for r in nps} == {"north", "south"}
    north = next(r for r in nps if r["by_store"] == "north")
    assert float(north["value"]) == 100.0 and north["n"] == "2" and north["confidence"] == "0.9"
    comp = next(r for r in rows if r["metric"] == "completion" and r["task_id"] == "t1"
                and r["by_store"] == "north")
    assert comp["n"] == "1" and comp["unit"] == "%"


def test_confidence_level_shows_in_the_table(db: Path, capsys: Cap) -> None:
    code, out, _ = run_cli(["score", str(db), "--confidence", "0.9"], capsys)
    assert code == 0 and "90% adj-Wald" in out and "95%" not in out


def test_groups_filters_and_options(db: Path, capsys: Cap) -> None:
    code, out, _ = run_cli(["score", str(db), "--by", "device"], capsys)
    assert code == 0
    assert "── device = k1 · 1 session: 1 completed" in out
    assert "── device = (none)" in out
    code, out, _ = run_cli(["score", str(db), "--completed-only", "--partial-as-success"], capsys)
    assert code == 0
    assert "Completed only" in out and "Abandoned sessions" not in out
    assert "partial counts as success" in out
    code, out, _ = run_cli(["score", str(db), "--since", "2030-01-01"], capsys)
    assert code == 0 and out == f"No sessions to score in {db} · since 2030-01-01T00:00:00.000Z.\n"
    code, out, _ = run_cli(["score", str(db), "--times", "all", "--json"], capsys)
    t1 = next(m for m in json.loads(out)["surveys"][0]["groups"][0]["metrics"]
              if m["metric"] == "time_on_task" and m["task_id"] == "t1")
    assert t1["n"] == 2 and t1["details"]["runs"] == "every finished run"


def test_several_surveys_get_a_section_each(tmp_path: Path, db: Path, capsys: Cap) -> None:
    fill(db, write_definition(tmp_path, OTHER_YAML, "o.yaml"), [S({"nps": 3})])
    code, out, _ = run_cli(["score", str(db)], capsys)
    assert code == 0
    assert "other · Another survey\n1 session: 1 completed" in out
    assert "\nsink · Kitchen sink\n" in out
    code, out, _ = run_cli(["score", str(db), "--survey", "other"], capsys)
    assert "sink ·" not in out


def test_empty_database_says_so(tmp_path: Path, capsys: Cap) -> None:
    path = tmp_path / "empty.db"
    Store(path).close()
    code, out, err = run_cli(["score", str(path)], capsys)
    assert code == 0 and err == ""
    assert out == f"No sessions to score in {path} yet.\n"
    code, out, _ = run_cli(["score", str(path), "--json"], capsys)
    assert code == 0 and json.loads(out)["surveys"] == []


def test_missing_database_is_one_line_and_not_created(tmp_path: Path, capsys: Cap) -> None:
    path = tmp_path / "nope.db"
    code, out, err = run_cli(["score", str(path)], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "no database at" in err and "Traceback" not in err
    assert not path.exists()


def test_not_a_database(tmp_path: Path, capsys: Cap) -> None:
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not a database\n" * 50)
    code, _, err = run_cli(["score", str(text)], capsys)
    assert code == 1 and "is not a surveykit database" in err and err.count("\n") == 1
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    code, _, err = run_cli(["score", str(empty)], capsys)
    assert code == 1 and "not a surveykit database (an empty SQLite file)" in err
    code, _, err = run_cli(["score", str(tmp_path)], capsys)
    assert code == 2  # a folder is a usage error (click's path check)


def test_user_mistakes(db: Path, capsys: Cap) -> None:
    code, _, err = run_cli(["score", str(db), "--survey", "snik"], capsys)
    assert code == 1 and "no survey 'snik'" in err and "did you mean 'sink'" in err
    code, _, err = run_cli(["score", str(db), "--by", "stor"], capsys)
    assert code == 1 and "did you mean 'store'" in err
    code, _, err = run_cli(["score", str(db), "--since", "yesterday"], capsys)
    assert code == 2 and "is not a date or time" in err
    code, _, err = run_cli(["score", str(db), "--json", "--csv"], capsys)
    assert code == 2
    code, _, err = run_cli(["score", str(db), "--confidence", "120"], capsys)
    assert code == 2
    code, _, err = run_cli(["score", str(db), "--db", "other.db"], capsys)
    assert code == 2


def test_db_from_the_environment(db: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEYKIT_DB", str(db))
    code, out, _ = run_cli(["score"], capsys)
    assert code == 0 and out.startswith("sink · Kitchen sink")


def test_no_escape_sequence_reaches_the_terminal(tmp_path: Path, sink: Definition,
                                                 capsys: Cap) -> None:
    path = tmp_path / "esc.db"
    fill(path, sink, [S({"nps": 9}, meta={"store": "\x1b]0;pwned\x07north\u202e"})])
    code, out, _ = run_cli(["score", str(path), "--by", "store"], capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "── store = \ufffd]0;pwned\ufffdnorth\ufffd" in out
