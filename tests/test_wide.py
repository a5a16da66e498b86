"""The typed wide tables `wide_<survey>` and their `responses_<survey>` views:
typed values, every write path keeps them current, the migration builds them in
place, and pandas, R and DuckDB read the numbers `surveykit score` prints."""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fixtures_data import SURVEYS, Run, S, fill, run_cli, sus_answers, write_definition

from surveykit.definition.loader import load
from surveykit.scoring.stats import sus_respondent, umux_lite
from surveykit.storage.migrations import MIGRATIONS, _apply
from surveykit.storage.store import Store
from surveykit.storage.views import FIXED_VIEWS

ROOT = Path(__file__).resolve().parents[1]


def q(conn: sqlite3.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(sql, args)]


def types(conn: sqlite3.Connection, view: str, column: str) -> set[str]:
    return {r[0] for r in conn.execute(f'SELECT DISTINCT typeof("{column}") FROM "{view}"')}


@pytest.fixture
def sink_db(tmp_path: Path) -> Path:
    db = tmp_path / "sink.db"
    d = write_definition(tmp_path)
    fill(db, d, [
        S(answers={"nps": 3, "why": "slow", "csat": 5, "ces": 6, "rate": 8, "visit": "gift",
                   "channels": ["Email", {"other": "Fax"}], "temp": 21.5, "t1/seq": 6,
                   **sus_answers([4, 2, 5, 1, 4, 2, 5, 1, 4, 2]),
                   "umux_lite.1": 6, "umux_lite.2": 7},
          runs=[Run("t1", "success", active_ms=40_000, errors=2, hints=1), Run("t2", "skipped")],
          meta={"shop": "north"}, device="till-1", participant="007"),
        S(answers={"nps": 10, "ces": 2, "rate": 3, "visit": {"other": "Coffee"}, "channels": [],
                   "temp": -3, "why": "", **sus_answers([5, 1, 5, 1, 5, 1, 5, 1, 5, None])},
          na=["csat"], status="abandoned"),
        S(status="in_progress"),
    ])
    return db


def test_values_are_typed(sink_db: Path) -> None:
    conn = sqlite3.connect(sink_db)
    a, b, c = q(conn, "SELECT * FROM responses_sink ORDER BY session_id")
    assert (a["nps"], a["csat"], a["rate"], a["temp"]) == (3, 5, 8, 21.5)
    assert types(conn, "responses_sink", "nps") == {"integer", "null"}  # not 3.0
    assert b["temp"] == -3 and isinstance(b["temp"], int)
    # N/A is NULL with a flag; unanswered is NULL without one
    assert (b["csat"], b["csat_na"], a["csat_na"], c["csat_na"]) == (None, 1, 0, None)
    # a choice is its stored text; "other" is `other` with the typed text beside it
    assert (a["visit"], a["visit_other"]) == ("gift", None)
    assert (b["visit"], b["visit_other"]) == ("other", "Coffee")
    assert (a["channels"], a["channels_other"]) == ("Email; other", "Fax")
    assert b["channels"] == ""  # answered, nothing chosen
    assert (a["why"], b["why"], c["why"]) == ("slow", "", None)  # empty text is not missing
    # per-respondent scores as `score` computes them
    assert a["sus"] == sus_respondent([4, 2, 5, 1, 4, 2, 5, 1, 4, 2])
    assert b["sus"] == pytest.approx(sus_respondent([5, 1, 5, 1, 5, 1, 5, 1, 5, None]))
    assert a["umux_lite"] == pytest.approx(umux_lite(6, 7)) and b["umux_lite"] is None
    # task columns and questions asked after a task
    assert (a["t1.outcome"], a["t1.active_ms"], a["t1.errors"], a["t1.hints"]) == (
        "success", 40_000, 2, 1)
    assert (a["t1.seq"], a["t2.outcome"], a["t3.outcome"]) == (6, "skipped", None)
    # session columns
    assert (a["participant"], a["device"], a["status"], b["status"]) == (
        "007", "till-1", "completed", "abandoned")
    assert json.loads(a["meta_json"]) == {"shop": "north"} and a["day"] == a["started_at"][:10]


def test_changes_and_clears_keep_the_row_current(tmp_path: Path) -> None:
    d = write_definition(tmp_path)
    with Store(tmp_path / "x.db") as store:
        sid = store.start_session(d, "run")
        store.record_answer(sid, "csat", 2)
        store.record_answer(sid, "csat", None, is_na=True)
        for i in range(1, 11):
            store.record_answer(sid, f"sus.{i}", 3)
        store.record_answer(sid, "sus.1", 5)
        store.start_task(sid, "t1", 1)
        store.task_event(sid, "t1", "error")
        row = q(store.conn, "SELECT * FROM responses_sink")[0]
        assert (row["csat"], row["csat_na"]) == (None, 1)
        assert row["sus"] == sus_respondent([5, 3, 3, 3, 3, 3, 3, 3, 3, 3])
        assert (row["t1.errors"], row["t1.outcome"]) == (1, None)
        store.clear_answer(sid, "csat")
        store.clear_answer(sid, "sus.2")
        store.finish_session(sid, "completed")
        row = q(store.conn, "SELECT * FROM responses_sink")[0]
        assert (row["csat"], row["csat_na"], row["status"]) == (None, None, "completed")
        assert row["sus"] == pytest.approx(sus_respondent([5, None, 3, 3, 3, 3, 3, 3, 3, 3]))
        store.conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))
        assert q(store.conn, "SELECT * FROM wide_sink") == []


def test_a_new_definition_version_rebuilds_the_table(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    d1 = write_definition(tmp_path, "surveykit: 1\nid: s\ntitle: S\nquestions:\n"
                                    "  - {id: a, type: csat, text: A?}\n", "s1.yaml")
    d2 = write_definition(tmp_path, "surveykit: 1\nid: s\ntitle: S\nquestions:\n"
                                    "  - {id: a, type: csat, text: A?}\n"
                                    "  - {id: b, type: ces, text: B?, na: true}\n", "s2.yaml")
    with Store(db) as store:
        one = store.start_session(d1, "run")
        store.record_answer(one, "a", 4)
        two = store.start_session(d2, "run")
        store.record_answer(two, "b", None, is_na=True)
        got = q(store.conn, "SELECT session_id, a, b, b_na FROM responses_s ORDER BY session_id")
    assert got == [{"session_id": one, "a": 4, "b": None, "b_na": None},
                   {"session_id": two, "a": None, "b": None, "b_na": 1}]


def test_bulk_writes_fill_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "sim.db"
    code, _, err = run_cli(["simulate", str(SURVEYS / "checkout-study.yaml"), "-n", "12",
                            "--db", str(db)], capsys)
    assert code == 0, err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM responses_checkout_study").fetchone()[0] == 12
    runs = conn.execute("SELECT COUNT(*) FROM task_runs").fetchone()[0]
    cols = ('"find-shoes.outcome"', '"apply-coupon.outcome"', '"guest-checkout.outcome"')
    filled = sum(conn.execute(f"SELECT COUNT({c}) FROM wide_checkout_study").fetchone()[0]
                 for c in cols)
    assert filled == runs


def _legacy_file(path: Path) -> None:
    """A file as surveykit wrote it before the wide tables (schema 3), with answers."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for m in MIGRATIONS[:3]:
        _apply(conn, m)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("COMMIT")
    conn.close()


def test_the_migration_builds_the_table_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _legacy_file(db)
    d = load(SURVEYS / "store-feedback.yaml")
    conn = sqlite3.connect(db)
    from surveykit.storage.store import catalogue
    conn.execute("INSERT INTO definitions VALUES (?, ?, ?, 1, NULL, ?, '2026-01-01T00:00:00.000Z')",
                 (d.sha256, d.survey.id, d.survey.title, d.body_json))
    conn.executemany("INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(d.sha256, *r) for r in catalogue(d.survey)])
    conn.execute("INSERT INTO sessions (id, survey_id, definition_sha256, mode, started_at, status) "
                 "VALUES (1, 'store-feedback', ?, 'kiosk', '2026-01-02T10:00:00.000Z', 'completed')",
                 (d.sha256,))
    conn.executemany(
        "INSERT INTO answers (session_id, question_id, value_json, value_num, is_na, answered_at) "
        "VALUES (1, ?, ?, ?, ?, '2026-01-02T10:00:01.000Z')",
        [("nps", "8", 8.0, 0), ("ces", None, None, 1), ("visit", '{"other": "Tea"}', None, 0)],
    )
    conn.commit()
    conn.close()
    with Store(db) as store:
        (row,) = q(store.conn, "SELECT * FROM responses_store_feedback")
        assert (row["nps"], row["ces"], row["ces_na"]) == (8, None, 1)
        assert (row["visit"], row["visit_other"]) == ("other", "Tea")
        label = store.conn.execute(
            "SELECT value_label FROM answers_labeled WHERE question_id = 'nps'").fetchone()[0]
        assert label is None or isinstance(label, str)


# --- reading with the analysts' tools --------------------------------------------------


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sim") / "surveykit.db"
    from surveykit.cli import main
    for name, n in (("store-feedback.yaml", 400), ("checkout-study.yaml", 40)):
        try:
            main(["simulate", str(SURVEYS / name), "-n", str(n), "--db", str(db), "--seed", "3"])
        except SystemExit as e:
            assert not e.code
    return db


def _score(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str, str | None], float]:
    code, out, err = run_cli(["score", str(db), "--json"], capsys)
    assert code == 0, err
    got = {}
    for s in json.loads(out)["surveys"]:
        for m in s["groups"][0]["metrics"]:
            if m["value"] is not None:
                got[(s["survey_id"], m["metric"], m["task_id"])] = m["value"]
    return got


#: (survey, score metric, task) → (responses_ view, column)
MEANS = {
    ("store-feedback", "csat_mean", None): ("responses_store_feedback", "csat"),
    ("store-feedback", "ces_mean", None): ("responses_store_feedback", "ces"),
    ("checkout-study", "sus", None): ("responses_checkout_study", "sus"),
    **{("checkout-study", "seq_mean", t): ("responses_checkout_study", f"{t}.seq")
       for t in ("find-shoes", "apply-coupon", "guest-checkout")},
}


def test_pandas_reads_numbers_and_na(sim_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd
    scores = _score(sim_db, capsys)
    conn = sqlite3.connect(sim_db)
    for key, (view, col) in MEANS.items():
        df = pd.read_sql(f'SELECT * FROM "{view}"', conn)
        assert pd.api.types.is_numeric_dtype(df[col]), (view, col, df[col].dtype)
        assert df[col].mean() == pytest.approx(scores[key]), key
    df = pd.read_sql("SELECT * FROM responses_store_feedback", conn)
    assert df.loc[df["ces_na"] == 1, "ces"].isna().all() and (df["ces_na"] == 1).any()
    nps = df["nps"].dropna()
    value = 100 * ((nps >= 9).mean() - (nps <= 6).mean())
    assert value == pytest.approx(scores[("store-feedback", "nps", None)])


def _rscript() -> str | None:
    found = shutil.which("Rscript")
    if found is None and os.environ.get("CI"):
        pytest.fail("Rscript is missing: CI installs r-base-core, r-cran-dbi and r-cran-rsqlite "
                    "(.ci/run); install them with apt-get")
    if found is None:
        pytest.skip("R is not installed here (apt-get install r-base-core r-cran-dbi "
                    "r-cran-rsqlite); CI runs this test")
    return found


def test_r_reads_numbers_and_na(sim_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rscript = _rscript()
    scores = _score(sim_db, capsys)
    lines = ["library(DBI)", f'con <- dbConnect(RSQLite::SQLite(), "{sim_db}")']
    for i, (_key, (view, col)) in enumerate(MEANS.items()):
        lines.append(f'd{i} <- dbReadTable(con, "{view}", check.names = FALSE)')
        lines.append(f'cat("{i}", is.numeric(d{i}[["{col}"]]), '
                     f'sprintf("%.12f", mean(d{i}[["{col}"]], na.rm = TRUE)), "\\n")')
    lines.append('d <- dbReadTable(con, "responses_store_feedback")')
    lines.append('cat("na", all(is.na(d$ces[d$ces_na %in% 1])), sum(d$ces_na %in% 1), "\\n")')
    out = subprocess.run([rscript, "-e", "\n".join(lines)], capture_output=True, text=True,
                         timeout=120)
    if "there is no package called" in out.stderr and not os.environ.get("CI"):
        pytest.skip("R lacks DBI/RSQLite (apt-get install r-cran-dbi r-cran-rsqlite)")
    assert out.returncode == 0, out.stderr
    got = {parts[0]: parts[1:] for parts in (ln.split() for ln in out.stdout.splitlines()) if parts}
    for i, key in enumerate(MEANS):
        numeric, mean = got[str(i)]
        assert numeric == "TRUE"
        assert float(mean) == pytest.approx(scores[key]), key
    assert got["na"][0] == "TRUE" and int(got["na"][1]) > 0


def test_views_run_in_duckdb(sim_db: Path) -> None:
    """Every view's SQL runs in DuckDB over the same tables (DuckDB re-parses views)."""
    import duckdb
    import pandas as pd
    src = sqlite3.connect(sim_db)
    duck = duckdb.connect()
    tables = [r[0] for r in src.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for t in tables:
        frame = pd.read_sql(f'SELECT * FROM "{t}"', src)
        duck.register(f"df_{t}", frame)
        duck.execute(f'CREATE TABLE "{t}" AS SELECT * FROM "df_{t}"')
    views = dict(src.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    assert set(FIXED_VIEWS) <= set(views)
    for name, sql in views.items():
        duck.execute(sql)
        want = src.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
        assert duck.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] == want
    got = duck.execute("SELECT value_label FROM answers_labeled WHERE question_id = 'visit' "
                       "AND value_label IS NOT NULL LIMIT 1").fetchone()[0]
    assert not got.startswith('"')
    mean = duck.execute('SELECT AVG(ces) FROM responses_store_feedback').fetchone()[0]
    # meta columns: the same values (DuckDB's `->>` gives text, numbers included)
    meta_sql = ('SELECT session_id, "meta.simulated", "meta.seed" FROM responses_store_feedback '
                "ORDER BY session_id")
    want_meta = [tuple(None if v is None else str(v) for v in r)
                 for r in src.execute(meta_sql).fetchall()]
    got_meta = [(str(r[0]), *r[1:]) for r in duck.execute(meta_sql).fetchall()]
    assert got_meta == want_meta and want_meta[0][1] == "true"
    assert math.isclose(mean, src.execute("SELECT AVG(ces) FROM responses_store_feedback"
                                          ).fetchone()[0])


def _duckdb_with_sqlite():  # type: ignore[no-untyped-def]
    """A DuckDB connection with its sqlite extension loaded from the pip package
    `duckdb-ext-sqlite` (a dev dependency pinned to DuckDB's release): DuckDB's own
    `INSTALL sqlite` downloads it, which an offline machine or CI cannot do."""
    import duckdb
    import duckdb_ext

    ext_dir = Path(duckdb_ext.__path__[0]) / "extensions"
    found = sorted(ext_dir.glob(f"v{duckdb.__version__}/*/sqlite_scanner.duckdb_extension"))
    assert found, (
        f"no sqlite extension for DuckDB {duckdb.__version__} under {ext_dir}: keep the "
        "duckdb and duckdb-ext-sqlite pins in pyproject.toml on the same release"
    )
    con = duckdb.connect()
    con.execute(f"LOAD '{found[0]}'")
    return con


def test_the_docs_duckdb_line(sim_db: Path) -> None:
    docs = (ROOT / "docs/analysts.md").read_text(encoding="utf-8")
    line = next(ln for ln in docs.splitlines() if ln.startswith("DuckDB:"))
    sql = line.split("`")[1].replace("surveykit.db", str(sim_db))
    con = _duckdb_with_sqlite()
    statements = [s for s in sql.split(";") if s.strip()]
    for stmt in statements[:-1]:
        con.execute(stmt)
    assert con.execute(statements[-1]).fetchall()
    assert con.execute("SELECT COUNT(*) FROM sk.session_overview").fetchone()[0] > 0
    # the views DuckDB re-parses: counts and labels as SQLite gives them
    src = sqlite3.connect(sim_db)
    for view in ("session_overview", "answers_labeled", "responses_store_feedback"):
        want = src.execute(f'SELECT COUNT(*) FROM "{view}"').fetchone()[0]
        assert con.execute(f'SELECT COUNT(*) FROM sk."{view}"').fetchone()[0] == want
    got = con.execute("SELECT value_label FROM sk.answers_labeled WHERE question_id = 'visit' "
                      "AND value_label IS NOT NULL LIMIT 1").fetchone()[0]
    assert got and not got.startswith('"')


def test_question_ids_that_repeat_a_column_name(tmp_path: Path) -> None:
    d = write_definition(tmp_path, "surveykit: 1\nid: clash\ntitle: C\nquestions:\n"
                                   "  - {id: status, type: csat, text: Status?}\n"
                                   "  - {id: day, type: text, text: Day?}\n"
                                   "  - {id: visit, type: choice, text: V?, options: [A], "
                                   "other: true}\n"
                                   "  - {id: visit_other, type: text, text: Other visit?}\n",
                         "clash.yaml")
    with Store(tmp_path / "c.db") as store:
        sid = store.start_session(d, "run")
        store.record_answer(sid, "status", 4)
        store.record_answer(sid, "day", "Monday")
        store.record_answer(sid, "visit", {"other": "Tea"})
        store.record_answer(sid, "visit_other", "typed")
        (row,) = q(store.conn, "SELECT * FROM responses_clash")
    assert row["status"] == "in_progress" and row["status_q"] == 4
    assert row["day"] == row["started_at"][:10] and row["day_q"] == "Monday"
    assert row["visit_other"] == "Tea" and row["visit_other_q"] == "typed"


def test_meta_columns_are_typed_and_follow_new_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd
    d = write_definition(tmp_path)
    db = tmp_path / "m.db"
    fill(db, d, [S(meta={"design": "B", "returning": True, "age": 34}),
                 S(meta={"design": "A", "returning": False, "age": 27.5}), S()])
    conn = sqlite3.connect(db)
    rows = q(conn, 'SELECT "meta.design", "meta.returning", "meta.age" FROM responses_sink '
                   "ORDER BY session_id")
    assert [tuple(r.values()) for r in rows] == [
        ("B", "true", 34), ("A", "false", 27.5), (None, None, None)]
    assert types(conn, "responses_sink", "meta.age") == {"integer", "real", "null"}
    cols = [r[1] for r in conn.execute("PRAGMA table_info(responses_sink)")]
    assert cols.index("meta.age") < cols.index("nps")  # after the session columns, as in CSV
    # a later session brings a new key: the view gets its column, earlier rows NULL
    fill(db, d, [S(meta={"store": "north", "age": 41})])
    conn = sqlite3.connect(db)
    frame = pd.read_sql("SELECT * FROM responses_sink ORDER BY session_id", conn)
    assert frame["meta.store"].tolist()[-1] == "north"
    assert frame["meta.store"].isna().sum() == 3
    assert frame["meta.age"].dtype == "float64"  # a number, not text
    assert frame["meta.age"].tolist()[:2] == [34, 27.5]
    assert frame["meta.returning"].tolist()[:2] == ["true", "false"]
    # the table, its triggers and the answer writes are untouched by meta keys
    assert not [c for c in
                (r[1] for r in conn.execute("PRAGMA table_info(wide_sink)")) if c.startswith("meta.")]
    # the export's meta.* columns and the view agree
    out = tmp_path / "out"
    code, _, err = run_cli(["export", str(db), "--out", str(out)], capsys)
    assert code == 0, err
    csv = pd.read_csv(out / "responses_sink.csv", dtype=str, keep_default_na=False)
    meta_cols = [c for c in csv.columns if c.startswith("meta.")]
    assert meta_cols == ["meta.age", "meta.design", "meta.returning", "meta.store"]
    view = q(conn, f"SELECT session_id, {', '.join(chr(34) + c + chr(34) for c in meta_cols)} "
                   "FROM responses_sink ORDER BY session_id")
    for line, row in zip(csv.to_dict("records"), view, strict=True):
        assert int(line["session_id"]) == row["session_id"]
        for c in meta_cols:
            assert line[c] == ("" if row[c] is None else str(row[c])), c


def test_meta_columns_survive_odd_keys_and_bad_json(tmp_path: Path) -> None:
    d = write_definition(tmp_path)
    db = tmp_path / "m.db"
    fill(db, d, [S(meta={'a "quoted" key': "x", "dotted.key": 2, "nested": {"k": [1]}})])
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO sessions (survey_id, definition_sha256, mode, started_at, status, "
                 "meta_json) SELECT survey_id, definition_sha256, mode, started_at, status, "
                 "'not json' FROM sessions")
    rows = q(conn, 'SELECT "meta.dotted.key" AS b, "meta.nested" AS c FROM responses_sink '
                   "ORDER BY session_id")
    assert rows == [{"b": 2, "c": '{"k":[1]}'}, {"b": None, "c": None}]
    # a key with a `"` cannot be named by a JSON path: no column (the CSV has it)
    assert not [r for r in conn.execute("PRAGMA table_info(responses_sink)") if '"' in r[1]]
