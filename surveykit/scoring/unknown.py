"""Answers to questions that no definition of their survey has: they cannot be
scored (no type, no scale), so `score` says how many it left out instead of
dropping them silently."""

from __future__ import annotations

import sqlite3
from typing import Any


def add_unknown_question_warnings(
    conn: sqlite3.Connection, where: str, args: list[Any], warnings: dict[str, list[str]]
) -> None:
    """Append one warning per (survey, task, question) whose answers are in no
    definition; `where` filters `sessions AS s` as the scores do."""
    rows = conn.execute(
        f"""SELECT s.survey_id, a.task_id, a.question_id, COUNT(a.session_id)
            FROM answers a JOIN sessions s ON s.id = a.session_id
            WHERE {where} AND NOT EXISTS (
                SELECT 1 FROM questions q JOIN definitions d ON d.sha256 = q.definition_sha256
                WHERE d.survey_id = s.survey_id AND q.question_id = a.question_id)
            GROUP BY s.survey_id, a.task_id, a.question_id
            ORDER BY s.survey_id, a.task_id, a.question_id""",
        args,
    ).fetchall()
    for survey, task_id, qid, n in rows:
        where_text = f" (task {task_id})" if task_id else ""
        warnings.setdefault(survey, []).append(
            f"{qid}{where_text}: {n} answer{'s' if n != 1 else ''} to a question that is in no "
            f"definition of this survey left out"
        )
