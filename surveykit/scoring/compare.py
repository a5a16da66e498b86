"""Is design B better than design A? Two groups' metrics compared (pure: counts in, figures out).

Every test is the one the usability literature recommends for small samples
(Sauro & Lewis, *Quantifying the User Experience*, 2nd ed., ch. 5 and 9), on
independent groups (between-subjects). z = ``ndtri(1 − α/2)``; t quantiles and
p-values from ``scipy.special`` (``stdtr``/``stdtrit``, ``ndtr``/``ndtri``).

* Proportions (completion, CSAT top-2-box, abandonment…): the N−1
  two-proportion test (Campbell 2007; Richardson 2011)::

      z = (p1 − p2) / √(P(1 − P)(1/n1 + 1/n2)) · √((N − 1)/N),  P pooled, N = n1 + n2

  and the adjusted-Wald interval of the difference (Agresti & Caffo 2000): add
  z²/4 successes and z²/2 trials to each group, then the Wald interval.
* Means (SUS, SEQ, CSAT, CES, ratings, UMUX-Lite, errors per run): Welch's
  t-test with Welch–Satterthwaite degrees of freedom and the Welch interval of
  the difference.
* Time on task: Welch's t on ln t; the difference is the ratio of the geometric
  means, exp(mean ln t1 − mean ln t2), its interval the exponentiated one.
* NPS: the difference of the adjusted-Wald NPS (SPEC §5: add 0.75 promoters,
  1.5 passives, 0.75 detractors to each group) with the sum of the two adjusted
  variances, a z-test (Rocks 2016; Sauro & Lewis on comparing two NPS).

With more than two groups every pair is compared, and ``p_adjusted`` is the
Holm (1979) adjusted p-value over the pairs of one metric.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scipy import special as _special

__all__ = [
    "Difference",
    "holm",
    "n1_two_proportions",
    "nps_difference",
    "summary",
    "welch",
    "welch_log_ratio",
]


@dataclass(frozen=True)
class Difference:
    """group A − group B (or A / B for a ratio), its interval, and the test."""

    difference: float | None
    low: float | None
    high: float | None
    p: float | None
    statistic: float | None  # z or t
    df: float | None  # t tests only
    method: str  # "n-1 two-proportion", "welch-t", "welch-t on log times", "nps z"

    def as_dict(self) -> dict[str, Any]:
        return {
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "p": self.p,
            "statistic": self.statistic,
            "df": self.df,
            "method": self.method,
        }


def _f(x: Any) -> float:
    return float(x)


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return _f(_special.ndtri(1.0 - (1.0 - confidence) / 2.0))


def _none(method: str, difference: float | None = None) -> Difference:
    return Difference(difference, None, None, None, None, None, method)


def _two_sided_z(z: float) -> float:
    return _f(2.0 * _special.ndtr(-abs(z)))


# --- proportions ------------------------------------------------------------------------

PROPORTION = "n-1 two-proportion"


def n1_two_proportions(
    x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95
) -> Difference:
    """p1 − p2 (proportions 0..1): N−1 two-proportion test, adjusted-Wald interval."""
    z_c = _z(confidence)
    if n1 <= 0 or n2 <= 0:
        return _none(PROPORTION)
    p1, p2 = x1 / n1, x2 / n2
    diff = p1 - p2
    # adjusted-Wald interval of the difference
    a1 = (x1 + z_c**2 / 4) / (n1 + z_c**2 / 2)
    a2 = (x2 + z_c**2 / 4) / (n2 + z_c**2 / 2)
    se_a = math.sqrt(a1 * (1 - a1) / (n1 + z_c**2 / 2) + a2 * (1 - a2) / (n2 + z_c**2 / 2))
    low = max(-1.0, a1 - a2 - z_c * se_a)
    high = min(1.0, a1 - a2 + z_c * se_a)
    big_n = n1 + n2
    pooled = (x1 + x2) / big_n
    if pooled in (0.0, 1.0) or big_n < 2:
        # both groups all-success or all-failure: no evidence of a difference
        return Difference(diff, low, high, 1.0 if big_n >= 2 else None, 0.0, None, PROPORTION)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = diff / se * math.sqrt((big_n - 1) / big_n)
    return Difference(diff, low, high, _two_sided_z(z), z, None, PROPORTION)


# --- means ------------------------------------------------------------------------------

WELCH = "welch-t"
LOG_WELCH = "welch-t on log times"


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    var: float | None  # sample variance (n − 1); None when n < 2


def summary(sample: Mapping[float, int] | Sequence[float]) -> Summary:
    """n, mean and sample variance of a histogram {value: count} or a list of values."""
    pairs = list(sample.items()) if isinstance(sample, Mapping) else [(v, 1) for v in sample]
    pairs = [(float(v), int(k)) for v, k in pairs if k > 0]
    n = sum(k for _, k in pairs)
    if n == 0:
        return Summary(0, None, None)
    mean = math.fsum(v * k for v, k in pairs) / n
    if n < 2:
        return Summary(n, mean, None)
    var = math.fsum(k * (v - mean) ** 2 for v, k in pairs) / (n - 1)
    return Summary(n, mean, var)


def welch(a: Summary, b: Summary, confidence: float = 0.95, method: str = WELCH) -> Difference:
    """mean(a) − mean(b): Welch's t-test and interval. No test when a group has n < 2
    or both groups have no spread."""
    alpha = 1.0 - confidence
    _z(confidence)
    if a.mean is None or b.mean is None:
        return _none(method)
    diff = a.mean - b.mean
    if a.var is None or b.var is None:
        return _none(method, diff)
    va, vb = a.var / a.n, b.var / b.n
    se2 = va + vb
    if se2 == 0.0:
        return Difference(diff, diff, diff, 1.0 if diff == 0 else 0.0, None, None, method)
    se = math.sqrt(se2)
    df = se2**2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    t = diff / se
    p = _f(2.0 * _special.stdtr(df, -abs(t)))
    margin = _f(_special.stdtrit(df, 1.0 - alpha / 2.0)) * se
    return Difference(diff, diff - margin, diff + margin, p, t, df, method)


def welch_log_ratio(
    a: Mapping[float, int] | Sequence[float],
    b: Mapping[float, int] | Sequence[float],
    confidence: float = 0.95,
) -> Difference:
    """Geometric mean of a / geometric mean of b: Welch's t on ln t (times above 0 only)."""

    def logs(x: Mapping[float, int] | Sequence[float]) -> dict[float, int]:
        pairs = x.items() if isinstance(x, Mapping) else [(v, 1) for v in x]
        out: dict[float, int] = {}
        for v, k in pairs:
            if v > 0 and math.isfinite(v) and k > 0:
                lv = math.log(v)
                out[lv] = out.get(lv, 0) + int(k)
        return out

    d = welch(summary(logs(a)), summary(logs(b)), confidence, LOG_WELCH)

    def ex(x: float | None) -> float | None:
        return None if x is None else math.exp(x)

    return Difference(ex(d.difference), ex(d.low), ex(d.high), d.p, d.statistic, d.df, d.method)


# --- NPS --------------------------------------------------------------------------------

NPS = "nps z (adjusted-wald)"


def nps_difference(
    a: tuple[int, int, int], b: tuple[int, int, int], confidence: float = 0.95
) -> Difference:
    """NPS(a) − NPS(b) in points from (promoters, passives, detractors) of each group.

    The difference is the raw one; the interval and the z-test use each group's
    adjusted-Wald proportions and variance, as the NPS interval does.
    """
    z_c = _z(confidence)
    na, nb = sum(a), sum(b)
    if na == 0 or nb == 0:
        return _none(NPS)
    raw = 100.0 * ((a[0] - a[2]) / na - (b[0] - b[2]) / nb)

    def adjusted(g: tuple[int, int, int]) -> tuple[float, float]:
        n = sum(g) + 3.0
        p, d = (g[0] + 0.75) / n, (g[2] + 0.75) / n
        return p - d, (p + d - (p - d) ** 2) / n

    (ma, va), (mb, vb) = adjusted(a), adjusted(b)
    diff = ma - mb
    se = math.sqrt(va + vb)
    z = diff / se
    low = max(-200.0, 100.0 * (diff - z_c * se))
    high = min(200.0, 100.0 * (diff + z_c * se))
    return Difference(raw, low, high, _two_sided_z(z), z, None, NPS)


# --- the same participants in both groups (within-subjects) ---------------------------

PAIRED = "paired t"
LOG_PAIRED = "paired t on log times"
MCNEMAR = "mcnemar exact"


def paired_t(differences: Sequence[float], confidence: float = 0.95,
             method: str = PAIRED) -> Difference:
    """The mean of per-participant differences (a − b): paired t-test and interval."""
    alpha = 1.0 - confidence
    _z(confidence)
    d = summary(list(differences))
    if d.mean is None:
        return _none(method)
    if d.var is None:
        return _none(method, d.mean)
    if d.var == 0.0:
        return Difference(d.mean, d.mean, d.mean, 1.0 if d.mean == 0 else 0.0, None, None, method)
    se = math.sqrt(d.var / d.n)
    df = float(d.n - 1)
    t = d.mean / se
    p = _f(2.0 * _special.stdtr(df, -abs(t)))
    margin = _f(_special.stdtrit(df, 1.0 - alpha / 2.0)) * se
    return Difference(d.mean, d.mean - margin, d.mean + margin, p, t, df, method)


def mcnemar_exact(only_a: int, only_b: int) -> Difference:
    """Matched yes/no outcomes: the exact (binomial) McNemar test on the discordant
    pairs, `only_a` (yes in a only) and `only_b` (yes in b only). The p-value only:
    the difference needs the number of pairs, which the caller has."""
    discordant = only_a + only_b
    if discordant == 0:
        return Difference(None, None, None, 1.0, None, None, MCNEMAR)
    k = min(only_a, only_b)
    p = min(1.0, 2.0 * _f(_special.bdtr(k, discordant, 0.5)))
    return Difference(None, None, None, p, None, None, MCNEMAR)


# --- several pairs ----------------------------------------------------------------------


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (None stays None and is not counted)."""
    indexed = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(indexed)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


# --- a scored report, group against group -----------------------------------------------

#: metric → how it is compared; metrics not listed (medians, NPS shares, the SUS
#: equivalent of UMUX-Lite) are not compared.
KINDS: dict[str, str] = {
    "abandonment": "proportion",
    "csat_top2": "proportion",
    "ces_agree": "proportion",
    "completion": "proportion",
    "errors_any": "proportion",
    "task_abandonment": "proportion",
    "csat_mean": "mean",
    "ces_mean": "mean",
    "seq_mean": "mean",
    "rating_mean": "mean",
    "number_mean": "mean",
    "sus": "mean",
    "umux_lite": "mean",
    "errors_mean": "mean",
    "time_on_task": "ratio",
    "nps": "nps",
}

#: The keys of one comparison row, the same at every n (null where there is no value).
ROW_KEYS = (
    "survey_id", "metric", "label", "question_id", "task_id", "scale", "unit",
    "group_a", "value_a", "n_a", "group_b", "value_b", "n_b",
    "difference", "low", "high", "confidence", "p", "p_adjusted", "statistic", "df",
    "method", "design", "pairs",
)


def compare_pair(kind: str, a: Any, b: Any, confidence: float) -> Difference:
    """Compare two `Metric`s of the same kind (their `sample`s); see `KINDS`."""
    sa: Mapping[float, int] = a.sample or {}
    sb: Mapping[float, int] = b.sample or {}
    if kind == "proportion":
        d = n1_two_proportions(int(sa.get(1.0, 0)), sum(sa.values()),
                               int(sb.get(1.0, 0)), sum(sb.values()), confidence)
        def pct(x: float | None) -> float | None:
            return None if x is None else 100.0 * x

        return Difference(pct(d.difference), pct(d.low), pct(d.high), d.p, d.statistic, d.df,
                          d.method)
    if kind == "mean":
        return welch(summary(sa), summary(sb), confidence)
    if kind == "ratio":
        return welch_log_ratio(sa, sb, confidence)
    if kind == "nps":
        def split(s: Mapping[float, int]) -> tuple[int, int, int]:
            return (sum(k for v, k in s.items() if v >= 9),
                    sum(k for v, k in s.items() if 7 <= v < 9),
                    sum(k for v, k in s.items() if v < 7))
        return nps_difference(split(sa), split(sb), confidence)
    raise ValueError(f"not a comparison kind: {kind!r}")


def _label(group: Mapping[str, str]) -> str:
    return ", ".join(f"{v}" for v in group.values()) if len(group) == 1 else ", ".join(
        f"{k}={v}" for k, v in group.items())


def key_of(m: Any) -> tuple[str, str, str, Any]:
    scale = m.details.get("scale")
    return (m.metric, m.question_id, m.task_id, tuple(scale) if scale else None)


def compare_report(report: Any, by_participant: Any = None) -> list[dict[str, Any]]:
    """Every pair of groups of every survey in a grouped `ScoreReport`, metric by
    metric, in the report's order: a list of rows with the keys `ROW_KEYS`.

    `by_participant`: the same report grouped by the same keys and then by
    `participant`. Where participants are in both groups of a pair (a
    within-subjects study) that pair is tested on them, paired.
    """
    c = report.options.confidence
    rows: list[dict[str, Any]] = []
    for s in report.surveys:
        paired = None
        if by_participant is not None:
            twin = next((t for t in by_participant.surveys if t.survey_id == s.survey_id), None)
            if twin is not None:
                paired = paired_rows(twin, len(report.options.by), c)
        # (metric, question, task, scale) → [(group label, Metric)] in group order
        found: dict[tuple[str, str, str, Any], list[tuple[str, Any]]] = {}
        for g in s.groups:
            for m in g.metrics:
                if m.metric not in KINDS:
                    continue
                scale = m.details.get("scale")
                key = (m.metric, m.question_id, m.task_id, tuple(scale) if scale else None)
                found.setdefault(key, []).append((_label(g.group), m))
        for (metric, qid, tid, scale), members in found.items():
            kind = KINDS[metric]
            block: list[dict[str, Any]] = []
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    (la, ma), (lb, mb) = members[i], members[j]
                    d = compare_pair(kind, ma, mb, c)
                    block.append({
                        "survey_id": s.survey_id,
                        "metric": metric,
                        "label": ma.label,
                        "question_id": qid or None,
                        "task_id": tid or None,
                        "scale": list(scale) if scale else None,
                        "unit": "ratio" if kind == "ratio" else ma.unit,
                        "group_a": la,
                        "value_a": ma.estimate.value,
                        "n_a": ma.estimate.n,
                        "group_b": lb,
                        "value_b": mb.estimate.value,
                        "n_b": mb.estimate.n,
                        **{k: v for k, v in d.as_dict().items() if k != "method"},
                        "confidence": c,
                        "p_adjusted": None,
                        "method": d.method,
                        "design": "between-subjects",
                        "pairs": None,
                    })
                    if paired is not None and (la, lb) in paired.get(key_of(ma), {}):
                        block[-1].update(paired[key_of(ma)][(la, lb)])
            adjusted = holm([r["p"] for r in block]) if len(block) > 1 else [r["p"] for r in block]
            for r, p in zip(block, adjusted, strict=True):
                r["p_adjusted"] = p
            rows.extend({k: r[k] for k in ROW_KEYS} for r in block)
    return rows


def paired_rows(survey: Any, keys: int, confidence: float) -> dict[
        tuple[str, str, str, Any], dict[tuple[str, str], dict[str, Any]]]:
    """metric key → (group a, group b) → the paired fields of the row, for the pairs of
    groups that share participants. `survey` is grouped by the keys, then participant."""
    NONE = "(none)"
    # metric key → group label → participant → Metric
    seen: dict[tuple[str, str, str, Any], dict[str, dict[str, Any]]] = {}
    order: list[str] = []
    for g in survey.groups:
        values = list(g.group.items())
        who = values[keys][1] if len(values) > keys else NONE
        if who == NONE:
            continue
        label = _label(dict(values[:keys]))
        if label not in order:
            order.append(label)
        for m in g.metrics:
            if m.metric in KINDS and KINDS[m.metric] != "nps":
                seen.setdefault(key_of(m), {}).setdefault(label, {})[who] = m
    out: dict[tuple[str, str, str, Any], dict[tuple[str, str], dict[str, Any]]] = {}
    for key, by_group in seen.items():
        kind = KINDS[key[0]]
        for i, la in enumerate(order):
            for lb in order[i + 1:]:
                a, b = by_group.get(la, {}), by_group.get(lb, {})
                both = [w for w in a if w in b and a[w].estimate.value is not None
                        and b[w].estimate.value is not None]
                if not both:
                    continue
                va = [a[w].estimate.value for w in both]
                vb = [b[w].estimate.value for w in both]
                binary = kind == "proportion" and all(
                    a[w].estimate.n == 1 and b[w].estimate.n == 1 for w in both)
                if binary:
                    only_a = sum(1 for x, y in zip(va, vb, strict=True) if x > y)
                    only_b = sum(1 for x, y in zip(va, vb, strict=True) if y > x)
                    d = mcnemar_exact(only_a, only_b)
                    d = Difference(100.0 * (only_a - only_b) / len(both), None, None, d.p,
                                   None, None, d.method)
                elif kind == "ratio":
                    r = paired_t([math.log(x) - math.log(y) for x, y in zip(va, vb, strict=True)
                                  if x > 0 and y > 0], confidence, LOG_PAIRED)

                    def ex(x: float | None) -> float | None:
                        return None if x is None else math.exp(x)

                    d = Difference(ex(r.difference), ex(r.low), ex(r.high), r.p, r.statistic,
                                   r.df, r.method)
                else:
                    d = paired_t([x - y for x, y in zip(va, vb, strict=True)], confidence)
                out.setdefault(key, {})[(la, lb)] = {
                    **d.as_dict(), "design": "within-subjects", "pairs": len(both)}
    return out
