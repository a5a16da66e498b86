"""`surveykit export --format sav|dta|xlsx`: read back with pyreadstat and openpyxl."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest
from fixtures_data import Run, S, fill, run_cli, sus_answers, write_definition

from surveykit.export.labelled import valid_names

Cap = pytest.CaptureFixture[str]


@pytest.fixture
def db(tmp_path: Path, db_path: Path) -> Path:
    path = db_path
    fill(path, write_definition(tmp_path), [
        S({"nps": 3, "why": "=1+1", "csat": 5, "ces": 6, "rate": 10, "visit": "gift",
           "channels": ["Email"], "temp": -5, "t1/seq": 6,
           **sus_answers([4, 2, 4, 2, 4, 2, 4, 2, 4, 2]), "umux_lite.1": 7, "umux_lite.2": 6},
          runs=[Run("t1", "success", 41_000, errors=1, hints=2)], participant="007"),
        S({"nps": 10, "visit": {"other": "Coffee"}, "temp": 12.5, "ces": 2}, na=["csat"],
          status="abandoned"),
        S({"nps": 7, "visit": "Browsing", "csat": 2}),
    ])
    return path


def export(db: Path, out: Path, fmt: str, capsys: Cap) -> None:
    code, _, err = run_cli(["export", str(db), "--out", str(out), "--format", fmt], capsys)
    assert code == 0, err


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_statistics_files(db: Path, tmp_path: Path, capsys: Cap, fmt: str) -> None:
    out = tmp_path / fmt
    export(db, out, fmt, capsys)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{n}.{fmt}" for n in (
        "sessions", "answers", "responses_sink", "task_runs", "events", "codebook",
        "value_labels"))
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    df, meta = read(str(out / f"responses_sink.{fmt}"), user_missing=True)
    cols = list(df.columns)
    assert {"sus_3", "t1_seq", "t1_outcome", "visit_other", "csat_na"} <= set(cols)
    assert all("." not in c and len(c) <= 32 for c in cols)
    labels = meta.column_names_to_labels
    assert labels["nps"] == "How likely are you to recommend us?"
    # a choice: codes in option order (Browsing, gift, other) with the option texts
    vl = meta.variable_value_labels
    assert {k: v for k, v in vl["visit"].items() if k not in (-9, "a")} == {
        1: "Browsing", 2: "A gift", 3: "Other (please say)"}
    assert list(df["visit"]) == [2, 3, 1]
    assert df["visit_other"][1] == "Coffee"
    # N/A is a declared missing value, labelled
    na = -9 if fmt == "sav" else "a"
    assert vl["csat"][na] == "Not applicable"
    assert df["csat"][1] == na and df["csat"][0] == 5 and df["csat_na"][1] == 1
    if fmt == "sav":
        assert meta.missing_ranges["csat"] == [{"lo": -9.0, "hi": -9.0}]
        plain, _ = pyreadstat.read_sav(str(out / "responses_sink.sav"))  # default: as missing
        assert plain["csat"].isna()[1] and plain["csat"].mean() == pytest.approx(3.5)
    else:
        assert meta.missing_user_values["csat"] == ["a"]
    assert vl["ces"][7] == "Strongly agree"
    assert df["participant"][0] == "007" and df["temp"][1] == 12.5
    # the codebook lists the name used in the file
    book, _ = read(str(out / f"codebook.{fmt}"))
    row = book[(book["file"] == f"responses_sink.{fmt}") & (book["variable"] == "sus.3")]
    assert list(row["name_in_file"]) == ["sus_3"]
    own = book[book["file"] == f"codebook.{fmt}"]["variable"].tolist()
    assert own[-1] == "name_in_file" and "value_labels" in own


def test_names_are_valid_and_unique() -> None:
    assert valid_names(["a.b", "a_b", "A-B", "x" * 40, "x" * 40, "1st", "in"], "dta") == [
        "a_b", "a_b_2", "A_B_3", "x" * 32, "x" * 30 + "_2", "_1st", "in_"]
    assert valid_names(["_private", "sus.3", "with"], "sav") == ["v_private", "sus_3", "with_"]


def test_excel_workbook(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "xlsx"
    export(db, out, "xlsx", capsys)
    wb = openpyxl.load_workbook(out / "export.xlsx")
    assert wb.sheetnames == ["sessions", "answers", "responses_sink", "task_runs", "events",
                             "value_labels", "codebook"]
    ws = wb["responses_sink"]
    rows: list[tuple[Any, ...]] = list(ws.iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["why"] == "=1+1" and ws.cell(2, header.index("why") + 1).data_type == "s"
    assert first["nps"] == 3 and first["participant"] == "007" and first["sus.3"] == 4
    book = list(wb["codebook"].iter_rows(values_only=True))
    assert "name_in_file" in book[0] and len(book) > 40


def test_missing_library_says_how_to_install(db: Path, tmp_path: Path, capsys: Cap,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pyreadstat":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    code, _, err = run_cli(["export", str(db), "--out", str(tmp_path / "x"), "--format", "sav"],
                           capsys)
    assert code == 1 and "pip install 'surveykit[analysis]'" in err
