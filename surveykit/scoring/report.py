"""Rendering a `ScoreReport`: a table for people, JSON and CSV for machines.

Table: one line per metric (`NPS  n=152  +23.0  [+12.4, +33.1]  95% adj-Wald`),
under a heading per question or task, a section per survey and per group;
fits 80 columns. JSON: `ScoreReport.as_dict()` (documented in docs/analysts.md).
CSV: one row per (survey, group, question/task, metric).
"""

from __future__ import annotations

import csv
import json
import math
import re
import textwrap
from collections.abc import Iterator
from typing import IO, Any

from surveykit.scoring.builders import FINISHED, scale_text
from surveykit.scoring.metrics import STATUSES, GroupScores, Metric, ScoreReport, SurveyScores
from surveykit.textsafe import safe_cell

WIDTH = 80
_METHOD = {"adjusted-wald": "adj-Wald", "t": "t", "log-t": "log-t", "": ""}
CSV_COLUMNS = (
    "question_id",
    "task_id",
    "metric",
    "value",
    "low",
    "high",
    "n",
    "confidence",
    "unit",
    "method",
    "grade",
    "scale",  # the question's scale, "1-10"; tells apart the rows of a scale that changed
)


# --- JSON / CSV -------------------------------------------------------------------------


def to_json(report: ScoreReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False, allow_nan=False)


def csv_rows(report: ScoreReport) -> Iterator[list[Any]]:
    """Header, then one row per metric."""
    by = list(report.options.by)
    yield ["survey_id", *[f"by_{k}" for k in by], *CSV_COLUMNS]
    for s in report.surveys:
        for g in s.groups:
            for m in g.metrics:
                e = m.estimate
                yield [
                    s.survey_id,
                    *[g.group.get(k, "") for k in by],
                    m.question_id,
                    m.task_id,
                    m.metric,
                    e.value,
                    e.low,
                    e.high,
                    e.n,
                    e.confidence,
                    m.unit,
                    m.method,
                    m.details.get("grade") or "",
                    _scale_cell(m.details.get("scale")),
                ]


def _scale_cell(scale: Any) -> str:
    if not scale:
        return ""
    lo, hi = scale
    return scale_text((lo, hi))


def write_csv(report: ScoreReport, out: IO[str]) -> None:
    w = csv.writer(out, lineterminator="\n")
    for row in csv_rows(report):
        w.writerow([safe_cell(v) for v in row])


# --- the table --------------------------------------------------------------------------


def _num(x: float, digits: int, sign: bool = False) -> str:
    s = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    return "0.0" if s in ("-0.0", "+0.0") and not sign else s


def _digits(m: Metric) -> int:
    return 2 if m.unit in ("mean", "count") else 1


def format_value(m: Metric) -> str:
    v = m.estimate.value
    if v is None:
        return "—"
    d = _digits(m)
    if m.unit == "%":
        return _num(v, d) + "%"
    if m.unit == "points":
        return _num(v, d, sign=True)
    if m.unit == "s":
        return _num(v, d) + " s"
    return _num(v, d)


def format_interval(m: Metric) -> str:
    e = m.estimate
    if e.value is None or not m.method:
        return ""
    if e.low is None or e.high is None:
        return "(no interval, n=1)" if e.n == 1 else ""
    d = _digits(m)
    sign = m.unit == "points"
    return f"[{_num(e.low, d, sign)}, {_num(e.high, d, sign)}]"


def _pct(c: float) -> str:
    p = c * 100
    return f"{p:.0f}%" if math.isclose(p, round(p)) else f"{p:g}%"


def _thousands(n: int) -> str:
    return f"{n:,}"


# Control characters, escape sequences and bidi overrides from a definition file
# or session meta data must not reach the terminal raw.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _clip(text: str, width: int) -> str:
    text = _UNSAFE.sub("\ufffd", " ".join(text.split()))
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def metric_line(m: Metric, label_width: int = 20) -> str:
    e = m.estimate
    label = _clip(m.label, label_width)
    n = f"n={_thousands(e.n)}"
    if e.value is None:
        why = {"completion": "no runs", "errors_mean": "no runs", "errors_any": "no runs",
               "task_abandonment": "no runs", "time_on_task": "no timed runs",
               "abandonment": "no sessions"}.get(m.metric, "no answers")
        if m.metric in ("sus", "umux_lite") and m.details.get("excluded"):
            why = "no complete respondents"
        return f"    {label:<{label_width}} {n:<9} {'—':>9}  {why}"
    method = _METHOD.get(m.method, m.method)
    tail = f"{_pct(e.confidence)} {method}" if method and e.low is not None else ""
    return (
        f"    {label:<{label_width}} {n:<9} {format_value(m):>9}  "
        f"{format_interval(m):<18} {tail}".rstrip()
    )


def _sessions_line(counts: dict[str, int]) -> str:
    parts = [f"{_thousands(counts[k])} {k.replace('_', ' ')}"
             for k in STATUSES if counts.get(k)]
    started = counts.get("started", 0)
    head = f"{_thousands(started)} session{'s' if started != 1 else ''}"
    return head + (": " + ", ".join(parts) if parts else "")


def _detail_lines(m: Metric, siblings: dict[str, Metric]) -> list[str]:
    d = m.details
    out: list[str] = []
    if m.estimate.value is None:
        return out
    if m.metric == "nps":
        parts = [
            f"{format_value(siblings[k])} {k.split('_')[1]}"
            for k in ("nps_promoters", "nps_passives", "nps_detractors")
            if k in siblings
        ]
        out.append(" · ".join(parts))
    elif m.metric == "sus":
        g = f"grade {d.get('grade')}"
        if d.get("grade_low") and d.get("grade_high"):
            g += f" (interval {d['grade_low']} to {d['grade_high']})"
        if d.get("excluded"):
            g += f" · {d['excluded']} excluded (2+ items missing)"
        out.append(g)
    elif m.metric == "umux_lite" and d.get("excluded"):
        out.append(f"{d['excluded']} excluded (an item missing)")
    elif m.metric == "umux_lite_sus" and d.get("grade"):
        out.append(f"SUS-equivalent grade {d['grade']}")
    elif m.metric == "completion":
        parts = [f"{_thousands(d.get(k, 0))} {k}"
                 for k in FINISHED]
        out.append(" · ".join(parts))
        extra = []
        if d.get("partial_as_success"):
            extra.append("partial counts as success")
        if d.get("skipped"):
            extra.append(f"{_thousands(d['skipped'])} skipped")
        if d.get("unfinished"):
            extra.append(f"{_thousands(d['unfinished'])} unfinished (session ended mid-task)")
        if extra:
            out.append("; ".join(extra) + (" — not counted" if d.get("skipped") or d.get("unfinished") else ""))
    elif m.metric == "time_on_task":
        med, mean = siblings.get("time_on_task_median"), siblings.get("time_on_task_mean")
        parts = []
        if med is not None and med.estimate.value is not None:
            parts.append(f"median {format_value(med)}")
        if mean is not None and mean.estimate.value is not None:
            parts.append(f"mean {format_value(mean)}")
        text = " · ".join(parts) + f" ({d.get('runs', 'successful runs')})"
        if d.get("excluded"):
            text += f" · {_thousands(d['excluded'])} excluded (0 ms)"
        out.append(text)
    return out


_SHORT_LABEL = {"umux_lite_sus": "UMUX-Lite as SUS"}
_HIDDEN = {"nps_promoters", "nps_passives", "nps_detractors", "time_on_task_median",
           "time_on_task_mean"}


def _heading(m: Metric) -> tuple[str, str, str]:
    """(kind, id, text) of the block a metric belongs to."""
    if m.metric == "abandonment":
        return ("sessions", "", "")
    if m.task_id and not m.question_id:
        return ("task", m.task_id, m.subject)
    if m.task_id:
        return ("task", m.task_id, "")
    return ("question", m.question_id, m.subject)


def _group_lines(g: GroupScores, width: int) -> list[str]:
    lines: list[str] = []
    current: tuple[str, str, str] | None = None
    block: list[Metric] = []

    def flush() -> None:
        if not block:
            return
        siblings = {m.metric: m for m in block}
        for m in block:
            if m.metric in _HIDDEN:
                continue
            label_metric = m
            if m.metric in _SHORT_LABEL:
                label_metric = Metric(
                    m.metric, _SHORT_LABEL[m.metric], m.estimate, m.unit, m.method,
                    m.question_id, m.task_id, m.subject, m.details,
                )
            elif m.task_id and m.question_id and m.question_id not in ("seq",):
                label_metric = Metric(
                    m.metric, f"{m.question_id} {m.label.strip()}", m.estimate, m.unit,
                    m.method, m.question_id, m.task_id, m.subject, m.details,
                )
            lines.append(metric_line(label_metric))
            for d in _detail_lines(m, siblings):
                lines.append("      " + _clip(d, width - 6))
        block.clear()

    for m in g.metrics:
        head = _heading(m)
        if current is None or head[:2] != current[:2]:
            flush()
            current = head
            kind, ident, text = head
            if kind == "sessions":
                title = "Sessions"
            elif kind == "task":
                title = f"Task {ident}" + (f" · {text}" if text and text != ident else "")
            else:
                title = f"{ident} · {text}" if text else ident
            lines.append("  " + _clip(title, width - 2))
        block.append(m)
    flush()
    return lines


def render_table(report: ScoreReport, width: int = WIDTH, color: bool = False) -> str:
    def bold(s: str) -> str:
        return f"\x1b[1m{s}\x1b[0m" if color else s

    if not report.surveys:
        return no_sessions_message(report)
    out: list[str] = []
    for si, s in enumerate(report.surveys):
        if si:
            out.append("")
        out.append(bold(_clip(f"{s.survey_id} · {s.title}", width)))
        out.extend(_survey_lines(s, report, width, bold))
    return "\n".join(out) + "\n"


def _survey_lines(s: SurveyScores, report: ScoreReport, width: int, bold: Any) -> list[str]:
    out: list[str] = []
    total = {"started": 0}
    for g in s.groups:
        for k, v in g.sessions.items():
            total[k] = total.get(k, 0) + v
    filters = _filters_text(report)
    out.append(_clip(_sessions_line(total), width))
    if filters:
        text = filters.removeprefix(" · ")
        out.append(_clip(text[:1].upper() + text[1:], width))  # not .capitalize(): 09:00Z stays
    if not s.groups:
        out.append("  No sessions match." if filters else "  No sessions yet.")
    for g in s.groups:
        if g.group:
            label = ", ".join(f"{k} = {v}" for k, v in g.group.items())
            head = f"── {label} · {_sessions_line(g.sessions)} "
            out.append("")
            out.append(bold(_clip(head + "─" * max(0, width - len(head)), width)))
        else:
            out.append("")
        out.extend(_group_lines(g, width))
    for w in s.warnings:
        # a warning is never cut short: it wraps, its later lines indented
        text = _UNSAFE.sub("\ufffd", " ".join(w.split()))
        out.extend(textwrap.wrap(text, width, initial_indent="  ! ", subsequent_indent="    ",
                                 break_on_hyphens=False))
    return out


def _filters_text(report: ScoreReport) -> str:
    o = report.options
    parts = []
    if o.since:
        parts.append(f"since {o.since}")
    if o.until:
        parts.append(f"until {o.until}")
    if o.completed_only:
        parts.append("completed only")
    return (" · " + ", ".join(parts)) if parts else ""


def no_sessions_message(report: ScoreReport) -> str:
    filters = _filters_text(report)
    where = report.database or "the database"
    if filters:
        return f"No sessions to score in {where}{filters}.\n"
    return f"No sessions to score in {where} yet.\n"
