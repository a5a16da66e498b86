"""Row producers of the long files: sessions, answers, task runs and events.

Each streams rows straight from SQLite (sessions in id order, children through
their indexes), so memory does not grow with the data.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from surveykit.export.catalogue import Catalogue, number, other_text
from surveykit.storage.queries import SessionFilter

#: Columns whose values never come from people's typing or free-form files: numbers,
#: timestamps, fixed vocabularies, and ids restricted by the definition format.
CONTROLLED_COLUMNS = frozenset({
    "session_id", "event_id", "survey_id", "definition_sha256", "mode", "status",
    "session_status", "started_at", "ended_at", "shown_at", "answered_at", "at", "task_id",
    "question_id", "parent_id", "item", "question_type", "value_num", "is_na", "response_ms",
    "position", "outcome", "active_ms", "errors", "hints", "time_limit_s", "elapsed_ms", "kind",
})


def text_columns(header: list[str]) -> tuple[int, ...]:
    return tuple(i for i, name in enumerate(header) if name not in CONTROLLED_COLUMNS)


# --- sessions ---------------------------------------------------------------------------

SESSION_COLUMNS = [
    "session_id", "survey_id", "definition_sha256", "mode", "participant", "device", "status",
    "started_at", "ended_at", "task_order", "meta",
]


def scan(alias: str = "s") -> str:
    # Sessions in id order (a table scan, no sort), children through their indexes.
    return f"sessions AS {alias} NOT INDEXED"


def session_rows(conn: sqlite3.Connection, flt: SessionFilter) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT s.id, s.survey_id, s.definition_sha256, s.mode, s.participant, s.device, "
        "s.status, s.started_at, s.ended_at, s.task_order_json, s.meta_json "
        f"FROM {scan()} WHERE {where} ORDER BY s.id"
    )
    for r in conn.execute(sql, args):
        yield [*r[:9], json.loads(r[9]) if r[9] else None, json.loads(r[10]) if r[10] else {}]


# --- answers (long) ---------------------------------------------------------------------

ANSWER_COLUMNS = [
    "session_id", "survey_id", "mode", "participant", "device", "session_status", "started_at",
    "task_id", "task_title", "question_id", "parent_id", "item", "question_type",
    "question_text", "value", "value_num", "value_label", "other_text", "is_na",
    "shown_at", "answered_at", "response_ms",
]


def answer_rows(
    conn: sqlite3.Connection, flt: SessionFilter, cat: Catalogue
) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT a.session_id, s.survey_id, s.definition_sha256, s.mode, s.participant, s.device, "
        "s.status, s.started_at, a.task_id, a.question_id, a.value_json, a.value_num, a.is_na, "
        "a.shown_at, a.answered_at, a.response_ms "
        f"FROM {scan()} CROSS JOIN answers a ON a.session_id = s.id WHERE {where} "
        "ORDER BY s.id"
    )
    # Per variable, what every row of it repeats: parent, item, type, text, and the
    # label lookups (scale points by number, options by stored value).
    static: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, info in cat.by_def.items():
        e = info.entry
        points = {}
        for k, v in e.labels.items():
            try:
                points[number(float(k))] = v
            except ValueError:
                pass
        static[key] = (e.parent_id, info.item, e.type, e.text, points, info.option_text,
                       info.na_label)
    titles = cat.task_titles
    loads = json.loads
    for (sid, survey, sha, mode, part, dev, status, started, task_id, qid, vj, vn, na,
         shown, answered, rms) in conn.execute(sql, args):
        st = static.get((sha, qid))
        if st is None:
            st = (qid, None, None, None, {}, {}, "N/A")
        other = None
        label = None
        if na:
            value = None
            label = st[6]
        elif vn is not None:
            value = vn = int(vn) if vn.is_integer() else vn
            label = st[4].get(value) if st[4] else st[5].get(value)
        elif vj is None:
            value = None
        else:
            value = loads(vj)
            cls = value.__class__
            if cls is str:
                label = st[5].get(value)
            elif cls is dict:
                other = value.get("other")
                value = "other"
                label = st[5].get("other")
            elif cls is list:
                label = label_list(st[5], value)
                other = other_text(value)
        yield [
            sid, survey, mode, part, dev, status, started,
            task_id, titles.get((sha, task_id)) if task_id else None,
            qid, st[0], st[1], st[2], st[3], value, vn, label, other, na,
            shown, answered, rms,
        ]


def label_list(options: dict[Any, str], values: list[Any]) -> str:
    return "; ".join(
        options.get("other", "other") if isinstance(v, dict) else str(options.get(v, v))
        for v in values
    )


# --- task runs --------------------------------------------------------------------------

RUN_COLUMNS = [
    "session_id", "survey_id", "mode", "participant", "device", "session_status", "position",
    "task_id", "task_title", "outcome", "active_ms", "errors", "hints", "started_at",
    "ended_at", "time_limit_s",
]


def run_rows(conn: sqlite3.Connection, flt: SessionFilter, cat: Catalogue) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT r.session_id, s.survey_id, s.definition_sha256, s.mode, s.participant, s.device, "
        "s.status, r.position, r.task_id, r.outcome, r.active_ms, r.errors, r.hints, "
        "r.started_at, r.ended_at "
        f"FROM {scan()} CROSS JOIN task_runs r ON r.session_id = s.id WHERE {where} "
        "ORDER BY s.id"
    )
    batch: list[tuple[Any, ...]] = []
    for r in conn.execute(sql, args):
        if batch and batch[0][0] != r[0]:
            yield from _run_batch(batch, cat)
            batch = []
        batch.append(r)
    yield from _run_batch(batch, cat)


def _run_batch(batch: list[tuple[Any, ...]], cat: Catalogue) -> Iterator[list[Any]]:
    for (sid, survey, sha, mode, part, dev, status, pos, task_id, outcome, ms, errors, hints,
         started, ended) in sorted(batch, key=lambda r: (r[7], r[8])):
        yield [
            sid, survey, mode, part, dev, status, pos, task_id,
            cat.task_titles.get((sha, task_id)), outcome, ms, errors, hints, started, ended,
            number(cat.time_limits.get((sha, task_id))),
        ]


# --- events -----------------------------------------------------------------------------

EVENT_COLUMNS = [
    "event_id", "session_id", "survey_id", "at", "elapsed_ms", "kind", "task_id",
    "question_id", "data",
]


def event_rows(conn: sqlite3.Connection, flt: SessionFilter) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT e.id, e.session_id, s.survey_id, e.at, e.elapsed_ms, e.kind, e.task_id, "
        "e.question_id, e.data_json "
        f"FROM {scan()} CROSS JOIN events e ON e.session_id = s.id WHERE {where} "
        "ORDER BY s.id"
    )
    for r in conn.execute(sql, args):
        yield [*r[:8], json.loads(r[8]) if r[8] else None]
