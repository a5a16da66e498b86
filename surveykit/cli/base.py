"""What every command shares and nothing heavy: the user error, the database path.

`score` and `export` import this rather than `cli.common` (which loads the
definition loader, and with it pydantic and ruamel).
"""

from __future__ import annotations

import os
import re
import sys
from typing import IO

import click


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""


def resolve_db(db_path: str | None) -> str:
    """--db, else $SURVEYKIT_DB, else ./surveykit.db."""
    from surveykit.storage.store import default_db_path

    return db_path or default_db_path()


def dumb_terminal() -> bool:
    """`TERM=dumb`: a terminal that understands no escape sequence at all (no bold,
    no colour, no cursor moves), like a screen reader's console or an Emacs shell."""
    return os.environ.get("TERM", "") == "dumb"


_STYLES = re.compile(r"(\x1b\[1m|\x1b\[0m)")


def echo(text: str, *, err: bool = False, nl: bool = True, styled: bool = False) -> None:
    """Print `text` to stdout (or stderr) like `click.echo`, safely for a terminal.

    When the stream is a terminal, every control character is shown as a visible
    symbol (`textsafe.safe_display`): a device name or answer holding an escape
    sequence cannot retitle, recolour or answer back to the terminal. Files and
    pipes get the exact text. With `styled`, the bold and reset sequences that
    our own table output uses are kept (and nothing else).
    """
    stream = sys.stderr if err else sys.stdout
    if _is_terminal(stream):
        from surveykit.textsafe import safe_display

        if styled:
            text = "".join(
                part if _STYLES.fullmatch(part) else safe_display(part)
                for part in _STYLES.split(text)
            )
        else:
            text = safe_display(text)
    click.echo(text, err=err, nl=nl)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False
