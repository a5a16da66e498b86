"""Reading a survey database for scoring: every SQL query of `surveykit score`.

The database does the counting (histograms of answers, per-respondent SUS and
UMUX-Lite sums, task outcome counts), so a million answers are reduced to a few
thousand rows before Python sees them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import get_close_matches
from typing import Any

from surveykit.scoring.builders import BATTERY_TYPES, FINISHED, NUMERIC_TYPES, Scale
from surveykit.scoring.results import ScoreError, ScoreOptions
from surveykit.storage import queries
from surveykit.storage.queries import BY_COLUMNS, CatalogueEntry, SessionFilter
from surveykit.vocabulary import Outcome

__all__ = [
    "NONE_LABEL",
    "GroupKey",
    "Layout",
    "ScoreSource",
    "Slot",
    "Variable",
    "check_by",
    "group_columns",
    "group_label",
    "layout",
]

NONE_LABEL = "(none)"

# --- the layout of a survey: what to score, in reading order ------------------------------


@dataclass(frozen=True)
class Variable:
    question_id: str
    type: str
    text: str
    scope: str


@dataclass
class Layout:
    questions: list[Variable]  # scope 'questions'
    after_each: list[Variable]
    after: list[Variable]
    tasks: list[tuple[str, str]]  # (task_id, title)
    # (definition, question_id) → catalogue row, for types and scale ranges
    rows: dict[tuple[str, str], CatalogueEntry]
    # (definition, battery id) → sus | umux_lite (batteries are stored as items only)
    batteries: dict[tuple[str, str], str]
    # (question id, type) → its scales (min, max), newest definition first, each once
    scales: dict[tuple[str, str], list[Scale]] = field(default_factory=dict)


_BATTERY_SUBJECT = {"sus": "System Usability Scale", "umux_lite": "UMUX-Lite"}


def layout(conn: sqlite3.Connection, survey_id: str) -> Layout:
    cat = queries.catalogue(conn, survey_id)
    rows = {(e.definition_sha256, e.question_id): e for e in cat}
    batteries = {
        (e.definition_sha256, e.parent_id): e.type
        for e in cat
        if e.type in BATTERY_TYPES and e.question_id != e.parent_id
    }
    scales: dict[tuple[str, str], list[Scale]] = defaultdict(list)
    for e in cat:
        if e.type in NUMERIC_TYPES and e.question_id == e.parent_id:
            known = scales[(e.question_id, e.type)]
            if (e.scale_min, e.scale_max) not in known:
                known.append((e.scale_min, e.scale_max))
    seen: set[tuple[str, str]] = set()
    by_scope: dict[str, list[Variable]] = {"questions": [], "after_each": [], "after": []}
    for e in cat:  # newest definition first: its text and order win
        if e.type in NUMERIC_TYPES and e.question_id == e.parent_id:
            text = e.text
        elif e.type in BATTERY_TYPES and e.question_id != e.parent_id:
            text = _BATTERY_SUBJECT[e.type]
        else:
            continue
        key = (e.parent_id, e.type)
        if key in seen:
            continue
        seen.add(key)
        by_scope[e.scope].append(Variable(e.parent_id, e.type, text, e.scope))
    tasks: list[tuple[str, str]] = []
    seen_tasks: set[str] = set()
    for t in queries.task_catalogue(conn, survey_id):
        if t.task_id not in seen_tasks:
            seen_tasks.add(t.task_id)
            tasks.append((t.task_id, t.title))
    return Layout(
        by_scope["questions"], by_scope["after_each"], by_scope["after"], tasks, rows, batteries,
        dict(scales),
    )


def check_by(conn: sqlite3.Connection, options: ScoreOptions) -> None:
    meta = [k for k in options.by if k.startswith("meta.") or k not in BY_COLUMNS]
    if len(set(options.by)) != len(options.by):
        raise ScoreError("each --by key may be given once")
    if not meta:
        return
    keys = queries.meta_keys(conn, options.survey)
    for k in meta:
        name = k[5:] if k.startswith("meta.") else k
        if name not in keys:
            choices = list(BY_COLUMNS) + keys
            hint = get_close_matches(name, choices, n=1)
            raise ScoreError(
                f"cannot group by '{name}': it is not one of {', '.join(BY_COLUMNS)} and no "
                f"session has it in its meta data"
                + (f"; did you mean '{hint[0]}'?" if hint else "")
                + (f" (meta keys: {', '.join(keys)})" if keys and not hint else "")
            )


def group_label(key: str, raw: Any) -> str:
    """How a --by value is shown: ISO weeks as 2026-W47, missing values as (none)."""
    if raw is None or raw == "":
        return NONE_LABEL
    if key == "week":
        try:
            y, w, _ = date.fromisoformat(str(raw)).isocalendar()
            return f"{y}-W{w:02d}"
        except ValueError:
            return str(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def group_columns(by: Sequence[str]) -> tuple[list[str], list[Any]]:
    """SQL expressions (over `sessions AS s`) for each --by key, with their parameters.

    A meta value that is JSON true or false groups as the words `true`/`false`:
    `json_extract` alone turns them into 1 and 0, the same as the numbers.
    """
    exprs: list[str] = []
    args: list[Any] = []
    for key in by:
        meta_key = key[5:] if key.startswith("meta.") else None
        if meta_key is None and key in BY_COLUMNS:
            exprs.append(BY_COLUMNS[key])
            continue
        path = queries.meta_path(meta_key if meta_key is not None else key)
        exprs.append(
            "CASE json_type(s.meta_json, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
            "ELSE json_extract(s.meta_json, ?) END"
        )
        args.extend((path, path))
    return exprs, args


GroupKey = tuple[str, ...]
Slot = tuple[str, GroupKey]  # (survey, group values)


class ScoreSource:
    """The queries of one scoring run: the sessions it filters, grouped as asked."""

    def __init__(self, conn: sqlite3.Connection, options: ScoreOptions) -> None:
        self.conn = conn
        self.o = options
        flt = SessionFilter(
            survey=options.survey,
            since=options.since,
            until=options.until,
            completed_only=options.completed_only,
            by=options.by,
        )
        self.where, self.where_args = flt.where("s")
        self.gexprs, self.gargs = group_columns(options.by)
        self.ng = len(self.gexprs)

    # --- SQL helpers --------------------------------------------------------------------

    def _gsel(self) -> str:
        return "".join(f", {e} AS g{i}" for i, e in enumerate(self.gexprs))

    def _gby(self) -> str:
        return "".join(f", g{i}" for i in range(self.ng))

    def _key(self, row: Sequence[Any]) -> tuple[str, GroupKey]:
        survey = row[0]
        g = tuple(group_label(k, row[1 + i]) for i, k in enumerate(self.o.by))
        return survey, g

    # --- queries ------------------------------------------------------------------------

    def sessions(self) -> dict[Slot, Counter[str]]:
        sql = (
            f"SELECT s.survey_id{self._gsel()}, s.status, COUNT(*) FROM sessions s "
            f"WHERE {self.where} GROUP BY s.survey_id{self._gby()}, s.status"
        )
        out: dict[Slot, Counter[str]] = defaultdict(Counter)
        for row in self.conn.execute(sql, [*self.gargs, *self.where_args]):
            out[self._key(row)][row[1 + self.ng]] += int(row[2 + self.ng])
        return out

    def scale_histograms(
        self, ids: Iterable[str]
    ) -> list[tuple[Slot, str, str, str, float, int]]:
        ids = sorted(set(ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        sql = (
            f"SELECT s.survey_id{self._gsel()}, s.definition_sha256, a.task_id, a.question_id, "
            f"a.value_num, COUNT(*) FROM answers a JOIN sessions s ON s.id = a.session_id "
            f"WHERE {self.where} AND a.is_na = 0 AND a.value_num IS NOT NULL "
            f"AND a.question_id IN ({marks}) "
            f"GROUP BY s.survey_id{self._gby()}, s.definition_sha256, a.task_id, a.question_id, "
            f"a.value_num"
        )
        n = self.ng
        return [
            (self._key(r), r[1 + n], r[2 + n], r[3 + n], float(r[4 + n]), int(r[5 + n]))
            for r in self.conn.execute(sql, [*self.gargs, *self.where_args, *ids])
        ]

    def battery(self, ids: Iterable[str], kind: str) -> list[tuple[Slot, str, str, str, Any, Any, int]]:
        """Per-respondent sums, counted: (slot, definition, task, parent, a, b, respondents).

        SUS: a = sum of contributions, b = items answered (1–5).
        UMUX-Lite: a = item 1, b = item 2 (1–7, None when missing).
        One query per battery: sessions in id order, their answers through the
        primary key, so that grouping by respondent needs no sort.
        """
        parents: dict[str, list[str]] = defaultdict(list)
        for qid in sorted(set(ids)):
            parents[qid.split(".", 1)[0]].append(qid)
        item = "CAST(substr(a.question_id, instr(a.question_id, '.') + 1) AS INTEGER)"
        if kind == "sus":
            valid = "(a.is_na = 0 AND a.value_num IN (1, 2, 3, 4, 5))"
            agg = (
                f"SUM(CASE WHEN {valid} THEN CASE WHEN {item} % 2 = 1 THEN a.value_num - 1 "
                f"ELSE 5 - a.value_num END ELSE 0 END) AS va, SUM({valid}) AS vb"
            )
        else:
            valid = "(a.is_na = 0 AND a.value_num IN (1, 2, 3, 4, 5, 6, 7))"
            agg = (
                f"MAX(CASE WHEN {valid} AND {item} = 1 THEN a.value_num END) AS va, "
                f"MAX(CASE WHEN {valid} AND {item} = 2 THEN a.value_num END) AS vb"
            )
        gsel = "".join(f", g{i}" for i in range(self.ng))
        out: list[tuple[Slot, str, str, str, Any, Any, int]] = []
        n = self.ng
        for parent, items in parents.items():
            marks = ",".join("?" * len(items))
            sql = (
                f"SELECT survey_id{gsel}, def, task_id, va, vb, COUNT(*) FROM ("
                f"SELECT s.survey_id AS survey_id{self._gsel()}, s.definition_sha256 AS def, "
                f"a.task_id AS task_id, {agg} "
                f"FROM sessions AS s NOT INDEXED CROSS JOIN answers a ON a.session_id = s.id "
                f"WHERE {self.where} AND a.question_id IN ({marks}) "
                f"GROUP BY s.id, a.task_id"
                f") GROUP BY survey_id{gsel}, def, task_id, va, vb"
            )
            out.extend(
                (self._key(r), r[1 + n], r[2 + n], parent, r[3 + n], r[4 + n], int(r[5 + n]))
                for r in self.conn.execute(sql, [*self.gargs, *self.where_args, *items])
            )
        return out

    def runs(self) -> list[tuple[Slot, str, str | None, int, int]]:
        sql = (
            f"SELECT s.survey_id{self._gsel()}, r.task_id, r.outcome, r.errors, COUNT(*) "
            f"FROM task_runs r JOIN sessions s ON s.id = r.session_id WHERE {self.where} "
            f"GROUP BY s.survey_id{self._gby()}, r.task_id, r.outcome, r.errors"
        )
        n = self.ng
        return [
            (self._key(r), r[1 + n], r[2 + n], int(r[3 + n] or 0), int(r[4 + n]))
            for r in self.conn.execute(sql, [*self.gargs, *self.where_args])
        ]

    def times(self) -> dict[tuple[Slot, str], list[float]]:
        """Active times in seconds of the runs that count for time on task, every one of
        them: a time of 0 (or none) is the caller's to leave out and report."""
        if self.o.times == "all":
            outcomes: tuple[str, ...] = FINISHED
        elif self.o.partial_as_success:
            outcomes = (Outcome.SUCCESS, Outcome.PARTIAL)
        else:
            outcomes = (Outcome.SUCCESS,)
        marks = ",".join("?" * len(outcomes))
        sql = (
            f"SELECT s.survey_id{self._gsel()}, r.task_id, r.active_ms "
            f"FROM task_runs r JOIN sessions s ON s.id = r.session_id WHERE {self.where} "
            f"AND r.outcome IN ({marks})"
        )
        out: dict[tuple[Slot, str], list[float]] = defaultdict(list)
        n = self.ng
        for r in self.conn.execute(sql, [*self.gargs, *self.where_args, *outcomes]):
            ms = r[2 + n]
            out[(self._key(r), r[1 + n])].append(0.0 if ms is None else ms / 1000.0)
        return out

    def text_answers(self, ids: Iterable[str]) -> list[tuple[Slot, str, str, str]]:
        """(slot, task id, question id, text) of the answers to the questions `ids`
        whose stored value is a JSON string (text answers, "other" texts), oldest
        session first. N/A and empty answers are left out."""
        ids = sorted(set(ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        sql = (
            f"SELECT s.survey_id{self._gsel()}, a.task_id, a.question_id, "
            f"json_extract(a.value_json, '$') FROM answers a JOIN sessions s ON s.id = a.session_id "
            f"WHERE {self.where} AND a.is_na = 0 AND a.question_id IN ({marks}) "
            f"AND json_valid(a.value_json) AND json_type(a.value_json) = 'text' "
            f"ORDER BY s.started_at, s.id"
        )
        n = self.ng
        return [
            (self._key(r), r[1 + n], r[2 + n], str(r[3 + n]))
            for r in self.conn.execute(sql, [*self.gargs, *self.where_args, *ids])
            if str(r[3 + n]).strip()
        ]
