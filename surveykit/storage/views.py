"""Human-readable views shipped in every database file (SPEC §4).

`session_overview`, `answers_labeled` and `task_runs_labeled` are fixed; one
`responses_<survey id>` view per survey (one wide row per session, one column
per question) is rebuilt whenever a definition of that survey is registered.
"""

from __future__ import annotations

import re
import sqlite3

FIXED_VIEWS = {
    "session_overview": """
        SELECT s.id AS session_id, s.survey_id, d.title AS survey_title, s.mode,
               s.participant, s.device, s.status, s.started_at, s.ended_at,
               CAST(ROUND((julianday(s.ended_at) - julianday(s.started_at)) * 86400000) AS INTEGER)
                   AS wall_ms,
               (SELECT COUNT(*) FROM answers a WHERE a.session_id = s.id) AS answers,
               (SELECT COUNT(*) FROM task_runs t WHERE t.session_id = s.id) AS task_runs,
               s.task_order_json, s.meta_json, s.definition_sha256,
               s.uuid AS session_uuid, s.site, s.device_id
        FROM sessions s JOIN definitions d ON d.sha256 = s.definition_sha256
    """,
    "answers_labeled": """
        SELECT a.session_id, s.survey_id, s.mode, s.participant, s.device,
               s.status AS session_status, a.task_id, t.title AS task_title,
               a.question_id, q.type AS question_type, q.text AS question_text,
               a.value_json AS value, a.value_num,
               CASE WHEN a.value_num IS NOT NULL AND q.labels_json IS NOT NULL
                    THEN json_extract(q.labels_json, '$."' || CAST(a.value_num AS INTEGER) || '"')
                    WHEN q.options_json IS NOT NULL AND json_type(a.value_json) IN ('text', 'integer', 'real')
                    THEN (SELECT json_extract(o.value, '$.text') FROM json_each(q.options_json) o
                          WHERE json_extract(o.value, '$.value') = json_extract(a.value_json, '$'))
               END AS value_label,
               a.is_na, a.shown_at, a.answered_at, a.response_ms
        FROM answers a
        JOIN sessions s ON s.id = a.session_id
        LEFT JOIN questions q ON q.definition_sha256 = s.definition_sha256
                             AND q.question_id = a.question_id
        LEFT JOIN tasks t ON t.definition_sha256 = s.definition_sha256 AND t.task_id = a.task_id
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
    for name, sql in FIXED_VIEWS.items():
        conn.execute(f"DROP VIEW IF EXISTS {name}")
        conn.execute(f"CREATE VIEW {name} AS {sql}")


def wide_view_name(survey_id: str) -> str:
    return "responses_" + re.sub(r"[^a-z0-9_]", "_", survey_id.lower())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_wide_view(conn: sqlite3.Connection, survey_id: str) -> None:
    """One row per session of a survey, one column per question (and per task question)."""
    rows = conn.execute(
        """
        SELECT q.question_id, q.scope, MIN(q.position) AS pos
        FROM questions q JOIN definitions d ON d.sha256 = q.definition_sha256
        WHERE d.survey_id = ? AND q.type != 'note'
        GROUP BY q.question_id, q.scope ORDER BY pos
        """,
        (survey_id,),
    ).fetchall()
    tasks = [
        r[0]
        for r in conn.execute(
            """
            SELECT t.task_id FROM tasks t JOIN definitions d ON d.sha256 = t.definition_sha256
            WHERE d.survey_id = ? GROUP BY t.task_id ORDER BY MIN(t.position)
            """,
            (survey_id,),
        )
    ]
    cols = []
    for qid, scope, _pos in rows:
        task_ids = tasks if scope == "after_each" else [""]
        for task_id in task_ids:
            column = f"{task_id}.{qid}" if task_id else qid
            cols.append(
                f"MAX(CASE WHEN a.question_id = '{_esc(qid)}' AND a.task_id = '{_esc(task_id)}' "
                f"THEN CASE WHEN a.is_na THEN 'N/A' ELSE COALESCE(a.value_num, a.value_json) END END)"
                f" AS {_quote(column)}"
            )
    name = wide_view_name(survey_id)
    select_cols = ",\n".join(
        [
            "s.id AS session_id",
            "s.mode",
            "s.participant",
            "s.device",
            "s.status",
            "s.started_at",
            "s.ended_at",
            *cols,
        ]
    )
    conn.execute(f"DROP VIEW IF EXISTS {_quote(name)}")
    conn.execute(
        f"CREATE VIEW {_quote(name)} AS SELECT {select_cols} FROM sessions s "
        f"LEFT JOIN answers a ON a.session_id = s.id "
        f"WHERE s.survey_id = '{_esc(survey_id)}' GROUP BY s.id"
    )


def _esc(s: str) -> str:
    return s.replace("'", "''")
