"""What every command shares and nothing heavy: the user error, the database path.

`score` and `export` import this rather than `cli.common` (which loads the
definition loader, and with it pydantic and ruamel).
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""


def resolve_db(db_path: str | None) -> str:
    """--db, else $SURVEYKIT_DB, else ./surveykit.db."""
    from surveykit.storage.store import default_db_path

    return db_path or default_db_path()
