"""The one storage API every mode uses (SPEC §4).

Each write is one transaction (`BEGIN IMMEDIATE … COMMIT`) on a WAL file with
`synchronous=FULL`: when a call returns, its data is on disk. Several processes
may write the same file; a busy file is waited for (`busy_timeout`).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveykit.ids import uuid7
from surveykit.storage.migrations import NewerSchemaError, migrate
from surveykit.storage.views import create_wide_view
from surveykit.storage.wide import ensure_meta_columns
from surveykit.timeutil import Monotonic, WallClock, iso_ms, utc_now
from surveykit.vocabulary import (
    END_STATUSES,
    MODES,
    OUTCOMES,
    STATUSES,
    EventKind,
    Outcome,
    Status,
)

if TYPE_CHECKING:  # types only: storage never loads the definition loader (or pydantic)
    from surveykit.definition.models import Survey
    from surveykit.definition.record import Definition

__all__ = [
    "DEFAULT_DB",
    "MODES",
    "OUTCOMES",
    "STATUSES",
    "Answer",
    "SessionRow",
    "StorageError",
    "Store",
    "catalogue",
    "default_db_path",
    "encode_value",
]

DEFAULT_DB = "surveykit.db"


class StorageError(Exception):
    """A database problem a user can act on (path, permissions, disk, lock)."""


def default_db_path() -> str:
    return os.environ.get("SURVEYKIT_DB") or DEFAULT_DB


@dataclass(frozen=True)
class Answer:
    task_id: str
    question_id: str
    value: Any
    is_na: bool
    shown_at: str | None
    answered_at: str
    response_ms: int | None


@dataclass(frozen=True)
class SessionRow:
    id: int
    survey_id: str
    definition_sha256: str
    mode: str
    participant: str | None
    device: str | None
    started_at: str
    ended_at: str | None
    status: str
    task_order: list[str] | None
    meta: dict[str, Any]
    owner_host: str | None
    owner_pid: int | None
    uuid: str | None = None  # the id that travels with the session (UUIDv7)
    site: str | None = None
    device_id: str | None = None  # the installation that made it
    language: str | None = None  # the language it was answered in (multi-language files)


def encode_value(value: Any) -> tuple[str | None, float | None]:
    """(value_json, value_num) for a stored answer."""
    if value is None:
        return None, None
    num = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    return json.dumps(value, ensure_ascii=False), num


def _ms_of(stamp: str) -> int:
    """Unix milliseconds of a stored UTC timestamp (`2026-11-22T10:15:03.123Z`)."""
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """An open survey database. Not shared between threads."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        wall: WallClock = utc_now,
        mono: Monotonic = time.monotonic,
        busy_timeout_s: float = 10.0,
    ) -> None:
        self.path = str(path if path is not None else default_db_path())
        self._wall = wall
        self._mono = mono
        self._clocks: dict[int, tuple[float, int]] = {}
        # meta keys per survey that responses_<survey> already has a column for
        self._meta_seen: dict[str, set[str]] = {}
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.conn = self._connect(busy_timeout_s)

    # --- opening ---------------------------------------------------------------------

    def _connect(self, busy_timeout_s: float) -> sqlite3.Connection:
        if Path(self.path).is_dir():
            raise StorageError(
                f"cannot open database {self.path}: it is a folder; give a file name, "
                f"like {Path(self.path) / DEFAULT_DB}"
            )
        parent = Path(self.path).resolve().parent
        if not parent.is_dir():
            raise StorageError(f"cannot open database {self.path}: folder {parent} does not exist")
        try:
            conn = sqlite3.connect(
                self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StorageError(f"cannot use write-ahead logging on {self.path} (got {mode})")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
        except NewerSchemaError as e:
            raise StorageError(str(e)) from None
        except sqlite3.DatabaseError as e:
            raise StorageError(self._explain(e, "open")) from None
        return conn

    def _explain(self, e: sqlite3.Error, action: str) -> str:
        text = str(e)
        if "readonly" in text or "read-only" in text:
            why = "the file or its folder is read-only"
        elif "unable to open" in text:
            why = "the file cannot be created or opened (check the path and permissions)"
        elif "locked" in text or "busy" in text:
            why = "another process holds the database locked"
        elif "disk is full" in text or "full" in text:
            why = "the disk is full"
        elif "not a database" in text or "malformed" in text:
            why = "the file is not a surveykit database (or is damaged)"
        else:
            why = text
        return f"cannot {action} database {self.path}: {why}"

    def close(self) -> None:
        self.conn.close()

    def device_id(self) -> str:
        """This file's installation id (made once, when the file was created or upgraded)."""
        row = self.conn.execute(
            "SELECT device_id FROM installation ORDER BY created_at LIMIT 1"
        ).fetchone()
        return str(row[0])

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self, action: str = "write to") -> Iterator[sqlite3.Connection]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise StorageError(self._explain(e, action)) from e
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StorageError(self._explain(e, action)) from e
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def now(self) -> str:
        return iso_ms(self._wall())

    def elapsed_ms(self, session_id: int) -> int:
        """Monotonic milliseconds since the session started (continued across resumes)."""
        start, offset = self._clocks.get(session_id, (self._mono(), 0))
        return offset + int((self._mono() - start) * 1000)

    def set_session_clock(self, session_id: int, start_mono: float, offset_ms: int = 0) -> None:
        """Count a session's elapsed_ms from `start_mono` (this Store's monotonic clock)
        plus `offset_ms`; used when a kiosk writes answers it had to keep for later."""
        self._clocks[session_id] = (start_mono, offset_ms)

    # --- definitions -------------------------------------------------------------------

    def register_translation(self, definition: Definition, language: str) -> None:
        """The question texts and value labels of `definition` in `language` (once per
        definition and language), for `answers_labeled`."""
        exists = self.conn.execute(
            "SELECT 1 FROM translations WHERE definition_sha256 = ? AND language = ? LIMIT 1",
            (definition.sha256, language),
        ).fetchone()
        if exists:
            return
        with self._tx() as c:
            c.executemany(
                "INSERT OR IGNORE INTO translations VALUES (?, ?, ?, ?, ?)",
                [
                    (definition.sha256, language, *row)
                    for row in translation_rows(definition.survey)
                ],
            )

    def register_definition(self, definition: Definition) -> None:
        """Store a definition (once per content hash) and its question catalogue."""
        exists = self.conn.execute(
            "SELECT 1 FROM definitions WHERE sha256 = ?", (definition.sha256,)
        ).fetchone()
        if exists:
            return
        survey = definition.survey
        with self._tx() as c:
            c.execute(
                "INSERT OR IGNORE INTO definitions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    definition.sha256,
                    survey.id,
                    survey.title,
                    survey.surveykit,
                    definition.source_path,
                    definition.body_json,
                    self.now(),
                ),
            )
            c.executemany(
                "INSERT OR IGNORE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(definition.sha256, *row) for row in catalogue(survey)],
            )
            if survey.tasks:
                c.executemany(
                    "INSERT OR IGNORE INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (definition.sha256, t.id, i, t.title, t.prompt, t.success, t.time_limit_s)
                        for i, t in enumerate(survey.tasks.items, 1)
                    ],
                )
            create_wide_view(c, survey.id)

    # --- sessions ----------------------------------------------------------------------

    def start_session(
        self,
        definition: Definition,
        mode: str,
        *,
        participant: str | None = None,
        device: str | None = None,
        task_order: list[str] | None = None,
        meta: dict[str, Any] | None = None,
        site: str | None = None,
        language: str | None = None,
    ) -> int:
        """A new session. `language`: the language it is answered in (default: the
        language of `definition`, for a file with `languages:`)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if language is None and definition.languages:
            language = definition.language
        self.register_definition(definition.in_default_language)
        if definition.original is not None and language is not None:
            self.register_translation(definition, language)
        now = self.now()
        with self._tx() as c:
            cur = c.execute(
                """INSERT INTO sessions (survey_id, definition_sha256, mode, participant, device,
                       started_at, status, task_order_json, meta_json, owner_host, owner_pid,
                       uuid, device_id, site, language)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                           (SELECT device_id FROM installation ORDER BY created_at LIMIT 1), ?, ?)""",
                (
                    definition.survey.id,
                    definition.sha256,
                    mode,
                    participant,
                    device,
                    now,
                    Status.IN_PROGRESS,
                    json.dumps(task_order) if task_order is not None else None,
                    json.dumps(meta or {}, ensure_ascii=False),
                    self.host,
                    self.pid,
                    str(uuid7(now_ms=_ms_of(now))),
                    site,
                    language,
                ),
            )
            session_id = int(cur.lastrowid or 0)
            self._clocks[session_id] = (self._mono(), 0)
            self._event(c, session_id, EventKind.SESSION_START, data={"mode": mode}, at=now)
            seen = self._meta_seen.setdefault(definition.survey.id, set())
            if meta and not set(meta) <= seen:
                # a new meta key gets its `meta.<key>` column in responses_<survey>
                ensure_meta_columns(c, definition.survey.id, [str(k) for k in meta])
                seen.update(meta)
        return session_id

    def take_over(self, session_id: int) -> SessionRow:
        """Resume a session in this process: it becomes ours, its clock continues."""
        with self._tx() as c:
            row = c.execute(
                "SELECT MAX(elapsed_ms) FROM events WHERE session_id = ?", (session_id,)
            ).fetchone()
            offset = int(row[0] or 0)
            c.execute(
                "UPDATE sessions SET owner_host = ?, owner_pid = ?, status = ?, "
                "ended_at = NULL WHERE id = ?",
                (self.host, self.pid, Status.IN_PROGRESS, session_id),
            )
            self._clocks[session_id] = (self._mono(), offset)
            self._event(c, session_id, EventKind.RESUME)
        return self.session(session_id)

    def finish_session(self, session_id: int, status: str = Status.COMPLETED) -> None:
        if status not in END_STATUSES:
            raise ValueError(f"status must be one of {END_STATUSES}")
        with self._tx() as c:
            self._event(c, session_id, EventKind.SESSION_END, data={"status": status})
            c.execute(
                "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?",
                (status, self.now(), session_id),
            )
        self._clocks.pop(session_id, None)

    def set_task_order(self, session_id: int, order: list[str]) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE sessions SET task_order_json = ? WHERE id = ?", (json.dumps(order), session_id)
            )

    def session(self, session_id: int) -> SessionRow:
        row = self.conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(session_id)
        return _session_row(row)

    def sessions(
        self,
        survey_id: str | None = None,
        *,
        participant: str | None = None,
        status: str | None = None,
    ) -> list[SessionRow]:
        sql = "SELECT * FROM sessions WHERE 1=1"
        args: list[Any] = []
        for col, val in (("survey_id", survey_id), ("participant", participant), ("status", status)):
            if val is not None:
                sql += f" AND {col} = ?"
                args.append(val)
        return [_session_row(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def is_orphan(self, s: SessionRow) -> bool:
        """In progress, but its process on this machine is gone."""
        if s.status != Status.IN_PROGRESS:
            return False
        if s.owner_host != self.host or s.owner_pid is None:
            return False
        if s.owner_pid == self.pid:
            return s.id not in self._clocks
        return not _pid_alive(s.owner_pid)

    def resumable(self, survey_id: str, participant: str) -> SessionRow | None:
        """The participant's latest in-progress session whose process died."""
        for s in reversed(self.sessions(survey_id, participant=participant, status=Status.IN_PROGRESS)):
            if self.is_orphan(s):
                return s
        return None

    def mark_orphans_interrupted(self, survey_id: str | None = None) -> list[int]:
        """Sessions left in progress by a dead process become `interrupted`."""
        ids = [s.id for s in self.sessions(survey_id, status=Status.IN_PROGRESS) if self.is_orphan(s)]
        for sid in ids:
            with self._tx() as c:
                last = c.execute("SELECT MAX(at) FROM events WHERE session_id = ?", (sid,)).fetchone()[0]
                c.execute(
                    "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ? AND status = ?",
                    (Status.INTERRUPTED, last or self.now(), sid, Status.IN_PROGRESS),
                )
                self._event(c, sid, EventKind.INTERRUPTED, data={"reason": "process ended without closing"})
        return ids

    # --- answers -----------------------------------------------------------------------

    def record_shown(
        self,
        session_id: int,
        question_id: str,
        task_id: str = "",
        data: dict[str, Any] | None = None,
    ) -> str:
        """Log that a question is on screen (with e.g. the shown option order);
        returns the `shown_at` timestamp."""
        now = self.now()
        with self._tx() as c:
            self._event(
                c, session_id, EventKind.SHOWN, task_id=task_id, question_id=question_id, data=data, at=now
            )
        return now

    def shown_keys(self, session_id: int, task_id: str = "") -> set[str]:
        """Question ids shown at least once in a session (for resuming past notes)."""
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT question_id FROM events WHERE session_id = ? AND kind = ? "
                "AND COALESCE(task_id, '') = ?",
                (session_id, EventKind.SHOWN, task_id),
            )
        }

    def record_answer(
        self,
        session_id: int,
        question_id: str,
        value: Any,
        *,
        task_id: str = "",
        is_na: bool = False,
        shown_at: str | None = None,
        response_ms: int | None = None,
    ) -> None:
        """Commit an answer; a different earlier answer is kept in `events` as `changed`."""
        if is_na:
            value = None
        value_json, value_num = encode_value(value)
        now = self.now()
        with self._tx() as c:
            old = c.execute(
                "SELECT value_json, is_na FROM answers WHERE session_id = ? AND task_id = ? "
                "AND question_id = ?",
                (session_id, task_id, question_id),
            ).fetchone()
            c.execute(
                """INSERT INTO answers (session_id, task_id, question_id, value_json, value_num,
                       is_na, shown_at, answered_at, response_ms)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (session_id, task_id, question_id) DO UPDATE SET
                       value_json = excluded.value_json, value_num = excluded.value_num,
                       is_na = excluded.is_na, shown_at = excluded.shown_at,
                       answered_at = excluded.answered_at, response_ms = excluded.response_ms""",
                (session_id, task_id, question_id, value_json, value_num, int(is_na), shown_at, now, response_ms),
            )
            new = {"value": value, "na": is_na, "response_ms": response_ms}
            if old is None:
                self._event(c, session_id, EventKind.ANSWERED, task_id=task_id, question_id=question_id, data=new, at=now)
            elif old["value_json"] != value_json or bool(old["is_na"]) != is_na:
                prev = {
                    "value": json.loads(old["value_json"]) if old["value_json"] is not None else None,
                    "na": bool(old["is_na"]),
                }
                self._event(
                    c, session_id, EventKind.CHANGED, task_id=task_id, question_id=question_id,
                    data={"from": prev, "to": new}, at=now,
                )

    def clear_answer(self, session_id: int, question_id: str, task_id: str = "", reason: str = "") -> None:
        """Remove an answer that no longer applies (skip logic after a change); logged."""
        with self._tx() as c:
            old = c.execute(
                "DELETE FROM answers WHERE session_id = ? AND task_id = ? AND question_id = ? "
                "RETURNING value_json, is_na",
                (session_id, task_id, question_id),
            ).fetchone()
            if old is not None:
                self._event(
                    c, session_id, EventKind.CLEARED, task_id=task_id, question_id=question_id,
                    data={
                        "value": json.loads(old["value_json"]) if old["value_json"] else None,
                        "na": bool(old["is_na"]),
                        "reason": reason,
                    },
                )

    def answers(self, session_id: int) -> dict[tuple[str, str], Answer]:
        """Latest answers of a session keyed by (task_id, question_id)."""
        out = {}
        for r in self.conn.execute("SELECT * FROM answers WHERE session_id = ?", (session_id,)):
            out[(r["task_id"], r["question_id"])] = Answer(
                task_id=r["task_id"],
                question_id=r["question_id"],
                value=json.loads(r["value_json"]) if r["value_json"] is not None else None,
                is_na=bool(r["is_na"]),
                shown_at=r["shown_at"],
                answered_at=r["answered_at"],
                response_ms=r["response_ms"],
            )
        return out

    # --- events ------------------------------------------------------------------------

    def record_event(
        self,
        session_id: int,
        kind: str,
        *,
        task_id: str | None = None,
        question_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        with self._tx() as c:
            return self._event(c, session_id, kind, task_id=task_id, question_id=question_id, data=data)

    def _event(
        self,
        c: sqlite3.Connection,
        session_id: int,
        kind: str,
        *,
        task_id: str | None = None,
        question_id: str | None = None,
        data: dict[str, Any] | None = None,
        at: str | None = None,
    ) -> int:
        cur = c.execute(
            "INSERT INTO events (session_id, at, elapsed_ms, kind, task_id, question_id, data_json, "
            "seq) VALUES (?, ?, ?, ?, ?, ?, ?, "
            "(SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE session_id = ?1))",
            (
                session_id,
                at or self.now(),
                self.elapsed_ms(session_id),
                kind,
                task_id,
                question_id,
                json.dumps(data, ensure_ascii=False, default=str) if data is not None else None,
            ),
        )
        return int(cur.lastrowid or 0)

    def events(self, session_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM events WHERE session_id = ? ORDER BY id", (session_id,)
        ).fetchall()
        return [
            {**dict(r), "data": json.loads(r["data_json"]) if r["data_json"] else None} for r in rows
        ]

    # --- tasks -------------------------------------------------------------------------

    def start_task(self, session_id: int, task_id: str, position: int) -> None:
        """A task run begins (or begins again after a restart: counts are reset)."""
        now = self.now()
        with self._tx() as c:
            c.execute(
                """INSERT INTO task_runs (session_id, task_id, position, started_at, active_ms,
                       errors, hints) VALUES (?, ?, ?, ?, 0, 0, 0)
                   ON CONFLICT (session_id, task_id) DO UPDATE SET started_at = excluded.started_at,
                       ended_at = NULL, active_ms = 0, outcome = NULL, errors = 0, hints = 0""",
                (session_id, task_id, position, now),
            )
            self._event(c, session_id, EventKind.TASK_START, task_id=task_id, data={"position": position}, at=now)

    def task_event(
        self,
        session_id: int,
        task_id: str,
        kind: str,
        *,
        active_ms: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """pause/resume/error/hint/note/restart/reopen… with the run's row kept in step."""
        with self._tx() as c:
            if kind == EventKind.ERROR:
                c.execute(
                    "UPDATE task_runs SET errors = errors + 1 WHERE session_id = ? AND task_id = ?",
                    (session_id, task_id),
                )
            elif kind == EventKind.HINT:
                c.execute(
                    "UPDATE task_runs SET hints = hints + 1 WHERE session_id = ? AND task_id = ?",
                    (session_id, task_id),
                )
            elif kind == EventKind.REOPEN:  # the moderator undid the end: no outcome until ended again
                c.execute(
                    "UPDATE task_runs SET outcome = NULL, ended_at = NULL "
                    "WHERE session_id = ? AND task_id = ?",
                    (session_id, task_id),
                )
            if active_ms is not None:
                c.execute(
                    "UPDATE task_runs SET active_ms = ? WHERE session_id = ? AND task_id = ?",
                    (active_ms, session_id, task_id),
                )
            payload = dict(data or {})
            if active_ms is not None:
                payload["active_ms"] = active_ms
            self._event(c, session_id, kind, task_id=task_id, data=payload or None)

    def finish_task(self, session_id: int, task_id: str, outcome: str, active_ms: int) -> None:
        """Set (or correct) a run's outcome and active time."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}")
        now = self.now()
        with self._tx() as c:
            c.execute(
                "UPDATE task_runs SET outcome = ?, active_ms = ?, ended_at = ? "
                "WHERE session_id = ? AND task_id = ?",
                (outcome, active_ms, now, session_id, task_id),
            )
            self._event(
                c, session_id, EventKind.TASK_END, task_id=task_id,
                data={"outcome": outcome, "active_ms": active_ms}, at=now,
            )

    def skip_task(self, session_id: int, task_id: str, position: int) -> None:
        now = self.now()
        with self._tx() as c:
            c.execute(
                """INSERT INTO task_runs (session_id, task_id, position, started_at, ended_at,
                       active_ms, outcome) VALUES (?, ?, ?, NULL, ?, 0, ?)
                   ON CONFLICT (session_id, task_id) DO UPDATE SET outcome = excluded.outcome,
                       ended_at = excluded.ended_at""",
                (session_id, task_id, position, now, Outcome.SKIPPED),
            )
            self._event(
                c, session_id, EventKind.TASK_END, task_id=task_id,
                data={"outcome": Outcome.SKIPPED}, at=now,
            )

    def task_runs(self, session_id: int) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT * FROM task_runs WHERE session_id = ? ORDER BY position", (session_id,)
            )
        ]

    # --- kiosk staff PIN lock-out ------------------------------------------------------

    def pin_lockout(self, device: str) -> tuple[int, str | None]:
        """A kiosk device's wrong PIN tries so far and the UTC time until which it is
        locked (ISO 8601, None when not locked)."""
        row = self.conn.execute(
            "SELECT failures, locked_until FROM kiosk_pin_lockout WHERE device = ?", (device,)
        ).fetchone()
        if row is None:
            return 0, None
        return int(row["failures"]), row["locked_until"]

    def save_pin_lockout(self, device: str, failures: int, locked_until: str | None) -> None:
        """Keep a kiosk device's PIN lock-out (a right PIN saves 0 and None)."""
        with self._tx() as c:
            c.execute(
                """INSERT INTO kiosk_pin_lockout (device, failures, locked_until, updated_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (device) DO UPDATE SET failures = excluded.failures,
                       locked_until = excluded.locked_until, updated_at = excluded.updated_at""",
                (device, failures, locked_until, self.now()),
            )

    # --- screens following a moderated session (participant screen, observers) ---------

    def session_clock_anchor(self, session_id: int) -> float | None:
        """This process's monotonic time at which the session's elapsed_ms was 0
        (None when this Store does not run the session's clock)."""
        clock = self._clocks.get(session_id)
        if clock is None:
            return None
        start, offset = clock
        return start - offset / 1000

    def follow_session_clock(self, session_id: int, host: str | None, anchor: float | None) -> None:
        """Count a session's elapsed_ms as the process that runs it does: from its
        monotonic anchor on the same machine (the monotonic clock is shared by its
        processes), else from the last logged elapsed_ms."""
        if anchor is not None and host == self.host:
            self._clocks[session_id] = (anchor, 0)
            return
        row = self.conn.execute(
            "SELECT MAX(elapsed_ms) FROM events WHERE session_id = ?", (session_id,)
        ).fetchone()
        self._clocks[session_id] = (self._mono(), int(row[0] or 0))

    def open_screen(
        self,
        session_id: int,
        role: str,
        *,
        name: str | None = None,
        join_code: str | None = None,
        state: str | None = None,
    ) -> int:
        """A screen joins a session (its row in `session_screens`); returns its id.
        A participant screen or observer also logs a `screen_join` event."""
        now = self.now()
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO session_screens (session_id, role, name, join_code, host, pid, "
                "mono_anchor, joined_at, seen_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id, role, name, join_code, self.host, self.pid,
                    self.session_clock_anchor(session_id), now, now, state,
                ),
            )
            if role != "console":
                self._event(
                    c, session_id, EventKind.SCREEN_JOIN, data={"role": role, "name": name}, at=now
                )
            return int(cur.lastrowid or 0)

    def screen_seen(self, screen_id: int, state: str | None = None) -> None:
        """A screen is still there (and, if given, what it is doing now)."""
        with self._tx() as c:
            if state is None:
                c.execute("UPDATE session_screens SET seen_at = ? WHERE id = ?", (self.now(), screen_id))
            else:
                c.execute(
                    "UPDATE session_screens SET seen_at = ?, state = ? WHERE id = ?",
                    (self.now(), state, screen_id),
                )

    def close_screen(self, screen_id: int, state: str | None = None) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE session_screens SET left_at = ?, state = COALESCE(?, state) WHERE id = ?",
                (self.now(), state, screen_id),
            )

    def screens(self, session_id: int | None = None) -> list[dict[str, Any]]:
        """The screens of a session (all sessions when None), oldest first."""
        if session_id is None:
            rows = self.conn.execute("SELECT * FROM session_screens ORDER BY id")
        else:
            rows = self.conn.execute(
                "SELECT * FROM session_screens WHERE session_id = ? ORDER BY id", (session_id,)
            )
        return [dict(r) for r in rows]

    def screen_alive(self, screen: dict[str, Any], stale_s: float) -> bool:
        """A screen that has not left and whose process is alive (on this machine) or
        was seen in the last `stale_s` seconds (elsewhere)."""
        if screen["left_at"] is not None:
            return False
        if screen["host"] == self.host and screen["pid"] is not None:
            return screen["pid"] == self.pid or _pid_alive(int(screen["pid"]))
        row = self.conn.execute(
            "SELECT (julianday(?) - julianday(?)) * 86400.0", (self.now(), screen["seen_at"])
        ).fetchone()
        return float(row[0] or 0.0) <= stale_s

    def sessions_with_code(self, join_code: str) -> list[int]:
        """The sessions whose console shows this join code (newest first)."""
        rows = self.conn.execute(
            "SELECT DISTINCT session_id FROM session_screens WHERE role = 'console' "
            "AND join_code = ? ORDER BY session_id DESC",
            (join_code,),
        )
        return [int(r[0]) for r in rows]

    def last_event_id(self, session_id: int) -> int:
        """The id of the session's latest event (0 for none): cheap enough to poll."""
        row = self.conn.execute(
            "SELECT MAX(id) FROM events WHERE session_id = ?", (session_id,)
        ).fetchone()
        return int(row[0] or 0)

    def events_after(self, session_id: int, after_id: int) -> list[dict[str, Any]]:
        """The session's events logged after event `after_id`, in order."""
        rows = self.conn.execute(
            "SELECT * FROM events WHERE session_id = ? AND id > ? ORDER BY id", (session_id, after_id)
        ).fetchall()
        return [
            {**dict(r), "data": json.loads(r["data_json"]) if r["data_json"] else None} for r in rows
        ]

    def _block_holder(self, c: sqlite3.Connection, session_id: int, key: str, stale_s: float) -> str | None:
        holder: str | None = None
        for r in c.execute(
            "SELECT data_json FROM events WHERE session_id = ? AND kind = ? ORDER BY id",
            (session_id, EventKind.BLOCK_CLAIM),
        ):
            data = json.loads(r[0]) if r[0] else {}
            if data.get("key") == key:
                holder = data.get("by")
        if holder is not None:
            return holder
        for row in c.execute(
            "SELECT * FROM session_screens WHERE session_id = ? AND role = 'console' AND state = ?",
            (session_id, f"asking:{key}"),
        ).fetchall():
            if self.screen_alive(dict(row), stale_s):
                return "console"
        return None

    def block_holder(self, session_id: int, key: str, *, stale_s: float = 5.0) -> str | None:
        """Which screen answers a block of questions (`key`: questions, after,
        after_each:<task>): "participant" (a `block_claim` event), "console" (a live
        console asking it, or a `block_claim` it took over), or None (nobody yet)."""
        return self._block_holder(self.conn, session_id, key, stale_s)

    def claim_block(
        self,
        session_id: int,
        key: str,
        by: str,
        *,
        screen_id: int,
        task_id: str | None = None,
        force: bool = False,
        stale_s: float = 5.0,
    ) -> str:
        """Take a block of questions for a screen, in one transaction so that two
        screens never both ask it; returns the holder (`by` when it worked).

        The console's claim is its screen row's state (`asking:<key>`: it lapses
        with the console's process); a participant screen's claim, and a console
        taking over (`force`) from a participant screen that is gone, are
        `block_claim` events."""
        with self._tx() as c:
            holder = self._block_holder(c, session_id, key, stale_s)
            if holder not in (None, by) and not force:
                return holder
            if by == "console":
                c.execute(
                    "UPDATE session_screens SET state = ?, seen_at = ? WHERE id = ?",
                    (f"asking:{key}", self.now(), screen_id),
                )
            if (by != "console" and holder is None) or (holder not in (None, by) and force):
                self._event(
                    c, session_id, EventKind.BLOCK_CLAIM, task_id=task_id,
                    data={"key": key, "by": by, **({"taken_over": True} if holder else {})},
                )
            return by

    def definition_body(self, sha256: str) -> str | None:
        """The stored definition (JSON) of a hash, None if unknown."""
        row = self.conn.execute(
            "SELECT body_json FROM definitions WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return None if row is None else str(row[0])

    def notes(self, session_id: int | None = None) -> list[dict[str, Any]]:
        """Note events (every session's when None), in order, data decoded."""
        sql = "SELECT * FROM events WHERE kind = ?"
        args: list[Any] = [EventKind.NOTE]
        if session_id is not None:
            sql += " AND session_id = ?"
            args.append(session_id)
        rows = self.conn.execute(sql + " ORDER BY session_id, id", args).fetchall()
        return [
            {**dict(r), "data": json.loads(r["data_json"]) if r["data_json"] else None} for r in rows
        ]


def _session_row(r: sqlite3.Row) -> SessionRow:
    return SessionRow(
        id=r["id"],
        survey_id=r["survey_id"],
        definition_sha256=r["definition_sha256"],
        mode=r["mode"],
        participant=r["participant"],
        device=r["device"],
        started_at=r["started_at"],
        ended_at=r["ended_at"],
        status=r["status"],
        task_order=json.loads(r["task_order_json"]) if r["task_order_json"] else None,
        meta=json.loads(r["meta_json"]) if r["meta_json"] else {},
        owner_host=r["owner_host"],
        owner_pid=r["owner_pid"],
        uuid=r["uuid"],
        site=r["site"],
        device_id=r["device_id"],
        language=r["language"] if "language" in r.keys() else None,
    )


def translation_rows(survey: Survey) -> list[tuple[str, str, str]]:
    """(question_id, value_json, text) of a survey in one language: each stored
    variable's text (value_json '') and the labels of its values, as `value_labels`
    keys them."""
    out: list[tuple[str, str, str]] = []
    for qid, _, _, _, _, text, _, _, labels_json, options_json in catalogue(survey):
        out.append((qid, "", str(text)))
        if labels_json:
            for key, label in json.loads(labels_json).items():
                if key.lstrip("-").isdigit():
                    out.append((qid, json.dumps(int(key)), str(label)))
        if options_json:
            for o in json.loads(options_json):
                out.append((qid, json.dumps(o.get("value"), ensure_ascii=False), str(o.get("text"))))
    return out


def catalogue(survey: Survey) -> list[tuple[Any, ...]]:
    """Rows for the `questions` table: every stored variable with text and labels."""
    rows: list[tuple[Any, ...]] = []
    scopes: list[tuple[str, list[Any]]] = [("questions", list(survey.questions))]
    if survey.tasks:
        scopes.append(("after_each", list(survey.tasks.after_each)))
    scopes.append(("after", list(survey.after)))
    position = 0
    for scope, questions in scopes:
        for q in questions:
            labels = q.point_labels() if hasattr(q, "point_labels") else None
            labels_json = json.dumps({str(k): v for k, v in labels.items()}) if labels else None
            low = getattr(q, "low", None) if hasattr(q, "low") else getattr(q, "min", None)
            high = getattr(q, "high", None) if hasattr(q, "high") else getattr(q, "max", None)
            if hasattr(q, "item_ids"):
                for item_id, text in zip(q.item_ids(), q.items(), strict=True):
                    position += 1
                    rows.append((item_id, q.id, position, scope, q.type, text, low, high, labels_json, None))
                continue
            options = None
            if hasattr(q, "option_list"):
                options = json.dumps(
                    [{"text": o.text, "value": o.stored} for o in q.option_list()]
                    + ([{"text": q.other_label, "value": "other"}] if q.other else []),
                    ensure_ascii=False,
                )
            position += 1
            rows.append(
                (q.id, q.id, position, scope, q.type, q.display_text(), low, high, labels_json, options)
            )
    return rows
