"""Merging kiosk files into one (`surveykit merge`), and the content hash that
tells an identical copy of a session from a different one.

A session travels by its `sessions.uuid`; its integer id is a local surrogate
and gets a new value in the destination. Only closed sessions travel
(`CLOSED_STATUSES`); those still in progress are counted and left for a later
run. Each source is opened read-only (`file:…?mode=ro`, attached to the
destination's connection): a kiosk may keep writing it, nothing is ever
written to it, and its WAL is never checkpointed from here.

Sessions are copied a batch at a time, each batch in one transaction on the
destination, so a session is either there with all its answers, task runs and
events or not at all. Uniqueness is the destination's `UNIQUE(uuid)`:
`INSERT OR IGNORE` copies the new sessions and leaves the others alone. A
session that was already there is compared by content hash: identical → skipped;
different → the incoming copy is kept aside in `merge_conflicts` (never
overwriting the one already there).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from surveykit.storage.migrations import SCHEMA_VERSION
from surveykit.storage.queries import open_readonly
from surveykit.storage.store import StorageError, Store
from surveykit.storage.views import create_wide_view
from surveykit.storage.wide import ensure_meta_columns, meta_keys
from surveykit.timeutil import iso_ms, utc_now
from surveykit.vocabulary import CLOSED_STATUSES

#: The statuses that travel, as SQL (a fixed vocabulary: safe to inline).
CLOSED_SQL = "(" + ", ".join(f"'{s}'" for s in sorted(CLOSED_STATUSES)) + ")"

#: The session columns that make up a session's content (not its local id, nor
#: the process that owned it while it ran).
SESSION_FIELDS: tuple[str, ...] = (
    "uuid", "survey_id", "definition_sha256", "mode", "participant", "device", "device_id",
    "site", "started_at", "ended_at", "status", "task_order_json", "meta_json",
)
ANSWER_FIELDS: tuple[str, ...] = (
    "task_id", "question_id", "value_json", "value_num", "is_na", "shown_at", "answered_at",
    "response_ms",
)
TASK_RUN_FIELDS: tuple[str, ...] = (
    "task_id", "position", "started_at", "ended_at", "active_ms", "outcome", "errors", "hints",
)
EVENT_FIELDS: tuple[str, ...] = ("seq", "at", "elapsed_ms", "kind", "task_id", "question_id", "data_json")
DEFINITION_FIELDS: tuple[str, ...] = (
    "sha256", "survey_id", "title", "format_version", "source_path", "body_json", "first_seen_at",
)
QUESTION_FIELDS = (
    "definition_sha256", "question_id", "parent_id", "position", "scope", "type", "text",
    "scale_min", "scale_max", "labels_json", "options_json",
)
TASK_FIELDS = (
    "definition_sha256", "task_id", "position", "title", "prompt", "success", "time_limit_s",
)
#: Columns copied besides the content ones.
SESSION_COPY = (*SESSION_FIELDS, "owner_host", "owner_pid")


# --- the content hash ---------------------------------------------------------------------


def session_body(
    session: dict[str, Any],
    answers: Iterable[Sequence[Any]],
    task_runs: Iterable[Sequence[Any]],
    events: Iterable[Sequence[Any]],
) -> dict[str, Any]:
    """The canonical content of a session: its row (SESSION_FIELDS) and its answers,
    task runs and events as rows in the field orders above, sorted by their keys
    ((task_id, question_id), task_id, seq: unique, so plain tuple order is key order).
    `value_num` is REAL on every engine (a float), so it serialises the same way."""
    return {
        "session": {k: session.get(k) for k in SESSION_FIELDS},
        "answers": sorted(map(tuple, answers)),
        "task_runs": sorted(map(tuple, task_runs)),
        "events": sorted(map(tuple, events)),
    }


def content_sha256(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a session body (the same on every side)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_bodies(
    conn: sqlite3.Connection, ids: Sequence[int], schema: str = "main"
) -> dict[int, dict[str, Any]]:
    """Session bodies (see `session_body`) of the sessions with these local ids."""
    if not ids:
        return {}
    arg = json.dumps(list(ids))
    within = "IN (SELECT value FROM json_each(?))"
    sessions: dict[int, dict[str, Any]] = {}
    for row in conn.execute(
        f"SELECT id, {', '.join(SESSION_FIELDS)} FROM {schema}.sessions WHERE id {within}", (arg,)
    ):
        sessions[row[0]] = dict(zip(SESSION_FIELDS, row[1:], strict=True))
    parts: dict[str, dict[int, list[Sequence[Any]]]] = {}
    for table, fields, order in (
        ("answers", ANSWER_FIELDS, "task_id, question_id"),
        ("task_runs", TASK_RUN_FIELDS, "task_id"),
        ("events", EVENT_FIELDS, "seq"),
    ):
        cur = conn.execute(
            f"SELECT session_id, {', '.join(fields)} FROM {schema}.{table} "
            f"WHERE session_id {within} ORDER BY session_id, {order}",
            (arg,),
        )
        parts[table] = {
            sid: [r[1:] for r in group] for sid, group in groupby(cur, key=itemgetter(0))
        }
    return {
        sid: session_body(
            s, parts["answers"].get(sid, ()), parts["task_runs"].get(sid, ()),
            parts["events"].get(sid, ()),
        )
        for sid, s in sessions.items()
    }


# --- checking a source --------------------------------------------------------------------

#: Tables and columns a source must have to travel (older files lack the ids).
NEEDED = {
    "definitions": {"sha256"},
    "questions": {"definition_sha256"},
    "tasks": {"definition_sha256"},
    "sessions": {"uuid", "device_id", "site", "status"},
    "answers": {"session_id"},
    "task_runs": {"session_id"},
    "events": {"session_id", "seq"},
    "installation": {"device_id"},
}


def readonly_uri(path: str | Path) -> str:
    return "file:" + quote(str(Path(path).resolve())) + "?mode=ro"


def check_source(path: str | Path) -> str:
    """Check that `path` is a surveykit database this version can read and that
    carries travelling ids; return its device id. Raises StorageError (one line)."""
    p = Path(path)
    if not p.exists():
        raise StorageError(f"{path}: no such file")
    if p.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    try:
        conn = sqlite3.connect(readonly_uri(p), uri=True)
    except sqlite3.Error as e:
        raise StorageError(f"cannot read {path}: {e}") from None
    try:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlite3.DatabaseError as e:
            if "not a database" in str(e) or "malformed" in str(e):
                raise StorageError(f"{path} is not a surveykit database (not an SQLite file)") from None
            raise StorageError(f"cannot read {path}: {e}") from None
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{path} was written by a newer surveykit (schema {version}; this version knows "
                f"up to {SCHEMA_VERSION}); upgrade surveykit here to merge it"
            )
        if not {"definitions", "sessions", "answers", "events"} <= tables:
            what = "an empty SQLite file" if not tables else "an SQLite file without surveykit's tables"
            raise StorageError(f"{path} is not a surveykit database ({what})")
        for table, cols in NEEDED.items():
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if not cols <= have:
                raise StorageError(
                    f"{path} was written by an older surveykit (schema {version}) and has no "
                    "travelling session ids yet; open it once with this version on its device "
                    "(any `surveykit run`, `kiosk` or `moderate` upgrades it), then merge again"
                )
        row = conn.execute("SELECT device_id FROM installation ORDER BY created_at LIMIT 1").fetchone()
        return str(row[0]) if row else ""
    finally:
        conn.close()


# --- merging -------------------------------------------------------------------------------


@dataclass
class SourceResult:
    path: str
    device_id: str = ""
    copied: int = 0
    identical: int = 0
    conflicts: int = 0
    new_conflicts: int = 0
    in_progress: int = 0
    definitions: int = 0
    error: str | None = None
    conflict_uuids: tuple[str, ...] = ()
    surveys: set[str] = field(default_factory=set)


def _cols(fields: Sequence[str], alias: str = "") -> str:
    return ", ".join(f"{alias}{f}" for f in fields)


def _empty_sqlite(path: str | Path) -> bool:
    """An SQLite file with no schema yet: one a concurrent merge (or Store) has just
    created and is about to set up under its write lock. Taken as a new DEST."""
    try:
        conn = sqlite3.connect(readonly_uri(path), uri=True)
        try:
            return conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def open_dest(dest: str | Path, busy_timeout_s: float = 30.0) -> sqlite3.Connection:
    """Create or upgrade DEST (through the Store), then open it for attaching sources.
    An existing file must be a surveykit database: nothing is added to any other."""
    if Path(dest).is_file() and Path(dest).stat().st_size > 0 and not _empty_sqlite(dest):
        open_readonly(dest).close()  # raises StorageError with one plain sentence
    Store(dest).close()
    uri = "file:" + quote(str(Path(dest).resolve()))
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=busy_timeout_s)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS merge_map (src_id INTEGER PRIMARY KEY, dest_id INTEGER)"
    )
    return conn


def merge_files(
    sources: Sequence[str | Path], dest: str | Path, *, batch: int = 1000
) -> list[SourceResult]:
    """Merge the closed sessions of every source into DEST (created if absent)."""
    dest_path = Path(dest).resolve()
    conn = open_dest(dest)
    results = []
    try:
        for src in sources:
            result = SourceResult(path=str(src))
            try:
                if Path(src).exists() and Path(src).resolve() == dest_path:
                    raise StorageError(f"{src} is the destination itself")
                result.device_id = check_source(src)
                _merge_one(conn, src, result, batch)
            except StorageError as e:
                result.error = str(e)
            except sqlite3.Error as e:
                result.error = f"cannot merge {src}: {e}"
            results.append(result)
    finally:
        conn.close()
    return results


def _merge_one(conn: sqlite3.Connection, src: str | Path, result: SourceResult, batch: int) -> None:
    conn.execute("ATTACH DATABASE ? AS src", (readonly_uri(src),))
    try:
        conn.execute("BEGIN")  # one snapshot of the source for the list
        candidates = [
            r[0]
            for r in conn.execute(f"SELECT id FROM src.sessions WHERE status IN {CLOSED_SQL} ORDER BY id")
        ]
        result.in_progress = conn.execute(
            f"SELECT COUNT(*) FROM src.sessions WHERE status NOT IN {CLOSED_SQL}"
        ).fetchone()[0]
        conn.execute("COMMIT")
        for start in range(0, len(candidates), batch):
            _merge_batch(conn, src, candidates[start : start + batch], result)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute("DETACH DATABASE src")
        # Wide views of surveys new here (with the source detached: an unqualified
        # DROP VIEW would otherwise find the source's view of the same name).
        if result.surveys or result.copied:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for survey_id in sorted(result.surveys):
                    create_wide_view(conn, survey_id)
                if result.copied:  # copied sessions may bring new meta keys
                    for (survey_id,) in conn.execute(
                        "SELECT DISTINCT survey_id FROM definitions").fetchall():
                        ensure_meta_columns(conn, survey_id, meta_keys(conn, survey_id))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise


def _merge_batch(
    conn: sqlite3.Connection, src: str | Path, ids: list[int], result: SourceResult
) -> None:
    arg = json.dumps(ids)
    within = "IN (SELECT value FROM json_each(?))"
    # BEGIN IMMEDIATE would ask the read-only source for a write lock too: take DEST's
    # write lock with a write that changes nothing, before reading anything.
    conn.execute("BEGIN")
    try:
        conn.execute("UPDATE main.installation SET device_id = device_id WHERE 0")
        # The definitions these sessions used, by content hash.
        new_defs = conn.execute(
            f"""SELECT sha256, survey_id FROM src.definitions WHERE sha256 IN
                    (SELECT definition_sha256 FROM src.sessions WHERE id {within})
                AND sha256 NOT IN (SELECT sha256 FROM main.definitions)""",
            (arg,),
        ).fetchall()
        if new_defs:
            shas = json.dumps([r[0] for r in new_defs])
            for table, fields, key in (
                ("definitions", DEFINITION_FIELDS, "sha256"),
                ("questions", QUESTION_FIELDS, "definition_sha256"),
                ("tasks", TASK_FIELDS, "definition_sha256"),
            ):
                conn.execute(
                    f"INSERT OR IGNORE INTO main.{table} ({_cols(fields)}) "
                    f"SELECT {_cols(fields)} FROM src.{table} WHERE {key} {within}",
                    (shas,),
                )
            result.surveys.update(r[1] for r in new_defs)
            result.definitions += len(new_defs)
        max_before = conn.execute("SELECT COALESCE(MAX(id), 0) FROM main.sessions").fetchone()[0]
        # Still closed in this snapshot (a session can be resumed after an interruption).
        conn.execute(
            f"INSERT OR IGNORE INTO main.sessions ({_cols(SESSION_COPY)}) "
            f"SELECT {_cols(SESSION_COPY)} FROM src.sessions "
            f"WHERE id {within} AND status IN {CLOSED_SQL} ORDER BY id",
            (arg,),
        )
        conn.execute("DELETE FROM temp.merge_map")
        conn.execute(
            f"""INSERT INTO temp.merge_map (src_id, dest_id)
                SELECT s.id, m.id FROM src.sessions s JOIN main.sessions m ON m.uuid = s.uuid
                WHERE s.id {within} AND m.id > ?""",
            (arg, max_before),
        )
        copied = conn.execute("SELECT COUNT(*) FROM temp.merge_map").fetchone()[0]
        if copied:
            for table, fields, order in (
                ("answers", ANSWER_FIELDS, ""),
                ("task_runs", TASK_RUN_FIELDS, ""),
                ("events", EVENT_FIELDS, " ORDER BY x.session_id, x.id"),
            ):
                conn.execute(
                    f"INSERT INTO main.{table} (session_id, {_cols(fields)}) "
                    f"SELECT mm.dest_id, {_cols(fields, 'x.')} FROM temp.merge_map mm "
                    f"JOIN src.{table} x ON x.session_id = mm.src_id{order}"
                )
        # The others were here already (same uuid): identical, or a conflict.
        pairs = conn.execute(
            f"""SELECT s.id, m.id FROM src.sessions s JOIN main.sessions m ON m.uuid = s.uuid
                WHERE s.id {within} AND s.status IN {CLOSED_SQL} AND m.id <= ?""",
            (arg, max_before),
        ).fetchall()
        result.in_progress += conn.execute(
            f"SELECT COUNT(*) FROM src.sessions WHERE id {within} AND status NOT IN {CLOSED_SQL}",
            (arg,),
        ).fetchone()[0]
        if pairs:
            # Equal content hashes ⇔ every column of every row equal: let SQL find the
            # few that differ, and hash only those (both sides, as everywhere).
            suspects = _differing(conn, pairs)
            result.identical += len(pairs) - len(suspects)
            suspects_pairs = [p for p in pairs if p[0] in suspects]
            theirs = read_bodies(conn, [p[0] for p in suspects_pairs], "src")
            ours = read_bodies(conn, [p[1] for p in suspects_pairs], "main")
            found_at = iso_ms(utc_now())
            conflicts = []
            for src_id, dest_id in suspects_pairs:
                body = theirs[src_id]
                digest = content_sha256(body)
                if digest == content_sha256(ours[dest_id]):
                    result.identical += 1
                    continue
                before = conn.total_changes
                conn.execute(
                    "INSERT OR IGNORE INTO main.merge_conflicts (session_uuid, source_device, "
                    "source_path, content_sha256, body_json, found_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        body["session"]["uuid"], result.device_id, str(Path(src).resolve()), digest,
                        json.dumps(body, ensure_ascii=False, sort_keys=True), found_at,
                    ),
                )
                result.new_conflicts += conn.total_changes - before
                conflicts.append(body["session"]["uuid"])
            result.conflicts += len(conflicts)
            result.conflict_uuids += tuple(conflicts)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    result.copied += copied


#: (table, key columns) of the rows that make up a session's content.
_CHILDREN = (
    ("answers", ("task_id", "question_id"), ANSWER_FIELDS),
    ("task_runs", ("task_id",), TASK_RUN_FIELDS),
    ("events", ("seq",), EVENT_FIELDS),
)


def _differing(conn: sqlite3.Connection, pairs: list[tuple[int, int]]) -> set[int]:
    """Source ids of the (source id, destination id) pairs whose session row, answers,
    task runs or events are not all equal, column by column (NULLs equal)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS merge_pairs (src_id INTEGER PRIMARY KEY, dest_id INTEGER)")
    conn.execute("DELETE FROM temp.merge_pairs")
    conn.executemany("INSERT INTO temp.merge_pairs VALUES (?, ?)", pairs)
    same_row = " AND ".join(f"m.{f} IS s.{f}" for f in SESSION_FIELDS)
    sql = [
        f"""SELECT p.src_id FROM temp.merge_pairs p JOIN src.sessions s ON s.id = p.src_id
            JOIN main.sessions m ON m.id = p.dest_id WHERE NOT ({same_row})"""
    ]
    for table, keys, fields in _CHILDREN:
        same = " AND ".join(
            [f"y.{k} IS x.{k}" for k in keys] + [f"y.{f} IS x.{f}" for f in fields if f not in keys]
        )
        sql.append(
            f"""SELECT p.src_id FROM temp.merge_pairs p JOIN src.{table} x ON x.session_id = p.src_id
                WHERE NOT EXISTS (SELECT 1 FROM main.{table} y
                                  WHERE y.session_id = p.dest_id AND {same})"""
        )
        sql.append(
            f"""SELECT p.src_id FROM temp.merge_pairs p
                WHERE (SELECT COUNT(*) FROM src.{table} x WHERE x.session_id = p.src_id)
                   != (SELECT COUNT(*) FROM main.{table} y WHERE y.session_id = p.dest_id)"""
        )
    found = {r[0] for r in conn.execute(" UNION ".join(sql))}
    conn.execute("DELETE FROM temp.merge_pairs")
    return found
