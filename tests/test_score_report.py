"""`surveykit score` output, character for character: the table, CSV and JSON of a
database that uses every branch of the report (groups, warnings, exclusions,
n = 0 and n = 1, every metric type), compared with files in tests/golden/score/.

After a deliberate change of the output, rewrite the files and read the diff:

    SURVEYKIT_UPDATE_GOLDEN=1 pytest tests/test_score_report.py
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from surveykit.scoring.metrics import Metric, ScoreOptions, ScoreReport, score
from surveykit.scoring.report import (
    format_interval,
    format_value,
    metric_line,
    no_sessions_message,
    render_table,
    to_json,
    write_csv,
)
from surveykit.scoring.stats import Estimate
from surveykit.storage.queries import open_readonly, parse_moment
from surveykit.storage.store import Store
from tests.fixtures_data import SINK_YAML, Run, S, fill, sus_answers, write_definition

GOLDEN = Path(__file__).resolve().parent / "golden" / "score"
UPDATE = os.environ.get("SURVEYKIT_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def scored(db: Path, **options: object) -> ScoreReport:
    conn = open_readonly(db)
    try:
        return score(conn, ScoreOptions(**options), database="study.db")  # type: ignore[arg-type]
    finally:
        conn.close()


STUDY_YAML = """\
surveykit: 1
id: study
title: Per-task questions
questions:
  - {id: q, type: csat, text: Happy?}
tasks:
  order: fixed
  after_each: [seq, {id: effort, type: rating, text: How much effort?, min: 1, max: 5}, umux_lite]
  items:
    - {id: a, title: Find it, prompt: Find the thing.}
"""


@pytest.fixture
def db(tmp_path: Path, db_path: Path) -> Path:
    old = write_definition(
        tmp_path,
        SINK_YAML.replace("min: 1, max: 10, labels: {1: Poor, 10: Great}", "min: 1, max: 5"),
        "old.yaml",
    )
    sink = write_definition(tmp_path)
    path = db_path
    day = datetime(2026, 11, 2, 9, tzinfo=UTC)
    fill(path, old, [S({"rate": 4}, mode="kiosk", started=day), S({"rate": 2}, mode="kiosk")])
    fill(path, sink, [
        S({"nps": 10, "csat": 5, "ces": 6, "rate": 9, "t1/seq": 6, "t2/seq": 3, "temp": 12.5,
           "umux_lite.1": 6, "umux_lite.2": 7, **sus_answers([4, 2, 4, 1, 5, 2, 4, 2, 4, 1])},
          runs=[Run("t1", "success", 31_000, errors=1, hints=1), Run("t2", "partial", 80_000, 2)],
          meta={"store": "north", "vip": True}),
        S({"nps": 6, "csat": 3, "ces": 2, "rate": 4, "t1/seq": 5, "temp": -3,
           "umux_lite.1": 5, **sus_answers([3, 3, 3, 3, None, 3, 3, 3, 3, 3])},
          runs=[Run("t1", "success", 0), Run("t2", "skipped")],
          meta={"store": "south", "vip": False}),
        S({"nps": 8, "csat": 4, "ces": 7, "t1/seq": 7, "temp": 21, "umux_lite.1": 3,
           "umux_lite.2": 4,
           **sus_answers([5, 1, 5, 1, 5, 1, None, None, 5, 1])},
          runs=[Run("t1", "success", 22_500), Run("t2", "fail", 95_000, 3)],
          meta={"store": "north"}),
        S({"nps": 9, "csat": 4, "t1/seq": 2, **sus_answers([2, 4, 2, 4, 2, 4, 2, 4, 2, 4])},
          runs=[Run("t1", "abandoned", 120_000, 4), Run("t2", None)], status="abandoned"),
        S({"nps": 11, "ces": 4}, runs=[Run("t1", "timeout", 300_000)], status="interrupted"),
        S({"nps": 2}, status="in_progress", mode="preview"),
    ])
    study = write_definition(tmp_path, STUDY_YAML, "study.yaml")
    fill(path, study, [
        S({"q": 4, "a/seq": 6, "a/effort": 2, "a/umux_lite.1": 6, "a/umux_lite.2": 5},
          runs=[Run("a", "success", 41_000)]),
        S({"q": 5, "a/seq": 3, "a/effort": 4, "a/umux_lite.1": 4, "a/umux_lite.2": 4},
          runs=[Run("a", "fail", 75_000, 2)]),
    ])
    conn = sqlite3.connect(path)
    with conn:  # a CSAT of 3.5 written by another tool
        conn.execute("UPDATE answers SET value_num = 3.5, value_json = '3.5' "
                     "WHERE question_id = 'csat' AND value_num = 3")
    conn.close()
    return path


def test_table(db: Path) -> None:
    check_golden("table.txt", render_table(scored(db)))


def test_table_grouped_and_filtered(db: Path) -> None:
    r = scored(db, by=("mode", "vip"), since=parse_moment("2026-11-01"), confidence=0.9,
               partial_as_success=True, times="all")
    check_golden("table_grouped.txt", render_table(r, width=100))


def test_table_completed_only(db: Path) -> None:
    check_golden("table_completed.txt", render_table(scored(db, completed_only=True,
                                                            until=parse_moment("2027-01-01"))))


def test_csv(db: Path) -> None:
    out = io.StringIO()
    write_csv(scored(db, by=("store",)), out)
    check_golden("scores.csv", out.getvalue())


def test_json(db: Path) -> None:
    check_golden("scores.json", to_json(scored(db, by=("vip",))) + "\n")
    data = json.loads(to_json(scored(db)))
    assert data["format"] == "surveykit-score/1" and data["database"] == "study.db"


def test_colour_only_when_asked(db: Path) -> None:
    r = scored(db)
    plain, coloured = render_table(r), render_table(r, color=True)
    assert "\x1b" not in plain
    assert coloured.startswith("\x1b[1msink · Kitchen sink\x1b[0m\n")
    assert coloured.replace("\x1b[1m", "").replace("\x1b[0m", "") == plain


def test_nothing_to_score(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    Store(path).close()
    r = scored(path)
    assert render_table(r) == no_sessions_message(r) == "No sessions to score in study.db yet.\n"
    r = scored(path, since=parse_moment("2026-11-01"), completed_only=True)
    assert render_table(r) == (
        "No sessions to score in study.db · since 2026-11-01T00:00:00.000Z, completed only.\n")
    r.database = ""
    assert no_sessions_message(r).startswith("No sessions to score in the database · since")


def test_a_survey_without_matching_sessions(db: Path) -> None:
    r = scored(db, survey="sink", since=parse_moment("2030-01-01"))
    assert render_table(r) == (
        "sink · Kitchen sink\n0 sessions\nSince 2030-01-01T00:00:00.000Z\n  No sessions match.\n")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE sessions SET mode = 'preview'")
    conn.close()
    assert render_table(scored(db, survey="sink")) == (
        "sink · Kitchen sink\n0 sessions\n  No sessions yet.\n")


def _m(metric: str, unit: str, method: str, est: Estimate, **details: object) -> Metric:
    return Metric(metric, "Label", est, unit, method, "q", "", "", dict(details))


@pytest.mark.parametrize(
    ("unit", "value", "low", "high", "shown", "interval"),
    [
        ("%", 12.345, 5.0, 20.0, "12.3%", "[5.0, 20.0]"),
        ("points", 12.345, -5.0, 20.0, "+12.3", "[-5.0, +20.0]"),
        ("points", -0.04, -5.0, 0.0, "-0.0", "[-5.0, +0.0]"),
        ("mean", 3.14159, 2.5, 3.75, "3.14", "[2.50, 3.75]"),
        ("count", 0.5, 0.0, 1.25, "0.50", "[0.00, 1.25]"),
        ("s", 61.25, 40.0, 90.0, "61.2 s", "[40.0, 90.0]"),
        ("score", 72.5, -0.04, 80.0, "72.5", "[0.0, 80.0]"),
    ],
)
def test_formats(unit: str, value: float, low: float, high: float, shown: str,
                 interval: str) -> None:
    m = _m("x", unit, "t", Estimate(value, low, high, 9, 0.95))
    assert format_value(m) == shown
    assert format_interval(m) == interval
    assert metric_line(m) == f"    Label                n=9       {shown:>9}  {interval:<18} 95% t"


def test_lines_without_an_interval() -> None:
    one = _m("csat_mean", "mean", "t", Estimate(4.0, None, None, 1, 0.95))
    assert format_interval(one) == "(no interval, n=1)"
    assert metric_line(one) == "    Label                n=1            4.00  (no interval, n=1)"
    median = _m("time_on_task_median", "s", "", Estimate(30.0, None, None, 4, 0.95))
    assert format_interval(median) == "" and metric_line(median).endswith("30.0 s")
    none = _m("nps", "points", "adjusted-wald", Estimate(None, None, None, 0, 0.95))
    assert format_value(none) == "—" and format_interval(none) == ""
    assert metric_line(none) == "    Label                n=0               —  no answers"
    for metric, why in [("completion", "no runs"), ("errors_mean", "no runs"),
                        ("errors_any", "no runs"), ("task_abandonment", "no runs"),
                        ("time_on_task", "no timed runs"), ("abandonment", "no sessions"),
                        ("seq_mean", "no answers"), ("sus", "no answers")]:
        assert metric_line(_m(metric, "%", "t", Estimate(None, None, None, 0, 0.9))).endswith(
            f"—  {why}"), metric
    sus = _m("sus", "score", "t", Estimate(None, None, None, 0, 0.9), excluded=2)
    assert metric_line(sus).endswith("—  no complete respondents")
    umux = _m("umux_lite", "score", "t", Estimate(None, None, None, 0, 0.9), excluded=1)
    assert metric_line(umux).endswith("—  no complete respondents")
    big = _m("nps", "points", "adjusted-wald", Estimate(1.0, 0.0, 2.0, 1234567, 0.9))
    assert "n=1,234,567" in metric_line(big) and metric_line(big).endswith("90% adj-Wald")
    odd = _m("x", "%", "other", Estimate(1.0, 0.0, 2.0, 3, 0.995))
    assert metric_line(odd).endswith("99.5% other")
