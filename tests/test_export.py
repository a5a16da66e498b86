"""`surveykit export`: files, columns, labels, codebook, formula safety, errors."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from surveykit.definition.loader import Definition
from surveykit.export import ExportOptions, export
from surveykit.storage.queries import open_readonly
from surveykit.storage.store import Store
from surveykit.textsafe import safe_cell, starts_like_formula
from tests.fixtures_data import OTHER_YAML, Run, S, fill, run_cli, sus_answers, write_definition

Cap = pytest.CaptureFixture[str]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def sink(tmp_path: Path) -> Definition:
    return write_definition(tmp_path)


@pytest.fixture
def db(db_path: Path, sink: Definition) -> Path:
    path = db_path
    fill(path, sink, [
        S({"nps": 3, "why": "=1+1", "csat": 5, "ces": 6, "rate": 10, "visit": "gift",
           "channels": ["Email", {"other": "@carrier pigeon"}], "temp": -5,
           "t1/seq": 6, **sus_answers([4, 2, 4, 2, 4, 2, 4, 2, 4, 2]),
           "umux_lite.1": 7, "umux_lite.2": 6},
          runs=[Run("t1", "success", 41_000, errors=1, hints=2), Run("t2", "skipped")],
          mode="kiosk", device="kiosk-1", participant="=cmd|' /C calc'!A0",
          meta={"store": "+north", "lane": 3}),
        S({"nps": 10, "visit": {"other": "-- meeting a friend"}, "channels": [],
           "why": "\tTabbed", "temp": 12.5},
          na=["csat"], runs=[Run("t1", None)], status="abandoned", mode="run"),
        S({"nps": 0}, mode="preview"),
    ])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def do_export(db: Path, out: Path, capsys: Cap, *extra: str) -> str:
    code, stdout, err = run_cli(["export", str(db), "--out", str(out), *extra], capsys)
    assert code == 0, err
    return stdout


def test_writes_every_file(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "out"
    stdout = do_export(db, out, capsys)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["answers.csv", "codebook.csv", "events.csv", "responses_sink.csv",
                     "sessions.csv", "task_runs.csv", "value_labels.csv"]
    assert "answers.csv" in stdout and "rows" in stdout
    sessions = read_csv(out / "sessions.csv")
    assert [s["session_id"] for s in sessions] == ["1", "2"]  # preview left out
    assert json.loads(sessions[0]["meta"]) == {"store": "+north", "lane": 3}


def test_answers_long_carry_question_text_and_labels(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys)
    rows = read_csv(out / "answers.csv")
    by = {(r["session_id"], r["task_id"], r["question_id"]): r for r in rows}
    nps = by[("1", "", "nps")]
    assert nps["question_text"] == "How likely are you to recommend us?"
    assert nps["question_type"] == "nps" and nps["value"] == "3" and nps["value_num"] == "3"
    assert by[("2", "", "nps")]["value_label"] == "Extremely likely"
    assert by[("1", "", "csat")]["value_label"] == "Very satisfied"
    assert by[("1", "", "visit")]["value"] == "gift"
    assert by[("1", "", "visit")]["value_label"] == "A gift"
    other = by[("2", "", "visit")]
    assert other["value"] == "other" and other["other_text"] == "'-- meeting a friend"
    assert other["value_label"] == "Other (please say)"
    multi = by[("1", "", "channels")]
    assert json.loads(multi["value"]) == ["Email", {"other": "@carrier pigeon"}]
    assert multi["value_label"] == "Email; Other (please say)"
    na = by[("2", "", "csat")]
    assert na["is_na"] == "1" and na["value"] == "" and na["value_label"] == "Not applicable"
    seq = by[("1", "t1", "seq")]
    assert seq["task_title"] == "Task one" and seq["value"] == "6"
    item = by[("1", "", "sus.3")]
    assert item["parent_id"] == "sus" and item["item"] == "3" and item["question_type"] == "sus"
    assert item["question_text"] == "I thought this system was easy to use."
    assert item["value_label"] == "Agree"


def test_responses_wide_one_row_per_session(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys)
    rows = read_csv(out / "responses_sink.csv")
    assert [r["session_id"] for r in rows] == ["1", "2"]
    first, second = rows
    header = list(first)
    assert header[:8] == ["session_id", "mode", "participant", "device", "status", "started_at",
                          "ended_at", "definition_sha256"]
    assert header.index("nps") < header.index("t1.outcome") < header.index("t1.seq")
    assert header.index("t3.seq") < header.index("sus.1") < header.index("sus")
    assert first["meta.store"] == "'+north" and first["meta.lane"] == "3"
    assert first["nps"] == "3" and first["csat"] == "5" and first["csat_na"] == "0"
    assert second["csat"] == "" and second["csat_na"] == "1"
    assert first["visit"] == "gift" and second["visit"] == "other"
    assert second["visit_other"] == "'-- meeting a friend"
    assert (first["channels.Email"], first["channels.Chat"]) == ("1", "0")
    assert first["channels_other"] == "'@carrier pigeon"
    assert (second["channels.Email"], second["channels.Chat"]) == ("0", "0")  # answered: none
    assert first["sus"] == "75.0" and second["sus"] == ""
    assert first["umux_lite"] == str((7 + 6 - 2) * 100 / 12)
    assert first["t1.outcome"] == "success" and first["t1.active_ms"] == "41000"
    assert (first["t1.errors"], first["t1.hints"]) == ("1", "2")
    assert first["t2.outcome"] == "skipped" and first["t3.outcome"] == ""
    assert second["t1.outcome"] == ""  # the session ended mid-task
    assert first["t1.seq"] == "6" and first["t2.seq"] == ""
    assert first["temp"] == "-5" and second["temp"] == "12.5"


def test_task_runs_and_events(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys)
    runs = read_csv(out / "task_runs.csv")
    assert [(r["session_id"], r["task_id"], r["outcome"]) for r in runs] == [
        ("1", "t1", "success"), ("1", "t2", "skipped"), ("2", "t1", "")]
    assert runs[0]["task_title"] == "Task one" and runs[0]["errors"] == "1"
    events = read_csv(out / "events.csv")
    assert events[0]["kind"] == "session_start"
    assert {e["session_id"] for e in events} == {"1", "2"}
    errors = [e for e in events if e["kind"] == "error"]
    assert json.loads(errors[0]["data"]) == {"code": "navigation"}


def test_codebook_describes_every_wide_column(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys)
    book = read_csv(out / "codebook.csv")
    wide = [b for b in book if b["file"] == "responses_sink.csv"]
    header = list(read_csv(out / "responses_sink.csv")[0])
    assert [b["variable"] for b in wide] == header
    csat = next(b for b in wide if b["variable"] == "csat")
    assert csat["text"] == "How satisfied are you?" and csat["type"] == "csat"
    assert csat["value_labels"].startswith("1=Very dissatisfied; 2=Dissatisfied")
    assert csat["level"] == "ordinal"
    visit = next(b for b in wide if b["variable"] == "visit")
    assert visit["value_labels"] == "Browsing=Browsing; gift=A gift; other=Other (please say)"
    seq = next(b for b in wide if b["variable"] == "t2.seq")
    assert seq["task_id"] == "t2" and "(after task t2)" in seq["text"]
    assert any(b["file"] == "answers.csv" and b["variable"] == "value_label" for b in book)


def test_no_csv_cell_can_run_as_a_formula(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys)
    texts = {"=1+1", "\tTabbed", "@carrier pigeon", "-- meeting a friend", "+north",
             "=cmd|' /C calc'!A0"}
    seen: set[str] = set()
    for path in out.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                for cell in row:
                    if cell[:1] in DANGEROUS:
                        float(cell)  # only numbers may begin with - or +
                    if cell.startswith("'") and cell[1:] in texts:
                        seen.add(cell[1:])
    assert seen == texts
    answers = read_csv(out / "answers.csv")
    why = next(r for r in answers if r["question_id"] == "why" and r["session_id"] == "1")
    assert why["value"] == "'=1+1"
    temp = next(r for r in answers if r["question_id"] == "temp" and r["session_id"] == "1")
    assert temp["value"] == "-5" and temp["value_num"] == "-5"  # a negative number is a number


def test_safe_cell() -> None:
    assert safe_cell("=SUM(A1:A2)") == "'=SUM(A1:A2)"
    assert safe_cell("@x") == "'@x" and safe_cell("\rx") == "'\rx" and safe_cell("+1") == "'+1"
    assert safe_cell("-1") == "'-1"  # text that looks like a number is still text
    assert safe_cell(-1) == -1 and safe_cell(-2.5) == -2.5
    assert safe_cell("a=b") == "a=b" and safe_cell("") == "" and safe_cell(None) == ""
    assert safe_cell(True) == 1


def formula_lookalikes() -> list[str]:
    """Every character that is not a formula start itself but whose NFKC form begins
    with one: fullwidth ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫, super- and subscript ⁺ ⁼ ₊ ₌, …"""
    return [
        chr(c) for c in range(0x110000)
        if not 0xD800 <= c <= 0xDFFF and chr(c) not in DANGEROUS
        and unicodedata.normalize("NFKC", chr(c))[:1] in DANGEROUS
    ]


def test_safe_cell_neutralises_every_nfkc_lookalike() -> None:
    lookalikes = formula_lookalikes()
    assert {"\uff1d", "\uff0b", "\ufe66", "\u207a"} <= set(lookalikes)
    for ch in lookalikes:
        assert starts_like_formula(ch + "SUM(A1)"), hex(ord(ch))
        assert safe_cell(ch + "SUM(A1)") == "'" + ch + "SUM(A1)", hex(ord(ch))
    assert safe_cell("\uff21=1") == "\uff21=1"  # fullwidth A: not a formula
    assert not starts_like_formula("é=1") and not starts_like_formula("")


def test_export_neutralises_nfkc_lookalikes_in_every_file(
    tmp_path: Path, sink: Definition, capsys: Cap
) -> None:
    lookalikes = formula_lookalikes()
    db = tmp_path / "lookalike.db"
    # text from people in every kind of column: answers and "other" text (long files,
    # checked column by column), device and participant, meta (wide file, every cell)
    fill(db, sink, [
        S({"nps": 3, "why": ch + "1+1", "visit": {"other": ch + "cmd"}},
          device=ch + "dev", participant=ch + "P", meta={"store": ch + "north"})
        for ch in lookalikes
    ])
    out = tmp_path / "out"
    do_export(db, out, capsys)
    risky = 0
    for path in out.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                for cell in row:
                    if unicodedata.normalize("NFKC", cell[:1]) in DANGEROUS:
                        float(cell)  # only numbers may begin with - or + (in NFKC too)
                    if cell[:1] == "'" and cell[1:2] in lookalikes:
                        risky += 1
    # why, other_text, value_label-free answer value, device, participant in answers;
    # device/participant in sessions; visit_other, why, device, participant, meta in wide
    assert risky >= 5 * len(lookalikes)


def test_jsonl_keeps_values_as_stored(db: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys, "--format", "jsonl")
    assert (out / "answers.jsonl").exists() and not (out / "answers.csv").exists()
    answers = read_jsonl(out / "answers.jsonl")
    multi = next(a for a in answers if a["question_id"] == "channels" and a["session_id"] == 1)
    assert multi["value"] == ["Email", {"other": "@carrier pigeon"}]
    why = next(a for a in answers if a["question_id"] == "why" and a["session_id"] == 1)
    assert why["value"] == "=1+1"
    wide = read_jsonl(out / "responses_sink.jsonl")
    assert wide[0]["nps"] == 3 and wide[0]["sus"] == 75.0 and wide[1]["csat"] is None
    book = read_jsonl(out / "codebook.jsonl")
    csat = next(b for b in book if b["variable"] == "csat")
    assert csat["value_labels"]["5"] == "Very satisfied"


def test_filters_and_table_choice(db: Path, tmp_path: Path, capsys: Cap, sink: Definition) -> None:
    fill(db, write_definition(tmp_path, OTHER_YAML, "o.yaml"), [S({"nps": 7})])
    out = tmp_path / "out"
    do_export(db, out, capsys, "--survey", "other", "--tables", "answers,responses")
    assert sorted(p.name for p in out.iterdir()) == ["answers.csv", "responses_other.csv"]
    assert {r["survey_id"] for r in read_csv(out / "answers.csv")} == {"other"}
    out2 = tmp_path / "out2"
    do_export(db, out2, capsys, "--completed-only", "--include-preview", "--tables", "sessions")
    assert [r["mode"] for r in read_csv(out2 / "sessions.csv")] == ["kiosk", "preview", "run"]


def test_progress_bar_only_when_asked_or_on_a_terminal(db: Path, tmp_path: Path, capsys: Cap) -> None:
    code, _, err = run_cli(["export", str(db), "--out", str(tmp_path / "a")], capsys)
    assert code == 0 and err == ""
    code, _, err = run_cli(["export", str(db), "--out", str(tmp_path / "b"), "--progress"], capsys)
    assert code == 0 and "answers" in err and "events" in err


def test_export_streams(db: Path, tmp_path: Path) -> None:
    """Rows reach the file in chunks, not after the whole table is read."""
    conn = open_readonly(db)
    seen: list[tuple[str, int]] = []

    class Spy:
        def start(self, name: str, total: int | None) -> None:
            seen.append((name, total or 0))

        def advance(self, rows: int) -> None:
            seen.append(("+", rows))

    files = export(conn, tmp_path / "o", ExportOptions(), progress=Spy())
    conn.close()
    assert [f.name for f in files][:2] == ["sessions", "answers"]
    answers_total = dict(s for s in seen if s[0] == "answers")["answers"]
    assert answers_total == sum(f.rows for f in files if f.name == "answers") > 0
    assert not list((tmp_path / "o").glob("*.partial"))


def test_errors(db: Path, tmp_path: Path, capsys: Cap) -> None:
    missing = tmp_path / "missing.db"
    code, _, err = run_cli(["export", str(missing), "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "no database at" in err and not missing.exists()
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    code, _, err = run_cli(["export", str(db), "--out", str(afile)], capsys)
    assert code in (1, 2) and "Traceback" not in err
    code, _, err = run_cli(["export", str(db), "--out", str(tmp_path / "o"), "--survey", "x"], capsys)
    assert code == 1 and "no survey 'x'" in err
    code, _, err = run_cli(["export", str(db), "--out", str(tmp_path / "o"), "--tables", "nope"],
                           capsys)
    assert code == 2 and "unknown table" in err
    code, _, err = run_cli(["export", str(db), "--out", str(tmp_path / "o"), "--format", "xls"],
                           capsys)
    assert code == 2


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_codebook_describes_every_column_of_every_file(db: Path, tmp_path: Path, capsys: Cap,
                                                       fmt: str) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys, "--format", fmt)
    read = read_csv if fmt == "csv" else read_jsonl
    book = read(out / f"codebook.{fmt}")
    described: dict[str, list[str]] = {}
    for b in book:
        described.setdefault(b["file"], []).append(b["variable"])
        assert b["text"], b
    files = sorted(p.name for p in out.iterdir())
    assert sorted(described) == files
    for name in files:
        if fmt == "csv":
            with (out / name).open(newline="", encoding="utf-8") as f:
                header = next(csv.reader(f))
        else:
            header = list(read_jsonl(out / name)[0])
        assert described[name] == header, name


def test_value_labels_one_per_row(tmp_path: Path, capsys: Cap) -> None:
    yaml = ("surveykit: 1\nid: tricky\ntitle: T\nquestions:\n"
            "  - {id: pick, type: choice, text: Pick, options: ['a=b; c', 'x;y=z'], na: true}\n"
            "  - {id: sat, type: csat, text: Sat?}\n")
    d = write_definition(tmp_path, yaml, "t.yaml")
    path = tmp_path / "t.db"
    fill(path, d, [S({"pick": "x;y=z", "sat": 4})])
    out = tmp_path / "out"
    do_export(db=path, out=out, capsys=capsys)
    rows = [r for r in read_csv(out / "value_labels.csv") if r["file"] == "responses_tricky.csv"]
    pick = [(r["value"], r["code"], r["label"]) for r in rows if r["variable"] == "pick"]
    assert pick == [("a=b; c", "1", "a=b; c"), ("x;y=z", "2", "x;y=z")]
    assert ("5", "5", "Very satisfied") in [
        (r["value"], r["code"], r["label"]) for r in rows if r["variable"] == "sat"]
    na = [(r["value"], r["label"]) for r in rows if r["variable"] == "pick_na"]
    assert na == [("0", "no"), ("1", "Not applicable")]
    out2 = tmp_path / "out2"
    do_export(path, out2, capsys, "--format", "jsonl")
    got = read_jsonl(out2 / "value_labels.jsonl")
    assert {"file": "responses_tricky.jsonl", "variable": "pick", "value": "x;y=z", "code": 2,
            "label": "x;y=z"} in got


def test_an_empty_filtered_export_writes_every_file(db: Path, tmp_path: Path,
                                                    capsys: Cap) -> None:
    out = tmp_path / "out"
    do_export(db, out, capsys, "--since", "2099-01-01")
    assert sorted(p.name for p in out.iterdir()) == [
        "answers.csv", "codebook.csv", "events.csv", "responses_sink.csv", "sessions.csv",
        "task_runs.csv", "value_labels.csv"]
    header = (out / "responses_sink.csv").read_text(encoding="utf-8").splitlines()
    assert len(header) == 1 and header[0].startswith("session_id,mode,")
    assert (out / "task_runs.csv").read_text(encoding="utf-8").startswith("session_id,")


def read_for_analysis(folder: Path, name: str) -> Any:
    """The docs' pandas recipe for `export --for analysis`, run as written."""
    docs = (Path(__file__).resolve().parents[1] / "docs/analysts.md").read_text(encoding="utf-8")
    block = docs.split("<!-- read_for_analysis -->\n```python\n", 1)[1].split("```", 1)[0]
    definitions = block.split("\nwide = ", 1)[0]
    scope: dict[str, Any] = {}
    exec(definitions, scope)
    return scope["read_for_analysis"](folder, name)


def test_export_for_analysis(tmp_path: Path, capsys: Cap) -> None:
    import pandas  # noqa: F401  (a dev dependency: the test must not skip)
    d = write_definition(tmp_path)
    path = tmp_path / "a.db"
    fill(path, d, [
        S({"nps": 3, "why": "N/A", "csat": 5, "visit": "gift", "temp": 21.5},
          participant="007", meta={"x": "=1+1"}),
        S({"nps": 4, "why": "null"}, participant="010"),
        S({"nps": 5, "why": ""}, participant="=cmd"),
        S({"nps": 10}, na=["csat"]),
    ])
    out = tmp_path / "out"
    stdout = do_export(path, out, capsys, "--for", "analysis")
    assert "datapackage.json" in stdout
    wide = read_for_analysis(out, "responses_sink")
    assert list(wide["participant"][:3]) == ["007", "010", "=cmd"]  # no leading '
    assert list(wide["why"]) == ["N/A", "null", "", ""]
    assert list(wide["why_answered"]) == [1, 1, 1, 0]  # an empty answer is not a missing one
    assert str(wide["nps"].dtype) == "Int64" and wide["nps"].sum() == 22
    assert wide["csat"].isna().tolist() == [False, True, True, True]
    assert wide["csat_na"].tolist()[3] == 1 and wide["temp"][0] == 21.5
    sessions = read_for_analysis(out, "sessions")
    assert sessions["participant"][0] == "007" and json.loads(sessions["meta"][0]) == {"x": "=1+1"}
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["path"] for r in package["resources"]}
    assert names == {p.name for p in out.iterdir() if p.suffix == ".csv"}
    # the default stays safe for spreadsheets
    out2 = tmp_path / "safe"
    do_export(path, out2, capsys)
    assert read_csv(out2 / "responses_sink.csv")[2]["participant"] == "'=cmd"
    assert not (out2 / "datapackage.json").exists()


def test_r_reads_the_analysis_export_as_the_docs_say(tmp_path: Path, capsys: Cap) -> None:
    import os
    import shutil
    import subprocess

    rscript = shutil.which("Rscript")
    if rscript is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript is missing: CI installs r-base-core (.ci/run)")
        pytest.skip("R is not installed here (apt-get install r-base-core); CI runs this test")
    d = write_definition(tmp_path)
    path = tmp_path / "r.db"
    fill(path, d, [S({"nps": 3, "why": "NA", "csat": 5}, participant="007"),
                   S({"nps": 4, "why": "null", "csat": 2}, participant="010"),
                   S({"nps": 5}, na=["csat"], participant="011")])
    out = tmp_path / "out"
    do_export(path, out, capsys, "--for", "analysis")
    docs = (Path(__file__).resolve().parents[1] / "docs/analysts.md").read_text(encoding="utf-8")
    call = docs.split("R: `read.csv(", 1)[1].split("`", 1)[0].replace("\n", " ")
    call = "read.csv(" + call.replace('"export/responses_store_feedback.csv"',
                                      f'"{out / "responses_sink.csv"}"')
    script = (f"d <- {call}\n"
              'cat(d$participant[1], d$why[1], d$why[2], is.na(d$csat[3]), '
              'mean(d$csat, na.rm = TRUE), "\\n")')
    res = subprocess.run([rscript, "-e", script], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["007", "NA", "null", "TRUE", "3.5"]


def test_a_boolean_meta_value_reads_true_or_false_in_csv(tmp_path: Path, capsys: Cap) -> None:
    """As `score --by` groups it: `true`/`false`, never 1/0 or Python's True."""
    d = write_definition(tmp_path)
    path = tmp_path / "b.db"
    with Store(path) as store:
        for flag in (True, False):
            sid = store.start_session(d, "run", meta={"returning": flag})
            store.finish_session(sid, "completed")
    for extra in ([], ["--for", "analysis"]):
        out = tmp_path / f"out{len(extra)}"
        code, _, err = run_cli(["export", str(path), "--out", str(out), *extra], capsys)
        assert code == 0, err
        (wide,) = out.glob("responses_*.csv")
        rows = list(csv.DictReader(wide.open(encoding="utf-8")))
        assert [r["meta.returning"] for r in rows] == ["true", "false"], extra
