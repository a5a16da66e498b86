"""Scoring bugs found by comparing `surveykit score` with an independent implementation.

Each test here failed before its fix: keys that came and went with n, boolean
meta values grouped as 1/0, a question whose scale changed between definition
versions pooled into one mean, a CSAT of 3.5 dropped as "outside the scale", a
successful run timed at 0 ms silently missing from time on task, and a
`--confidence` level that did not reach every metric.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from surveykit.definition.loader import Definition
from surveykit.scoring import stats
from surveykit.scoring.metrics import Metric, ScoreOptions, ScoreReport, score
from surveykit.scoring.report import render_table, to_json
from surveykit.storage.queries import open_readonly
from tests.fixtures_data import SINK_YAML, Run, S, fill, run_cli, sus_answers, write_definition


@pytest.fixture
def sink(tmp_path: Path) -> Definition:
    return write_definition(tmp_path)


def scored(db: Path, **options: object) -> ScoreReport:
    conn = open_readonly(db)
    try:
        return score(conn, ScoreOptions(**options), database=str(db))  # type: ignore[arg-type]
    finally:
        conn.close()


def metrics(report: ScoreReport, name: str, *, question: str = "", task: str = "") -> list[Metric]:
    return [
        m
        for s in report.surveys
        for g in s.groups
        for m in g.metrics
        if m.metric == name and m.question_id == question and m.task_id == task
    ]


def metric(report: ScoreReport, name: str, *, question: str = "", task: str = "") -> Metric:
    found = metrics(report, name, question=question, task=task)
    assert len(found) == 1, (name, question, task, found)
    return found[0]


def full_session(i: int) -> S:
    return S(
        {"nps": i % 11, "csat": 1 + i % 5, "ces": 1 + i % 7, "rate": 1 + i % 10,
         "t1/seq": 1 + i % 7, "temp": 4 * i - 7.5, "umux_lite.1": 1 + i % 7, "umux_lite.2": 7 - i % 7,
         **sus_answers([1 + (i + k) % 5 for k in range(10)])},
        runs=[Run("t1", "success", 20_000 + 7_000 * i, errors=i % 2),
              Run("t2", "fail", 30_000 + 1_000 * i)],
    )


# --- JSON keys are the same at every n ------------------------------------------------


def _shape(report: ScoreReport) -> dict[tuple[str, str, str], tuple[list[str], list[str]]]:
    data = json.loads(to_json(report))
    out = {}
    for s in data["surveys"]:
        for g in s["groups"]:
            for m in g["metrics"]:
                out[(m["metric"], m["question_id"] or "", m["task_id"] or "")] = (
                    sorted(m), sorted(m["details"]))
    return out


def test_json_keys_are_the_same_at_every_n(tmp_path: Path, sink: Definition) -> None:
    shapes = []
    for n in (0, 1, 2, 3):
        db = tmp_path / f"n{n}.db"
        fill(db, sink, [full_session(i) for i in range(n)] or [S()])
        shapes.append(_shape(scored(db)))
    assert shapes[0].keys() == shapes[1].keys() == shapes[2].keys() == shapes[3].keys()
    for key in shapes[0]:
        assert shapes[0][key] == shapes[1][key] == shapes[2][key] == shapes[3][key], key
    # the SUS grade of the interval's ends: null when there is no interval
    one = scored(tmp_path / "n1.db")
    sus1 = metric(one, "sus", question="sus")
    assert sus1.estimate.n == 1
    assert sus1.details["grade_low"] is None and sus1.details["grade_high"] is None
    assert metric(scored(tmp_path / "n3.db"), "sus", question="sus").details["grade_low"]


# --- boolean meta values ------------------------------------------------------------------


def test_a_boolean_meta_value_groups_as_true_and_false(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [
        S({"nps": 10}, meta={"vip": True, "floor": 1}),
        S({"nps": 0}, meta={"vip": False, "floor": 1.0}),
        S({"nps": 5}, meta={"vip": 1, "floor": "1"}),
        S({"nps": 7}, meta={}),
    ])
    r = scored(db, by=("vip",))
    assert sorted(g.group["vip"] for g in r.surveys[0].groups) == ["(none)", "1", "false", "true"]
    assert scored(db, by=("meta.vip",)).surveys[0].groups[0].group == {"meta.vip": "1"}
    # numbers stay numbers: 1 and 1.0 are one group (with the text "1")
    assert [g.group["floor"] for g in scored(db, by=("floor",)).surveys[0].groups] == ["1", "(none)"]


# --- a scale that changed between definition versions ---------------------------------------


def test_a_question_whose_scale_changed_is_not_pooled(tmp_path: Path, sink: Definition) -> None:
    old = write_definition(
        tmp_path,
        SINK_YAML.replace("min: 1, max: 10, labels: {1: Poor, 10: Great}", "min: 1, max: 5"),
        "old.yaml",
    )
    db = tmp_path / "a.db"
    fill(db, old, [S({"rate": 5}), S({"rate": 4}), S({"rate": 3})])
    fill(db, sink, [S({"rate": 10}), S({"rate": 8})])  # the newer version: 1-10
    r = scored(db)
    means = metrics(r, "rating_mean", question="rate")
    assert len(means) == 2
    by_scale = {tuple(m.details["scale"]): m.estimate for m in means}
    same = stats.mean_t([10, 8])
    assert by_scale[(1.0, 10.0)].value == same.value and by_scale[(1.0, 10.0)].n == 2
    assert by_scale[(1.0, 5.0)].value == pytest.approx(4.0) and by_scale[(1.0, 5.0)].n == 3
    assert means[0].details["scale"] == [1.0, 10.0]  # the newest scale first
    assert "1-10" in means[0].label and "1-5" in means[1].label
    warning = " ".join(r.surveys[0].warnings)
    assert "rate" in warning and "1-5" in warning and "1-10" in warning and "not pooled" in warning
    table = render_table(r)
    assert "scale changed" in table
    assert json.loads(to_json(r))["surveys"][0]["warnings"] == r.surveys[0].warnings


def test_a_scale_that_did_not_change_has_one_metric_with_its_scale(
    tmp_path: Path, sink: Definition
) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"rate": 10}), S({"rate": 8})])
    r = scored(db)
    m = metric(r, "rating_mean", question="rate")
    assert m.details["scale"] == [1.0, 10.0] and r.surveys[0].warnings == []
    assert metric(r, "csat_top2", question="csat").details["scale"] == [1.0, 5.0]


# --- values between the points of a scale -------------------------------------------------


def _set_value(db: Path, qid: str, old: float, new: float) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE answers SET value_num = ?, value_json = ? WHERE question_id = ? "
            "AND value_num = ?", (new, json.dumps(new), qid, old))
    conn.close()


def test_a_csat_of_3_5_is_counted_but_is_not_top_box(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"csat": 5}), S({"csat": 3}), S({"csat": 4})])
    _set_value(db, "csat", 3, 3.5)  # written by another tool
    r = scored(db)
    same_mean = stats.mean_t([5, 3.5, 4])
    mean = metric(r, "csat_mean", question="csat").estimate
    assert mean.n == 3 and mean.value == pytest.approx(same_mean.value)
    assert mean.low == pytest.approx(same_mean.low)
    top2 = metric(r, "csat_top2", question="csat")
    assert top2.estimate.n == 3 and top2.details["count"] == 2
    assert r.surveys[0].warnings == []


def test_a_value_past_the_end_of_the_scale_is_still_left_out(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"csat": 5}), S({"csat": 3})])
    _set_value(db, "csat", 5, 5.5)
    r = scored(db)
    assert metric(r, "csat_mean", question="csat").estimate.n == 1
    assert any("outside the question's scale" in w for w in r.surveys[0].warnings)


# --- time on task ---------------------------------------------------------------------------


def test_a_run_timed_at_zero_is_excluded_and_said_so(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S(runs=[Run("t1", "success", 0)]), S(runs=[Run("t1", "success", 30_000)]),
                    S(runs=[Run("t1", "success", 20_000)])])
    r = scored(db)
    tot = metric(r, "time_on_task", task="t1")
    assert tot.estimate.n == 2 and tot.details["excluded"] == 1
    assert tot.estimate.value == pytest.approx(math.sqrt(30 * 20))
    assert metric(r, "completion", task="t1").estimate.n == 3
    warning = " ".join(r.surveys[0].warnings)
    assert "t1" in warning and "0 ms" in warning and "time on task" in warning
    assert "1 excluded" in render_table(r)
    assert metric(r, "time_on_task", task="t2").details["excluded"] == 0


def test_runs_under_a_second_are_timed(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S(runs=[Run("t1", "success", 400)]), S(runs=[Run("t1", "success", 900)]),
                    S(runs=[Run("t1", "success", 2_500)])])
    tot = metric(scored(db), "time_on_task", task="t1")
    assert tot.estimate.n == 3 and tot.details["excluded"] == 0
    assert tot.estimate.value == pytest.approx((0.4 * 0.9 * 2.5) ** (1 / 3))


# --- --confidence reaches every metric ------------------------------------------------------


def test_the_confidence_level_reaches_every_metric(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [full_session(i) for i in range(6)])
    at95, at90 = scored(db), scored(db, confidence=0.9)
    widths = 0
    for s95, s90 in zip(at95.surveys, at90.surveys, strict=True):
        for m95, m90 in zip(s95.groups[0].metrics, s90.groups[0].metrics, strict=True):
            assert m90.estimate.confidence == 0.9
            e95, e90 = m95.estimate, m90.estimate
            if e95.low is None or e95.high is None or e90.low is None or e90.high is None:
                continue
            assert e90.high - e90.low < e95.high - e95.low or e95.high - e95.low == 0, m95.metric
            widths += 1
    assert widths >= 15
    times = [20 + 7 * i for i in range(6)]
    same_estimate = stats.geometric_mean_interval(times, 0.9)
    assert metric(at90, "time_on_task", task="t1").estimate == same_estimate
    sus90 = stats.sus([[1 + (i + k) % 5 for k in range(10)] for i in range(6)], 0.9)
    assert metric(at90, "sus", question="sus").estimate.low == pytest.approx(sus90.estimate.low)


def test_score_cli_confidence_90_prints_90_percent_intervals(
    tmp_path: Path, sink: Definition, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [full_session(i) for i in range(6)])
    code, out, _ = run_cli(["score", str(db), "--confidence", "90", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    tot = next(m for m in data["surveys"][0]["groups"][0]["metrics"]
               if m["metric"] == "time_on_task" and m["task_id"] == "t1")
    expected = stats.geometric_mean_interval([20 + 7 * i for i in range(6)], 0.9)
    assert tot["confidence"] == 0.9
    assert tot["low"] == pytest.approx(expected.low) and tot["high"] == pytest.approx(expected.high)


# --- number questions (issue 11) ---------------------------------------------------------------


def test_number_questions_get_a_mean_and_a_median(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    values = [12.5, -3, 21, 21, 7]
    fill(db, sink, [S({"temp": v}) for v in values] + [S({"temp": 80}), S({"nps": 5})])
    r = scored(db, confidence=0.9)
    mean = metric(r, "number_mean", question="temp")
    assert mean.estimate == stats.mean_t(values, 0.9)
    assert (mean.unit, mean.method, mean.label) == ("mean", "t", "Mean")
    assert mean.details == {"scale": [-40, 50]}
    median = metric(r, "number_median", question="temp")
    assert median.estimate.value == 12.5 and median.estimate.n == 5 and median.estimate.low is None
    assert median.method == "" and median.subject == "Temperature outside?"
    assert any("temp: 1 answer outside" in w for w in r.surveys[0].warnings)  # 80 > max 50
    assert "Median" in render_table(r)


# --- messages and rare paths ----------------------------------------------------------------


def test_plural_warnings(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": 7}, runs=[Run("t1", "success", 0)]),
                    S({"nps": 8}, runs=[Run("t1", "success", 0)]),
                    S({"nps": 9, "t2/seq": 9}, runs=[Run("t1", "success", 10_000)])])
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE answers SET value_num = value_num + 0.5 WHERE question_id = 'nps' "
                     "AND value_num < 9")
        conn.execute("UPDATE task_runs SET active_ms = NULL WHERE active_ms = 0 AND rowid = "
                     "(SELECT MIN(rowid) FROM task_runs)")
    conn.close()
    r = scored(db)
    assert r.surveys[0].warnings == [
        "seq (task t2): 1 answer outside the question's scale left out",
        "task t1: 2 timed runs with no active time (0 ms) left out of time on task (a geometric "
        "mean needs times above 0)",
        "nps: 2 answers between two points of the 0-10 scale left out (NPS has no category for "
        "them)",
    ]
    assert metric(r, "time_on_task", task="t1").details == {"runs": "successful runs",
                                                            "excluded": 2}


def test_runs_of_a_task_no_definition_has_are_scored_under_its_id(
    tmp_path: Path, sink: Definition
) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S(runs=[Run("t1", "success", 5_000)])])
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE task_runs SET task_id = 'gone'")
    conn.close()
    r = scored(db)
    comp = metric(r, "completion", task="gone")
    assert comp.subject == "gone" and comp.estimate.n == 1
    tasks = [m.task_id for m in r.surveys[0].groups[0].metrics if m.metric == "completion"]
    assert tasks == ["t1", "t2", "t3", "gone"]


def test_score_option_errors(tmp_path: Path, sink: Definition) -> None:
    from surveykit.scoring.metrics import ScoreError

    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": 1}, meta={"store": "north", "floor": 2})])
    cases = [
        ({"times": "some"}, "--times is 'success' or 'all'"),
        ({"survey": "zzz"}, "no survey 'zzz' in the database (surveys: sink)"),
        ({"survey": "snik"}, "no survey 'snik' in the database; did you mean 'sink'?"),
        ({"by": ("mode", "mode")}, "each --by key may be given once"),
        ({"by": ("qqq",)}, "cannot group by 'qqq': it is not one of mode, device, site, "
                           "participant, status, day, week, month, language and no session has it in its meta data "
                           "(meta keys: floor, store)"),
        ({"by": ("meta.stor",)}, "cannot group by 'stor': it is not one of mode, device, "
                                 "site, participant, status, day, week, month, language and no session has it "
                                 "in its meta data; did you mean 'store'?"),
    ]
    for options, message in cases:
        with pytest.raises(ScoreError) as info:
            scored(db, **options)
        assert str(info.value) == message, options
    with pytest.raises(ValueError, match="confidence must be strictly between 0 and 1"):
        scored(db, confidence=1.5)
    empty = tmp_path / "empty.db"
    fill(empty, sink, [])
    from surveykit.storage.store import Store

    Store(empty).close()
    with pytest.raises(ScoreError) as info:
        scored(empty, survey="zzz")
    assert str(info.value) == "no survey 'zzz' in the database"
    with pytest.raises(ScoreError) as info:
        scored(db, by=("zzz",))
    assert str(info.value).endswith("in its meta data (meta keys: floor, store)")


def test_a_number_question_without_bounds_and_two_versions_with_the_same_answer(
    tmp_path: Path, sink: Definition
) -> None:
    v1 = write_definition(tmp_path, SINK_YAML.replace(
        "{id: temp, type: number, text: Temperature outside?, min: -40, max: 50}",
        "{id: temp, type: number, text: Temperature outside?}"), "v1.yaml")
    v2 = write_definition(tmp_path, SINK_YAML.replace(
        "{id: temp, type: number, text: Temperature outside?, min: -40, max: 50}",
        "{id: temp, type: number, text: Temperature?}"), "v2.yaml")
    db = tmp_path / "a.db"
    fill(db, v1, [S({"temp": 1e6, "nps": 9}), S({"temp": -1e6, "nps": 3})])
    fill(db, v2, [S({"temp": 1e6, "nps": 9})])
    r = scored(db)
    mean = metric(r, "number_mean", question="temp")
    assert mean.estimate == stats.mean_t([1e6, -1e6, 1e6])
    assert mean.details == {"scale": [None, None]} and mean.subject == "Temperature?"
    nps = metric(r, "nps", question="nps")
    assert nps.estimate.n == 3 and nps.details["promoters"] == 2
