"""The `surveykit` command line (SPEC §7).

Each command lives in its own module and registers itself on `cli`. Exit codes:
0 ok, 1 user error (bad file, bad data, unwritable database: one clear
message, no traceback), 2 usage error (click's own).
"""

from __future__ import annotations

import sys

import click

from surveykit import __version__
from surveykit.cli.common import UserError
from surveykit.definition.problems import DefinitionError
from surveykit.storage.store import StorageError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="surveykit")
def cli() -> None:
    """Run CSAT/NPS/CES surveys, feedback kiosks and moderated usability studies
    in the terminal, and score what lands in SQLite.

    \b
    Quick start:
      surveykit validate surveys/*.yaml
      surveykit run surveys/store-feedback.yaml
      surveykit score surveykit.db
    """


def _register() -> None:
    # Imported here so that every command module can import `cli` from this package.
    from surveykit.cli import (  # noqa: F401
        export,
        kiosk,
        merge,
        moderate,
        run,
        score,
        simulate,
        sync,
        tools,
    )


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user errors become one message and exit code 1."""
    try:
        cli.main(args=argv, prog_name="surveykit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except DefinitionError as e:
        for p in e.problems:
            click.echo(str(p), err=True)
        sys.exit(1)
    except (StorageError, UserError) as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
