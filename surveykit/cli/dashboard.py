"""`surveykit dashboard DB`: today's headline numbers, live, in the terminal (docs/reporting.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError
from surveykit.cli.score import confidence_level, db_argument_or_option, moment_option
from surveykit.storage.queries import open_readonly

if TYPE_CHECKING:
    from surveykit.scoring.results import ScoreOptions, ScoreReport


def make_fetch(path: str, options: ScoreOptions) -> Callable[[], ScoreReport]:
    """Score the file afresh on each call, on a read-only connection opened for it."""
    from surveykit.scoring.metrics import score

    def fetch() -> ScoreReport:
        conn = open_readonly(path)
        try:
            return score(conn, options, database=path)
        finally:
            conn.close()

    return fetch


@cli.command("dashboard")
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database, if not given as DB (default $SURVEYKIT_DB or ./surveykit.db).")
@click.option("--survey", metavar="ID", help="Show this survey only.")
@click.option("--since", metavar="WHEN",
              help="Sessions started at or after this date or time, UTC (default: today).")
@click.option("--all", "all_time", is_flag=True, help="Every session, not only today's.")
@click.option("--every", type=click.FloatRange(0.5, 3600), default=5.0, show_default=True,
              help="Seconds between refreshes.")
@click.option("--confidence", type=float, default=0.95, show_default=True,
              help="Confidence level of the intervals: 0.9, 90, 0.99…")
def dashboard_cmd(
    db: str | None,
    db_path: str | None,
    survey: str | None,
    since: str | None,
    all_time: bool,
    every: float,
    confidence: float,
) -> None:
    """Show the headline numbers of DB in the terminal (sessions, NPS, CSAT, SUS,
    task completion… with n and interval), refreshed while kiosks or a study
    write to it.

    It reads only: no lock is held between refreshes and writers are never
    slowed. Keys: ←/→ switch survey, r refresh now, q quit.

    \b
    Examples:
      surveykit dashboard surveykit.db
      surveykit dashboard study.db --all --every 2
    """
    from surveykit.scoring.metrics import ScoreError, ScoreOptions

    if all_time and since:
        raise click.UsageError("give --since or --all, not both")
    today = datetime.now(UTC).date().isoformat()
    start = None if all_time else moment_option(since or today)
    scope = "" if all_time else (f" since {since}" if since else " today (UTC)")
    options = ScoreOptions(confidence=confidence_level(confidence), survey=survey, since=start)
    path = db_argument_or_option(db, db_path)
    fetch = make_fetch(path, options)
    try:
        fetch()  # a wrong path or survey is said here, before the screen opens
    except ScoreError as e:
        raise UserError(str(e)) from None
    from surveykit.scoring.report import format_interval, format_value
    from surveykit.tui.dashboard_app import run

    run(fetch, every=every, scope=scope, formats=(format_value, format_interval))
