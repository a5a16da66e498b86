"""`surveykit metadata DB`: Datasette metadata (JSON) from the codebook."""

from __future__ import annotations

from pathlib import Path

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, echo
from surveykit.cli.score import db_argument_or_option
from surveykit.storage.queries import open_readonly


@cli.command("metadata")
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database, if not given as DB (default $SURVEYKIT_DB or ./surveykit.db).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="Write the JSON to this file instead of printing it.")
def metadata_cmd(db: str | None, db_path: str | None, out_file: str | None) -> None:
    """Print Datasette metadata for DB: a description of every table, view and
    column (question texts and scale labels), and default facets (survey,
    device, status, day).

    \b
    Examples:
      surveykit metadata surveykit.db > metadata.json
      datasette surveykit.db -m metadata.json
    """
    from surveykit.export.metadata import metadata_json

    path = db_argument_or_option(db, db_path)
    conn = open_readonly(path)
    try:
        text = metadata_json(conn, path)
    finally:
        conn.close()
    if out_file is None:
        echo(text)
        return
    try:
        Path(out_file).write_text(text + "\n", encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot write {out_file}: {e.strerror or e}") from None
