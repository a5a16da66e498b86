"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from surveykit.cli.base import UserError, resolve_db
from surveykit.definition.loader import Definition, in_language, load
from surveykit.storage.store import StorageError
from surveykit.vocabulary import DEFAULT_THEME, THEME_NAMES

__all__ = [
    "UserError",
    "check_writable",
    "chosen_theme",
    "db_option",
    "lang_option",
    "load_definition",
    "localized",
    "resolve_db",
    "site_option",
    "theme_option",
]

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    """`--db PATH`, defaulting to $SURVEYKIT_DB or ./surveykit.db."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        default=None,
        envvar="SURVEYKIT_DB",
        show_envvar=True,
        help="SQLite file to write (default ./surveykit.db).",
    )(f)


def _check_site(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    site = value.strip()
    if not site or len(site) > 64 or any(not ch.isprintable() for ch in site):
        raise click.BadParameter("a site is a name of 1 to 64 printable characters, e.g. lyon")
    return site


def site_option(f: F) -> F:
    """`--site NAME` (or $SURVEYKIT_SITE), stored with every session started."""
    return click.option(
        "--site",
        metavar="NAME",
        default=None,
        envvar="SURVEYKIT_SITE",
        show_envvar=True,
        callback=_check_site,
        help="Site this device runs at (e.g. lyon), stored with each session. "
        "A participant code may repeat at another site: they are different people.",
    )(f)


def load_definition(path: str, language: str | None = None) -> Definition:
    """Load a definition (its texts in `language`, when given); problems raise
    DefinitionError (printed by main, exit 1), a language the file does not offer
    a UserError."""
    definition = load(path)
    return localized(definition, language, source=path)


def localized(definition: Definition, language: str | None, *, source: str) -> Definition:
    """`definition` in `language` (None: as it is); a UserError for a language it lacks."""
    try:
        return in_language(definition, language)
    except ValueError as e:
        raise UserError(f"{source}: {e}") from None


def lang_option(f: F) -> F:
    """`--lang TAG`: the language of a file with `languages:`."""
    return click.option(
        "--lang",
        "lang",
        metavar="TAG",
        default=None,
        help="Language to ask in (one of the file's languages:, like de); default: "
        "the file's default_language.",
    )(f)


def theme_option(f: F) -> F:
    """`--theme NAME`: the colours of the screen (`surveykit.tui.themes`)."""
    return click.option(
        "--theme",
        "theme",
        metavar="NAME",
        default=None,
        help=f"Colours of the screen: {', '.join(THEME_NAMES)} (default {DEFAULT_THEME}). "
        "NO_COLOR=1 draws it in greys.",
    )(f)


def chosen_theme(name: str | None) -> str | None:
    """`name` when it is a theme (None stays None); a UserError naming the themes."""
    if name is None:
        return None
    if name not in THEME_NAMES:
        raise UserError(
            f"--theme: unknown theme {name!r}: choose one of {', '.join(THEME_NAMES)}"
        )
    return name


def check_writable(path: str) -> None:
    """One clear message for a database that cannot be written, before any screen."""
    target = Path(path)
    folder = target.resolve().parent
    if target.exists() and not os.access(target, os.W_OK):
        raise StorageError(f"cannot write database {path}: the file is read-only")
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot write database {path}: its folder {folder} is read-only "
            "(SQLite needs to create files next to it)"
        )


def has_terminal() -> bool:
    """stdin and stdout are both a terminal (a screen can be drawn and keys read)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def screen_preamble(command: str, db_path: str | None) -> str:
    """What every command that opens a screen (`run`, `kiosk`, `moderate`) checks
    first, before anything is created or changed: a terminal on stdin and
    stdout, and a database file that can be written. Returns the database path.

    Without a terminal nothing is drawn into a file or a pipe, no database is
    created and no session is left behind."""
    if not has_terminal():
        raise UserError(f"surveykit {command} needs an interactive terminal (stdin and stdout)")
    return database_preamble(db_path)


def database_preamble(db_path: str | None) -> str:
    """The database check of `screen_preamble` alone, for line-by-line front ends
    (`run --plain`), which work with stdin and stdout as pipes too."""
    db = resolve_db(db_path)
    check_writable(db)
    return db


def plain_wanted(flag: bool) -> bool:
    """`--plain`, or `SURVEYKIT_PLAIN=1` (any value but empty, 0, no, false), or a
    terminal that cannot draw a screen (`TERM=dumb`)."""
    if flag:
        return True
    env = os.environ.get("SURVEYKIT_PLAIN", "").strip().lower()
    if env and env not in ("0", "no", "false", "off"):
        return True
    return os.environ.get("TERM", "") == "dumb"


#: How a screen command ends when a signal stopped it: 128 + the signal's number
#: (130 SIGINT, 129 SIGHUP, 143 SIGTERM), the shell's convention, for `run` and
#: `moderate`. The kiosk, which a supervisor stops with a signal as its normal end,
#: exits 0 then (see docs/kiosk.md).
SIGNAL_EXIT_BASE = 128


def exit_status_for_signal(sig: int | None) -> int:
    return SIGNAL_EXIT_BASE + sig if sig else 0
