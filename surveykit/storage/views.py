"""Human-readable views shipped in every database file (SPEC §4).

`session_overview`, `answers_labeled` and `task_runs_labeled` are fixed; one
`responses_<survey id>` view per survey (one wide row per session, one column
per question) is rebuilt whenever a definition of that survey is registered.
"""

from __future__ import annotations

import sqlite3

from surveykit.storage.wide import VALUE_LABELS_TABLE, build_wide, responses_view_name

# Standard SQL only (DuckDB and PostgreSQL re-parse views): no julianday(), no JSON
# functions, COUNT(column) rather than COUNT(*); labels come from `value_labels`.
FIXED_VIEWS = {
    "session_overview": """
        SELECT s.id AS session_id, s.survey_id, d.title AS survey_title, s.mode,
               s.participant, s.device, s.status, s.started_at, s.ended_at,
               SUBSTR(s.started_at, 1, 10) AS day,
               (SELECT MAX(e.elapsed_ms) FROM events e WHERE e.session_id = s.id) AS elapsed_ms,
               (SELECT COUNT(a.session_id) FROM answers a WHERE a.session_id = s.id) AS answers,
               (SELECT COUNT(t.session_id) FROM task_runs t WHERE t.session_id = s.id) AS task_runs,
               s.task_order_json, s.meta_json, s.definition_sha256,
               s.uuid AS session_uuid, s.site, s.device_id
        FROM sessions s JOIN definitions d ON d.sha256 = s.definition_sha256
    """,
    "answers_labeled": """
        SELECT a.session_id, s.survey_id, s.mode, s.participant, s.device,
               s.status AS session_status, a.task_id, t.title AS task_title,
               a.question_id, q.type AS question_type,
               COALESCE(CAST(tq.text AS VARCHAR), CAST(q.text AS VARCHAR)) AS question_text,
               a.value_json AS value, a.value_num,
               CASE WHEN a.is_na = 0 THEN COALESCE(CAST(tv.text AS VARCHAR), CAST(vl.label AS VARCHAR)) END AS value_label,
               CASE WHEN a.is_na = 0 THEN vl.code END AS value_code,
               a.is_na, a.shown_at, a.answered_at, a.response_ms, s.language
        FROM answers a
        JOIN sessions s ON s.id = a.session_id
        LEFT JOIN questions q ON q.definition_sha256 = s.definition_sha256
                             AND q.question_id = a.question_id
        LEFT JOIN tasks t ON t.definition_sha256 = s.definition_sha256 AND t.task_id = a.task_id
        LEFT JOIN value_labels vl ON vl.definition_sha256 = s.definition_sha256
                                 AND vl.question_id = a.question_id
                                 AND vl.value_json = a.value_json
        LEFT JOIN translations tq ON tq.definition_sha256 = s.definition_sha256
                                 AND tq.language = s.language
                                 AND tq.question_id = a.question_id AND tq.value_json = ''
        LEFT JOIN translations tv ON tv.definition_sha256 = s.definition_sha256
                                 AND tv.language = s.language
                                 AND tv.question_id = a.question_id
                                 AND tv.value_json = a.value_json
    """,
    "task_runs_labeled": """
        SELECT r.session_id, s.survey_id, s.mode, s.participant, s.device, r.position,
               r.task_id, t.title AS task_title, r.outcome, r.active_ms,
               ROUND(r.active_ms / 1000.0, 1) AS active_s, r.errors, r.hints,
               r.started_at, r.ended_at, t.time_limit_s
        FROM task_runs r
        JOIN sessions s ON s.id = r.session_id
        LEFT JOIN tasks t ON t.definition_sha256 = s.definition_sha256 AND t.task_id = r.task_id
    """,
}


def create_views(conn: sqlite3.Connection) -> None:
    """(Re)create the fixed views; the caller holds the transaction."""
    conn.execute(VALUE_LABELS_TABLE)
    for name, sql in FIXED_VIEWS.items():
        conn.execute(f"DROP VIEW IF EXISTS {name}")
        conn.execute(f"CREATE VIEW {name} AS {sql}")


def wide_view_name(survey_id: str) -> str:
    return responses_view_name(survey_id)


def create_wide_view(conn: sqlite3.Connection, survey_id: str) -> None:
    """The survey's typed wide table `wide_<survey>` (kept current by triggers) and
    `responses_<survey>`, a plain view over it; the caller holds the transaction."""
    build_wide(conn, survey_id)
