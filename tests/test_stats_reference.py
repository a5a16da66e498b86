"""Statistics on random data against reference implementations (scipy.stats).

Property tests: for any data, the interval from surveykit.scoring.stats equals
the one scipy.stats gives (t intervals, geometric mean) or the Agresti–Coull
formula written with scipy.stats' normal quantile.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from surveykit.scoring.stats import adjusted_wald, geometric_mean_interval, mean_t


def _t_interval(values: list[float], confidence: float) -> tuple[float, float]:
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


# --------------------------------------------------------------------------- random data against scipy.stats

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_mean_t_equals_scipy_t_interval(values: list[float], confidence: float) -> None:
    est = mean_t(values, confidence)
    assert est.value == pytest.approx(float(np.mean(values)), rel=1e-9, abs=1e-9)
    if np.std(values, ddof=1) > 1e-9:
        lo, hi = _t_interval(values, confidence)
        assert est.low == pytest.approx(lo, rel=1e-7, abs=1e-7)
        assert est.high == pytest.approx(hi, rel=1e-7, abs=1e-7)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.01, max_value=1e4), min_size=2, max_size=40),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_geometric_mean_equals_scipy_gmean_and_log_t_interval(
    times: list[float], confidence: float
) -> None:
    est = geometric_mean_interval(times, confidence)
    assert est.value == pytest.approx(float(scipy_stats.gmean(times)), rel=1e-9)
    logs = [math.log(t) for t in times]
    if np.std(logs, ddof=1) > 1e-9:
        lo, hi = _t_interval(logs, confidence)
        assert est.low == pytest.approx(math.exp(lo), rel=1e-7)
        assert est.high == pytest.approx(math.exp(hi), rel=1e-7)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=1, max_value=500), st.data(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_adjusted_wald_equals_the_agresti_coull_reference(n: int, data: st.DataObject,
                                                         confidence: float) -> None:
    x = data.draw(st.integers(min_value=0, max_value=n))
    est = adjusted_wald(x, n, confidence)
    lo, hi = _agresti_coull(x, n, confidence)
    assert est.value == pytest.approx(x / n)
    assert (est.low, est.high) == pytest.approx((lo, hi), rel=1e-9, abs=1e-12)
