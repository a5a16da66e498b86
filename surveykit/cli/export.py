"""`surveykit export DB --out DIR`: CSV or JSON Lines files for analysts (SPEC §6)."""

from __future__ import annotations

import sys
from typing import Any

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, echo
from surveykit.cli.score import db_argument_or_option, moment_option
from surveykit.export import FORMATS, TABLES, ExportError, ExportOptions, export
from surveykit.storage.queries import open_readonly


class _Bar:
    """A rich progress bar on stderr, one line per file."""

    def __init__(self, force: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=sys.stderr, force_terminal=True if force else None)
        self.progress = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.task: Any = None

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, name: str, total: int | None) -> None:
        self.task = self.progress.add_task(name, total=total)

    def advance(self, rows: int) -> None:
        if self.task is not None and rows:
            self.progress.advance(self.task, rows)


@cli.command("export")
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database, if not given as DB (default $SURVEYKIT_DB or ./surveykit.db).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="CSV (UTF-8, header row) or JSON Lines.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the files to (created if missing; files are replaced).")
@click.option("--survey", metavar="ID", help="Export this survey only.")
@click.option("--since", metavar="WHEN", help="Sessions started at or after this date/time (UTC).")
@click.option("--until", metavar="WHEN",
              help="Sessions started before this time; a date includes that whole day.")
@click.option("--completed-only", is_flag=True, help="Only sessions completed to the end.")
@click.option("--include-preview", is_flag=True, help="Also export preview (test) sessions.")
@click.option("--tables", metavar="LIST", default=",".join(TABLES), show_default=True,
              help="Which files to write, comma-separated.")
@click.option("--progress/--no-progress", "show_progress", default=None,
              help="Show a progress bar on stderr (default: when stderr is a terminal).")
def export_cmd(
    db: str | None,
    db_path: str | None,
    fmt: str,
    out_dir: str,
    survey: str | None,
    since: str | None,
    until: str | None,
    completed_only: bool,
    include_preview: bool,
    tables: str,
    show_progress: bool | None,
) -> None:
    """Write DB as files for analysts: sessions, answers (long, with question
    text and labels), responses_<survey> (wide, one row per session), task_runs,
    events and a codebook describing every variable.

    CSV cells that begin with = + - @ (text, not numbers) are prefixed with a
    single quote so that spreadsheets cannot run them as formulas.

    \b
    Examples:
      surveykit export surveykit.db --out export/
      surveykit export surveykit.db --format jsonl --out export/ --survey checkout-study
    """
    chosen = tuple(t.strip() for t in tables.split(",") if t.strip())
    bad = [t for t in chosen if t not in TABLES]
    if bad or not chosen:
        raise click.BadParameter(
            f"unknown table {bad[0]!r}; choose from {', '.join(TABLES)}" if bad
            else f"choose from {', '.join(TABLES)}",
            param_hint="--tables",
        )
    options = ExportOptions(
        fmt=fmt,
        survey=survey,
        since=moment_option(since),
        until=moment_option(until, end_of_day=True),
        completed_only=completed_only,
        include_preview=include_preview,
        tables=chosen,
    )
    path = db_argument_or_option(db, db_path)
    conn = open_readonly(path)
    show = sys.stderr.isatty() if show_progress is None else show_progress
    try:
        if show:
            with _Bar(force=bool(show_progress)) as bar:
                files = export(conn, out_dir, options, progress=bar)
        else:
            files = export(conn, out_dir, options)
    except ExportError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(f"cannot write to {out_dir}: {e.strerror or e}") from None
    finally:
        conn.close()
    width = max(len(str(f.path)) for f in files) if files else 0
    for f in files:
        echo(f"{f.path!s:<{width}}  {f.rows:>10,} rows")
