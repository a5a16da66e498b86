"""The metrics of one question, battery or task (pure: counts in, `Metric`s out).

Every builder takes what the database counted (a histogram of answers, the
per-respondent battery sums, the task runs by outcome and errors) and hands the
formulas to `surveykit.scoring.stats`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from itertools import repeat
from typing import Any

from surveykit.scoring import stats
from surveykit.scoring.results import Metric
from surveykit.scoring.stats import Estimate
from surveykit.vocabulary import Outcome

__all__ = [
    "BATTERY_TYPES",
    "FINISHED",
    "NUMERIC_TYPES",
    "SCALE_TYPES",
    "SCORED_TYPES",
    "Scale",
    "median_counts",
    "scale_metrics",
    "scale_text",
    "sus_metric",
    "task_metrics",
    "umux_metrics",
]

SCALE_TYPES = ("nps", "csat", "ces", "seq", "rating")
#: Questions scored from their numeric answers: the scales, and `number`.
NUMERIC_TYPES = (*SCALE_TYPES, "number")
BATTERY_TYPES = ("sus", "umux_lite")
SCORED_TYPES = NUMERIC_TYPES + BATTERY_TYPES
#: Outcomes of a run that was finished (every outcome but `skipped`).
FINISHED: tuple[str, ...] = tuple(o.value for o in Outcome if o is not Outcome.SKIPPED)



def _hits(hits: int, n: int) -> dict[float, int]:
    """A proportion's observations as a histogram: {1: hits, 0: misses}."""
    return {1.0: hits, 0.0: n - hits}


Scale = tuple[float | None, float | None]  # (min, max) of a question in one definition


def scale_text(scale: Scale) -> str:
    """`1-10` (an open end is `…`)."""
    lo, hi = scale
    return f"{'…' if lo is None else f'{lo:g}'}-{'…' if hi is None else f'{hi:g}'}"


def scale_metrics(
    qtype: str,
    counts: Counter[float] | dict[float, int],
    confidence: float,
    question_id: str,
    task_id: str = "",
    subject: str = "",
    *,
    scale: Scale | None = None,
    split: bool = False,
) -> list[Metric]:
    """The metrics of one scale question from its histogram {value: answers}.

    Every metric's `details.scale` is the scale the answers were given on,
    `[min, max]` (null when not known). `split`: the question's scale changed
    between definition versions and these answers are one of its scales, so the
    label says which.
    """
    metrics = _scale_metrics(qtype, counts, confidence, question_id, task_id, subject)
    shown = None if scale is None else [scale[0], scale[1]]
    return [
        replace(
            m,
            label=f"{m.label} on {scale_text(scale)}" if split and scale is not None else m.label,
            details={**m.details, "scale": shown},
        )
        for m in metrics
    ]


def _scale_metrics(
    qtype: str,
    counts: Counter[float] | dict[float, int],
    confidence: float,
    question_id: str,
    task_id: str,
    subject: str,
) -> list[Metric]:
    n = sum(counts.values())
    common: dict[str, Any] = {"question_id": question_id, "task_id": task_id, "subject": subject}

    def share(hits: int, name: str, label: str) -> Metric:
        return Metric(
            name, label, stats.adjusted_wald(hits, n, confidence).scaled(100.0), "%",
            "adjusted-wald", **common, details={"count": hits}, sample=_hits(hits, n),
        )

    def mean(name: str, label: str) -> Metric:
        return Metric(name, label, stats.mean_t_counts(counts, confidence), "mean", "t", **common,
                      sample=dict(counts))

    if qtype == "nps":
        promoters = sum(k for v, k in counts.items() if v >= 9)
        passives = sum(k for v, k in counts.items() if 7 <= v < 9)
        detractors = sum(k for v, k in counts.items() if v < 7)
        result = stats.nps_counts(promoters, passives, detractors, confidence)
        return [
            Metric("nps", "NPS", result.estimate, "points", "adjusted-wald", **common,
                   details={"promoters": promoters, "passives": passives, "detractors": detractors},
                   sample=dict(counts)),
            share(promoters, "nps_promoters", "promoters (9-10)"),
            share(passives, "nps_passives", "passives (7-8)"),
            share(detractors, "nps_detractors", "detractors (0-6)"),
        ]
    if qtype == "csat":
        return [
            share(sum(k for v, k in counts.items() if v >= 4), "csat_top2", "CSAT top-2-box"),
            mean("csat_mean", "CSAT mean (1-5)"),
        ]
    if qtype == "ces":
        return [
            mean("ces_mean", "CES mean (1-7)"),
            share(sum(k for v, k in counts.items() if v >= 5), "ces_agree", "CES agree (5-7)"),
        ]
    if qtype == "seq":
        return [mean("seq_mean", "SEQ mean (1-7)")]
    if qtype == "number":
        est = stats.mean_t_counts(counts, confidence)
        mid = Estimate(median_counts(counts), None, None, est.n, confidence)
        return [
            Metric("number_mean", "Mean", est, "mean", "t", **common, sample=dict(counts)),
            Metric("number_median", "Median", mid, "mean", "", **common),
        ]
    if qtype == "rating":
        return [mean("rating_mean", "Rating mean")]
    raise ValueError(f"not a scale type: {qtype!r}")


def median_counts(counts: Counter[float] | dict[float, int]) -> float | None:
    """The median of a histogram {value: count}: the middle value, or the mean of
    the two middle ones when n is even (as `statistics.median` of the expanded list)."""
    n = sum(k for k in counts.values() if k > 0)
    if n == 0:
        return None
    lower, upper = (n - 1) // 2, n // 2  # 0-based ranks of the middle value(s)
    seen = 0
    low_value: float | None = None
    for value in sorted(counts):
        k = counts[value]
        if k <= 0:
            continue
        if low_value is None and seen + k > lower:
            low_value = value
        if seen + k > upper:
            assert low_value is not None
            return (low_value + value) / 2.0
        seen += k
    raise AssertionError("unreachable: the ranks are below n")


def sus_metric(
    counts: Counter[tuple[Any, Any]] | dict[tuple[Any, Any], int],
    confidence: float,
    question_id: str,
    task_id: str = "",
    subject: str = "",
) -> Metric:
    """SUS from {(sum of item contributions, items answered): respondents}."""
    scores: Counter[float] = Counter()
    excluded = 0
    for (contributions, answered), k in counts.items():
        s = stats.sus_score(float(contributions or 0), int(answered or 0))
        if s is None:
            excluded += k
        else:
            scores[s] += k
    est = stats.mean_t_counts(scores, confidence)
    # The same keys at every n: null where there is no value (no interval at n = 1).
    details: dict[str, Any] = {
        "excluded": excluded,
        "grade": None if est.value is None else stats.sus_grade(est.value),
        "grade_low": None if est.low is None else stats.sus_grade(est.low),
        "grade_high": None if est.high is None else stats.sus_grade(est.high),
    }
    return Metric("sus", "SUS", est, "score", "t", question_id, task_id, subject, details,
                  sample=dict(scores))


def umux_metrics(
    counts: Counter[tuple[Any, Any]] | dict[tuple[Any, Any], int],
    confidence: float,
    question_id: str,
    task_id: str = "",
    subject: str = "",
) -> list[Metric]:
    """UMUX-Lite and its SUS equivalent from {(item 1, item 2): respondents}."""
    scores: Counter[float] = Counter()
    excluded = 0
    for (i1, i2), k in counts.items():
        s = stats.umux_lite(i1, i2)
        if s is None:
            excluded += k
        else:
            scores[s] += k
    est = stats.mean_t_counts(scores, confidence)
    eq = stats.umux_lite_sus_equivalent

    def tr(x: float | None) -> float | None:
        return None if x is None else eq(x)

    sus_eq = Estimate(tr(est.value), tr(est.low), tr(est.high), est.n, est.confidence)
    return [
        Metric("umux_lite", "UMUX-Lite", est, "score", "t", question_id, task_id, subject,
               {"excluded": excluded}, sample=dict(scores)),
        Metric("umux_lite_sus", "UMUX-Lite as SUS (0.65x+22.9)", sus_eq, "score", "t", question_id,
               task_id, subject,
               {"grade": None if sus_eq.value is None else stats.sus_grade(sus_eq.value)}),
    ]


def task_metrics(
    runs: Counter[tuple[str | None, int]] | dict[tuple[str | None, int], int],
    times_s: Sequence[float],
    confidence: float,
    task_id: str,
    title: str = "",
    *,
    partial_as_success: bool = False,
    times_label: str = "success",
) -> list[Metric]:
    """Completion, time on task, errors and abandonment of one task.

    `runs` counts runs by (outcome, errors); `times_s` are the active times in
    seconds of the runs that count for time on task. A time of 0 has no
    logarithm: such runs are left out of all three time figures (so that they
    rest on the same n) and counted in the `time_on_task` metric's
    `details.excluded`.
    """
    common: dict[str, Any] = {"task_id": task_id, "subject": title}
    outcomes: list[str | None] = []
    for (outcome, _errors), k in runs.items():
        outcomes.extend(repeat(outcome, k))
    counted = [(o, e, k) for (o, e), k in runs.items() if o in FINISHED]
    n = sum(k for _, _, k in counted)
    unfinished = sum(k for (o, _), k in runs.items() if o is None)
    skipped = sum(k for (o, _), k in runs.items() if o == Outcome.SKIPPED)
    by_outcome = Counter({o: 0 for o in FINISHED})
    for o, _e, k in counted:
        by_outcome[o] += k
    completion = stats.completion_rate(outcomes, confidence, partial_as_success).scaled(100.0)
    tot = stats.time_on_task(times_s, confidence)
    err_counts: Counter[float] = Counter()
    with_error = 0
    for _o, e, k in counted:
        err_counts[float(e)] += k
        if e >= 1:
            with_error += k
    abandoned = by_outcome[Outcome.ABANDONED]
    successes = by_outcome[Outcome.SUCCESS] + (by_outcome[Outcome.PARTIAL] if partial_as_success else 0)
    which = "every finished run" if times_label == "all" else (
        "successful and partial runs" if partial_as_success else "successful runs"
    )
    return [
        Metric("completion", "Completion", completion, "%", "adjusted-wald", **common,
               details={**dict(by_outcome), "skipped": skipped, "unfinished": unfinished,
                        "partial_as_success": partial_as_success},
               sample=_hits(successes, n)),
        Metric("time_on_task", "Time on task (geo)", tot.geometric, "s", "log-t", **common,
               details={"runs": which, "excluded": tot.excluded},
               sample=Counter(t for t in times_s if t > 0.0 and math.isfinite(t))),
        Metric("time_on_task_median", "Time on task median",
               Estimate(tot.median, None, None, tot.n, confidence), "s", "", **common),
        Metric("time_on_task_mean", "Time on task mean",
               Estimate(tot.mean, None, None, tot.n, confidence), "s", "", **common),
        Metric("errors_mean", "Errors per run", stats.mean_t_counts(err_counts, confidence),
               "count", "t", **common, sample=dict(err_counts)),
        Metric("errors_any", "Runs with errors",
               stats.adjusted_wald(with_error, n, confidence).scaled(100.0), "%",
               "adjusted-wald", **common, details={"count": with_error},
               sample=_hits(with_error, n)),
        Metric("task_abandonment", "Abandoned runs",
               stats.adjusted_wald(abandoned, n, confidence).scaled(100.0), "%",
               "adjusted-wald", **common, details={"count": abandoned},
               sample=_hits(abandoned, n)),
    ]
