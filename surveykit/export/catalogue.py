"""What the database knows about each variable: question rows, labels, N/A and
"other" settings, task titles; and decoding stored values."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from surveykit.storage import queries
from surveykit.storage.queries import CatalogueEntry

NA_LABEL = "Not applicable"  # the definition format's default `na_label`
_TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})


def number(v: float | int | None) -> float | int | None:
    """A stored number as written out: 7.0 as 7, 7.5 as 7.5."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


@dataclass
class QInfo:
    """Everything about one (definition, question_id) an export row needs."""

    entry: CatalogueEntry
    item: int | None
    option_text: dict[Any, str]
    na: bool = False
    na_label: str = NA_LABEL
    other: bool = False


@dataclass
class Catalogue:
    by_def: dict[tuple[str, str], QInfo] = field(default_factory=dict)
    task_titles: dict[tuple[str, str], str] = field(default_factory=dict)
    time_limits: dict[tuple[str, str], float | None] = field(default_factory=dict)


def _flag(value: Any) -> bool:
    """A definition's boolean as the definition format reads it (`true`, `"yes"`, 1…)."""
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return bool(value)


def _definition_extras(body_json: str) -> dict[str, dict[str, Any]]:
    """N/A and "other" settings per question id, read from a stored definition.

    The body was valid when it was stored, so it is read as plain JSON: the
    definition models (pydantic) are not needed, and an export starts faster.
    """
    try:
        body = json.loads(body_json)
    except ValueError:  # a foreign body: these extras are optional
        return {}
    if not isinstance(body, dict):
        return {}
    tasks = body.get("tasks")
    lists = [body.get("questions"), tasks.get("after_each") if isinstance(tasks, dict) else None,
             body.get("after")]
    out: dict[str, dict[str, Any]] = {}
    for questions in lists:
        for q in questions if isinstance(questions, list) else []:
            if not isinstance(q, dict) or not isinstance(q.get("id"), str):
                continue  # a bare instrument name (`seq`, `sus`): no N/A, no "other"
            out[q["id"]] = {
                "na": _flag(q.get("na", False)),
                "na_label": str(q.get("na_label", NA_LABEL)),
                "other": _flag(q.get("other", False)),
            }
    return out


def load_catalogue(conn: sqlite3.Connection, survey_ids: Iterable[str]) -> Catalogue:
    cat = Catalogue()
    for sid in survey_ids:
        extras = {sha: _definition_extras(body) for sha, body in queries.definitions(conn, sid)}
        for e in queries.catalogue(conn, sid):
            item = None
            if e.question_id != e.parent_id and "." in e.question_id:
                item = int(e.question_id.rsplit(".", 1)[1])
            x = extras.get(e.definition_sha256, {}).get(e.parent_id, {})
            cat.by_def[(e.definition_sha256, e.question_id)] = QInfo(
                entry=e,
                item=item,
                option_text={o.get("value"): o.get("text", "") for o in e.options},
                na=bool(x.get("na", False)),
                na_label=str(x.get("na_label", NA_LABEL)),
                other=bool(x.get("other", False)),
            )
        for t in queries.task_catalogue(conn, sid):
            cat.task_titles.setdefault((t.definition_sha256, t.task_id), t.title)
            cat.time_limits.setdefault((t.definition_sha256, t.task_id), t.time_limit_s)
    return cat


def decode(value_json: str | None, value_num: float | None) -> Any:
    if value_num is not None:
        return number(value_num)
    if value_json is None:
        return None
    return json.loads(value_json)


def other_text(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("other")
    if isinstance(value, list):
        for v in value:
            if isinstance(v, dict):
                return v.get("other")
    return None
