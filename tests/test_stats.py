"""Tests for surveykit.scoring.stats (pure statistics, no I/O).

Two kinds of tests:

* unit / edge-case tests for every public function;
* checks against published worked examples, each with a comment naming its
  source.  Where no published figure could be confirmed, the expected value is
  derived by hand from the formula and the arithmetic is shown in the comment.

Critical values used in hand calculations (95 % unless stated):
z = 1.959964, z² = 3.841459, z²/2 = 1.920729;
t(0.975, df=4) = 2.776445, t(0.975, df=5) = 2.570582, t(0.975, df=9) = 2.262157.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from surveykit.scoring.stats import (
    OUTCOMES,
    Estimate,
    NPSResult,
    SUSResult,
    adjusted_wald,
    completion_rate,
    geometric_mean_interval,
    mean_t,
    mean_t_counts,
    median,
    nps,
    nps_counts,
    sus,
    sus_grade,
    sus_respondent,
    sus_score,
    t_value,
    time_on_task,
    top_box,
    umux_lite,
    umux_lite_sus_equivalent,
    z_value,
)

# --------------------------------------------------------------------------- helpers


def assert_empty(est: Estimate, confidence: float = 0.95) -> None:
    assert est.value is None
    assert est.low is None
    assert est.high is None
    assert est.n == 0
    assert est.confidence == confidence


# --------------------------------------------------------------------------- Estimate


def test_estimate_as_dict_is_json_friendly() -> None:
    est = Estimate(
        value=np.float64(0.5), low=np.float64(0.25), high=0.75, n=np.int64(4), confidence=0.9
    )
    d = est.as_dict()
    assert d == {"value": 0.5, "low": 0.25, "high": 0.75, "n": 4, "confidence": 0.9}
    assert type(d["value"]) is float
    assert type(d["n"]) is int
    assert json.loads(json.dumps(d)) == d


def test_estimate_as_dict_with_none() -> None:
    d = Estimate(None, None, None, 0, 0.95).as_dict()
    assert d == {"value": None, "low": None, "high": None, "n": 0, "confidence": 0.95}
    json.dumps(d)


def test_estimate_is_frozen() -> None:
    est = Estimate(1.0, 0.0, 2.0, 3, 0.95)
    with pytest.raises(AttributeError):
        est.value = 2.0  # type: ignore[misc]


def test_estimate_scaled() -> None:
    est = Estimate(0.5, 0.25, 0.75, 4, 0.95).scaled(100)
    assert (est.value, est.low, est.high, est.n) == (50.0, 25.0, 75.0, 4)
    assert_empty(Estimate(None, None, None, 0, 0.95).scaled(100))


# --------------------------------------------------------------------------- quantiles


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [(0.95, 1.959964), (0.90, 1.644854), (0.99, 2.575829), (0.80, 1.281552)],
)
def test_z_value_standard_table(confidence: float, expected: float) -> None:
    # Standard two-sided normal critical values (any z table).
    assert z_value(confidence) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706205), (4, 2.776445), (5, 2.570582), (9, 2.262157), (29, 2.045230)],
)
def test_t_value_standard_table(df: int, expected: float) -> None:
    # Standard two-sided Student-t critical values at 95 % (any t table).
    assert t_value(0.95, df) == pytest.approx(expected, abs=1e-6)


def test_t_value_approaches_z_for_large_df() -> None:
    assert t_value(0.95, 100_000) == pytest.approx(z_value(0.95), abs=1e-4)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.5, 1.5, 95])
def test_invalid_confidence_raises(bad: float) -> None:
    with pytest.raises(ValueError):
        z_value(bad)
    with pytest.raises(ValueError):
        t_value(bad, 5)
    with pytest.raises(ValueError):
        mean_t([1, 2, 3], confidence=bad)


def test_t_value_rejects_df_below_one() -> None:
    with pytest.raises(ValueError):
        t_value(0.95, 0)


# --------------------------------------------------------------------------- adjusted-Wald


def test_adjusted_wald_sauro_lewis_7_of_10() -> None:
    # Sauro, J. & Lewis, J. R., "A New Formula for Quantitative UX Decision Making",
    # UX Magazine, Article No. 850, 7 Aug 2012
    # (https://uxmag.com/articles/a-new-formula-for-quantitative-ux-decision-making):
    # "7 out of 10 users ... an adjusted-Wald interval set to 95% confidence ranges from
    # about 39% to 90%".  (Same example as Sauro & Lewis, Quantifying the User Experience,
    # ch. 3, adjusted-Wald section.)
    # By hand: n' = 10 + 3.841459 = 13.841459; p' = (7 + 1.920729)/13.841459 = 0.644493;
    # se = sqrt(0.644493·0.355507/13.841459) = sqrt(0.0165533) = 0.128660;
    # margin = 1.959964·0.128660 = 0.252168 → 0.392325 .. 0.896662.
    est = adjusted_wald(7, 10)
    assert est.value == pytest.approx(0.70)
    assert est.low == pytest.approx(0.39, abs=0.005)
    assert est.high == pytest.approx(0.90, abs=0.005)
    assert est.low == pytest.approx(0.392325, abs=1e-5)
    assert est.high == pytest.approx(0.896662, abs=1e-5)
    assert est.n == 10


def test_adjusted_wald_sauro_lewis_3_of_10_failures() -> None:
    # Same source (Sauro & Lewis, UX Magazine 2012): "If there were 3 out of 10 failures,
    # the 95% adjusted-Wald confidence interval ranges from about 10% to 61%".
    # By symmetry with 7/10: 1 − 0.896662 = 0.103338, 1 − 0.392325 = 0.607675.
    est = adjusted_wald(3, 10)
    assert est.low == pytest.approx(0.10, abs=0.005)
    assert est.high == pytest.approx(0.61, abs=0.005)


def test_adjusted_wald_tullis_albert_4_of_5() -> None:
    # Tullis, T. & Albert, B., "Measuring the User Experience" (2008), p. 69, worked online
    # at http://www.measuringux.com/adjustedwald.htm ("Calculating a Confidence Interval
    # for Task Completion Using the Adjusted Wald Method", 2008):
    # 4 of 5, z = 1.96: p_adj = 5.9208/8.8416 = 0.6696, 0.6696 ± 1.96·0.1582 = 0.6696 ± 0.3100
    # → "Lower Limit = 0.3596, Upper Limit = 0.9796" (≈ 36% to 98%).
    # (They round z to 1.96; with z = 1.959964 the limits are 0.359631 and 0.979679.)
    est = adjusted_wald(4, 5)
    assert est.value == pytest.approx(0.8)
    assert est.low == pytest.approx(0.3596, abs=5e-4)
    assert est.high == pytest.approx(0.9796, abs=5e-4)


def test_adjusted_wald_10_of_10_clipped_at_one() -> None:
    # Derived by hand from the Agresti–Coull formula (not a published figure):
    # n' = 13.841459; p' = (10 + 1.920729)/13.841459 = 0.861234;
    # se = sqrt(0.861234·0.138766/13.841459) = sqrt(0.0086342) = 0.092921;
    # margin = 1.959964·0.092921 = 0.182121 → 0.679113 .. 1.043355 → high clipped to 1.
    # NOTE: the "≈ 72%–100%" often quoted for 10/10 (e.g. MeasuringU calculator) is the
    # Wilson score lower bound n/(n + z²) = 10/13.841459 = 0.7225, not Agresti–Coull.
    est = adjusted_wald(10, 10)
    assert est.value == 1.0
    assert est.low == pytest.approx(0.679113, abs=1e-5)
    assert est.high == 1.0


def test_adjusted_wald_0_of_10_clipped_at_zero() -> None:
    # Mirror of 10/10 by hand: p' = 0.138766; 0.138766 ± 0.182121 → −0.043355 .. 0.320887.
    est = adjusted_wald(0, 10)
    assert est.value == 0.0
    assert est.low == 0.0
    assert est.high == pytest.approx(0.320887, abs=1e-5)


def test_adjusted_wald_n_zero_is_empty() -> None:
    assert_empty(adjusted_wald(0, 0))
    assert_empty(adjusted_wald(0, 0, confidence=0.9), confidence=0.9)


@pytest.mark.parametrize("x", [0, 1])
def test_adjusted_wald_n_one(x: int) -> None:
    est = adjusted_wald(x, 1)
    assert est.value == float(x)
    assert est.low is not None and est.high is not None
    assert 0.0 <= est.low <= est.value <= est.high <= 1.0


def test_adjusted_wald_lower_confidence_is_narrower() -> None:
    wide = adjusted_wald(7, 10, 0.99)
    mid = adjusted_wald(7, 10, 0.95)
    narrow = adjusted_wald(7, 10, 0.90)
    assert wide.low < mid.low < narrow.low  # type: ignore[operator]
    assert narrow.high < mid.high < wide.high  # type: ignore[operator]
    assert narrow.confidence == 0.90


@pytest.mark.parametrize(("x", "n"), [(11, 10), (-1, 10), (0, -1)])
def test_adjusted_wald_invalid_counts_raise(x: int, n: int) -> None:
    with pytest.raises(ValueError):
        adjusted_wald(x, n)


def test_adjusted_wald_contains_point_for_all_x() -> None:
    for n in range(1, 31):
        for x in range(n + 1):
            est = adjusted_wald(x, n)
            assert 0.0 <= est.low <= est.value <= est.high <= 1.0  # type: ignore[operator]


# --------------------------------------------------------------------------- top_box


def test_top_box_csat_top_two() -> None:
    # 7 of the 10 valid answers are 4 or 5 → 70 %, interval = 100·adjusted_wald(7, 10)
    # = 39.2325 .. 89.6662 (see the 7/10 test above).  None is dropped.
    answers = [5, 4, 3, 5, 2, 4, 5, 1, 4, 5, None]
    est = top_box(answers, threshold=4)
    assert est.n == 10
    assert est.value == pytest.approx(70.0)
    assert est.low == pytest.approx(39.2325, abs=1e-3)
    assert est.high == pytest.approx(89.6662, abs=1e-3)


def test_top_box_ces_agree() -> None:
    # CES 1–7, agree = 5..7: 3 of 4 → 75 %.
    est = top_box([7, 5, 4, 6], threshold=5)
    assert est.value == pytest.approx(75.0)
    assert est.n == 4
    assert 0.0 <= est.low <= 75.0 <= est.high <= 100.0  # type: ignore[operator]


def test_top_box_all_and_none_clipped() -> None:
    all_top = top_box([5, 5, 5, 4, 4, 5, 4, 5, 5, 5], threshold=4)
    assert all_top.value == 100.0
    assert all_top.high == 100.0
    assert all_top.low == pytest.approx(67.9113, abs=1e-3)
    none_top = top_box([1, 2, 3, 1, 2, 3, 1, 2, 3, 3], threshold=4)
    assert none_top.value == 0.0
    assert none_top.low == 0.0


def test_top_box_errors_any() -> None:
    # % of runs with ≥ 1 error: errors per run [0, 2, 0, 1] → 2 of 4 = 50 %.
    assert top_box([0, 2, 0, 1], threshold=1).value == pytest.approx(50.0)


def test_top_box_empty() -> None:
    assert_empty(top_box([], threshold=4))
    assert_empty(top_box([None, None], threshold=4))


# --------------------------------------------------------------------------- completion_rate


def test_completion_rate_basic_and_skipped_excluded() -> None:
    outcomes = ["success"] * 7 + ["partial", "fail", "abandoned", "skipped", "skipped", None]
    est = completion_rate(outcomes)  # type: ignore[arg-type]
    assert est.n == 10
    assert est.value == pytest.approx(0.7)
    # Same counts as Sauro & Lewis' 7/10 example → ≈ 39 % .. 90 %.
    assert est.low == pytest.approx(0.392325, abs=1e-5)
    assert est.high == pytest.approx(0.896662, abs=1e-5)


def test_completion_rate_partial_as_success() -> None:
    outcomes = ["success"] * 7 + ["partial", "fail", "timeout", "skipped"]
    assert completion_rate(outcomes).value == pytest.approx(0.7)
    est = completion_rate(outcomes, partial_as_success=True)
    assert est.value == pytest.approx(0.8)
    assert est.n == 10
    assert est == adjusted_wald(8, 10)


def test_completion_rate_timeout_and_abandoned_are_failures() -> None:
    est = completion_rate(["success", "timeout", "abandoned", "fail"])
    assert est.value == pytest.approx(0.25)
    assert est.n == 4


def test_completion_rate_all_success_and_all_fail() -> None:
    all_ok = completion_rate(["success"] * 10)
    assert (all_ok.value, all_ok.high) == (1.0, 1.0)
    assert all_ok.low == pytest.approx(0.679113, abs=1e-5)
    all_bad = completion_rate(["fail"] * 10)
    assert (all_bad.value, all_bad.low) == (0.0, 0.0)


def test_completion_rate_empty_and_only_skipped() -> None:
    assert_empty(completion_rate([]))
    assert_empty(completion_rate(["skipped", "skipped"]))


def test_completion_rate_single_run() -> None:
    est = completion_rate(["success"], confidence=0.9)
    assert est.n == 1
    assert est.value == 1.0
    assert est.confidence == 0.9


def test_completion_rate_unknown_outcome_raises() -> None:
    with pytest.raises(ValueError):
        completion_rate(["success", "won"])


def test_outcomes_constant() -> None:
    assert {"success", "partial", "fail", "abandoned", "timeout", "skipped"} == OUTCOMES


# --------------------------------------------------------------------------- mean_t


def test_mean_t_by_hand() -> None:
    # Derived by hand: values 1..5, mean = 3, sd = sqrt(10/4) = 1.581139,
    # se = 1.581139/sqrt(5) = 0.707107, t(0.975, 4) = 2.776445,
    # margin = 2.776445·0.707107 = 1.963243 → 1.036757 .. 4.963243.
    est = mean_t([1, 2, 3, 4, 5])
    assert est.value == pytest.approx(3.0)
    assert est.low == pytest.approx(1.036757, abs=1e-6)
    assert est.high == pytest.approx(4.963243, abs=1e-6)
    assert est.n == 5


def test_mean_t_drops_none_and_nan() -> None:
    assert mean_t([1, None, 2, 3, float("nan"), 4, 5]) == mean_t([1, 2, 3, 4, 5])


def test_mean_t_empty() -> None:
    assert_empty(mean_t([]))
    assert_empty(mean_t([None]))


def test_mean_t_single_value() -> None:
    est = mean_t([4])
    assert est.value == 4.0
    assert est.low is None and est.high is None
    assert est.n == 1


def test_mean_t_zero_sd() -> None:
    est = mean_t([6, 6, 6])
    assert (est.value, est.low, est.high, est.n) == (6.0, 6.0, 6.0, 3)


def test_mean_t_confidence_parameter() -> None:
    # 90 %: t(0.95, 4) = 2.131847; margin = 2.131847·0.707107 = 1.507443.
    est = mean_t([1, 2, 3, 4, 5], confidence=0.90)
    assert est.low == pytest.approx(3 - 1.507443, abs=1e-6)
    assert est.high == pytest.approx(3 + 1.507443, abs=1e-6)
    assert est.confidence == 0.90


# --------------------------------------------------------------------------- geometric mean


SAURO_TIMES = [55, 65, 75, 62, 45, 135]


def test_geometric_mean_sauro_calculator_example() -> None:
    # Sauro, J., "Graph and Calculator for Confidence Intervals for Task Times",
    # MeasuringU, 6 Feb 2006 (http://www.measuringu.com/time_intervals.php):
    # raw times 55, 65, 75, 62, 45, 135 at 95 % → "Average Time: 68 seconds, 95% CI (46,101)".
    # (Same log-transform method as Sauro & Lewis, Quantifying the User Experience,
    # 2nd ed. 2016, ch. 3, "Confidence interval for task-time data".)
    # By hand: ln t = 4.007333, 4.174387, 4.317488, 4.127134, 3.806662, 4.905275;
    # mean = 25.338280/6 = 4.223047 → exp = 68.241; sd(ln t) = 0.375720;
    # se = 0.375720/sqrt(6) = 0.153387; margin = 2.570582·0.153387 = 0.394294;
    # exp(4.223047 − 0.394294) = exp(3.828752) = 46.005; exp(4.617341) = 101.225.
    est = geometric_mean_interval(SAURO_TIMES)
    assert est.n == 6
    assert est.value == pytest.approx(68, abs=0.5)
    assert est.low == pytest.approx(46, abs=0.5)
    assert est.high == pytest.approx(101, abs=0.5)
    assert est.value == pytest.approx(68.2411, abs=1e-3)
    assert est.low == pytest.approx(46.0051, abs=1e-3)
    assert est.high == pytest.approx(101.2245, abs=1e-3)


def test_geometric_mean_ignores_none_and_non_positive() -> None:
    noisy = [*SAURO_TIMES, None, 0, -3.0, float("nan"), float("inf")]
    assert geometric_mean_interval(noisy) == geometric_mean_interval(SAURO_TIMES)


def test_geometric_mean_empty() -> None:
    assert_empty(geometric_mean_interval([]))
    assert_empty(geometric_mean_interval([0, -1, None]))


def test_geometric_mean_single() -> None:
    est = geometric_mean_interval([42.0])
    assert est.value == pytest.approx(42.0)
    assert est.low is None and est.high is None
    assert est.n == 1


def test_geometric_mean_constant_times() -> None:
    est = geometric_mean_interval([30, 30, 30])
    assert est.value == pytest.approx(30.0)
    assert est.low == pytest.approx(30.0)
    assert est.high == pytest.approx(30.0)


def test_geometric_mean_simple_by_hand() -> None:
    # Derived by hand: times 10 and 1000 → geometric mean sqrt(10·1000) = 100.
    assert geometric_mean_interval([10, 1000]).value == pytest.approx(100.0)


# --------------------------------------------------------------------------- median / time_on_task


def test_median() -> None:
    assert median([3, 1, 2]) == 2.0
    assert median([4, 1, 3, 2]) == 2.5
    assert median([5, None, 1, float("nan"), 3]) == 3.0
    assert median([]) is None
    assert median([None]) is None
    assert isinstance(median([1, 2]), float)


def test_time_on_task_summary() -> None:
    # Sauro example times: median of 45, 55, 62, 65, 75, 135 = (62 + 65)/2 = 63.5;
    # arithmetic mean = 437/6 = 72.8333 (geometric 68.24 < arithmetic: positive skew).
    res = time_on_task([*SAURO_TIMES, None, 0])
    assert res.n == 6
    assert res.geometric == geometric_mean_interval(SAURO_TIMES)
    assert res.median == pytest.approx(63.5)
    assert res.mean == pytest.approx(437 / 6)
    json.dumps(res.as_dict())


def test_time_on_task_empty() -> None:
    res = time_on_task([])
    assert res.n == 0
    assert res.median is None and res.mean is None
    assert_empty(res.geometric)


# --------------------------------------------------------------------------- NPS


def test_nps_adjusted_wald_worked_example() -> None:
    # Adjusted-Wald NPS interval: Rocks, B., "Interval Estimation for the 'Net Promoter
    # Score'", The American Statistician 70(4), 2016; as described by Sauro & Lewis,
    # "How to Compute Confidence Intervals for the NPS", MeasuringU
    # (https://measuringu.com/nps-confidence-intervals/): add 3 to n, ¾ to promoters,
    # ¾ to detractors.  No published figure used; computed by hand:
    # 15 answers: 8 promoters, 4 passives, 3 detractors.  NPS = 100·(8 − 3)/15 = 33.33.
    # P' = 8.75, D' = 3.75, n' = 18; p = 8.75/18 = 0.486111, d = 3.75/18 = 0.208333,
    # p − d = 5/18 = 0.277778; var = 0.694444 − 0.277778² = 0.694444 − 0.077160 = 0.617284
    # (= 50/81); var/n' = 25/729 → se = 5/27 = 0.185185; margin = 1.959964·0.185185 = 0.362956;
    # CI = 100·(0.277778 ± 0.362956) = −8.5178 .. 64.0734.
    # 8 promoters, 4 passives, 3 detractors:
    scores = [10, 9, 10, 9, 10, 10, 9, 9, 7, 8, 7, 8, 0, 5, 6]
    res = nps(scores)
    assert isinstance(res, NPSResult)
    assert res.estimate.value == pytest.approx(100 * 5 / 15)
    assert res.estimate.low == pytest.approx(-8.5178, abs=1e-3)
    assert res.estimate.high == pytest.approx(64.0734, abs=1e-3)
    assert (res.promoters, res.passives, res.detractors, res.n) == (8, 4, 3, 15)
    assert res.promoters_pct == pytest.approx(53.3333, abs=1e-3)
    assert res.passives_pct == pytest.approx(26.6667, abs=1e-3)
    assert res.detractors_pct == pytest.approx(20.0)


def test_nps_all_promoters() -> None:
    # By hand: n = 10 all promoters → NPS 100.  P' = 10.75, D' = 0.75, n' = 13;
    # p = 0.826923, d = 0.057692, p − d = 10/13 = 0.769231; var = 0.884615 − 0.591716
    # = 0.292899; se = sqrt(0.292899/13) = 0.150102; margin = 1.959964·0.150102 = 0.294195;
    # CI = 100·(0.769231 ± 0.294195) = 47.50 .. 106.34 → high clipped to 100.
    res = nps([10, 9] * 5)
    assert res.estimate.value == 100.0
    assert res.estimate.low == pytest.approx(47.5036, abs=1e-3)
    assert res.estimate.low < 100.0  # type: ignore[operator]
    assert res.estimate.high == 100.0
    assert res.promoters_pct == 100.0


def test_nps_all_detractors() -> None:
    # Mirror image of all promoters: −100, CI −100 .. −47.50.
    res = nps([0, 6, 3, 1, 2, 4, 5, 6, 0, 1])
    assert res.estimate.value == -100.0
    assert res.estimate.low == -100.0
    assert res.estimate.high == pytest.approx(-47.5036, abs=1e-3)
    assert res.detractors == 10


def test_nps_single_answer() -> None:
    # By hand: one promoter.  P' = 1.75, D' = 0.75, n' = 4; p = 0.4375, d = 0.1875,
    # p − d = 0.25; var = 0.625 − 0.0625 = 0.5625; se = sqrt(0.5625/4) = 0.375;
    # margin = 1.959964·0.375 = 0.734987 → 100·(0.25 ± 0.734987) = −48.4987 .. 98.4987.
    # As specified, the point value stays the raw NPS (100) even though with n = 1 it
    # lies above the adjusted interval.
    res = nps([10])
    assert res.estimate.value == 100.0
    assert res.estimate.low == pytest.approx(-48.4987, abs=1e-3)
    assert res.estimate.high == pytest.approx(98.4987, abs=1e-3)
    assert res.n == 1


def test_nps_empty() -> None:
    res = nps([])
    assert_empty(res.estimate)
    assert (res.promoters, res.passives, res.detractors) == (0, 0, 0)
    assert res.promoters_pct is None and res.passives_pct is None and res.detractors_pct is None
    assert_empty(nps([None, None]).estimate)


def test_nps_category_boundaries() -> None:
    res = nps([0, 6, 7, 8, 9, 10, None])
    assert (res.detractors, res.passives, res.promoters) == (2, 2, 2)
    assert res.estimate.value == 0.0
    assert res.n == 6


def test_nps_all_passives_symmetric() -> None:
    res = nps([7, 8, 7, 8])
    assert res.estimate.value == 0.0
    assert res.estimate.low == pytest.approx(-res.estimate.high)  # type: ignore[operator]


@pytest.mark.parametrize("bad", [11, -1, 8.5])
def test_nps_invalid_answer_raises(bad: float) -> None:
    with pytest.raises(ValueError):
        nps([9, bad])  # type: ignore[list-item]


def test_nps_as_dict_json() -> None:
    d = nps([10, 9, 7, 3]).as_dict()
    assert d["value"] == pytest.approx(25.0)
    assert d["promoters"] == 2 and d["n"] == 4
    json.dumps(d)


def test_nps_interval_within_bounds_for_many_mixes() -> None:
    for p in range(6):
        for pa in range(6):
            for d in range(6):
                if p + pa + d == 0:
                    continue
                est = nps([10] * p + [7] * pa + [0] * d).estimate
                assert -100.0 <= est.low <= est.high <= 100.0  # type: ignore[operator]


# --------------------------------------------------------------------------- SUS


def test_sus_brooke_scoring_rule_by_hand() -> None:
    # Brooke, J., "SUS: A 'quick and dirty' usability scale", in Jordan et al. (eds.),
    # Usability Evaluation in Industry, Taylor & Francis, 1996, pp. 189–194 ("Scoring SUS"):
    # odd items contribute (position − 1), even items (5 − position); sum × 2.5.
    # Response set constructed for this test, scored by hand:
    # items 1..10 = 4, 2, 4, 1, 5, 2, 4, 1, 4, 2
    # odd  (1,3,5,7,9): 4−1 + 4−1 + 5−1 + 4−1 + 4−1 = 3+3+4+3+3 = 16
    # even (2,4,6,8,10): 5−2 + 5−1 + 5−2 + 5−1 + 5−2 = 3+4+3+4+3 = 17
    # total 33 × 2.5 = 82.5
    assert sus_respondent([4, 2, 4, 1, 5, 2, 4, 1, 4, 2]) == pytest.approx(82.5)


def test_sus_extremes_and_neutral() -> None:
    assert sus_respondent([5, 1] * 5) == pytest.approx(100.0)
    assert sus_respondent([1, 5] * 5) == pytest.approx(0.0)
    # all 3s: every item contributes 2 → 20 × 2.5 = 50
    assert sus_respondent([3] * 10) == pytest.approx(50.0)


def test_sus_one_item_missing_prorated() -> None:
    # Same set as the Brooke example with item 10 missing: 16 + (3+4+3+4) = 30;
    # 30 × 100/36 = 83.3333.
    assert sus_respondent([4, 2, 4, 1, 5, 2, 4, 1, 4, None]) == pytest.approx(83.3333, abs=1e-3)
    # Best answers with one item missing: 9 × 4 × 100/36 = 100 (scale max preserved).
    assert sus_respondent([5, 1, 5, 1, None, 1, 5, 1, 5, 1]) == pytest.approx(100.0)
    assert sus_respondent([None, 5, 1, 5, 1, 5, 1, 5, 1, 5]) == pytest.approx(0.0)


def test_sus_two_missing_excluded() -> None:
    assert sus_respondent([4, 2, 4, 1, 5, 2, 4, 1, None, None]) is None
    assert sus_respondent([None] * 10) is None


def test_sus_respondent_validates_input() -> None:
    with pytest.raises(ValueError):
        sus_respondent([3] * 9)
    with pytest.raises(ValueError):
        sus_respondent([3] * 9 + [6])
    with pytest.raises(ValueError):
        sus_respondent([3] * 9 + [0])


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100.0, "A+"),
        (84.1, "A+"),
        (84.0, "A"),
        (80.8, "A"),
        (80.7, "A-"),
        (78.9, "A-"),
        (78.8, "B+"),
        (77.2, "B+"),
        (77.1, "B"),
        (74.1, "B"),
        (74.0, "B-"),
        (72.6, "B-"),
        (72.5, "C+"),
        (71.1, "C+"),
        (71.0, "C"),
        (68.0, "C"),
        (65.0, "C"),
        (64.9, "C-"),
        (62.7, "C-"),
        (62.6, "D"),
        (51.7, "D"),
        (51.6, "F"),
        (0.0, "F"),
    ],
)
def test_sus_grade_sauro_lewis_curved_scale(score: float, grade: str) -> None:
    # Sauro, J. & Lewis, J. R., Quantifying the User Experience, 2nd ed., 2016, ch. 8
    # (SUS, "curved grading scale" table): A+ 84.1–100, A 80.8–84.0, A− 78.9–80.7,
    # B+ 77.2–78.8, B 74.1–77.1, B− 72.6–74.0, C+ 71.1–72.5, C 65.0–71.0, C− 62.7–64.9,
    # D 51.7–62.6, F 0–51.6.  The scale is centred on the mean SUS of 68, which grades C.
    assert sus_grade(score) == grade


def test_sus_grade_nan_raises() -> None:
    with pytest.raises(ValueError):
        sus_grade(float("nan"))


def test_sus_study_level() -> None:
    respondents = [
        [4, 2, 4, 1, 5, 2, 4, 1, 4, 2],  # 82.5
        [3] * 10,  # 50.0
        [5, 1] * 5,  # 100.0
        [4, 2, 4, 1, 5, 2, 4, 1, None, None],  # excluded (two missing)
        None,  # excluded
    ]
    res = sus(respondents)
    assert isinstance(res, SUSResult)
    assert res.scores == (82.5, 50.0, 100.0)
    assert res.excluded == 2
    assert res.estimate == mean_t([82.5, 50.0, 100.0])
    # mean = 232.5/3 = 77.5 → B+ (77.2 ≤ 77.5 < 78.9)
    assert res.estimate.value == pytest.approx(77.5)
    assert res.grade == "B+"
    assert res.n == 3
    json.dumps(res.as_dict())


def test_sus_study_level_empty() -> None:
    res = sus([])
    assert_empty(res.estimate)
    assert res.grade is None
    res = sus([[None] * 10])
    assert res.excluded == 1
    assert res.grade is None


# --------------------------------------------------------------------------- UMUX-Lite


def test_umux_lite_formula() -> None:
    # (i1 + i2 − 2)·100/12 on 1–7 items.
    assert umux_lite(7, 7) == pytest.approx(100.0)
    assert umux_lite(1, 1) == pytest.approx(0.0)
    assert umux_lite(4, 4) == pytest.approx(50.0)  # (4 + 4 − 2)·100/12 = 600/12
    assert umux_lite(6, 7) == pytest.approx(91.6667, abs=1e-3)  # 11·100/12


def test_umux_lite_missing() -> None:
    assert umux_lite(None, 5) is None
    assert umux_lite(5, None) is None
    assert umux_lite(None, None) is None


@pytest.mark.parametrize(("i1", "i2"), [(0, 5), (8, 5), (5, 0), (5, 8), (4.5, 5)])
def test_umux_lite_out_of_range_raises(i1: float, i2: float) -> None:
    with pytest.raises(ValueError):
        umux_lite(i1, i2)  # type: ignore[arg-type]


def test_umux_lite_sus_equivalent_regression() -> None:
    # Lewis, J. R., Utesch, B. S. & Maher, D. E., "UMUX-LITE: When there's no time for
    # the SUS", CHI 2013 (and Lewis, Utesch & Maher 2015, IJHCI 31(8)): regression
    # SUS ≈ 0.65·UMUX-LITE + 22.9.  By hand:
    # x = 100 → 65 + 22.9 = 87.9; x = 0 → 22.9; x = 50 → 32.5 + 22.9 = 55.4;
    # x = umux_lite(6, 7) = 91.6667 → 59.5833 + 22.9 = 82.4833.
    assert umux_lite_sus_equivalent(100.0) == pytest.approx(87.9)
    assert umux_lite_sus_equivalent(0.0) == pytest.approx(22.9)
    assert umux_lite_sus_equivalent(50.0) == pytest.approx(55.4)
    assert umux_lite_sus_equivalent(umux_lite(6, 7)) == pytest.approx(82.4833, abs=1e-3)  # type: ignore[arg-type]


def test_umux_lite_study_mean_uses_t_interval() -> None:
    scores = [umux_lite(6, 7), umux_lite(5, 5), umux_lite(None, 4), umux_lite(7, 7)]
    est = mean_t(scores)
    assert est.n == 3
    # (91.6667 + 66.6667 + 100)/3 = 86.1111
    assert est.value == pytest.approx(86.1111, abs=1e-3)
    assert est.low is not None and not math.isnan(est.low)


# --------------------------------------------------------------------------- quantiles from scipy.special

LEVELS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)


@pytest.mark.parametrize("confidence", LEVELS)
def test_z_value_equals_scipy_stats_norm_ppf(confidence: float) -> None:
    expected = scipy_stats.norm.ppf(1 - (1 - confidence) / 2)
    assert z_value(confidence) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("confidence", LEVELS)
@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 30, 120, 10_000])
def test_t_value_equals_scipy_stats_t_ppf(confidence: float, df: int) -> None:
    expected = scipy_stats.t.ppf(1 - (1 - confidence) / 2, df)
    assert t_value(confidence, df) == pytest.approx(expected, rel=1e-10)


def test_scoring_never_imports_scipy_stats() -> None:
    code = (
        "import sys\n"
        "import surveykit.scoring.stats, surveykit.scoring.metrics, surveykit.scoring.report\n"
        "from surveykit.scoring.stats import mean_t\n"
        "mean_t([1, 2, 3])\n"
        "bad = sorted(m for m in sys.modules if m == 'scipy.stats' or m.startswith('scipy.stats.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# --------------------------------------------------------------------------- every function honours `confidence`

TIMES = [12.0, 30.5, 18.25, 44.0, 25.0, 60.0, 21.0]


def _t_margin(values: list[float], confidence: float) -> tuple[float, float]:
    arr = np.asarray(values, dtype=float)
    lo, hi = scipy_stats.t.interval(confidence, len(arr) - 1, loc=arr.mean(),
                                    scale=scipy_stats.sem(arr))
    return float(lo), float(hi)


def _agresti_coull(x: float, n: int, confidence: float) -> tuple[float, float]:
    z = scipy_stats.norm.ppf(1 - (1 - confidence) / 2)
    n2 = n + z * z
    p2 = (x + z * z / 2) / n2
    m = z * math.sqrt(p2 * (1 - p2) / n2)
    return max(0.0, p2 - m), min(1.0, p2 + m)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_time_on_task_uses_the_confidence_level(confidence: float) -> None:
    res = time_on_task(TIMES, confidence)
    lo, hi = _t_margin([math.log(t) for t in TIMES], confidence)
    assert res.geometric.confidence == confidence
    assert res.geometric.low == pytest.approx(math.exp(lo), rel=1e-12)
    assert res.geometric.high == pytest.approx(math.exp(hi), rel=1e-12)
    assert geometric_mean_interval(TIMES, confidence) == res.geometric


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_top_box_uses_the_confidence_level(confidence: float) -> None:
    values = [5, 4, 3, 2, 5, 1, 4, 4, 3]
    est = top_box(values, 4, confidence)
    lo, hi = _agresti_coull(5, 9, confidence)
    assert est.confidence == confidence
    assert est.low == pytest.approx(100 * lo, rel=1e-12)
    assert est.high == pytest.approx(100 * hi, rel=1e-12)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_nps_uses_the_confidence_level(confidence: float) -> None:
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 0, 5, 9]  # 5 promoters, 2 passives, 4 detractors
    res = nps(scores, confidence)
    z = scipy_stats.norm.ppf(1 - (1 - confidence) / 2)
    p, d = (5 + 0.75) / 14, (4 + 0.75) / 14
    m = z * math.sqrt((p + d - (p - d) ** 2) / 14)
    assert res.estimate.confidence == confidence
    assert res.estimate.low == pytest.approx(100 * (p - d - m), rel=1e-12)
    assert res.estimate.high == pytest.approx(100 * (p - d + m), rel=1e-12)
    assert nps_counts(5, 2, 4, confidence) == res


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_sus_uses_the_confidence_level(confidence: float) -> None:
    rows = [[4, 2, 4, 1, 5, 2, 4, 2, 4, 2], [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
            [5, 1, 5, 1, 5, 1, 5, 2, 4, 1]]
    res = sus(rows, confidence)
    scores = [sus_respondent(r) for r in rows]
    lo, hi = _t_margin([s for s in scores if s is not None], confidence)
    assert res.estimate.confidence == confidence
    assert res.estimate.low == pytest.approx(lo, rel=1e-12)
    assert res.estimate.high == pytest.approx(hi, rel=1e-12)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_completion_and_means_use_the_confidence_level(confidence: float) -> None:
    est = completion_rate(["success", "fail", "success", "partial", "skipped"], confidence)
    lo, hi = _agresti_coull(2, 4, confidence)
    assert (est.low, est.high) == pytest.approx((lo, hi), rel=1e-12)
    values = [1.0, 4.0, 2.0, 7.0, 5.0]
    lo, hi = _t_margin(values, confidence)
    for e in (mean_t(values, confidence), mean_t_counts({v: 1 for v in values}, confidence)):
        assert e.confidence == confidence
        assert (e.low, e.high) == pytest.approx((lo, hi), rel=1e-12)


# --------------------------------------------------------------------------- boundaries the old tests missed


def test_sd_of_exactly_one_still_gets_a_t_interval() -> None:
    # 1, 2, 3: mean 2, sd 1 → 2 ± t(0.975, 2)·1/√3 = 2 ± 4.302653·0.577350 = 2 ± 2.484138
    for est in (mean_t([1, 2, 3]), mean_t_counts({1: 1, 2: 1, 3: 1})):
        assert est.low == pytest.approx(2 - 2.484138, abs=1e-6)
        assert est.high == pytest.approx(2 + 2.484138, abs=1e-6)
    # times e⁰, e¹, e²: sd(ln t) = 1 → exp(1 ± 2.484138)
    geo = geometric_mean_interval([1.0, math.e, math.e**2])
    assert geo.low == pytest.approx(math.exp(1 - 2.484138), rel=1e-6)
    assert geo.high == pytest.approx(math.exp(1 + 2.484138), rel=1e-6)


def test_runs_shorter_than_a_second_count_in_time_on_task() -> None:
    res = time_on_task([0.5, 0.8, 2.0, 0.25])
    assert res.n == 4 and res.excluded == 0
    assert res.geometric.value == pytest.approx((0.5 * 0.8 * 2.0 * 0.25) ** 0.25)
    assert res.median == pytest.approx(0.65)
    assert geometric_mean_interval([0.5, 0.25]).n == 2


def test_time_on_task_counts_the_times_it_cannot_use() -> None:
    res = time_on_task([10.0, 0.0, 20.0, None, -1.0, math.inf, math.nan])
    assert res.n == 2 and res.excluded == 3  # 0, −1 and ∞; None/NaN are missing, not excluded
    assert res.mean == pytest.approx(15.0) and res.median == pytest.approx(15.0)
    assert res.as_dict()["excluded"] == 3
    assert time_on_task([0.0]).geometric.value is None and time_on_task([0.0]).excluded == 1


def test_umux_lite_with_a_nan_item_is_excluded_not_an_error() -> None:
    assert umux_lite(math.nan, 5) is None
    assert umux_lite(5, math.nan) is None
    assert umux_lite(None, 5) is None and umux_lite(5, None) is None


# --------------------------------------------------------------------------- exact messages and shapes


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: z_value(1.0), "confidence must be strictly between 0 and 1, got 1.0"),
        (lambda: t_value(0.95, 0), "degrees of freedom must be >= 1, got 0"),
        (lambda: adjusted_wald(1, -1), "n must be >= 0, got -1"),
        (lambda: adjusted_wald(5, 4), "successes must be between 0 and n=4, got 5"),
        (lambda: adjusted_wald(-1, 4), "successes must be between 0 and n=4, got -1"),
        (lambda: completion_rate(["success", "won"]),
         "unknown task outcome 'won'; expected one of ['abandoned', 'fail', 'partial', "
         "'skipped', 'success', 'timeout']"),
        (lambda: mean_t_counts({3.0: -1}), "counts must be >= 0, got -1 for 3.0"),
        (lambda: nps([11]), "NPS answers must be integers 0-10, got 11.0"),
        (lambda: nps([7.5]), "NPS answers must be integers 0-10, got 7.5"),
        (lambda: nps_counts(1, -1, 0), "NPS counts must be >= 0"),
        (lambda: sus_respondent([3] * 9), "SUS needs exactly 10 items, got 9"),
        (lambda: sus_respondent([3, 3, 6, 3, 3, 3, 3, 3, 3, 3]),
         "SUS item 3 must be an integer 1-5, got 6"),
        (lambda: sus_respondent([3, 3, 3, 3, 3, 3, 3, 3, 3, 2.5]),
         "SUS item 10 must be an integer 1-5, got 2.5"),
        (lambda: sus_score(10, 11), "SUS has 10 items; answered must be 0-10, got 11"),
        (lambda: sus_score(10, -1), "SUS has 10 items; answered must be 0-10, got -1"),
        (lambda: sus_grade(math.nan), "SUS score is NaN"),
        (lambda: umux_lite(8, 3), "UMUX-Lite i1 must be an integer 1-7, got 8.0"),
        (lambda: umux_lite(3, 0), "UMUX-Lite i2 must be an integer 1-7, got 0.0"),
        (lambda: umux_lite(3, 2.5), "UMUX-Lite i2 must be an integer 1-7, got 2.5"),
    ],
)
def test_error_messages(call: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_result_dicts_have_these_keys() -> None:
    est = Estimate(1.0, 0.5, 1.5, 3, 0.9)
    assert est.as_dict() == {"value": 1.0, "low": 0.5, "high": 1.5, "n": 3, "confidence": 0.9}
    assert est.scaled(10).as_dict() == {"value": 10.0, "low": 5.0, "high": 15.0, "n": 3,
                                        "confidence": 0.9}
    assert Estimate(None, None, None, 0, 0.9).scaled(10) == Estimate(None, None, None, 0, 0.9)
    tot = time_on_task([10.0, 40.0, 0.0])
    assert tot.as_dict() == {"geometric": tot.geometric.as_dict(), "median": 25.0, "mean": 25.0,
                             "excluded": 1}
    res = nps([10, 9, 8, 3])
    assert res.as_dict() == {**res.estimate.as_dict(), "promoters": 2, "passives": 1,
                             "detractors": 1, "promoters_pct": 50.0, "passives_pct": 25.0,
                             "detractors_pct": 25.0}
    s = sus([[5, 1, 5, 1, 5, 1, 5, 1, 5, 1], [3, 3, None, 3, 3, None, 3, 3, 3, 3]])
    assert s.as_dict() == {**s.estimate.as_dict(), "grade": "A+", "excluded": 1}
    assert s.n == 1 and s.scores == (100.0,)


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A+"), (84.1, "A+"), (84.09, "A"), (80.8, "A"), (80.79, "A-"), (78.9, "A-"),
     (78.89, "B+"), (77.2, "B+"), (77.19, "B"), (74.1, "B"), (74.09, "B-"), (72.6, "B-"),
     (72.59, "C+"), (71.1, "C+"), (71.09, "C"), (65.0, "C"), (64.99, "C-"), (62.7, "C-"),
     (62.69, "D"), (51.7, "D"), (51.69, "F"), (0, "F")],
)
def test_sus_grade_at_every_boundary(score: float, grade: str) -> None:
    assert sus_grade(score) == grade


@pytest.mark.parametrize(
    ("answer", "kind"),
    [(0, "detractors"), (6, "detractors"), (7, "passives"), (8, "passives"), (9, "promoters"),
     (10, "promoters")],
)
def test_nps_one_answer_in_each_category(answer: int, kind: str) -> None:
    res = nps([answer])
    assert getattr(res, kind) == 1
    assert (res.promoters, res.passives, res.detractors).count(0) == 2


def test_sus_score_nine_and_ten_items() -> None:
    assert sus_score(36, 10) == 90.0
    assert sus_score(27, 9) == pytest.approx(75.0)
    assert sus_score(20, 8) is None and sus_score(0, 0) is None


def test_nps_counts_rejects_any_negative_count() -> None:
    for counts in ((-1, 0, 0), (0, -1, 0), (0, 0, -1)):
        with pytest.raises(ValueError, match="NPS counts must be >= 0"):
            nps_counts(*counts)


def test_mean_t_counts_edges() -> None:
    assert mean_t_counts({4.0: 3}) == Estimate(4.0, 4.0, 4.0, 3, 0.95)
    assert mean_t_counts({4.0: 3, 5.0: 0}, 0.9) == Estimate(4.0, 4.0, 4.0, 3, 0.9)
    assert mean_t_counts({math.nan: 2, 3.0: 1, 4.0: 1}) == mean_t([3.0, 4.0])
    assert mean_t_counts([(None, 2), (3.0, 1), (4.0, 1)]) == mean_t([3.0, 4.0])  # type: ignore[list-item]


def test_estimate_stores_plain_floats() -> None:
    est = Estimate(np.float64(2), np.int64(1), np.float32(3), np.int64(4), np.float64(0.9))
    assert [type(x) for x in (est.value, est.low, est.high, est.confidence)] == [float] * 4
    assert type(est.n) is int
    assert Estimate(2, 1, 3, 4, 1).as_dict() == {"value": 2.0, "low": 1.0, "high": 3.0, "n": 4,
                                                 "confidence": 1.0}
    assert json.dumps(Estimate(2, 1, 3, 4, 1).as_dict()) == (
        '{"value": 2.0, "low": 1.0, "high": 3.0, "n": 4, "confidence": 1.0}')
