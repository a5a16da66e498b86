"""`surveykit compare DB --by KEY`: each metric of two or more groups, tested (docs/reporting.md)."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import replace
from typing import Any

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, echo
from surveykit.cli.score import db_argument_or_option, score_options
from surveykit.storage.queries import open_readonly


def _num(x: Any, unit: str) -> str:
    if x is None:
        return "—"
    if unit == "ratio":
        return f"×{x:.2f}"
    if unit in ("mean", "count"):
        return f"{x:.2f}"
    if unit == "points":
        return f"{x:+.1f}"
    if unit == "s":
        return f"{x:.1f} s"
    return f"{x:.1f}" + ("%" if unit == "%" else "")


def _p(p: float | None) -> str:
    if p is None:
        return "—"
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def render_compare(rows: list[dict[str, Any]], confidence: float) -> str:
    if not rows:
        return "Nothing to compare: fewer than two groups.\n"
    out: list[str] = []
    survey = None
    several = any(r["p_adjusted"] != r["p"] for r in rows)
    for r in rows:
        if r["survey_id"] != survey:
            survey = r["survey_id"]
            if out:
                out.append("")
            out.append(f"{survey}")
        unit = r["unit"]
        value_unit = "s" if unit == "ratio" else unit
        diff_unit = "points" if unit in ("points", "%") else unit
        where = r["task_id"] or r["question_id"] or ""
        head = f"  {where + ' ' if where else ''}{r['label']}"
        out.append(head)
        interval = ("" if r["low"] is None else
                    f"[{_num(r['low'], diff_unit)}, {_num(r['high'], diff_unit)}]")
        adj = f" (Holm {_p(r['p_adjusted'])})" if several and r["p_adjusted"] is not None else ""
        out.append(
            f"    {r['group_a']} {_num(r['value_a'], value_unit)} n={r['n_a']}  vs  "
            f"{r['group_b']} {_num(r['value_b'], value_unit)} n={r['n_b']}"
        )
        pairs = f" ({r['pairs']} participants in both)" if r["pairs"] else ""
        out.append(
            f"    {'ratio' if unit == 'ratio' else 'difference'} {_num(r['difference'], diff_unit)}"
            f" {interval}  {_p(r['p'])}{adj}  {r['method']}{pairs}"
        )
    out.append("")
    within = any(r["design"] == "within-subjects" for r in rows)
    between = any(r["design"] == "between-subjects" for r in rows)
    out.append(f"Intervals at {confidence * 100:g}%.")
    if between:
        out.append("Groups with different participants: tests for independent groups.")
    if within:
        out.append("Groups with the same participants (within-subjects): paired tests on "
                   "the participants in both (paired t; McNemar's exact test for a single "
                   "run each).")
    if several:
        out.append("More than two groups: every pair is tested; the Holm-adjusted p keeps "
                   "the chance of any false positive per metric at α.")
    return "\n".join(out) + "\n"


@cli.command("compare")
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database, if not given as DB (default $SURVEYKIT_DB or ./surveykit.db).")
@click.option("--by", "by", multiple=True, metavar="KEY", required=True,
              help="The groups: mode, device, participant, status, day, week, month, or a key "
                   "of the session meta data (design). Repeat to cross groups.")
@click.option("--survey", metavar="ID", help="Compare this survey only.")
@click.option("--confidence", type=float, default=0.95, show_default=True,
              help="Confidence level of the intervals: 0.9, 90, 0.99…")
@click.option("--since", metavar="WHEN", help="Sessions started at or after this date or time (UTC).")
@click.option("--until", metavar="WHEN",
              help="Sessions started before this time; a date includes that whole day.")
@click.option("--completed-only", is_flag=True, help="Only sessions completed to the end.")
@click.option("--partial-as-success", is_flag=True,
              help="Count partial task outcomes as successes (default: as failures).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of comparisons.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: one row per metric and pair.")
def compare_cmd(
    db: str | None,
    db_path: str | None,
    by: tuple[str, ...],
    survey: str | None,
    confidence: float,
    since: str | None,
    until: str | None,
    completed_only: bool,
    partial_as_success: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Compare the groups of DB metric by metric: each group's value and n, the
    difference with its interval, a p-value and the test used.

    Proportions: N−1 two-proportion test, adjusted-Wald interval; means (SUS,
    SEQ, CSAT, CES…): Welch's t; time on task: Welch's t on log times, as a
    ratio of geometric means; NPS: z-test on the adjusted-Wald variances. With
    more than two groups every pair, with Holm-adjusted p-values. When the same
    participants are in both groups, paired tests (paired t, McNemar's exact).

    \b
    Examples:
      surveykit compare study.db --by design
      surveykit compare surveykit.db --survey store-feedback --by device --json
    """
    from surveykit.scoring.compare import ROW_KEYS, compare_report
    from surveykit.scoring.metrics import ScoreError, score
    from surveykit.textsafe import safe_cell

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    options = score_options(
        confidence=confidence, survey=survey, since=since, until=until,
        completed_only=completed_only, partial_as_success=partial_as_success, by=by,
    )
    level = options.confidence
    path = db_argument_or_option(db, db_path)
    conn = open_readonly(path)
    try:
        report = score(conn, options, database=path)
        # the same groups, participant by participant: pairs of groups that share
        # participants (a within-subjects study) are tested paired
        twin = None
        if "participant" not in by:
            twin = score(conn, replace(options, by=(*by, "participant")), database=path)
    except ScoreError as e:
        raise UserError(str(e)) from None
    finally:
        conn.close()
    rows = compare_report(report, twin)
    if as_json:
        echo(json.dumps({"format": "surveykit-compare/1", "database": path, "by": list(by),
                         "confidence": level, "comparisons": rows},
                        indent=2, ensure_ascii=False, allow_nan=False))
    elif as_csv:
        buffer = io.StringIO()
        w = csv.writer(buffer, lineterminator="\n")
        w.writerow(ROW_KEYS)
        for r in rows:
            w.writerow([safe_cell("-".join(f"{x:g}" for x in r[k]) if k == "scale" and r[k]
                                  else "" if r[k] is None else r[k]) for k in ROW_KEYS])
        if sys.stdout.isatty():
            echo(buffer.getvalue(), nl=False)
        else:
            sys.stdout.write(buffer.getvalue())
    else:
        echo(render_compare(rows, level), nl=False)
