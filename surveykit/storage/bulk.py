"""Fast bulk writes (used by `surveykit simulate`): whole sessions, many per transaction.

Same tables, columns and value encoding as `Store` (`encode_value`), and the
definition is registered through `Store.register_definition`, so a bulk-written
session cannot be told apart from a live one except by what its meta data says.
Batches are committed with `synchronous = NORMAL` (a power cut may lose the
last batch, never corrupt the file); the setting is restored afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from surveykit.storage.store import StorageError, Store, encode_value
from surveykit.storage.wide import ensure_meta_columns
from surveykit.vocabulary import OUTCOMES, STATUSES, Mode


@dataclass
class BulkAnswer:
    question_id: str
    value: Any
    task_id: str = ""
    is_na: bool = False
    shown_at: str | None = None
    answered_at: str = ""
    response_ms: int | None = None


@dataclass
class BulkTaskRun:
    task_id: str
    position: int
    started_at: str | None
    ended_at: str | None
    active_ms: int | None
    outcome: str | None
    errors: int = 0
    hints: int = 0


@dataclass
class BulkEvent:
    at: str
    elapsed_ms: int
    kind: str
    task_id: str | None = None
    question_id: str | None = None
    data: dict[str, Any] | None = None


@dataclass
class BulkSession:
    survey_id: str
    definition_sha256: str
    mode: str
    started_at: str
    status: str
    ended_at: str | None = None
    participant: str | None = None
    device: str | None = None
    task_order: list[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    answers: list[BulkAnswer] = field(default_factory=list)
    task_runs: list[BulkTaskRun] = field(default_factory=list)
    events: list[BulkEvent] = field(default_factory=list)


class BulkWriter:
    """Buffer whole sessions and write them `batch` at a time, one transaction each."""

    def __init__(self, store: Store, *, batch: int = 2000) -> None:
        self.store = store
        self.conn = store.conn
        self.batch = batch
        self.pending: list[BulkSession] = []
        self.written = 0
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.flush()
        self.conn.execute("PRAGMA synchronous = FULL")

    def add(self, session: BulkSession) -> None:
        if session.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        self.pending.append(session)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        sessions, answers, runs, events = [], [], [], []
        c = self.conn
        try:
            c.execute("BEGIN IMMEDIATE")
            next_id = int(c.execute("SELECT COALESCE(MAX(id), 0) FROM sessions").fetchone()[0]) + 1
            for s in self.pending:
                sid = next_id
                next_id += 1
                sessions.append((
                    sid, s.survey_id, s.definition_sha256, s.mode, s.participant, s.device,
                    s.started_at, s.ended_at, s.status,
                    json.dumps(s.task_order) if s.task_order is not None else None,
                    json.dumps(s.meta, ensure_ascii=False), None, None,
                ))
                for a in s.answers:
                    value = None if a.is_na else a.value
                    vj, vn = encode_value(value)
                    answers.append((sid, a.task_id, a.question_id, vj, vn, int(a.is_na),
                                    a.shown_at, a.answered_at, a.response_ms))
                for r in s.task_runs:
                    if r.outcome is not None and r.outcome not in OUTCOMES:
                        raise ValueError(f"outcome must be one of {OUTCOMES}")
                    runs.append((sid, r.task_id, r.position, r.started_at, r.ended_at,
                                 r.active_ms, r.outcome, r.errors, r.hints))
                for e in s.events:
                    events.append((
                        sid, e.at, e.elapsed_ms, e.kind, e.task_id, e.question_id,
                        json.dumps(e.data, ensure_ascii=False, default=str)
                        if e.data is not None else None,
                    ))
            c.executemany(
                "INSERT INTO sessions (id, survey_id, definition_sha256, mode, participant, device, "
                "started_at, ended_at, status, task_order_json, meta_json, owner_host, owner_pid) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                sessions,
            )
            c.executemany(
                "INSERT INTO answers (session_id, task_id, question_id, value_json, value_num, "
                "is_na, shown_at, answered_at, response_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                answers,
            )
            meta: dict[str, set[str]] = {}
            for s in self.pending:
                meta.setdefault(s.survey_id, set()).update(str(k) for k in s.meta)
            for survey_id, keys in meta.items():
                if keys:  # a new meta key gets its `meta.<key>` column in responses_<survey>
                    ensure_meta_columns(c, survey_id, sorted(keys))
            c.executemany(
                "INSERT INTO task_runs (session_id, task_id, position, started_at, ended_at, "
                "active_ms, outcome, errors, hints) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                runs,
            )
            c.executemany(
                "INSERT INTO events (session_id, at, elapsed_ms, kind, task_id, question_id, "
                "data_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                events,
            )
            c.execute("COMMIT")
        except BaseException as e:
            if c.in_transaction:
                c.execute("ROLLBACK")
            if isinstance(e, Exception) and not isinstance(e, ValueError):
                raise StorageError(f"cannot write to database {self.store.path}: {e}") from e
            raise
        self.written += len(self.pending)
        self.pending = []


def real_session_count(store: Store, survey_id: str) -> int:
    """Sessions of a survey that were not written by `simulate` (no `simulated` meta flag)."""
    row = store.conn.execute(
        "SELECT COUNT(*) FROM sessions WHERE survey_id = ? AND mode != ? AND "
        "COALESCE(json_extract(CASE WHEN json_valid(meta_json) THEN meta_json END, "
        "'$.simulated'), 0) = 0",
        (survey_id, Mode.PREVIEW),
    ).fetchone()
    return int(row[0])


def participant_count(store: Store, survey_id: str) -> int:
    row = store.conn.execute(
        "SELECT COUNT(DISTINCT participant) FROM sessions WHERE survey_id = ?", (survey_id,)
    ).fetchone()
    return int(row[0])
