"""The codebook: every variable of every file with its text, level and value labels.

The rows for `responses_<survey>` come from `wide.Wide.codebook`; the fixed
files (sessions, answers, task runs, events) are described here.
"""

from __future__ import annotations

from typing import Any

from surveykit.vocabulary import EVENT_KINDS, OUTCOMES

CODEBOOK_COLUMNS = [
    "file", "survey_id", "variable", "question_id", "task_id", "scope", "type", "level",
    "text", "value_labels", "notes",
]

_FIXED_DOCS: dict[str, list[tuple[str, str, str]]] = {
    "sessions": [
        ("session_id", "id", "Session id; joins every other file"),
        ("survey_id", "nominal", "Survey id from the definition file"),
        ("definition_sha256", "id", "Version of the definition (SHA-256 of its content)"),
        ("mode", "nominal", "run, kiosk or moderate (preview sessions are left out by default)"),
        ("participant", "id", "Participant id (moderated studies)"),
        ("device", "nominal", "Device or terminal name"),
        ("status", "nominal", "completed, abandoned, interrupted or in_progress"),
        ("started_at", "datetime", "UTC ISO 8601 with milliseconds"),
        ("ended_at", "datetime", "UTC ISO 8601 with milliseconds"),
        ("task_order", "text", "Task ids in the order this participant saw them (JSON list)"),
        ("meta", "text", "Session meta data (JSON object)"),
    ],
    "answers": [
        ("session_id", "id", "Session id"),
        ("survey_id", "nominal", "Survey id"),
        ("mode", "nominal", "Session mode"),
        ("participant", "id", "Participant id"),
        ("device", "nominal", "Device"),
        ("session_status", "nominal", "Status of the session"),
        ("started_at", "datetime", "Session start (UTC)"),
        ("task_id", "nominal", "Task the answer belongs to (after_each questions); empty otherwise"),
        ("task_title", "text", "Title of that task"),
        ("question_id", "nominal", "Stored variable: question id, or battery item (sus.3)"),
        ("parent_id", "nominal", "The question the variable belongs to (sus for sus.3)"),
        ("item", "scale", "Battery item number (1-10 for SUS, 1-2 for UMUX-Lite)"),
        ("question_type", "nominal", "nps, csat, ces, seq, rating, sus, umux_lite, choice, multi, "
                                     "text, number"),
        ("question_text", "text", "The question (or item) as worded in the definition"),
        ("value", "mixed", "The answer: a number for scales/numbers, the option's text or value "
                           "for choice ('other' when typed), a JSON list for multi, text for text; "
                           "empty for N/A"),
        ("value_num", "scale", "The answer when it is a number"),
        ("value_label", "text", "Label of the scale point or option text; the N/A label for N/A"),
        ("other_text", "text", "What was typed for 'Other'"),
        ("is_na", "nominal", "1 when answered Not applicable / Prefer not to say"),
        ("shown_at", "datetime", "When the question was shown (UTC)"),
        ("answered_at", "datetime", "When the answer was committed (UTC)"),
        ("response_ms", "scale", "Milliseconds from shown to answered (monotonic clock)"),
    ],
    "task_runs": [
        ("session_id", "id", "Session id"),
        ("position", "scale", "Position in the participant's task order (1 = first)"),
        ("task_id", "nominal", "Task id"),
        ("task_title", "text", "Task title"),
        ("outcome", "nominal", ", ".join(OUTCOMES) + "; empty when the session ended mid-task"),
        ("active_ms", "scale", "Active time in milliseconds, pauses excluded (monotonic clock)"),
        ("errors", "scale", "Errors logged"),
        ("hints", "scale", "Hints given"),
        ("time_limit_s", "scale", "The task's time limit in seconds"),
    ],
    "events": [
        ("event_id", "id", "Event id, in the order events were logged"),
        ("session_id", "id", "Session id"),
        ("at", "datetime", "UTC ISO 8601 with milliseconds"),
        ("elapsed_ms", "scale", "Milliseconds since the session started (monotonic clock)"),
        ("kind", "nominal", ", ".join(EVENT_KINDS)),
        ("task_id", "nominal", "Task, for task events and after_each questions"),
        ("question_id", "nominal", "Question, for question events"),
        ("data", "text", "Details as JSON (value, outcome, error code, note text, …)"),
    ],
}


def fixed_codebook(ext: str, tables: tuple[str, ...]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for name, docs in _FIXED_DOCS.items():
        if name not in tables:
            continue
        for var, level, text in docs:
            rows.append([f"{name}.{ext}", None, var, None, None, None, None, level, text, None,
                         None])
    return rows


def labels_text(labels: dict[str, str] | None) -> str:
    if not labels:
        return ""
    return "; ".join(f"{k}={v}" for k, v in labels.items())
