"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from surveykit.cli.base import UserError, resolve_db
from surveykit.definition.loader import Definition, load
from surveykit.storage.store import StorageError

__all__ = ["UserError", "check_writable", "db_option", "load_definition", "resolve_db"]

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


def load_definition(path: str) -> Definition:
    """Load a definition; problems raise DefinitionError (printed by main, exit 1)."""
    return load(path)


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
