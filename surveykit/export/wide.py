"""`responses_<survey>`: one row per session, one column per variable, with
SUS and UMUX-Lite scores per respondent and task outcomes and times; and the
codebook rows describing those columns."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from surveykit.export.catalogue import Catalogue, QInfo, decode, number, other_text
from surveykit.export.tables import scan
from surveykit.storage import queries
from surveykit.storage.queries import CatalogueEntry, SessionFilter
from surveykit.vocabulary import END_STATUSES, OUTCOMES, Mode, Status

Answers = dict[tuple[str, str], tuple[Any, bool]]  # (task_id, question_id) → (value, is_na)
Runs = dict[str, tuple[Any, ...]]  # task_id → (position, outcome, active_ms, errors, hints)
Getter = Callable[[Answers, Runs], Any]


@dataclass
class _Column:
    name: str
    get: Getter
    # codebook
    question_id: str | None = None
    task_id: str | None = None
    scope: str | None = None
    type: str = ""
    level: str = ""
    text: str = ""
    labels: dict[str, str] | None = None
    notes: str = ""


def _value_of(task_id: str, qid: str) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        v = ans.get((task_id, qid))
        if v is None or v[1]:
            return None
        value = v[0]
        return "other" if isinstance(value, dict) else value
    return get


def _na_of(task_id: str, keys: list[str]) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        seen = [ans[(task_id, k)] for k in keys if (task_id, k) in ans]
        if not seen:
            return None
        return int(any(v[1] for v in seen))
    return get


def _other_of(task_id: str, qid: str) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        v = ans.get((task_id, qid))
        return None if v is None or v[1] else other_text(v[0])
    return get


def _dummy_of(task_id: str, qid: str, stored: Any) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        v = ans.get((task_id, qid))
        if v is None or v[1] or not isinstance(v[0], list):
            return None
        return int(stored in v[0])
    return get


def _sus_of(task_id: str, items: list[str]) -> Getter:
    from surveykit.scoring.stats import sus_respondent  # scipy: only when needed

    def get(ans: Answers, _runs: Runs) -> Any:
        vals: list[int | None] = []
        present = False
        for k in items:
            v = ans.get((task_id, k))
            if v is not None:
                present = True
            ok = v is not None and not v[1] and isinstance(v[0], int | float) and v[0] in (1, 2, 3, 4, 5)
            vals.append(int(v[0]) if ok and v is not None else None)
        if not present:
            return None
        return sus_respondent(vals)
    return get


def _umux_of(task_id: str, items: list[str]) -> Getter:
    from surveykit.scoring.stats import umux_lite

    def get(ans: Answers, _runs: Runs) -> Any:
        vals: list[int | None] = []
        for k in items:
            v = ans.get((task_id, k))
            ok = v is not None and not v[1] and isinstance(v[0], int | float) and 1 <= v[0] <= 7
            vals.append(int(v[0]) if ok and v is not None and float(v[0]).is_integer() else None)
        return umux_lite(vals[0], vals[1])
    return get


def _run_of(task_id: str, index: int) -> Getter:
    def get(_ans: Answers, runs: Runs) -> Any:
        r = runs.get(task_id)
        return None if r is None else r[index]
    return get


_LEVEL = {
    "nps": "ordinal", "csat": "ordinal", "ces": "ordinal", "seq": "ordinal", "rating": "ordinal",
    "sus": "ordinal", "umux_lite": "ordinal", "choice": "nominal", "multi": "nominal",
    "text": "text", "number": "scale",
}


class Wide:
    """Columns of `responses_<survey>` and the rows, merged session by session."""

    def __init__(
        self, conn: sqlite3.Connection, survey_id: str, cat: Catalogue, flt: SessionFilter
    ) -> None:
        self.conn = conn
        self.survey_id = survey_id
        self.cat = cat
        self.flt = flt
        self.meta_keys = queries.meta_keys(conn, survey_id)
        self.columns = self._columns()

    # --- columns ---------------------------------------------------------------------

    def _columns(self) -> list[_Column]:
        entries = queries.catalogue(self.conn, self.survey_id)
        infos = self.cat.by_def
        # newest definition first: one representative row per question id
        parents: dict[str, CatalogueEntry] = {}
        items: dict[str, list[CatalogueEntry]] = {}
        for e in entries:
            if e.question_id == e.parent_id:
                parents.setdefault(e.question_id, e)
            else:
                lst = items.setdefault(e.parent_id, [])
                if all(x.question_id != e.question_id for x in lst):
                    lst.append(e)
        for e in entries:  # batteries have no parent row: make one from the first item
            if e.question_id != e.parent_id and e.parent_id not in parents:
                parents[e.parent_id] = e
        tasks: list[tuple[str, str]] = []
        for t in queries.task_catalogue(self.conn, self.survey_id):
            if all(t.task_id != x for x, _ in tasks):
                tasks.append((t.task_id, t.title))

        cols: list[_Column] = [
            _Column("session_id", lambda a, r: None, level="id", text="Session id (sessions.id)"),
            _Column("mode", lambda a, r: None, level="nominal", text="How the session ran",
                    labels={Mode.RUN: "terminal run", Mode.KIOSK: "kiosk",
                            Mode.MODERATE: "moderated"}),
            _Column("participant", lambda a, r: None, level="id", text="Participant id"),
            _Column("device", lambda a, r: None, level="nominal", text="Device or terminal name"),
            _Column("status", lambda a, r: None, level="nominal", text="Session status",
                    labels={s: s for s in (*END_STATUSES, Status.IN_PROGRESS)}),
            _Column("started_at", lambda a, r: None, level="datetime",
                    text="Start, UTC ISO 8601 with milliseconds"),
            _Column("ended_at", lambda a, r: None, level="datetime",
                    text="End, UTC ISO 8601 with milliseconds (empty while in progress)"),
            _Column("definition_sha256", lambda a, r: None, level="id",
                    text="Which version of the definition the session used"),
        ]
        self.fixed = len(cols)
        for k in self.meta_keys:
            cols.append(_Column(f"meta.{k}", lambda a, r: None, level="nominal",
                                text=f"Session meta data '{k}'"))
        self.meta_start = self.fixed
        self.fixed = len(cols)

        def block(scope: str, task_id: str, prefix: str) -> list[_Column]:
            out: list[_Column] = []
            ordered = sorted(
                (e for e in parents.values() if e.scope == scope),
                key=lambda e: (e.definition_sha256 != entries[0].definition_sha256, e.position),
            )
            for e in ordered:
                info = infos.get((e.definition_sha256, e.question_id))
                out.extend(self._question_columns(e, info, items.get(e.parent_id, []), task_id,
                                                  prefix))
            return out

        cols.extend(block("questions", "", ""))
        for task_id, title in tasks:
            name = f"Task {task_id} ({title})"
            cols.extend([
                _Column(f"{task_id}.position", _run_of(task_id, 0), task_id=task_id,
                        level="scale", text=f"{name}: position in the session's task order (1 = first)"),
                _Column(f"{task_id}.outcome", _run_of(task_id, 1), task_id=task_id,
                        level="nominal", text=f"{name}: outcome coded by the moderator",
                        labels={o: o for o in OUTCOMES},
                        notes="empty: not attempted, or the session ended mid-task"),
                _Column(f"{task_id}.active_ms", _run_of(task_id, 2), task_id=task_id,
                        level="scale", text=f"{name}: active time in milliseconds (pauses excluded)"),
                _Column(f"{task_id}.errors", _run_of(task_id, 3), task_id=task_id,
                        level="scale", text=f"{name}: errors logged"),
                _Column(f"{task_id}.hints", _run_of(task_id, 4), task_id=task_id,
                        level="scale", text=f"{name}: hints given"),
            ])
            cols.extend(block("after_each", task_id, f"{task_id}."))
        cols.extend(block("after", "", ""))
        return cols

    def _question_columns(
        self,
        e: CatalogueEntry,
        info: QInfo | None,
        item_rows: list[CatalogueEntry],
        task_id: str,
        prefix: str,
    ) -> list[_Column]:
        qid = e.parent_id
        where = f" (after task {task_id})" if task_id else ""
        base: dict[str, Any] = {"question_id": qid, "task_id": task_id or None, "scope": e.scope, "type": e.type}
        na = info is not None and info.na
        cols: list[_Column] = []
        if e.type == "note":
            return cols
        if e.type in ("sus", "umux_lite"):
            keys = []
            for it in sorted(item_rows, key=lambda x: x.position):
                keys.append(it.question_id)
                cols.append(_Column(
                    prefix + it.question_id, _value_of(task_id, it.question_id),
                    **{**base, "question_id": it.question_id}, level="ordinal",
                    text=it.text + where, labels=it.labels,
                ))
            if e.type == "sus":
                cols.append(_Column(
                    prefix + qid, _sus_of(task_id, keys), **base, level="scale",
                    text=f"SUS score 0-100{where}",
                    notes="odd items x-1, even items 5-x, sum x 2.5; one item missing: x 100/36; "
                          "two or more missing: empty",
                ))
            else:
                cols.append(_Column(
                    prefix + qid, _umux_of(task_id, keys), **base, level="scale",
                    text=f"UMUX-Lite score 0-100{where}",
                    notes="(item1 + item2 - 2) x 100/12; empty when an item is missing; "
                          "SUS-equivalent = 0.65 x score + 22.9",
                ))
            if na:
                cols.append(_Column(prefix + qid + "_na", _na_of(task_id, keys), **base,
                                    level="nominal", text=f"{qid}: an item answered N/A{where}",
                                    labels={"0": "no", "1": info.na_label if info else "N/A"}))
            return cols
        text = e.text + where
        if e.type == "multi":
            for o in e.options:
                stored = o.get("value")
                if stored == "other":
                    continue
                cols.append(_Column(
                    f"{prefix}{qid}.{stored}", _dummy_of(task_id, qid, stored), **base,
                    level="nominal", text=f"{text} — {o.get('text')}",
                    labels={"0": "not selected", "1": "selected"},
                    notes="empty: question not answered",
                ))
            if info is not None and info.other:
                cols.append(_Column(f"{prefix}{qid}_other", _other_of(task_id, qid), **base,
                                    level="text", text=f"{text} — other (typed)"))
        else:
            labels = e.labels or None
            if e.type == "choice":
                labels = {str(o.get("value")): str(o.get("text")) for o in e.options}
            notes = ""
            if e.scale_min is not None or e.scale_max is not None:
                lo = "" if e.scale_min is None else number(e.scale_min)
                hi = "" if e.scale_max is None else number(e.scale_max)
                notes = f"range {lo}..{hi}"
            cols.append(_Column(prefix + qid, _value_of(task_id, qid), **base,
                                level=_LEVEL.get(e.type, ""), text=text, labels=labels,
                                notes=notes))
            if e.type == "choice" and info is not None and info.other:
                cols.append(_Column(f"{prefix}{qid}_other", _other_of(task_id, qid), **base,
                                    level="text", text=f"{text} — other (typed)"))
        if na:
            cols.append(_Column(f"{prefix}{qid}_na", _na_of(task_id, [qid]), **base,
                                level="nominal", text=f"{qid}: answered N/A{where}",
                                labels={"0": "no", "1": info.na_label if info else "N/A"},
                                notes="1: the value column is empty because N/A was chosen"))
        return cols

    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def codebook(self, file: str) -> list[list[Any]]:
        return [
            [file, self.survey_id, c.name, c.question_id, c.task_id, c.scope, c.type or None,
             c.level, c.text, c.labels or None, c.notes or None]
            for c in self.columns
        ]

    # --- rows ------------------------------------------------------------------------

    def rows(self) -> Iterator[list[Any]]:
        flt = SessionFilter(
            survey=self.survey_id, since=self.flt.since, until=self.flt.until,
            completed_only=self.flt.completed_only, include_preview=self.flt.include_preview,
        )
        where, args = flt.where("s")
        sessions = self.conn.execute(
            "SELECT s.id, s.mode, s.participant, s.device, s.status, s.started_at, s.ended_at, "
            f"s.definition_sha256, s.meta_json FROM {scan()} WHERE {where} ORDER BY s.id",
            args,
        )
        answers = self.conn.execute(
            "SELECT a.session_id, a.task_id, a.question_id, a.value_json, a.value_num, a.is_na "
            f"FROM {scan()} CROSS JOIN answers a ON a.session_id = s.id WHERE {where} "
            "ORDER BY s.id",
            args,
        )
        runs = self.conn.execute(
            "SELECT r.session_id, r.task_id, r.position, r.outcome, r.active_ms, r.errors, "
            f"r.hints FROM {scan()} CROSS JOIN task_runs r ON r.session_id = s.id "
            f"WHERE {where} ORDER BY s.id",
            args,
        )
        a_next = next(answers, None)
        r_next = next(runs, None)
        meta_keys = self.meta_keys
        getters = [c.get for c in self.columns[self.fixed:]]
        for s in sessions:
            sid = s[0]
            ans: Answers = {}
            while a_next is not None and a_next[0] <= sid:
                if a_next[0] == sid:
                    ans[(a_next[1], a_next[2])] = (decode(a_next[3], a_next[4]), bool(a_next[5]))
                a_next = next(answers, None)
            rn: Runs = {}
            while r_next is not None and r_next[0] <= sid:
                if r_next[0] == sid:
                    rn[r_next[1]] = r_next[2:]
                r_next = next(runs, None)
            meta = json.loads(s[8]) if s[8] else {}
            if not isinstance(meta, dict):
                meta = {}
            row = list(s[:8])
            row.extend(meta.get(k) for k in meta_keys)
            row.extend(g(ans, rn) for g in getters)
            yield row
