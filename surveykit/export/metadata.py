"""Datasette metadata for a surveykit database (`surveykit metadata DB`).

A description for every table and view and for each of their columns (the
question text, with the scale's labels, for answer columns), and default
facets (survey, device, status, day) where a table has those columns.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from surveykit.export.codebook import _COMMON, _FIXED_DOCS
from surveykit.storage import queries
from surveykit.storage.wide import meta_column, wide_spec

TABLE_DOCS: dict[str, str] = {
    "definitions": "Every version of every survey definition, by the SHA-256 of its content.",
    "sessions": "One row per participant session: mode, device, status, times, meta data.",
    "answers": "The latest answer to each question of each session (every change is in events).",
    "task_runs": "One row per task a participant was given in a usability study.",
    "events": "Everything that happened, append-only: shown, answered, changed, task events, "
              "errors, hints, notes, idle resets.",
    "questions": "Every stored variable of each definition: question text, type, scale, labels.",
    "tasks": "The tasks of each study definition.",
    "value_labels": "One row per labelled scale point and per option of each question, with "
                    "its numeric code.",
    "session_overview": "One row per session with its survey title, answer and task-run counts.",
    "answers_labeled": "One row per answer with the question text and the answer's label.",
    "task_runs_labeled": "One row per task run with the task's title and time in seconds.",
}

COLUMN_DOCS: dict[str, str] = {
    "id": "Row id",
    "definition_sha256": "Version of the definition (SHA-256 of its content)",
    "sha256": "SHA-256 of the definition's content",
    "title": "Title",
    "format_version": "Definition format version",
    "source_path": "File the definition was read from",
    "body_json": "The definition as JSON",
    "first_seen_at": "When this version was first used (UTC)",
    "status": "completed, abandoned, interrupted or in_progress",
    "task_order_json": "Task ids in the order this participant saw them (JSON list)",
    "meta_json": "Session meta data (JSON object)",
    "owner_host": "Host of the process that runs the session",
    "owner_pid": "Process id that runs the session",
    "value_json": "The answer as JSON (number, option text or value, list, text); null for N/A",
    "value": "The answer as stored (JSON)",
    "value_num": "The answer when it is a number",
    "value_label": "Label of the scale point or text of the option",
    "value_code": "Code of the scale point or option (options count from 1 in definition order)",
    "is_na": "1 when answered N/A",
    "shown_at": "When the question was shown (UTC)",
    "answered_at": "When the answer was committed (UTC)",
    "response_ms": "Milliseconds from shown to answered (monotonic clock)",
    "parent_id": "The question a battery item belongs to",
    "scope": "questions, after_each or after",
    "type": "Question type",
    "question_type": "Question type",
    "text": "Question text",
    "question_text": "Question text",
    "scale_min": "Lowest scale point",
    "scale_max": "Highest scale point",
    "labels_json": "Scale point labels (JSON object)",
    "options_json": "Options (JSON list of text and stored value)",
    "prompt": "What the participant is asked to do",
    "success": "What counts as success",
    "time_limit_s": "Time limit in seconds",
    "survey_title": "Survey title",
    "day": "UTC date the session started",
    "elapsed_ms": "Milliseconds since the session started (monotonic clock)",
    "answers": "Number of answers",
    "task_runs": "Number of task runs",
    "session_status": "Status of the session",
    "task_title": "Task title",
    "active_s": "Active time in seconds",
    "code": "Numeric code: the scale point, or the option's position in the definition",
    "label": "The label",
    "kind": "Event kind",
    "at": "When it happened (UTC)",
    "data_json": "Details as JSON",
}

FACETS = ("survey_id", "device", "status", "day")


def _columns(conn: sqlite3.Connection, name: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{name}")')]


def _describe(column: str, table: str) -> str:
    for docs in (_FIXED_DOCS.get(table, []), _FIXED_DOCS.get("answers", [])):
        for var, _level, text in docs:
            if var == column:
                return text
    if column in COLUMN_DOCS:
        return COLUMN_DOCS[column]
    if column in _COMMON:
        return _COMMON[column][1]
    return ""


def _labels_text(labels: dict[str, Any]) -> str:
    return "; ".join(f"{k} = {v}" for k, v in labels.items())


def _wide_columns(conn: sqlite3.Connection, survey_id: str) -> dict[str, str]:
    """Descriptions of a survey's wide columns from its question catalogue."""
    spec = wide_spec(conn, survey_id)
    entries = {e.question_id: e for e in reversed(queries.catalogue(conn, survey_id))}
    out: dict[str, str] = {}
    for c in spec.columns:
        if c.kind == "session":
            out[c.name] = _describe(c.name, "sessions") or COLUMN_DOCS.get(c.name, "")
            continue
        where = f" (after task {c.task_id})" if c.task_id and c.kind != "task" else ""
        e = entries.get(c.question_id or "")
        text = e.text if e else (c.question_id or "")
        if c.kind == "value":
            desc = text + where
            if e is not None and e.labels:
                desc += f". Scale: {_labels_text(e.labels)}"
            elif e is not None and e.options:
                desc += ". Options: " + "; ".join(str(o.get("text")) for o in e.options)
            if c.qtype == "multi":
                desc += ". The chosen options, joined by '; '"
            out[c.name] = desc
        elif c.kind == "na":
            out[c.name] = f"{c.question_id}{where}: 1 answered N/A, 0 answered, empty not answered"
        elif c.kind == "other":
            out[c.name] = f"{text}{where}: what was typed for 'other'"
        elif c.kind == "score":
            name = "SUS" if c.qtype == "sus" else "UMUX-Lite"
            out[c.name] = f"{name} score of the respondent, 0-100{where}"
        elif c.kind == "task":
            part = c.name.rsplit(".", 1)[1]
            out[c.name] = f"Task {c.task_id}: " + {
                "position": "position in the participant's task order (1 = first)",
                "outcome": "success, partial, fail, abandoned, timeout or skipped",
                "active_ms": "active time in milliseconds, pauses excluded",
                "errors": "errors logged",
                "hints": "hints given",
            }.get(part, part)
    return out


def datasette_metadata(conn: sqlite3.Connection, db_path: str | Path) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    names = [
        (r[0], r[1]) for r in conn.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
        )
    ]
    wide: dict[str, tuple[str, dict[str, str]]] = {}
    for survey_id, title in queries.surveys(conn).items():
        spec_cols = _wide_columns(conn, survey_id)
        spec = wide_spec(conn, survey_id)
        wide[spec.table] = (f"Typed wide table of '{title}' ({survey_id}): one row per "
                            "session, kept current as answers are written.", spec_cols)
        view_cols = {**spec_cols, **{
            meta_column(k): f"Session meta data '{k}': text, number, or true/false as text"
            for k in spec.meta_keys}}
        wide[spec.view] = (f"'{title}' ({survey_id}): one typed row per session, one column "
                           "per question; N/A is empty with a _na flag.", view_cols)
    for name, _kind in names:
        cols = _columns(conn, name)
        if name in wide:
            description, col_docs = wide[name]
            col_docs = {**col_docs, "day": COLUMN_DOCS["day"]}
        else:
            description = TABLE_DOCS.get(name, "")
            col_docs = {c: _describe(c, name) for c in cols}
        entry: dict[str, Any] = {
            "description": description,
            "columns": {c: col_docs.get(c, "") for c in cols if col_docs.get(c)},
        }
        facets = [c for c in FACETS if c in cols]
        if facets:
            entry["facets"] = facets
        tables[name] = entry
    return {
        "title": "surveykit database",
        "description": "Survey answers, task runs and events collected by surveykit. "
                       "responses_<survey> views hold one typed row per session.",
        "databases": {Path(db_path).stem: {"tables": tables}},
    }


def metadata_json(conn: sqlite3.Connection, db_path: str | Path) -> str:
    return json.dumps(datasette_metadata(conn, db_path), ensure_ascii=False, indent=2)
