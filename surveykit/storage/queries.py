"""Read-only access for analysis (`score`, `export`): opening a file safely, and
the session filter every analysis shares.

Opening never creates, migrates or writes the file: a path that does not exist,
a file that is not SQLite, or a SQLite file that is not a surveykit database is
a `StorageError` with one plain sentence.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from surveykit.storage.migrations import SCHEMA_VERSION
from surveykit.storage.store import StorageError
from surveykit.timeutil import iso_ms
from surveykit.vocabulary import Mode, Status

#: Tables analysis reads; a file without them is not a surveykit database.
REQUIRED_TABLES = ("definitions", "sessions", "answers", "task_runs", "events", "questions", "tasks")


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """Open an existing surveykit database for reading only.

    Raises `StorageError` when the path is missing, is a folder, is not SQLite,
    lacks the surveykit tables, or was written by a newer surveykit.
    """
    p = Path(path)
    if not p.exists():
        raise StorageError(f"no database at {path} (check the path; nothing was created)")
    if p.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    uri = "file:" + quote(str(p.resolve())) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
    except sqlite3.DatabaseError as e:
        text = str(e)
        if "not a database" in text or "malformed" in text:
            raise StorageError(f"{path} is not a surveykit database (not an SQLite file)") from None
        raise StorageError(f"cannot read database {path}: {text}") from None
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        conn.close()
        what = "an empty SQLite file" if not tables else "an SQLite file without surveykit's tables"
        raise StorageError(f"{path} is not a surveykit database ({what})")
    if version > SCHEMA_VERSION:
        conn.close()
        raise StorageError(
            f"{path} was written by a newer surveykit (schema {version}; this version knows up "
            f"to {SCHEMA_VERSION}); upgrade surveykit to read it"
        )
    return conn


# --- the session filter -----------------------------------------------------------------


def parse_moment(text: str, *, end_of_day: bool = False) -> str:
    """A date (`2026-11-22`) or ISO timestamp as the stored UTC form (`…T…Z`).

    A date means its start (00:00 UTC), or with `end_of_day` the start of the
    next day; a timestamp without a zone is taken as UTC. Raises ValueError.
    """
    s = text.strip()
    try:
        if len(s) == 10:
            d = date.fromisoformat(s)
            moment = datetime.combine(d, time(0), tzinfo=UTC)
            if end_of_day:
                moment += timedelta(days=1)
            return iso_ms(moment)
        moment = datetime.fromisoformat(s.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"'{text}' is not a date or time (use 2026-11-22 or 2026-11-22T14:30:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso_ms(moment)


#: --by names that are session columns (anything else is a key of sessions.meta_json).
BY_COLUMNS: dict[str, str] = {
    "mode": "s.mode",
    "device": "s.device",
    "site": "s.site",
    "participant": "s.participant",
    "status": "s.status",
    "day": "substr(s.started_at, 1, 10)",
    # Monday of the ISO week (labelled 2026-W47 by the caller)
    "week": "date(substr(s.started_at, 1, 10), '-6 days', 'weekday 1')",
    "month": "substr(s.started_at, 1, 7)",
    # the language a session was answered in (files with `languages:`)
    "language": "s.language",
}


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions an analysis looks at. `preview` sessions are never included
    unless `include_preview`."""

    survey: str | None = None
    since: str | None = None  # stored UTC form, inclusive
    until: str | None = None  # stored UTC form, exclusive
    completed_only: bool = False
    include_preview: bool = False
    by: tuple[str, ...] = field(default=())

    def where(self, alias: str = "s") -> tuple[str, list[Any]]:
        """A WHERE clause over `sessions AS alias` and its parameters."""
        parts: list[str] = []
        args: list[Any] = []
        if not self.include_preview:
            parts.append(f"{alias}.mode != '{Mode.PREVIEW}'")
        if self.survey is not None:
            parts.append(f"{alias}.survey_id = ?")
            args.append(self.survey)
        if self.since is not None:
            parts.append(f"{alias}.started_at >= ?")
            args.append(self.since)
        if self.until is not None:
            parts.append(f"{alias}.started_at < ?")
            args.append(self.until)
        if self.completed_only:
            parts.append(f"{alias}.status = '{Status.COMPLETED}'")
        return (" AND ".join(parts) or "1"), args

    def group_columns(self) -> tuple[list[str], list[Any]]:
        """SQL expressions (over `sessions AS s`) for each --by key, with parameters."""
        exprs: list[str] = []
        args: list[Any] = []
        for key in self.by:
            meta_key = key[5:] if key.startswith("meta.") else None
            if meta_key is None and key in BY_COLUMNS:
                exprs.append(BY_COLUMNS[key])
            else:
                exprs.append("json_extract(s.meta_json, ?)")
                args.append(meta_path(meta_key if meta_key is not None else key))
        return exprs, args


def meta_path(key: str) -> str:
    """JSON path of a top-level key of sessions.meta_json."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def surveys(conn: sqlite3.Connection) -> dict[str, str]:
    """Survey ids with sessions or definitions → the latest title."""
    out: dict[str, str] = {}
    for survey_id, title in conn.execute(
        "SELECT survey_id, title FROM definitions ORDER BY first_seen_at, rowid"
    ):
        out[survey_id] = title
    for (survey_id,) in conn.execute("SELECT DISTINCT survey_id FROM sessions"):
        out.setdefault(survey_id, survey_id)
    return dict(sorted(out.items()))


def meta_keys(conn: sqlite3.Connection, survey: str | None = None) -> list[str]:
    """Top-level keys found in sessions.meta_json (of one survey, or all)."""
    sql = (
        "SELECT DISTINCT j.key FROM sessions s, json_each(CASE WHEN json_valid(s.meta_json) "
        "AND json_type(s.meta_json) = 'object' THEN s.meta_json ELSE '{}' END) j"
    )
    args: list[Any] = []
    if survey is not None:
        sql += " WHERE s.survey_id = ?"
        args.append(survey)
    return sorted(str(r[0]) for r in conn.execute(sql, args))


@dataclass(frozen=True)
class CatalogueEntry:
    """One stored variable of a survey (a row of `questions`), latest definition first."""

    definition_sha256: str
    question_id: str
    parent_id: str
    position: int
    scope: str
    type: str
    text: str
    scale_min: float | None
    scale_max: float | None
    labels: dict[str, str]
    options: list[dict[str, Any]]


def catalogue(conn: sqlite3.Connection, survey_id: str) -> list[CatalogueEntry]:
    """Every definition's question rows for a survey, newest definition first."""
    rows = conn.execute(
        """SELECT q.definition_sha256, q.question_id, q.parent_id, q.position, q.scope, q.type,
                  q.text, q.scale_min, q.scale_max, q.labels_json, q.options_json
           FROM questions q JOIN definitions d ON d.sha256 = q.definition_sha256
           WHERE d.survey_id = ?
           ORDER BY d.first_seen_at DESC, d.rowid DESC, q.position""",
        (survey_id,),
    ).fetchall()
    return [
        CatalogueEntry(
            definition_sha256=r[0],
            question_id=r[1],
            parent_id=r[2],
            position=int(r[3]),
            scope=r[4],
            type=r[5],
            text=r[6],
            scale_min=r[7],
            scale_max=r[8],
            labels=json.loads(r[9]) if r[9] else {},
            options=json.loads(r[10]) if r[10] else [],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class TaskEntry:
    definition_sha256: str
    task_id: str
    position: int
    title: str
    prompt: str
    success: str | None
    time_limit_s: float | None


def task_catalogue(conn: sqlite3.Connection, survey_id: str) -> list[TaskEntry]:
    """Every definition's tasks for a survey, newest definition first."""
    rows = conn.execute(
        """SELECT t.definition_sha256, t.task_id, t.position, t.title, t.prompt, t.success,
                  t.time_limit_s
           FROM tasks t JOIN definitions d ON d.sha256 = t.definition_sha256
           WHERE d.survey_id = ?
           ORDER BY d.first_seen_at DESC, d.rowid DESC, t.position""",
        (survey_id,),
    ).fetchall()
    return [TaskEntry(*r) for r in rows]


def definitions(conn: sqlite3.Connection, survey_id: str) -> list[tuple[str, str]]:
    """(sha256, body_json) of a survey's definitions, newest first."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT sha256, body_json FROM definitions WHERE survey_id = ? "
            "ORDER BY first_seen_at DESC, rowid DESC",
            (survey_id,),
        )
    ]
