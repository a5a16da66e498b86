"""Pure statistics used by ``surveykit score``: no SQL, no UI, no I/O.

Every figure is an :class:`Estimate` carrying a point value, an interval, the
number of observations it rests on (``n``) and the confidence level (0.95 by
default).  Missing / N/A answers are dropped: every function that takes a
sequence silently ignores ``None`` (and float NaN) entries.

Formulas (z = standard-normal quantile ``ndtri(1 - α/2)``, t = Student-t
quantile ``stdtrit(n - 1, 1 - α/2)``, both from ``scipy.special``, α = 1 − confidence, sd = sample standard
deviation with n − 1 in the denominator):

* Adjusted-Wald (Agresti–Coull) proportion, x successes out of n::

      n' = n + z²,  p' = (x + z²/2) / n',  CI = p' ± z·√(p'(1 − p')/n')  clipped to [0, 1]

  The point value stays the raw proportion x/n.
* t interval on a mean: ``mean ± t·sd/√n`` (df = n − 1).
* Geometric mean of task times: ``exp(mean(ln t) ± t·sd(ln t)/√n)``.
* NPS = 100·(promoters − detractors)/n (promoters 9–10, passives 7–8,
  detractors 0–6).  Adjusted-Wald interval (Rocks 2016): add 0.75 promoters,
  1.5 passives, 0.75 detractors (n + 3 in all); with p, d the adjusted promoter
  and detractor proportions, ``var = p + d − (p − d)²`` and
  ``CI = 100·((p − d) ± z·√(var/(n + 3)))`` clipped to [−100, 100].
* SUS (Brooke 1996): odd items contribute x − 1, even items 5 − x; the sum of
  the ten contributions × 2.5.  With exactly one item missing the sum of the
  nine contributions × 100/36; with more missing the respondent is excluded.
  Graded on the Sauro–Lewis curved grading scale.
* UMUX-Lite = (i1 + i2 − 2)·100/12 (items on 1–7); SUS-equivalent
  0.65·UMUX-Lite + 22.9 (Lewis, Utesch & Maher).

How the product metrics map onto these functions:

* NPS → :func:`nps`.
* CSAT → :func:`top_box` (threshold 4 on a 1–5 scale) and :func:`mean_t`.
* CES → :func:`mean_t` and :func:`top_box` (threshold 5 on a 1–7 scale).
* SEQ / rating → :func:`mean_t`.
* SUS → :func:`sus_respondent` per respondent, then :func:`sus`
  (t interval on the mean + :func:`sus_grade`).
* UMUX-Lite → :func:`umux_lite` per respondent, then :func:`mean_t`.
* Task completion → :func:`completion_rate`.
* Time on task → :func:`time_on_task` / :func:`geometric_mean_interval`.
* Errors → :func:`mean_t` on errors per run and :func:`top_box` with
  threshold 1 (% of runs with at least one error).
* Abandonment → :func:`adjusted_wald` (abandoned, started).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy import special as _special

from surveykit.vocabulary import Outcome

__all__ = [
    "OUTCOMES",
    "SUS_GRADE_SCALE",
    "Estimate",
    "NPSResult",
    "SUSResult",
    "TimeOnTaskResult",
    "adjusted_wald",
    "completion_rate",
    "geometric_mean_interval",
    "mean_t",
    "mean_t_counts",
    "median",
    "nps",
    "nps_counts",
    "sus",
    "sus_grade",
    "sus_respondent",
    "sus_score",
    "t_value",
    "time_on_task",
    "top_box",
    "umux_lite",
    "umux_lite_sus_equivalent",
    "z_value",
]

#: Task-run outcomes understood by :func:`completion_rate`.
OUTCOMES: frozenset[str] = frozenset(o.value for o in Outcome)

#: Sauro–Lewis curved grading scale for SUS: (minimum score, grade), best first.
SUS_GRADE_SCALE: tuple[tuple[float, str], ...] = (
    (84.1, "A+"),
    (80.8, "A"),
    (78.9, "A-"),
    (77.2, "B+"),
    (74.1, "B"),
    (72.6, "B-"),
    (71.1, "C+"),
    (65.0, "C"),
    (62.7, "C-"),
    (51.7, "D"),
)

_NPS_PRIOR_PROMOTERS = 0.75
_NPS_PRIOR_PASSIVES = 1.5
_NPS_PRIOR_DETRACTORS = 0.75
_NPS_PRIOR_TOTAL = _NPS_PRIOR_PROMOTERS + _NPS_PRIOR_PASSIVES + _NPS_PRIOR_DETRACTORS  # 3


# --------------------------------------------------------------------------- core types


def _as_float(x: float | None) -> float | None:
    return None if x is None else float(x)


@dataclass(frozen=True)
class Estimate:
    """A point value with its confidence interval.

    ``value`` is ``None`` when ``n == 0``; ``low``/``high`` are ``None`` when the
    interval cannot be computed (``n == 0``, or ``n == 1`` for t intervals).
    Numeric fields are stored as plain Python floats (never numpy scalars).
    """

    value: float | None
    low: float | None
    high: float | None
    n: int
    confidence: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _as_float(self.value))
        object.__setattr__(self, "low", _as_float(self.low))
        object.__setattr__(self, "high", _as_float(self.high))
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "confidence", float(self.confidence))

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"value", "low", "high", "n", "confidence"}`` (JSON-serialisable)."""
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "confidence": self.confidence,
        }

    def scaled(self, factor: float) -> Estimate:
        """Return a copy with value and bounds multiplied by ``factor`` (e.g. 100 for %)."""
        return Estimate(
            value=None if self.value is None else self.value * factor,
            low=None if self.low is None else self.low * factor,
            high=None if self.high is None else self.high * factor,
            n=self.n,
            confidence=self.confidence,
        )


def _empty(confidence: float) -> Estimate:
    return Estimate(value=None, low=None, high=None, n=0, confidence=confidence)


def _is_missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _clean(values: Iterable[float | None]) -> list[float]:
    """Drop ``None`` and NaN entries; return the rest as floats."""
    return [float(v) for v in values if v is not None and not _is_missing(v)]


def _check_confidence(confidence: float) -> float:
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return c


def _clip(x: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, x))


# --------------------------------------------------------------------------- quantiles


def z_value(confidence: float) -> float:
    """Two-sided standard-normal critical value: ``z = ndtri(1 − (1 − confidence)/2)``.

    ``ndtri`` is the inverse of the standard-normal CDF (``scipy.special``; the
    same function ``scipy.stats.norm.ppf`` calls).  ``z_value(0.95) ≈ 1.959964``.
    """
    c = _check_confidence(confidence)
    return float(_special.ndtri(1.0 - (1.0 - c) / 2.0))


def t_value(confidence: float, df: int) -> float:
    """Two-sided Student-t critical value: ``t = stdtrit(df, 1 − (1 − confidence)/2)``.

    ``stdtrit`` is the inverse of the Student-t CDF (``scipy.special``; what
    ``scipy.stats.t.ppf`` computes).  ``df`` must be ≥ 1 (for a mean of n
    values, df = n − 1).
    """
    c = _check_confidence(confidence)
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df!r}")
    return float(_special.stdtrit(df, 1.0 - (1.0 - c) / 2.0))


# --------------------------------------------------------------------------- proportions


def adjusted_wald(successes: float, n: int, confidence: float = 0.95) -> Estimate:
    """Adjusted-Wald (Agresti–Coull) interval for a proportion on the 0..1 scale.

    ``n' = n + z²``, ``p' = (x + z²/2)/n'``, ``CI = p' ± z·√(p'(1 − p')/n')``,
    clipped to [0, 1].  The point value is the raw ``x/n``; ``n == 0`` gives an
    empty estimate.  Raises ``ValueError`` if ``n < 0`` or ``x`` is outside [0, n].
    """
    c = _check_confidence(confidence)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n!r}")
    if n == 0:
        return _empty(c)
    x = float(successes)
    if not 0.0 <= x <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes!r}")
    z = z_value(c)
    z2 = z * z
    n_adj = n + z2
    p_adj = (x + z2 / 2.0) / n_adj
    margin = z * math.sqrt(p_adj * (1.0 - p_adj) / n_adj)
    return Estimate(
        value=x / n,
        low=_clip(p_adj - margin, 0.0, 1.0),
        high=_clip(p_adj + margin, 0.0, 1.0),
        n=n,
        confidence=c,
    )


def top_box(values: Sequence[float | None], threshold: float, confidence: float = 0.95) -> Estimate:
    """Percentage (0–100) of answers ``>= threshold`` with an adjusted-Wald interval.

    ``100 · adjusted_wald(#{v ≥ threshold}, n)``.  CSAT top-2-box on a 1–5 scale
    uses ``threshold=4``; CES "% agree" on a 1–7 scale uses ``threshold=5``;
    "% of runs with ≥ 1 error" uses ``threshold=1``.
    """
    clean = _clean(values)
    hits = sum(1 for v in clean if v >= threshold)
    return adjusted_wald(hits, len(clean), confidence).scaled(100.0)


def completion_rate(
    outcomes: Sequence[str | None],
    confidence: float = 0.95,
    partial_as_success: bool = False,
) -> Estimate:
    """Task completion rate (0..1): successes / runs, with an adjusted-Wald interval.

    Outcomes come from :data:`OUTCOMES`.  ``'skipped'`` runs (and ``None``) are
    excluded from n; ``'partial'`` is a failure unless ``partial_as_success``;
    ``'fail'``, ``'abandoned'`` and ``'timeout'`` are failures.  Unknown outcome
    strings raise ``ValueError``.
    """
    successes = 0
    n = 0
    for outcome in outcomes:
        if outcome is None:
            continue
        if outcome not in OUTCOMES:
            raise ValueError(
                f"unknown task outcome {outcome!r}; expected one of {sorted(OUTCOMES)}"
            )
        if outcome == Outcome.SKIPPED:
            continue
        n += 1
        if outcome == Outcome.SUCCESS or (partial_as_success and outcome == Outcome.PARTIAL):
            successes += 1
    return adjusted_wald(successes, n, confidence)


# --------------------------------------------------------------------------- means


def mean_t(values: Sequence[float | None], confidence: float = 0.95) -> Estimate:
    """Arithmetic mean with a t interval: ``mean ± t(df = n − 1)·sd/√n``.

    ``n == 0``: empty estimate.  ``n == 1``: value only, bounds ``None``.
    ``sd == 0``: ``low == high == mean``.
    """
    c = _check_confidence(confidence)
    clean = _clean(values)
    n = len(clean)
    if n == 0:
        return _empty(c)
    mean = math.fsum(clean) / n
    if n == 1:
        return Estimate(value=mean, low=None, high=None, n=1, confidence=c)
    sd = statistics.stdev(clean)
    if sd == 0.0:
        return Estimate(value=mean, low=mean, high=mean, n=n, confidence=c)
    margin = t_value(c, n - 1) * sd / math.sqrt(n)
    return Estimate(value=mean, low=mean - margin, high=mean + margin, n=n, confidence=c)


def mean_t_counts(
    counts: Mapping[float, int] | Iterable[tuple[float, int]], confidence: float = 0.95
) -> Estimate:
    """:func:`mean_t` over a histogram: ``{value: how many times}`` (or ``(value, count)`` pairs).

    Gives the same estimate as ``mean_t`` on the expanded list (up to rounding
    in the last bits) without building it: ``mean = Σ k·v / n``,
    ``sd² = Σ k·(v − mean)² / (n − 1)``.  ``None``/NaN values and zero counts are
    ignored; negative counts raise ``ValueError``.
    """
    c = _check_confidence(confidence)
    pairs = counts.items() if isinstance(counts, Mapping) else counts
    clean: list[tuple[float, int]] = []
    for v, k in pairs:
        if k < 0:
            raise ValueError(f"counts must be >= 0, got {k!r} for {v!r}")
        if k == 0 or _is_missing(v):
            continue
        clean.append((float(v), int(k)))
    n = sum(k for _, k in clean)
    if n == 0:
        return _empty(c)
    mean = math.fsum(v * k for v, k in clean) / n
    if n == 1:
        return Estimate(value=mean, low=None, high=None, n=1, confidence=c)
    if len(clean) == 1:
        return Estimate(value=mean, low=mean, high=mean, n=n, confidence=c)
    sd = math.sqrt(math.fsum(k * (v - mean) ** 2 for v, k in clean) / (n - 1))
    if sd == 0.0:
        return Estimate(value=mean, low=mean, high=mean, n=n, confidence=c)
    margin = t_value(c, n - 1) * sd / math.sqrt(n)
    return Estimate(value=mean, low=mean - margin, high=mean + margin, n=n, confidence=c)


def geometric_mean_interval(times: Sequence[float | None], confidence: float = 0.95) -> Estimate:
    """Geometric mean of positive times with a log-transformed t interval.

    ``value = exp(mean(ln t))``, ``CI = exp(mean(ln t) ± t(df = n − 1)·sd(ln t)/√n)``.
    ``None``, NaN, infinite and non-positive times are ignored (they are not
    counted in n).  ``n == 1``: value only; all times equal: ``low == high``.
    """
    c = _check_confidence(confidence)
    logs = [math.log(t) for t in _clean(times) if t > 0.0 and math.isfinite(t)]
    n = len(logs)
    if n == 0:
        return _empty(c)
    mean_log = math.fsum(logs) / n
    gm = math.exp(mean_log)
    if n == 1:
        return Estimate(value=gm, low=None, high=None, n=1, confidence=c)
    sd_log = statistics.stdev(logs)
    if sd_log == 0.0:
        return Estimate(value=gm, low=gm, high=gm, n=n, confidence=c)
    margin = t_value(c, n - 1) * sd_log / math.sqrt(n)
    return Estimate(
        value=gm,
        low=math.exp(mean_log - margin),
        high=math.exp(mean_log + margin),
        n=n,
        confidence=c,
    )


def median(values: Sequence[float | None]) -> float | None:
    """Sample median (mean of the two middle values when n is even); ``None`` if empty."""
    clean = _clean(values)
    if not clean:
        return None
    return float(statistics.median(clean))


@dataclass(frozen=True)
class TimeOnTaskResult:
    """Time-on-task summary: geometric mean (with interval), median and arithmetic mean.

    ``excluded`` counts the times that were given but could not be used: zero,
    negative or infinite (the geometric mean needs ln t, undefined at 0).
    Missing times (``None``/NaN) are not counted there.
    """

    geometric: Estimate
    median: float | None
    mean: float | None
    excluded: int = 0

    @property
    def n(self) -> int:
        return self.geometric.n

    def as_dict(self) -> dict[str, Any]:
        return {
            "geometric": self.geometric.as_dict(),
            "median": self.median,
            "mean": self.mean,
            "excluded": self.excluded,
        }


def time_on_task(times: Sequence[float | None], confidence: float = 0.95) -> TimeOnTaskResult:
    """Summarise task times (callers pass active times of successful runs only).

    Geometric mean and interval as in :func:`geometric_mean_interval`; median and
    arithmetic mean ``Σt/n`` over the same positive, finite times, so all three
    rest on the same n.  Times of 0 or less (and infinite ones) are left out of
    all three and counted in ``excluded``, so that the caller can say so.
    """
    given = _clean(times)
    valid = [t for t in given if t > 0.0 and math.isfinite(t)]
    return TimeOnTaskResult(
        geometric=geometric_mean_interval(valid, confidence),
        median=median(valid),
        mean=(math.fsum(valid) / len(valid)) if valid else None,
        excluded=len(given) - len(valid),
    )


# --------------------------------------------------------------------------- NPS


@dataclass(frozen=True)
class NPSResult:
    """Net Promoter Score with its adjusted-Wald interval (−100..100) and the breakdown.

    Percentages are of the n valid answers (``None`` when n == 0).
    """

    estimate: Estimate
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float | None
    passives_pct: float | None
    detractors_pct: float | None

    @property
    def n(self) -> int:
        return self.estimate.n

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.estimate.as_dict(),
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "promoters_pct": self.promoters_pct,
            "passives_pct": self.passives_pct,
            "detractors_pct": self.detractors_pct,
        }


def nps(scores: Sequence[int | None], confidence: float = 0.95) -> NPSResult:
    """Net Promoter Score from 0–10 likelihood-to-recommend answers.

    ``NPS = 100·(P − D)/n`` with promoters P (9–10), passives (7–8), detractors D (0–6).
    Interval (adjusted-Wald, Rocks 2016): ``P' = P + 0.75``, ``D' = D + 0.75``,
    ``n' = n + 3``, ``p = P'/n'``, ``d = D'/n'``, ``var = p + d − (p − d)²``,
    ``CI = 100·((p − d) ± z·√(var/n'))`` clipped to [−100, 100].  The point value
    is the raw NPS, not the adjusted one.  Answers outside 0–10 or non-integer
    answers raise ``ValueError``.
    """
    c = _check_confidence(confidence)
    promoters = passives = detractors = 0
    for s in _clean(scores):
        if not (0.0 <= s <= 10.0 and s.is_integer()):
            raise ValueError(f"NPS answers must be integers 0-10, got {s!r}")
        if s >= 9:
            promoters += 1
        elif s >= 7:
            passives += 1
        else:
            detractors += 1
    return nps_counts(promoters, passives, detractors, c)


def nps_counts(
    promoters: int, passives: int, detractors: int, confidence: float = 0.95
) -> NPSResult:
    """Net Promoter Score from the three counts (what :func:`nps` computes after tallying).

    Same formula and interval as :func:`nps`; for scoring from aggregated data
    (a histogram of answers) without expanding it into a list.  Negative counts
    raise ``ValueError``.
    """
    c = _check_confidence(confidence)
    if min(promoters, passives, detractors) < 0:
        raise ValueError("NPS counts must be >= 0")
    n = promoters + passives + detractors
    if n == 0:
        return NPSResult(_empty(c), 0, 0, 0, None, None, None)

    n_adj = n + _NPS_PRIOR_TOTAL
    p = (promoters + _NPS_PRIOR_PROMOTERS) / n_adj
    d = (detractors + _NPS_PRIOR_DETRACTORS) / n_adj
    diff = p - d
    var = max(0.0, p + d - diff * diff)
    margin = z_value(c) * math.sqrt(var / n_adj)
    estimate = Estimate(
        value=100.0 * (promoters - detractors) / n,
        low=_clip(100.0 * (diff - margin), -100.0, 100.0),
        high=_clip(100.0 * (diff + margin), -100.0, 100.0),
        n=n,
        confidence=c,
    )
    return NPSResult(
        estimate=estimate,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        promoters_pct=100.0 * promoters / n,
        passives_pct=100.0 * passives / n,
        detractors_pct=100.0 * detractors / n,
    )


# --------------------------------------------------------------------------- SUS


def sus_respondent(items: Sequence[int | None]) -> float | None:
    """SUS score (0–100) of one respondent from the 10 answers in item order.

    Contribution of item k (1-based): ``x − 1`` for odd k, ``5 − x`` for even k
    (each 0–4).  No item missing: ``Σ contributions × 2.5``.  Exactly one missing:
    ``Σ of the 9 contributions × 100/36``.  Two or more missing: ``None``
    (respondent excluded).  Raises ``ValueError`` unless exactly 10 items are
    given and every present answer is an integer 1–5.
    """
    if len(items) != 10:
        raise ValueError(f"SUS needs exactly 10 items, got {len(items)}")
    total = 0.0
    missing = 0
    for index, x in enumerate(items):
        if x is None or math.isnan(v := float(x)):
            missing += 1
            continue
        if not (1.0 <= v <= 5.0 and v.is_integer()):
            raise ValueError(f"SUS item {index + 1} must be an integer 1-5, got {x!r}")
        # index 0 is item 1 (odd, positively worded)
        total += (v - 1.0) if index % 2 == 0 else (5.0 - v)
    return sus_score(total, 10 - missing)


def sus_score(contributions: float, answered: int) -> float | None:
    """SUS score (0–100) from the sum of item contributions and the number of items answered.

    Contributions are ``x − 1`` for odd items and ``5 − x`` for even items (0–4
    each), summed over the answered items.  Ten answered: ``sum × 2.5``; nine
    answered (one missing): ``sum × 100/36``; fewer: ``None`` (excluded).  This is
    the last step of :func:`sus_respondent`, for callers that sum contributions
    elsewhere (e.g. in SQL).
    """
    if answered == 10:
        return contributions * 2.5
    if answered == 9:
        return contributions * 100.0 / 36.0
    if 0 <= answered < 9:
        return None
    raise ValueError(f"SUS has 10 items; answered must be 0-10, got {answered!r}")


def sus_grade(score: float) -> str:
    """Letter grade of a SUS score on the Sauro–Lewis curved grading scale.

    A+ ≥ 84.1, A ≥ 80.8, A− ≥ 78.9, B+ ≥ 77.2, B ≥ 74.1, B− ≥ 72.6, C+ ≥ 71.1,
    C ≥ 65.0, C− ≥ 62.7, D ≥ 51.7, otherwise F.  Grades use ASCII "-" for minus.
    """
    s = float(score)
    if math.isnan(s):
        raise ValueError("SUS score is NaN")
    for minimum, grade in SUS_GRADE_SCALE:
        if s >= minimum:
            return grade
    return "F"


@dataclass(frozen=True)
class SUSResult:
    """Mean SUS score with t interval, its grade, per-respondent scores and exclusions."""

    estimate: Estimate
    grade: str | None
    scores: tuple[float, ...] = field(default=())
    excluded: int = 0

    @property
    def n(self) -> int:
        return self.estimate.n

    def as_dict(self) -> dict[str, Any]:
        return {**self.estimate.as_dict(), "grade": self.grade, "excluded": self.excluded}


def sus(respondents: Sequence[Sequence[int | None] | None], confidence: float = 0.95) -> SUSResult:
    """Study-level SUS: :func:`sus_respondent` per respondent, then :func:`mean_t`.

    Respondents with two or more missing items (or ``None`` rows) are excluded and
    counted in ``excluded``; the grade is :func:`sus_grade` of the mean (``None``
    when no respondent is scorable).
    """
    scores: list[float] = []
    excluded = 0
    for items in respondents:
        score = None if items is None else sus_respondent(items)
        if score is None:
            excluded += 1
        else:
            scores.append(score)
    estimate = mean_t(scores, confidence)
    grade = None if estimate.value is None else sus_grade(estimate.value)
    return SUSResult(estimate=estimate, grade=grade, scores=tuple(scores), excluded=excluded)


# --------------------------------------------------------------------------- UMUX-Lite


def umux_lite(i1: int | None, i2: int | None) -> float | None:
    """UMUX-Lite score (0–100) from its two 1–7 items: ``(i1 + i2 − 2)·100/12``.

    Returns ``None`` if either item is missing; raises ``ValueError`` for an
    answer that is not an integer 1–7.
    """
    if i1 is None or i2 is None:
        return None
    a, b = float(i1), float(i2)
    if math.isnan(a) or math.isnan(b):
        return None
    for label, v in (("i1", a), ("i2", b)):
        if not (1.0 <= v <= 7.0 and v.is_integer()):
            raise ValueError(f"UMUX-Lite {label} must be an integer 1-7, got {v!r}")
    return (a + b - 2.0) * 100.0 / 12.0


def umux_lite_sus_equivalent(x: float) -> float:
    """SUS-equivalent of a UMUX-Lite score (Lewis, Utesch & Maher): ``0.65·x + 22.9``."""
    return 0.65 * float(x) + 22.9
