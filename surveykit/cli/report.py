"""`surveykit report DB --out report.html`: one self-contained HTML file (docs/reporting.md)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, echo
from surveykit.cli.score import db_argument_or_option, score_options
from surveykit.storage.queries import open_readonly

INSTALL_HINT = (
    "the report draws its charts with matplotlib, which is not installed: "
    "pip install 'surveykit[report]'"
)


@cli.command("report")
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database, if not given as DB (default $SURVEYKIT_DB or ./surveykit.db).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write (replaced if it exists).")
@click.option("--survey", metavar="ID", help="Report this survey only (default: every survey).")
@click.option("--confidence", type=float, default=0.95, show_default=True,
              help="Confidence level of the intervals: 0.9, 90, 0.99…")
@click.option("--since", metavar="WHEN", help="Sessions started at or after this date or time (UTC).")
@click.option("--until", metavar="WHEN",
              help="Sessions started before this time; a date includes that whole day.")
@click.option("--completed-only", is_flag=True, help="Only sessions completed to the end.")
@click.option("--partial-as-success", is_flag=True,
              help="Count partial task outcomes as successes (default: as failures).")
@click.option("--by", "by", multiple=True, metavar="KEY",
              help="Show groups side by side: mode, device, day, week, month, or a key of the "
                   "session meta data (design). Repeat to cross groups.")
def report_cmd(
    db: str | None,
    db_path: str | None,
    out: str,
    survey: str | None,
    confidence: float,
    since: str | None,
    until: str | None,
    completed_only: bool,
    partial_as_success: bool,
    by: tuple[str, ...],
) -> None:
    """Write an HTML report of DB: every metric with n, its interval and a chart,
    and the text answers, in one file that opens offline and prints.

    The figures are those of `surveykit score` with the same options.

    \b
    Examples:
      surveykit report surveykit.db --out report.html
      surveykit report study.db --by design --out study.html
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    from surveykit.report.html import build
    from surveykit.scoring.metrics import ScoreError

    options = score_options(
        confidence=confidence, survey=survey, since=since, until=until,
        completed_only=completed_only, partial_as_success=partial_as_success, by=by,
    )
    path = db_argument_or_option(db, db_path)
    conn = open_readonly(path)
    try:
        page = build(conn, options, database=os.path.basename(path))
    except ScoreError as e:
        raise UserError(str(e)) from None
    finally:
        conn.close()
    target = Path(out)
    tmp = None
    try:
        # written next to the target, then renamed: a reader never sees half a report
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=target.parent or ".")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, target)
    except OSError as e:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise UserError(f"cannot write {out}: {e.strerror or e}") from None
    echo(f"Wrote {out} ({len(page.encode('utf-8')) / 1024:,.0f} KB).")
