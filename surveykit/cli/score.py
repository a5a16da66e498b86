"""`surveykit score DB`: every metric with n and its confidence interval (SPEC §5)."""

from __future__ import annotations

import io
import shutil
import sys
from typing import TYPE_CHECKING

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, dumb_terminal, echo, resolve_db
from surveykit.storage.queries import open_readonly, parse_moment

if TYPE_CHECKING:
    from surveykit.scoring.results import ScoreOptions

# scoring (and scipy) is imported when `score` runs, not when any command starts.


def confidence_level(value: float) -> float:
    """0.9 or 90 → 0.9."""
    c = value / 100.0 if value > 1 else value
    if not 0.5 <= c < 1:
        raise click.BadParameter("give a level between 50 and 99.99 (or 0.5 to 0.9999)")
    return c


def moment_option(value: str | None, *, end_of_day: bool = False) -> str | None:
    if value is None:
        return None
    try:
        return parse_moment(value, end_of_day=end_of_day)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def score_options(
    *,
    confidence: float,
    survey: str | None,
    since: str | None,
    until: str | None,
    completed_only: bool,
    partial_as_success: bool,
    by: tuple[str, ...],
    times: str = "success",
) -> ScoreOptions:
    """The scoring options from the filters that `score`, `report` and `compare` share."""
    from surveykit.scoring.results import ScoreOptions

    return ScoreOptions(
        confidence=confidence_level(confidence),
        survey=survey,
        since=moment_option(since),
        until=moment_option(until, end_of_day=True),
        completed_only=completed_only,
        partial_as_success=partial_as_success,
        times=times,
        by=tuple(by),
    )


def db_argument_or_option(db: str | None, db_path: str | None) -> str:
    if db and db_path and db != db_path:
        raise click.UsageError("give the database once: as DB or as --db, not both")
    return resolve_db(db or db_path)


@cli.command("score")
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database, if not given as DB (default $SURVEYKIT_DB or ./surveykit.db).")
@click.option("--survey", metavar="ID", help="Score this survey only (default: each survey in turn).")
@click.option("--confidence", type=float, default=0.95, show_default=True,
              help="Confidence level of the intervals: 0.9, 90, 0.99…")
@click.option("--since", metavar="WHEN",
              help="Sessions started at or after this date or time (UTC): 2026-11-01, "
                   "2026-11-01T09:00Z.")
@click.option("--until", metavar="WHEN",
              help="Sessions started before this time; a date includes that whole day.")
@click.option("--completed-only", is_flag=True, help="Only sessions completed to the end.")
@click.option("--partial-as-success", is_flag=True,
              help="Count partial task outcomes as successes (default: as failures).")
@click.option("--times", type=click.Choice(["success", "all"]), default="success",
              show_default=True,
              help="Time on task over successful runs, or over every finished run.")
@click.option("--by", "by", multiple=True, metavar="KEY",
              help="Group by mode, device, site, participant, status, day, week, month, language, or a key of "
                   "the session meta data (meta.KEY to be explicit). Repeat to cross groups.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (structure: docs/analysts.md).")
@click.option("--csv", "as_csv", is_flag=True,
              help="Print CSV: one row per survey, group, question or task, and metric.")
def score_cmd(
    db: str | None,
    db_path: str | None,
    survey: str | None,
    confidence: float,
    since: str | None,
    until: str | None,
    completed_only: bool,
    partial_as_success: bool,
    times: str,
    by: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
) -> None:
    """Score the sessions in DB: NPS, CSAT, CES, SEQ, ratings, SUS (with grade),
    UMUX-Lite, task completion, time on task, errors and abandonment, each with
    n and a confidence interval.

    N/A and missing answers are left out (n says how many counted). Preview
    sessions are never scored.

    \b
    Examples:
      surveykit score surveykit.db
      surveykit score surveykit.db --survey store-feedback --by week
      surveykit score study.db --by device --confidence 90 --json
    """
    from surveykit.scoring.metrics import ScoreError, score
    from surveykit.scoring.report import render_table, to_json, write_csv

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    options = score_options(
        confidence=confidence, survey=survey, since=since, until=until,
        completed_only=completed_only, partial_as_success=partial_as_success, by=by, times=times,
    )
    path = db_argument_or_option(db, db_path)
    conn = open_readonly(path)
    try:
        report = score(conn, options, database=path)
    except ScoreError as e:
        raise UserError(str(e)) from None
    finally:
        conn.close()
    # On a terminal, `echo` shows control characters in names and labels as symbols.
    if as_json:
        echo(to_json(report))
    elif as_csv:
        if sys.stdout.isatty():
            buffer = io.StringIO()
            write_csv(report, buffer)
            echo(buffer.getvalue(), nl=False)
        else:
            write_csv(report, sys.stdout)
    else:
        tty = sys.stdout.isatty()
        width = max(80, min(120, shutil.get_terminal_size((80, 24)).columns)) if tty else 80
        bold = tty and not dumb_terminal()  # bold headings; never a colour (NO_COLOR or not)
        echo(render_table(report, width=width, color=bold), nl=False, styled=True)

