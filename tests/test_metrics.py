"""The SQL → metric layer (surveykit.scoring.metrics) on databases written by the Store API.

The formulas themselves are tested in test_stats.py; here: which rows count, how
they are grouped and filtered, and that the figures equal what stats.py gives on
the same raw values.
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from surveykit.definition.loader import Definition, load
from surveykit.scoring import stats
from surveykit.scoring.metrics import (
    Metric,
    ScoreError,
    ScoreOptions,
    ScoreReport,
    scale_metrics,
    score,
)
from surveykit.simulate import SimOptions, simulate
from surveykit.storage.queries import open_readonly, parse_moment
from surveykit.storage.store import Store
from tests.fixtures_data import OTHER_YAML, SURVEYS, Run, S, fill, sus_answers, write_definition

# --- helpers ----------------------------------------------------------------------------


@pytest.fixture
def sink(tmp_path: Path) -> Definition:
    return write_definition(tmp_path)


def scored(db: Path, **options: object) -> ScoreReport:
    conn = open_readonly(db)
    try:
        return score(conn, ScoreOptions(**options), database=str(db))  # type: ignore[arg-type]
    finally:
        conn.close()


def metric(report: ScoreReport, name: str, *, question: str = "", task: str = "",
           group: dict[str, str] | None = None, survey: str = "sink") -> Metric:
    for s in report.surveys:
        if s.survey_id != survey:
            continue
        for g in s.groups:
            if group is not None and g.group != group:
                continue
            for m in g.metrics:
                if m.metric == name and m.question_id == question and m.task_id == task:
                    return m
    raise AssertionError(f"no metric {name} {question} {task} {group}")


def approx(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


def same_estimate(a: stats.Estimate, b: stats.Estimate) -> None:
    assert a.n == b.n
    assert approx(a.value, b.value), (a, b)
    assert approx(a.low, b.low), (a, b)
    assert approx(a.high, b.high), (a, b)


# --- stats.py additions -----------------------------------------------------------------


def test_mean_t_counts_equals_mean_t_on_the_expanded_list() -> None:
    rng = random.Random(3)
    for _ in range(50):
        values = [rng.randint(1, 7) for _ in range(rng.randint(2, 40))]
        same_estimate(stats.mean_t_counts(Counter(values)), stats.mean_t(values))
    same_estimate(stats.mean_t_counts({4.0: 1}), stats.mean_t([4]))
    same_estimate(stats.mean_t_counts({}), stats.mean_t([]))
    same_estimate(stats.mean_t_counts({3.0: 5}), stats.mean_t([3] * 5))
    same_estimate(stats.mean_t_counts([(2.0, 0), (5.0, 2)], 0.9), stats.mean_t([5, 5], 0.9))
    with pytest.raises(ValueError):
        stats.mean_t_counts({1.0: -1})


def test_nps_counts_equals_nps() -> None:
    scores = [0, 6, 7, 8, 9, 10, 10, 3]
    a = stats.nps(scores)
    b = stats.nps_counts(3, 2, 3)
    assert a == b
    assert stats.nps_counts(0, 0, 0).estimate.value is None
    with pytest.raises(ValueError):
        stats.nps_counts(-1, 0, 0)


def test_sus_score_matches_sus_respondent() -> None:
    assert stats.sus_score(40, 10) == 100.0
    assert stats.sus_score(36, 9) == 100.0
    assert stats.sus_score(30, 8) is None
    assert stats.sus_score(0, 0) is None
    with pytest.raises(ValueError):
        stats.sus_score(1, 11)


# --- NPS edge cases ---------------------------------------------------------------------


def test_nps_with_no_answers_is_n_0(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"csat": 4})])
    m = metric(scored(db), "nps", question="nps")
    assert m.estimate.n == 0
    assert m.estimate.value is None and m.estimate.low is None


def test_nps_with_one_answer(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": 10, "csat": 5})])
    r = scored(db)
    m = metric(r, "nps", question="nps")
    same_estimate(m.estimate, stats.nps([10]).estimate)
    assert m.estimate.value == 100.0
    csat_mean = metric(r, "csat_mean", question="csat").estimate
    assert csat_mean.n == 1 and csat_mean.value == 5.0 and csat_mean.low is None


def test_all_promoters_and_all_detractors(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": v}) for v in (9, 10, 10, 9, 10)])
    m = metric(scored(db), "nps", question="nps")
    assert m.estimate.value == 100.0 and m.estimate.n == 5
    assert m.estimate.high is not None and m.estimate.high <= 100.0
    same_estimate(m.estimate, stats.nps([9, 10, 10, 9, 10]).estimate)
    assert metric(scored(db), "nps_promoters", question="nps").estimate.value == 100.0

    db2 = tmp_path / "b.db"
    fill(db2, sink, [S({"nps": v}) for v in (0, 3, 6, 6)])
    m = metric(scored(db2), "nps", question="nps")
    assert m.estimate.value == -100.0
    assert m.estimate.low is not None and m.estimate.low >= -100.0
    assert m.details == {"promoters": 0, "passives": 0, "detractors": 4, "scale": [0, 10]}


def test_na_answers_are_left_out_of_n(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"csat": 5}), S({"csat": 2}), S(na=["csat"]), S(na=["csat"])])
    top2 = metric(scored(db), "csat_top2", question="csat").estimate
    assert top2.n == 2
    same_estimate(top2, stats.top_box([5, 2], 4))


def test_ces_and_rating(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"ces": c, "rate": r}) for c, r in ((7, 10), (5, 8), (2, 3), (6, 9))])
    r = scored(db)
    same_estimate(metric(r, "ces_mean", question="ces").estimate, stats.mean_t([7, 5, 2, 6]))
    same_estimate(metric(r, "ces_agree", question="ces").estimate, stats.top_box([7, 5, 2, 6], 5))
    same_estimate(metric(r, "rating_mean", question="rate").estimate, stats.mean_t([10, 8, 3, 9]))


def test_values_outside_the_scale_are_left_out_with_a_warning(
    tmp_path: Path, sink: Definition
) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": 8}), S({"nps": 11}), S({"nps": 12}), S({"nps": 7.5})])
    r = scored(db)
    assert metric(r, "nps", question="nps").estimate.n == 1
    assert any("2 answers outside" in w for w in r.surveys[0].warnings)
    # 7.5 is on the 0-10 scale but NPS has no category for it: left out, and said so
    assert any("nps: 1 answer between two points" in w for w in r.surveys[0].warnings)


# --- SUS and UMUX-Lite ------------------------------------------------------------------


def test_sus_complete_one_missing_two_missing(tmp_path: Path, sink: Definition) -> None:
    full = [5, 1, 5, 1, 5, 1, 5, 1, 5, 1]  # 100
    one_missing = [4, 2, 4, 2, None, 2, 4, 2, 4, 2]  # 27 × 100/36 = 75
    two_missing = [3, 3, None, 3, 3, None, 3, 3, 3, 3]
    db = tmp_path / "a.db"
    fill(db, sink, [S(sus_answers(full)), S(sus_answers(one_missing)), S(sus_answers(two_missing))])
    m = metric(scored(db), "sus", question="sus")
    assert m.estimate.n == 2
    assert m.details["excluded"] == 1
    expected = stats.sus([full, one_missing, two_missing])
    same_estimate(m.estimate, expected.estimate)
    assert m.estimate.value == pytest.approx(87.5)
    assert m.details["grade"] == expected.grade == "A+"


def test_sus_with_one_respondent_and_an_na_item(tmp_path: Path, sink: Definition) -> None:
    items = [4, 2, 4, 2, 4, 2, 4, 2, 4, None]
    db = tmp_path / "a.db"
    fill(db, sink, [S(sus_answers(items), na=["sus.10"])])
    m = metric(scored(db), "sus", question="sus")
    assert m.estimate.n == 1 and m.estimate.low is None
    assert m.estimate.value == pytest.approx(stats.sus_respondent(items) or -1)


def test_sus_only_two_missing_gives_n_0(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S(sus_answers([3, 3, 3, 3, 3, 3, 3, 3, None, None]))])
    m = metric(scored(db), "sus", question="sus")
    assert m.estimate.n == 0 and m.estimate.value is None
    assert m.details["excluded"] == 1 and m.details["grade"] is None


def test_umux_lite_needs_both_items(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [
        S({"umux_lite.1": 7, "umux_lite.2": 6}),
        S({"umux_lite.1": 4, "umux_lite.2": 5}),
        S({"umux_lite.1": 6}),
    ])
    r = scored(db)
    m = metric(r, "umux_lite", question="umux_lite")
    same_estimate(m.estimate, stats.mean_t([stats.umux_lite(7, 6), stats.umux_lite(4, 5)]))
    assert m.details["excluded"] == 1
    eq = metric(r, "umux_lite_sus", question="umux_lite").estimate
    assert eq.value == pytest.approx(stats.umux_lite_sus_equivalent(m.estimate.value or 0))


# --- tasks ------------------------------------------------------------------------------


def test_task_metrics(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [
        S({"t1/seq": 6}, runs=[Run("t1", "success", 30_000, errors=0), Run("t2", "fail", 90_000, 2, 1)]),
        S({"t1/seq": 4}, runs=[Run("t1", "partial", 50_000, errors=1), Run("t2", "skipped")]),
        S({"t1/seq": 7}, runs=[Run("t1", "success", 20_000), Run("t2", "abandoned", 40_000, 1)]),
        S(runs=[Run("t1", "timeout", 70_000, 3)]),
        S(runs=[Run("t1", None)], status="abandoned"),
    ])
    r = scored(db)
    comp = metric(r, "completion", task="t1")
    same_estimate(comp.estimate, stats.completion_rate(["success", "partial", "success", "timeout"]).scaled(100))
    assert comp.details["unfinished"] == 1
    tot = metric(r, "time_on_task", task="t1").estimate
    same_estimate(tot, stats.geometric_mean_interval([30.0, 20.0]))
    assert metric(r, "time_on_task_median", task="t1").estimate.value == 25.0
    same_estimate(metric(r, "errors_mean", task="t1").estimate, stats.mean_t([0, 1, 0, 3]))
    same_estimate(metric(r, "errors_any", task="t1").estimate, stats.top_box([0, 1, 0, 3], 1))
    assert metric(r, "task_abandonment", task="t1").estimate.value == 0.0
    # t2: skipped runs are left out
    t2 = metric(r, "completion", task="t2")
    assert t2.estimate.n == 2 and t2.details["skipped"] == 1
    assert metric(r, "task_abandonment", task="t2").estimate.value == 50.0
    same_estimate(metric(r, "seq_mean", question="seq", task="t1").estimate, stats.mean_t([6, 4, 7]))
    assert metric(r, "seq_mean", question="seq", task="t2").estimate.n == 0
    # abandonment of sessions
    ab = metric(r, "abandonment")
    same_estimate(ab.estimate, stats.adjusted_wald(1, 5).scaled(100))

    both = scored(db, partial_as_success=True)
    same_estimate(metric(both, "completion", task="t1").estimate,
                  stats.completion_rate(["success", "success", "success", "timeout"]).scaled(100))
    same_estimate(metric(both, "time_on_task", task="t1").estimate,
                  stats.geometric_mean_interval([30.0, 50.0, 20.0]))
    every = scored(db, times="all")
    same_estimate(metric(every, "time_on_task", task="t1").estimate,
                  stats.geometric_mean_interval([30.0, 50.0, 20.0, 70.0]))


def test_a_task_never_attempted_is_n_0(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S(runs=[Run("t1", "success")])])
    r = scored(db)
    for name in ("completion", "time_on_task", "errors_mean", "errors_any", "task_abandonment"):
        est = metric(r, name, task="t3").estimate
        assert est.n == 0 and est.value is None, name


# --- filters and groups -----------------------------------------------------------------


def test_preview_sessions_are_never_scored(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": 10}), S({"nps": 0}, mode="preview")])
    r = scored(db)
    assert metric(r, "nps", question="nps").estimate.n == 1
    assert r.surveys[0].groups[0].sessions["started"] == 1


def test_completed_only_and_since(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [
        S({"nps": 10}, started=datetime(2026, 10, 1, 9, tzinfo=UTC)),
        S({"nps": 0}, status="abandoned", started=datetime(2026, 11, 3, 9, tzinfo=UTC)),
        S({"nps": 8}, started=datetime(2026, 11, 4, 9, tzinfo=UTC)),
    ])
    assert metric(scored(db), "nps", question="nps").estimate.n == 3
    r = scored(db, completed_only=True)
    assert metric(r, "nps", question="nps").estimate.n == 2
    assert all(m.metric != "abandonment" for m in r.surveys[0].groups[0].metrics)
    since = scored(db, since=parse_moment("2026-11-01"))
    assert metric(since, "nps", question="nps").estimate.n == 2
    until = scored(db, until=parse_moment("2026-11-03", end_of_day=True))
    assert metric(until, "nps", question="nps").estimate.n == 2


def test_group_by_mode_device_day_week_and_meta(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [
        S({"nps": 10}, mode="kiosk", device="k1", meta={"store": "north"},
          started=datetime(2026, 11, 2, 9, tzinfo=UTC)),   # Monday, week 45
        S({"nps": 9}, mode="kiosk", device="k2", meta={"store": "south"},
          started=datetime(2026, 11, 8, 9, tzinfo=UTC)),   # Sunday, week 45
        S({"nps": 0}, mode="run", meta={"store": "north"},
          started=datetime(2026, 11, 9, 9, tzinfo=UTC)),   # Monday, week 46
    ])
    r = scored(db, by=("mode",))
    assert [g.group for g in r.surveys[0].groups] == [{"mode": "kiosk"}, {"mode": "run"}]
    assert metric(r, "nps", question="nps", group={"mode": "kiosk"}).estimate.value == 100.0
    r = scored(db, by=("device",))
    assert [g.group["device"] for g in r.surveys[0].groups] == ["k1", "k2", "(none)"]
    r = scored(db, by=("week",))
    assert [g.group["week"] for g in r.surveys[0].groups] == ["2026-W45", "2026-W46"]
    assert metric(r, "nps", question="nps", group={"week": "2026-W45"}).estimate.n == 2
    r = scored(db, by=("day",))
    assert len(r.surveys[0].groups) == 3
    r = scored(db, by=("store", "mode"))
    groups = [g.group for g in r.surveys[0].groups]
    assert {"store": "north", "mode": "run"} in groups and len(groups) == 3
    assert metric(scored(db, by=("meta.store",)), "nps", question="nps",
                  group={"meta.store": "south"}).estimate.n == 1


def test_unknown_meta_key_and_unknown_survey(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": 10}, meta={"store": "north"})])
    with pytest.raises(ScoreError, match="did you mean 'store'"):
        scored(db, by=("stor",))
    with pytest.raises(ScoreError, match="no survey 'snik'"):
        scored(db, survey="snik")


def test_several_surveys_each_scored_separately(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    other = write_definition(tmp_path, OTHER_YAML, "other.yaml")
    fill(db, sink, [S({"nps": 10})])
    fill(db, other, [S({"nps": 0}), S({"nps": 1})])
    r = scored(db)
    assert [s.survey_id for s in r.surveys] == ["other", "sink"]
    assert metric(r, "nps", question="nps", survey="other").estimate.value == -100.0
    assert metric(r, "nps", question="nps", survey="sink").estimate.value == 100.0
    only = scored(db, survey="other")
    assert [s.survey_id for s in only.surveys] == ["other"]


def test_two_versions_of_a_definition_are_scored_together(tmp_path: Path, sink: Definition) -> None:
    db = tmp_path / "a.db"
    fill(db, sink, [S({"nps": 10})])
    v2 = write_definition(tmp_path, OTHER_YAML.replace("id: other", "id: sink"), "v2.yaml")
    fill(db, v2, [S({"nps": 0})])
    r = scored(db)
    assert metric(r, "nps", question="nps").estimate.n == 2
    assert metric(r, "nps", question="nps").subject == "Recommend?"  # the newest wording


def test_empty_database(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Store(db).close()
    assert scored(db).surveys == []


# --- cross-check on simulated data ------------------------------------------------------


def test_simulated_study_scores_equal_stats_on_raw_values(tmp_path: Path) -> None:
    """Every figure from SQL equals stats.py applied to the raw rows in Python."""
    db = tmp_path / "sim.db"
    definition = load(SURVEYS / "checkout-study.yaml")
    with Store(db) as store:
        simulate(definition, store, SimOptions(sessions=120, seed=5, abandon_rate=0.2))
    r = scored(db)
    conn = sqlite3.connect(db)
    sus_rows: dict[int, list[int | None]] = {}
    seq: dict[str, list[float]] = {}
    for sid, task, qid, num, na in conn.execute(
        "SELECT session_id, task_id, question_id, value_num, is_na FROM answers"
    ):
        if qid.startswith("sus."):
            sus_rows.setdefault(sid, [None] * 10)[int(qid[4:]) - 1] = None if na else int(num)
        elif qid == "seq" and not na:
            seq.setdefault(task, []).append(num)
    expected = stats.sus(list(sus_rows.values()))
    m = metric(r, "sus", question="sus", survey="checkout-study")
    same_estimate(m.estimate, expected.estimate)
    assert m.details["excluded"] == expected.excluded
    for task, values in seq.items():
        got = metric(r, "seq_mean", question="seq", task=task, survey="checkout-study")
        same_estimate(got.estimate, stats.mean_t(values))
        runs = conn.execute(
            "SELECT outcome, active_ms FROM task_runs WHERE task_id = ?", (task,)
        ).fetchall()
        comp = metric(r, "completion", task=task, survey="checkout-study")
        same_estimate(comp.estimate, stats.completion_rate([o for o, _ in runs]).scaled(100))
        tot = metric(r, "time_on_task", task=task, survey="checkout-study")
        same_estimate(tot.estimate, stats.geometric_mean_interval(
            [ms / 1000 for o, ms in runs if o == "success"]))


def test_scale_metrics_rejects_unknown_type() -> None:
    with pytest.raises(ValueError):
        scale_metrics("text", Counter(), 0.95, "q")


def test_group_labels() -> None:
    from surveykit.scoring.metrics import NONE_LABEL, group_label

    assert NONE_LABEL == "(none)"
    assert group_label("store", None) == group_label("store", "") == "(none)"
    assert group_label("week", "2026-11-02") == "2026-W45"
    assert group_label("week", "2027-01-03") == "2026-W53"
    assert group_label("week", "not a date") == "not a date"
    assert group_label("floor", 2.0) == "2" and group_label("floor", 2.5) == "2.5"
    assert group_label("floor", 3) == "3" and group_label("store", "north") == "north"
    assert group_label("day", 0) == "0"


def test_scale_text() -> None:
    from surveykit.scoring.builders import scale_text

    assert scale_text((1.0, 10.0)) == "1-10"
    assert scale_text((0.5, 7.25)) == "0.5-7.25"
    assert scale_text((None, 5.0)) == "…-5" and scale_text((1.0, None)) == "1-…"


@pytest.mark.parametrize(
    "values",
    [[5.0], [1.0, 2.0], [3.0, 1.0, 2.0], [1.0, 1.0, 5.0, 7.0], [2.0, 2.0, 2.0, 9.0, 9.0, 9.0],
     [-1.5, 0.0, 0.0, 4.0, 10.0], [7.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]],
)
def test_median_counts_equals_the_median_of_the_expanded_list(values: list[float]) -> None:
    import statistics

    from surveykit.scoring.builders import median_counts

    counts = Counter(values)
    assert median_counts(counts) == statistics.median(values)
    assert median_counts({**counts, 99.0: 0}) == statistics.median(values)


def test_median_counts_of_nothing() -> None:
    from surveykit.scoring.builders import median_counts

    assert median_counts({}) is None and median_counts({3.0: 0}) is None


def test_median_counts_skips_a_zero_count_in_the_middle() -> None:
    from surveykit.scoring.builders import median_counts

    assert median_counts({1.0: 1, 2.0: 0, 3.0: 1}) == 2.0
    assert median_counts({1.0: 2, 2.0: 0, 5.0: 1}) == 1.0


def test_umux_metrics_from_counts() -> None:
    from surveykit.scoring.metrics import umux_metrics

    counts = {(7, 6): 1, (6, 7): 2, (4, 5): 1, (6, None): 1, (None, 2): 2}
    lite, as_sus = umux_metrics(counts, 0.9, "umux_lite")
    expected = stats.mean_t([stats.umux_lite(7, 6), stats.umux_lite(6, 7), stats.umux_lite(6, 7),
                             stats.umux_lite(4, 5)], 0.9)
    same_estimate(lite.estimate, expected)
    assert lite.details == {"excluded": 3} and (lite.task_id, lite.subject) == ("", "")
    eq = stats.umux_lite_sus_equivalent
    assert as_sus.estimate.low == pytest.approx(eq(expected.low or 0))
    assert as_sus.estimate.high == pytest.approx(eq(expected.high or 0))
    assert as_sus.details == {"grade": stats.sus_grade(eq(expected.value or 0))}


def test_sus_metric_from_counts() -> None:
    from surveykit.scoring.metrics import sus_metric

    m = sus_metric({(36, 10): 2, (27, 9): 1, (20, 8): 1, (None, None): 1}, 0.95, "sus")
    same_estimate(m.estimate, stats.mean_t([90.0, 90.0, 75.0]))
    assert m.details["excluded"] == 2 and (m.task_id, m.subject) == ("", "")


def test_sus_metric_adds_respondents_with_the_same_score() -> None:
    from surveykit.scoring.metrics import sus_metric

    m = sus_metric({(30, 10): 1, (27, 9): 1, (40, 10): 1}, 0.95, "sus")  # 75, 75, 100
    same_estimate(m.estimate, stats.mean_t([75.0, 75.0, 100.0]))


def test_task_metrics_defaults_and_labels() -> None:
    from surveykit.scoring.metrics import task_metrics

    runs = {("success", 0): 2, ("partial", 1): 1}
    out = {m.metric: m for m in task_metrics(runs, [10.0, 20.0], 0.95, "t")}
    assert {m.subject for m in out.values()} == {""}
    assert out["completion"].estimate.value == pytest.approx(200 / 3)
    assert out["completion"].details["partial_as_success"] is False
    assert out["time_on_task"].details == {"runs": "successful runs", "excluded": 0}
    assert out["time_on_task_median"].method == "" and out["time_on_task_mean"].method == ""
    assert out["time_on_task_median"].estimate.value == 15.0
    both = {m.metric: m for m in task_metrics(runs, [10.0], 0.95, "t", partial_as_success=True)}
    assert both["time_on_task"].details["runs"] == "successful and partial runs"
    assert both["completion"].estimate.value == 100.0
    every = {m.metric: m for m in task_metrics(runs, [10.0], 0.95, "t", "T",
                                               partial_as_success=True, times_label="all")}
    assert every["time_on_task"].details["runs"] == "every finished run"
    assert every["completion"].subject == "T"


def test_scale_metrics_from_counts_directly() -> None:
    counts = {7.0: 1, 8.0: 2, 6.0: 1, 9.0: 1, 10.0: 1, 0.0: 1}
    out = {m.metric: m for m in scale_metrics("nps", counts, 0.95, "nps")}
    assert out["nps"].details == {"promoters": 2, "passives": 3, "detractors": 2, "scale": None}
    assert {(m.task_id, m.subject, m.label) for m in out.values()} >= {("", "", "NPS")}
    csat = scale_metrics("csat", {4.0: 1, 3.5: 1}, 0.95, "q", scale=(1.0, 5.0))
    assert [m.label for m in csat] == ["CSAT top-2-box", "CSAT mean (1-5)"]
    assert csat[0].details == {"count": 1, "scale": [1.0, 5.0]}
    split = scale_metrics("rating", {4.0: 1}, 0.95, "q", scale=(1.0, 5.0), split=True)
    assert split[0].label == "Rating mean on 1-5"
    with pytest.raises(ValueError, match="not a scale type: 'text'"):
        scale_metrics("text", {}, 0.95, "q")
