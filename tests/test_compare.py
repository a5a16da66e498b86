"""`surveykit compare`: the tests of `surveykit/scoring/compare.py` against their references.

References:

* N−1 two-proportion test: Campbell (2007), "Chi-squared and Fisher–Irwin tests
  of two-by-two tables with small sample recommendations", Statistics in
  Medicine 26:3661–75 — the N−1 chi-square is Pearson's chi-square × (N − 1)/N;
  recommended by Sauro & Lewis, *Quantifying the User Experience* (2nd ed.),
  ch. 5, and MeasuringU, "How to Compare Two Proportions with the N−1
  Two-Proportion Test". Checked against scipy's Pearson chi-square.
* Adjusted-Wald interval of a difference: Agresti & Caffo (2000), "Simple and
  effective confidence intervals for proportions and differences of proportions
  result from adding two successes and two failures", The American
  Statistician 54:280–288. At z = 2 (z²/4 = 1 success, z²/2 = 2 trials per
  group) it is exactly statsmodels' `agresti-caffo` interval.
* Welch's t-test (Welch 1947; Sauro & Lewis ch. 5, comparing two means):
  scipy's `ttest_ind(equal_var=False)` and its confidence interval.
* Time on task on log times (Sauro & Lewis ch. 5 and 9, geometric means).
* NPS difference: the variance of each group is the one of SPEC §5 (Rocks
  2016), the same as `stats.nps_counts`.
* Holm (1979): statsmodels' `multipletests(method="holm")`.
* Within-subjects (Sauro & Lewis ch. 5, "within-subjects comparison (paired
  t-test)" and McNemar's exact test for matched binary outcomes): scipy's
  `ttest_rel` and statsmodels' `mcnemar(exact=True)`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from surveykit.scoring import stats
from surveykit.scoring.compare import (
    ROW_KEYS,
    holm,
    mcnemar_exact,
    n1_two_proportions,
    nps_difference,
    paired_t,
    summary,
    welch,
    welch_log_ratio,
)
from tests.fixtures_data import Run, S, fill, run_cli, write_definition

Z2 = float(1 - 2 * special.ndtr(-2.0))  # the confidence level whose z is exactly 2


# --- N−1 two-proportion test ------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.data())
def test_n1_test_is_campbells_chi_square_times_n_minus_1_over_n(n1: int, n2: int, data) -> None:
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    d = n1_two_proportions(x1, n1, x2, n2)
    assert d.difference == pytest.approx(x1 / n1 - x2 / n2)
    if x1 + x2 in (0, n1 + n2):
        assert d.p == 1.0
        return
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    chi2 = scipy_stats.chi2_contingency(table, correction=False)[0]
    big_n = n1 + n2
    n1_chi2 = chi2 * (big_n - 1) / big_n
    assert d.statistic is not None and d.statistic**2 == pytest.approx(n1_chi2, rel=1e-9)
    assert d.p == pytest.approx(scipy_stats.chi2.sf(n1_chi2, 1), rel=1e-7, abs=1e-12)
    assert math.copysign(1, d.statistic) == math.copysign(1, x1 / n1 - x2 / n2) or d.statistic == 0


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.data())
def test_adjusted_wald_difference_is_agresti_caffo(n1: int, n2: int, data) -> None:
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    d = n1_two_proportions(x1, n1, x2, n2, confidence=Z2)
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="agresti-caffo",
                                           compare="diff", alpha=1 - Z2)
    assert d.low == pytest.approx(max(-1.0, low), abs=1e-9)
    assert d.high == pytest.approx(min(1.0, high), abs=1e-9)


def test_proportion_worked_by_hand() -> None:
    # 11 of 12 against 5 of 10: P = 16/22, N = 22 (the formula of the issue, by hand)
    d = n1_two_proportions(11, 12, 5, 10)
    pooled = 16 / 22
    z = (11 / 12 - 0.5) / math.sqrt(pooled * (1 - pooled) * (1 / 12 + 1 / 10)) * math.sqrt(21 / 22)
    assert d.statistic == pytest.approx(z)
    assert z == pytest.approx(2.1348, abs=1e-4)  # 0.41667 / 0.19069 × 0.97701
    assert d.p == pytest.approx(2 * scipy_stats.norm.sf(z))
    assert d.method == "n-1 two-proportion"


def test_empty_groups_give_nulls() -> None:
    d = n1_two_proportions(0, 0, 3, 5)
    assert (d.difference, d.low, d.high, d.p) == (None, None, None, None)


# --- Welch ------------------------------------------------------------------------------

samples = st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=40)


@settings(max_examples=150, deadline=None)
@given(samples, samples)
def test_welch_equals_scipy(a: list[float], b: list[float]) -> None:
    if np.var(a) < 1e-6 or np.var(b) < 1e-6:
        return
    d = welch(summary(a), summary(b))
    ref = scipy_stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert d.statistic == pytest.approx(ref.statistic, rel=1e-6, abs=1e-9)
    assert d.p == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)
    assert d.df == pytest.approx(ref.df, rel=1e-6)
    assert d.low == pytest.approx(ci.low, rel=1e-6, abs=1e-9)
    assert d.high == pytest.approx(ci.high, rel=1e-6, abs=1e-9)


def test_welch_from_a_histogram_equals_the_list() -> None:
    a = {1.0: 2, 4.0: 3, 7.0: 5}
    b = [2.0, 2.0, 3.0, 5.0]
    listed = [v for v, k in a.items() for _ in range(k)]
    assert welch(summary(a), summary(b)) == pytest.approx(welch(summary(listed), summary(b)))


def test_welch_needs_two_per_group() -> None:
    d = welch(summary([5.0]), summary([1.0, 2.0, 3.0]))
    assert d.difference == pytest.approx(3.0)
    assert (d.low, d.high, d.p) == (None, None, None)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(1, 600), min_size=2, max_size=30),
       st.lists(st.floats(1, 600), min_size=2, max_size=30))
def test_time_ratio_is_welch_on_log_times(a: list[float], b: list[float]) -> None:
    la, lb = np.log(a), np.log(b)
    if np.var(la) < 1e-8 or np.var(lb) < 1e-8:
        return
    d = welch_log_ratio(a, b)
    ref = scipy_stats.ttest_ind(la, lb, equal_var=False)
    ci = ref.confidence_interval(0.95)
    gm = scipy_stats.gmean(a) / scipy_stats.gmean(b)
    assert d.difference == pytest.approx(gm, rel=1e-9)
    assert d.p == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)
    assert d.low == pytest.approx(math.exp(ci.low), rel=1e-6)
    assert d.high == pytest.approx(math.exp(ci.high), rel=1e-6)


# --- NPS --------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)),
       st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)))
def test_nps_difference_variance_is_the_sum_of_each_groups(a, b) -> None:
    if sum(a) == 0 or sum(b) == 0:
        assert nps_difference(a, b).p is None
        return
    d = nps_difference(a, b)
    z = float(special.ndtri(0.975))
    ea, eb = stats.nps_counts(*a).estimate, stats.nps_counts(*b).estimate
    raw = ea.value - eb.value
    assert d.difference == pytest.approx(raw, abs=1e-9)

    def half(e: stats.Estimate) -> float:  # the group's own interval, unclipped
        n = sum(a if e is ea else b) + 3
        g = a if e is ea else b
        p, q = (g[0] + 0.75) / n, (g[2] + 0.75) / n
        return 100 * z * math.sqrt((p + q - (p - q) ** 2) / n)

    se = math.hypot(half(ea), half(eb)) / z
    if -200 < d.low and d.high < 200:
        assert (d.high - d.low) / 2 == pytest.approx(z * se, rel=1e-9)
    assert d.p == pytest.approx(2 * scipy_stats.norm.sf(abs(d.statistic)), rel=1e-9)


# --- Holm -------------------------------------------------------------------------------


@given(st.lists(st.floats(0, 1), min_size=1, max_size=10))
def test_holm_equals_statsmodels(ps: list[float]) -> None:
    expected = multipletests(ps, method="holm")[1]
    assert holm(ps) == pytest.approx(list(expected), abs=1e-12)


def test_holm_leaves_missing_out() -> None:
    assert holm([0.01, None, 0.04]) == pytest.approx([0.02, None, 0.04])


# --- the command ------------------------------------------------------------------------


@pytest.fixture
def study(tmp_path: Path) -> Path:
    sink = write_definition(tmp_path)
    path = tmp_path / "study.db"
    sessions = []
    for i in range(6):
        design = "A" if i % 2 else "B"
        sessions.append(S({"nps": 10 - i, "csat": 1 + i % 5, "t1/seq": 2 + i % 5},
                          runs=[Run("t1", "success" if i % 3 else "fail", 30_000 + 9_000 * i)],
                          meta={"design": design}))
    sessions.append(S({"nps": 3}, meta={"design": "C"}))  # a group of one
    fill(path, sink, sessions)
    return path


def test_json_has_the_same_keys_at_every_n(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["compare", str(study), "--by", "design", "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    rows = doc["comparisons"]
    assert rows and all(tuple(r) == ROW_KEYS for r in rows)
    pairs = {(r["group_a"], r["group_b"]) for r in rows}
    assert pairs == {("A", "B"), ("A", "C"), ("B", "C")}
    nps_c = next(r for r in rows if r["metric"] == "seq_mean" and r["group_b"] == "C")
    assert nps_c["n_b"] == 0 and nps_c["p"] is None
    sus_ab = next(r for r in rows if r["metric"] == "csat_mean" and r["group_b"] == "B")
    assert sus_ab["p"] is not None and sus_ab["p_adjusted"] >= sus_ab["p"]


def test_table_and_csv(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["compare", str(study), "--by", "design"], capsys)
    assert code == 0, err
    assert "n-1 two-proportion" in out and "welch-t on log times" in out
    assert "Holm" in out
    code, out, err = run_cli(["compare", str(study), "--by", "design", "--csv"], capsys)
    assert code == 0, err
    assert out.splitlines()[0].split(",") == list(ROW_KEYS)


def test_needs_by(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = run_cli(["compare", str(study)], capsys)
    assert code == 2


# --- within-subjects --------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=2, max_size=30))
def test_paired_t_equals_scipy(pairs: list[tuple[float, float]]) -> None:
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    diffs = [x - y for x, y in pairs]
    if np.var(diffs) < 1e-6:
        return
    d = paired_t(diffs)
    ref = scipy_stats.ttest_rel(a, b)
    ci = ref.confidence_interval(0.95)
    assert d.statistic == pytest.approx(ref.statistic, rel=1e-6, abs=1e-9)
    assert d.p == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)
    assert d.low == pytest.approx(ci.low, rel=1e-6, abs=1e-9)
    assert d.high == pytest.approx(ci.high, rel=1e-6, abs=1e-9)


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
def test_mcnemar_exact_equals_statsmodels(both: int, only_a: int, only_b: int, neither: int) -> None:
    ref = mcnemar([[both, only_a], [only_b, neither]], exact=True).pvalue
    assert mcnemar_exact(only_a, only_b).p == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_same_participants_in_both_groups_are_tested_paired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sink = write_definition(tmp_path)
    path = tmp_path / "within.db"
    sessions = []
    for i in range(6):
        for design, seq, ok in (("A", 3 + i % 3, i % 2 == 0), ("B", 5 + i % 2, True)):
            sessions.append(S({"t1/seq": seq}, participant=f"P{i}", meta={"design": design},
                              runs=[Run("t1", "success" if ok else "fail", 30_000 + 5_000 * i
                                        + (10_000 if design == "A" else 0))]))
    fill(path, sink, sessions)
    code, out, err = run_cli(["compare", str(path), "--by", "design", "--json"], capsys)
    assert code == 0, err
    rows = {r["metric"]: r for r in json.loads(out)["comparisons"]
            if r["task_id"] in (None, "t1")}
    seq = rows["seq_mean"]
    assert seq["design"] == "within-subjects" and seq["pairs"] == 6
    assert seq["method"] == "paired t"
    ref = scipy_stats.ttest_rel([3 + i % 3 for i in range(6)], [5 + i % 2 for i in range(6)])
    assert seq["p"] == pytest.approx(ref.pvalue)
    completion = rows["completion"]
    assert completion["method"] == "mcnemar exact" and completion["pairs"] == 6
    assert completion["difference"] == pytest.approx(-50.0)  # 3 of 6 failed on A only
    assert completion["p"] == pytest.approx(0.25)  # 2 · P(X ≤ 0 | 3, ½)
    assert rows["time_on_task"]["method"] == "paired t on log times"
    code, out, err = run_cli(["compare", str(path), "--by", "design"], capsys)
    assert "(6 participants in both)" in out and "within-subjects" in out
