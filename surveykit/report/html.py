"""`surveykit report`: one self-contained HTML file of a scored database.

Everything is inline (styles, charts as SVG; no script, font or image is
fetched), so the file opens offline and prints. The figures are the scoring
layer's (`surveykit.scoring.metrics.score`), formatted as `score` formats them;
the charts draw them. Every text that comes from a definition or a participant
is escaped.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from surveykit import __version__
from surveykit.scoring.metrics import GroupScores, Metric, ScoreOptions, ScoreReport, score
from surveykit.scoring.report import format_interval, format_value
from surveykit.scoring.source import ScoreSource
from surveykit.storage import queries

#: Text answers listed per question at most (the newest are dropped, and counted).
TEXT_LIMIT = 300
SEQ_AVERAGE = 5.5  # Sauro & Lewis: the average SEQ is about 5.5
SUS_AVERAGE = 68.0
_DISTRIBUTIONS = ("csat_mean", "ces_mean", "rating_mean", "seq_mean", "number_mean")
_METHOD = {"adjusted-wald": "adjusted Wald", "t": "t", "log-t": "t on log times"}
# control characters other than tab and newline have no place in an HTML page
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def esc(text: Any) -> str:
    """Text for an HTML element or a quoted attribute."""
    return html.escape(_CONTROL.sub("\ufffd", str(text)), quote=True)


Row = tuple[str, Metric]


def _group_label(g: GroupScores) -> str:
    return ", ".join(f"{k} = {v}" for k, v in g.group.items())


def build(conn: sqlite3.Connection, options: ScoreOptions, database: str = "") -> str:
    """The whole page for an open (read-only) database."""
    report = score(conn, options, database=database)
    texts = _text_answers(conn, options, report)
    limits = {s.survey_id: {t.task_id: t.time_limit_s for t in reversed(
        queries.task_catalogue(conn, s.survey_id)) if t.time_limit_s}
        for s in report.surveys}
    return render(report, texts, limits)


def _text_answers(
    conn: sqlite3.Connection, options: ScoreOptions, report: ScoreReport
) -> dict[str, list[tuple[str, str, str, list[tuple[str, str]]]]]:
    """survey → [(task id, question id, question text, [(group, answer)])] in survey order."""
    out: dict[str, list[tuple[str, str, str, list[tuple[str, str]]]]] = {}
    src = ScoreSource(conn, options)
    for s in report.surveys:
        questions: dict[str, str] = {}
        for e in queries.catalogue(conn, s.survey_id):
            if e.type == "text" and e.question_id not in questions:
                questions[e.question_id] = e.text
        if not questions:
            continue
        found: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for slot, task_id, qid, text in src.text_answers(questions):
            if slot[0] != s.survey_id:
                continue
            group = ", ".join(f"{k} = {v}" for k, v in zip(options.by, slot[1], strict=True))
            found.setdefault((task_id, qid), []).append((group, text))
        order = list(questions)
        out[s.survey_id] = [
            (tid, qid, questions[qid], answers)
            for (tid, qid), answers in sorted(found.items(),
                                               key=lambda kv: (kv[0][0], order.index(kv[0][1])))
        ]
    return out


def _collect(groups: Sequence[GroupScores]) -> dict[tuple[str, str, str, Any], list[Row]]:
    """(metric, question, task, scale) → [(group label, metric)] in group order."""
    found: dict[tuple[str, str, str, Any], list[Row]] = {}
    for g in groups:
        for m in g.metrics:
            scale = m.details.get("scale")
            key = (m.metric, m.question_id, m.task_id, tuple(scale) if scale else None)
            found.setdefault(key, []).append((_group_label(g), m))
    return found


def _caption(rows: Iterable[Row], extra: str = "") -> str:
    parts = []
    for label, m in rows:
        e = m.estimate
        where = f"task {m.task_id} " if m.task_id else ""
        who = f"{label}: " if label else ""
        iv = format_interval(m)
        parts.append(f"{who}{where}{m.label} {format_value(m)}{' ' + iv if iv else ''} (n={e.n})")
    return "; ".join(parts) + (f". {extra}" if extra else "")


def _figure(title: str, svg: str, caption: str) -> str:
    return (f'<figure class="chart"><h4>{esc(title)}</h4>{svg}'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def _charts(survey_id: str, groups: Sequence[GroupScores],
            limits: dict[str, float]) -> list[str]:
    from surveykit.report import charts

    found = _collect(groups)
    out: list[str] = []
    by_task: dict[str, dict[str, list[Row]]] = {}
    for (metric, qid, tid, scale), rows in found.items():
        has_data = any(m.estimate.value is not None for _, m in rows)
        if tid:
            if metric in ("completion", "time_on_task", "errors_mean", "task_abandonment") or (
                metric == "seq_mean"
            ):
                by_task.setdefault(metric, {})[tid] = rows
            continue
        if not has_data:
            continue
        subject = rows[0][1].subject or qid
        if metric == "nps":
            out.append(_figure(f"{qid} · NPS: {subject}", charts.nps_chart(rows), _caption(
                rows, "; ".join(f"{label + ': ' if label else ''}promoters "
                                f"{m.details.get('promoters', 0)}, passives "
                                f"{m.details.get('passives', 0)}, detractors "
                                f"{m.details.get('detractors', 0)}" for label, m in rows))))
        elif metric in _DISTRIBUTIONS:
            out.append(_figure(f"{qid} · {rows[0][1].label}: {subject}",
                               charts.distribution_chart(rows, scale),
                               _caption(rows, _histogram_text(rows))))
        elif metric == "sus":
            out.append(_figure(f"{qid} · SUS", charts.sus_chart(rows, SUS_AVERAGE),
                               _caption(rows, _dots_note(rows) + f"Grade {', '.join(str(m.details.get('grade')) for _, m in rows)}; "
                                        f"the published average is {SUS_AVERAGE:g}.")))
        elif metric == "umux_lite":
            out.append(_figure(f"{qid} · UMUX-Lite", charts.distribution_chart(rows, (0, 100)),
                               _caption(rows)))
    task_charts = (
        ("completion", "Task completion", {"bars": True, "xlabel": "% of runs completed",
                                           "xlim": (0, 100)}, ""),
        ("time_on_task", "Time on task (geometric mean; each dot a run)",
         {"xlabel": "seconds (log scale)", "show_dots": True, "log": True, "limits": limits}, ""),
        ("errors_mean", "Errors per run", {"bars": True, "xlabel": "errors per run"}, ""),
        ("task_abandonment", "Abandoned runs", {"bars": True, "xlabel": "% of runs abandoned",
                                                "xlim": (0, 100)}, ""),
        ("seq_mean", "SEQ per task", {"xlabel": "SEQ mean (1-7)", "xlim": (1, 7),
                                      "reference": (SEQ_AVERAGE, f"average ≈ {SEQ_AVERAGE:g}")},
         f"The published average SEQ is about {SEQ_AVERAGE:g}."),
    )
    for metric, title, kwargs, note in task_charts:
        tasks = by_task.get(metric)
        if not tasks or not any(m.estimate.value is not None for rows in tasks.values()
                                for _, m in rows):
            continue
        items = list(tasks.items())
        extra = note
        if metric == "time_on_task":
            if limits:
                extra = "Time limits: " + ", ".join(f"{t} {v:g} s" for t, v in limits.items()) + "."
            if any(m.estimate.n > charts.DOTS for rows in tasks.values() for _, m in rows):
                extra += (f" Where there are more than {charts.DOTS} runs, {charts.DOTS} evenly "
                          f"spaced quantiles stand for them as dots.")
        svg = charts.per_task_chart(items, **kwargs)  # type: ignore[arg-type]
        out.append(_figure(title, svg, _caption([r for _, rows in items for r in rows], extra)))
    sessions = found.get(("abandonment", "", "", None))
    if sessions and any(m.estimate.value is not None for _, m in sessions):
        svg = charts.per_task_chart([("sessions", sessions)], bars=True,
                                    xlabel="% of sessions abandoned", xlim=(0, 100))
        out.append(_figure("Abandoned sessions", svg, _caption(sessions)))
    return out


def _dots_note(rows: Sequence[Row]) -> str:
    from surveykit.report import charts

    if any(m.estimate.n > charts.DOTS for _, m in rows):
        return (f"Where there are more than {charts.DOTS} respondents, {charts.DOTS} evenly "
                f"spaced quantiles stand for them as dots. ")
    return ""


def _histogram_text(rows: Sequence[Row]) -> str:
    parts = []
    for label, m in rows:
        hist = m.sample or {}
        counts = ", ".join(f"{v:g}: {k}" for v, k in sorted(hist.items()))
        parts.append(f"{label + ' ' if label else ''}answers {counts}")
    return "; ".join(parts)


def _headline(s_groups: Sequence[GroupScores], grouped: bool) -> str:
    """One row per metric; with groups, each group's n, value and interval side by side."""
    labels = [_group_label(g) for g in s_groups]
    head = ["Question / task", "Metric"]
    sub = ""
    if grouped:
        head_cells = "".join(f"<th>{esc(h)}</th>" for h in head) + "".join(
            f'<th colspan="3" class="grp">{esc(label)}</th>' for label in labels) + "<th>Method</th>"
        sub = "<tr><th></th><th></th>" + "<th>n</th><th>Value</th><th>Interval</th>" * len(labels) + "<th></th></tr>"
    else:
        head_cells = "".join(f"<th>{h}</th>" for h in (*head, "n", "Value", "Interval", "Method"))
    body = []
    for (_metric, _qid, _tid, _scale), rows in _collect(s_groups).items():
        by_label = dict(rows)
        first = rows[0][1]
        where = " · ".join(x for x in (first.task_id and f"task {first.task_id}",
                                        first.question_id) if x)
        cells = [f"<td>{esc(where)}</td>", f"<td>{esc(first.label)}</td>"]
        method = ""
        for g, label in zip(s_groups, labels, strict=True):
            m = by_label.get(label)
            if m is None:
                cells.append("<td></td><td>—</td><td></td>")
                continue
            e = m.estimate
            if m.method and e.low is not None:
                method = f"{e.confidence * 100:g}% {_METHOD.get(m.method, m.method)}"
            attrs = (f' data-metric="{esc(m.metric)}" data-question="{esc(m.question_id)}"'
                     f' data-task="{esc(m.task_id)}" data-group="{esc(json.dumps(g.group))}"'
                     f' data-scale="{esc(json.dumps(m.details.get("scale")))}"'
                     f' data-n="{e.n}" data-value="{"" if e.value is None else repr(e.value)}"'
                     f' data-low="{"" if e.low is None else repr(e.low)}"'
                     f' data-high="{"" if e.high is None else repr(e.high)}"')
            cells.append(f"<td>{e.n:,}</td><td class=\"value\"{attrs}>{esc(format_value(m))}</td>"
                         f"<td>{esc(format_interval(m))}</td>")
        cells.append(f"<td>{esc(method)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="headline"><thead><tr>{head_cells}</tr>{sub}</thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _texts(items: list[tuple[str, str, str, list[tuple[str, str]]]]) -> str:
    out = ["<h3>Text answers</h3>"]
    for tid, qid, text, answers in items:
        where = f"task {tid} · " if tid else ""
        out.append(f"<h4>{esc(where + qid)} · {esc(text)} <small>({len(answers):,} answers)</small></h4><ul class=\"texts\">")
        for group, answer in answers[:TEXT_LIMIT]:
            tag = f'<span class="group">{esc(group)}</span> ' if group else ""
            out.append(f"<li>{tag}{esc(answer)}</li>")
        out.append("</ul>")
        if len(answers) > TEXT_LIMIT:
            out.append(f"<p class=\"note\">and {len(answers) - TEXT_LIMIT:,} more "
                       f"(<code>surveykit export</code> has them all).</p>")
    return "".join(out)


CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111;
       max-width: 980px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 2px solid #333; margin-top: 2em; }
h4 { margin: .6em 0 .2em; font-size: 1em; }
.meta, .note, figcaption { color: #444; font-size: .85em; }
table.headline { border-collapse: collapse; width: 100%; font-size: .85em; }
table.headline th, table.headline td { border-bottom: 1px solid #ccc; padding: .2em .5em;
       text-align: left; vertical-align: top; }
table.headline td { white-space: nowrap; } table.headline td:nth-child(2) { white-space: normal; }
th.grp { border-left: 2px solid #999; text-align: center !important; }
figure.chart { margin: 1.2em 0; page-break-inside: avoid; break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
ul.texts { font-size: .9em; } ul.texts li { white-space: pre-wrap; overflow-wrap: anywhere; }
.group { font-size: .8em; background: #eee; padding: 0 .3em; border-radius: 3px; }
.warnings { background: #fff6e0; border-left: 4px solid #E69F00; padding: .3em .8em; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  h2 { page-break-before: always; break-before: page; }
  h2:first-of-type { page-break-before: avoid; break-before: avoid; }
  table.headline { page-break-inside: auto; } tr { page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def render(
    report: ScoreReport,
    texts: dict[str, list[tuple[str, str, str, list[tuple[str, str]]]]] | None = None,
    limits: dict[str, dict[str, float]] | None = None,
) -> str:
    o = report.options
    texts = texts or {}
    limits = limits or {}
    filters = ", ".join(x for x in (
        o.since and f"since {o.since}", o.until and f"until {o.until}",
        o.completed_only and "completed sessions only", o.by and f"by {', '.join(o.by)}") if x)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing outside this file may be loaded, even by a chart
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>Survey report · {esc(report.database or 'surveykit')}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Survey report</h1>",
        f'<p class="meta">{esc(report.database)} · intervals at {o.confidence * 100:g}%'
        f"{' · ' + esc(filters) if filters else ''} · surveykit {esc(__version__)}</p>",
    ]
    if not report.surveys:
        parts.append("<p>No sessions to report.</p>")
    for s in report.surveys:
        started = sum(g.sessions.get("started", 0) for g in s.groups)
        parts.append(f'<h2 id="{esc(s.survey_id)}">{esc(s.survey_id)} · {esc(s.title)}</h2>')
        parts.append(f'<p class="meta">{started:,} sessions</p>')
        if s.warnings:
            parts.append('<div class="warnings">' + "".join(
                f"<p>{esc(w)}</p>" for w in s.warnings) + "</div>")
        parts.append("<h3>Headline</h3>")
        parts.append(_headline(s.groups, bool(o.by)))
        charts = _charts(s.survey_id, s.groups, limits.get(s.survey_id, {}))
        if charts:
            parts.append("<h3>Charts</h3>")
            parts.extend(charts)
        if texts.get(s.survey_id):
            parts.append(_texts(texts[s.survey_id]))
    parts.append("</body></html>\n")
    return "\n".join(parts)
