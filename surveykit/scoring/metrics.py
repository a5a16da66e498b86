"""Scores from a survey database (SPEC §5): SQL aggregates in, `Estimate`s out.

All the SQL of scoring lives here. The database does the counting (histograms
of answers, per-respondent SUS/UMUX-Lite sums, task outcome counts), so a
million answers are reduced to a few thousand rows before Python sees them;
`surveykit.scoring.stats` does every formula.

What is counted:

* sessions in `preview` mode never; `--completed-only` keeps completed sessions
  only; `--since`/`--until` filter on `sessions.started_at` (UTC).
* answers: N/A and missing answers are left out (n says how many counted);
  values outside the question's scale are left out too and reported as a
  warning (the runner never stores them; they come from hand edits).
* SUS per respondent (session and task): odd items x − 1, even items 5 − x;
  one item missing → × 100/36; two or more → the respondent is excluded
  (`details.excluded`). UMUX-Lite needs both items.
* task runs: `skipped` runs are left out; runs without an outcome (the session
  ended mid-task) are left out and counted in `details.unfinished`.
* session abandonment: sessions with status `abandoned` / all sessions started.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import get_close_matches
from itertools import repeat
from typing import Any

from surveykit.scoring import stats
from surveykit.scoring.stats import Estimate
from surveykit.scoring.unknown import add_unknown_question_warnings
from surveykit.storage import queries
from surveykit.storage.queries import BY_COLUMNS, CatalogueEntry, SessionFilter

SCALE_TYPES = ("nps", "csat", "ces", "seq", "rating")
BATTERY_TYPES = ("sus", "umux_lite")
SCORED_TYPES = SCALE_TYPES + BATTERY_TYPES
FINISHED = ("success", "partial", "fail", "abandoned", "timeout")
STATUSES = ("completed", "abandoned", "interrupted", "in_progress")
NONE_LABEL = "(none)"


class ScoreError(ValueError):
    """A request that cannot be scored as asked (unknown survey, unknown --by key)."""


@dataclass(frozen=True)
class ScoreOptions:
    confidence: float = 0.95
    survey: str | None = None
    since: str | None = None  # stored UTC form (see queries.parse_moment)
    until: str | None = None
    completed_only: bool = False
    partial_as_success: bool = False
    times: str = "success"  # "success" | "all"
    by: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "confidence": self.confidence,
            "survey": self.survey,
            "since": self.since,
            "until": self.until,
            "completed_only": self.completed_only,
            "partial_as_success": self.partial_as_success,
            "times": self.times,
            "by": list(self.by),
        }


@dataclass(frozen=True)
class Metric:
    """One figure: what it is, what it is about, and its estimate."""

    metric: str  # stable machine name: nps, csat_top2, sus, completion, …
    label: str  # short human name
    estimate: Estimate
    unit: str  # "%", "points", "mean", "score", "s", "count"
    method: str  # "adjusted-wald", "t", "log-t", "" (no interval)
    question_id: str = ""
    task_id: str = ""
    subject: str = ""  # question text or task title
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "label": self.label,
            "question_id": self.question_id or None,
            "task_id": self.task_id or None,
            "subject": self.subject or None,
            **self.estimate.as_dict(),
            "unit": self.unit,
            "method": self.method or None,
            "details": self.details,
        }


@dataclass
class GroupScores:
    group: dict[str, str]  # {} when not grouped; else {by key: value}
    sessions: dict[str, int]  # started + one count per status
    metrics: list[Metric]

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "sessions": self.sessions,
            "metrics": [m.as_dict() for m in self.metrics],
        }


@dataclass
class SurveyScores:
    survey_id: str
    title: str
    groups: list[GroupScores]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey_id,
            "title": self.title,
            "groups": [g.as_dict() for g in self.groups],
            "warnings": self.warnings,
        }


@dataclass
class ScoreReport:
    database: str
    options: ScoreOptions
    surveys: list[SurveyScores]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": "surveykit-score/1",
            "database": self.database,
            "confidence": self.options.confidence,
            "options": self.options.as_dict(),
            "surveys": [s.as_dict() for s in self.surveys],
        }


# --- the layout of a survey: what to score, in reading order ------------------------------


@dataclass(frozen=True)
class _Variable:
    question_id: str
    type: str
    text: str
    scope: str


@dataclass
class _Layout:
    questions: list[_Variable]  # scope 'questions'
    after_each: list[_Variable]
    after: list[_Variable]
    tasks: list[tuple[str, str]]  # (task_id, title)
    # (definition, question_id) → catalogue row, for types and scale ranges
    rows: dict[tuple[str, str], CatalogueEntry]
    # (definition, battery id) → sus | umux_lite (batteries are stored as items only)
    batteries: dict[tuple[str, str], str]


_BATTERY_SUBJECT = {"sus": "System Usability Scale", "umux_lite": "UMUX-Lite"}


def _layout(conn: sqlite3.Connection, survey_id: str) -> _Layout:
    cat = queries.catalogue(conn, survey_id)
    rows = {(e.definition_sha256, e.question_id): e for e in cat}
    batteries = {
        (e.definition_sha256, e.parent_id): e.type
        for e in cat
        if e.type in BATTERY_TYPES and e.question_id != e.parent_id
    }
    seen: set[tuple[str, str]] = set()
    by_scope: dict[str, list[_Variable]] = {"questions": [], "after_each": [], "after": []}
    for e in cat:  # newest definition first: its text and order win
        if e.type in SCALE_TYPES and e.question_id == e.parent_id:
            text = e.text
        elif e.type in BATTERY_TYPES and e.question_id != e.parent_id:
            text = _BATTERY_SUBJECT[e.type]
        else:
            continue
        key = (e.parent_id, e.type)
        if key in seen:
            continue
        seen.add(key)
        by_scope[e.scope].append(_Variable(e.parent_id, e.type, text, e.scope))
    tasks: list[tuple[str, str]] = []
    seen_tasks: set[str] = set()
    for t in queries.task_catalogue(conn, survey_id):
        if t.task_id not in seen_tasks:
            seen_tasks.add(t.task_id)
            tasks.append((t.task_id, t.title))
    return _Layout(
        by_scope["questions"], by_scope["after_each"], by_scope["after"], tasks, rows, batteries
    )


# --- public entry point ---------------------------------------------------------------------


def score(conn: sqlite3.Connection, options: ScoreOptions, database: str = "") -> ScoreReport:
    """Score every survey (or `options.survey`) in an open database."""
    stats.z_value(options.confidence)  # validates the level early
    if options.times not in ("success", "all"):
        raise ScoreError("--times is 'success' or 'all'")
    known = queries.surveys(conn)
    if options.survey is not None and options.survey not in known:
        hint = get_close_matches(options.survey, list(known), n=1)
        raise ScoreError(
            f"no survey '{options.survey}' in the database"
            + (f"; did you mean '{hint[0]}'?" if hint else "")
            + (f" (surveys: {', '.join(known)})" if known and not hint else "")
        )
    _check_by(conn, options)
    flt = SessionFilter(
        survey=options.survey,
        since=options.since,
        until=options.until,
        completed_only=options.completed_only,
        by=options.by,
    )
    scorer = _Scorer(conn, options, flt, known)
    return ScoreReport(database=database, options=options, surveys=scorer.run())


def _check_by(conn: sqlite3.Connection, options: ScoreOptions) -> None:
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


GroupKey = tuple[str, ...]
Slot = tuple[str, GroupKey]  # (survey, group values)


class _Scorer:
    def __init__(
        self,
        conn: sqlite3.Connection,
        options: ScoreOptions,
        flt: SessionFilter,
        known: dict[str, str],
    ) -> None:
        self.conn = conn
        self.o = options
        self.flt = flt
        self.known = known
        self.where, self.where_args = flt.where("s")
        self.gexprs, self.gargs = flt.group_columns()
        self.ng = len(self.gexprs)
        self.warnings: dict[str, list[str]] = defaultdict(list)

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

    def _sessions(self) -> dict[Slot, Counter[str]]:
        sql = (
            f"SELECT s.survey_id{self._gsel()}, s.status, COUNT(*) FROM sessions s "
            f"WHERE {self.where} GROUP BY s.survey_id{self._gby()}, s.status"
        )
        out: dict[Slot, Counter[str]] = defaultdict(Counter)
        for row in self.conn.execute(sql, [*self.gargs, *self.where_args]):
            out[self._key(row)][row[1 + self.ng]] += int(row[2 + self.ng])
        return out

    def _scale_histograms(
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

    def _battery(self, ids: Iterable[str], kind: str) -> list[tuple[Slot, str, str, str, Any, Any, int]]:
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

    def _runs(self) -> list[tuple[Slot, str, str | None, int, int]]:
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

    def _times(self) -> dict[tuple[Slot, str], list[float]]:
        if self.o.times == "all":
            outcomes: tuple[str, ...] = FINISHED
        elif self.o.partial_as_success:
            outcomes = ("success", "partial")
        else:
            outcomes = ("success",)
        marks = ",".join("?" * len(outcomes))
        sql = (
            f"SELECT s.survey_id{self._gsel()}, r.task_id, r.active_ms "
            f"FROM task_runs r JOIN sessions s ON s.id = r.session_id WHERE {self.where} "
            f"AND r.outcome IN ({marks}) AND r.active_ms > 0"
        )
        out: dict[tuple[Slot, str], list[float]] = defaultdict(list)
        n = self.ng
        for r in self.conn.execute(sql, [*self.gargs, *self.where_args, *outcomes]):
            out[(self._key(r), r[1 + n])].append(r[2 + n] / 1000.0)
        return out

    # --- assembling -----------------------------------------------------------------------

    def run(self) -> list[SurveyScores]:
        sessions = self._sessions()
        in_scope = sorted({slot[0] for slot in sessions})
        if self.o.survey is not None and self.o.survey not in in_scope:
            in_scope = [self.o.survey]
        layouts = {sid: _layout(self.conn, sid) for sid in in_scope}

        scale_ids: set[str] = set()
        sus_ids: set[str] = set()
        umux_ids: set[str] = set()
        for lay in layouts.values():
            for (_def, qid), e in lay.rows.items():
                if e.type in SCALE_TYPES and qid == e.parent_id:
                    scale_ids.add(qid)
                elif e.type == "sus" and qid != e.parent_id:
                    sus_ids.add(qid)
                elif e.type == "umux_lite" and qid != e.parent_id:
                    umux_ids.add(qid)

        # (slot, task_id, question_id, type) → {value: count}
        hist: dict[tuple[Slot, str, str, str], Counter[float]] = defaultdict(Counter)
        ignored: Counter[tuple[str, str, str]] = Counter()
        for slot, def_, task_id, qid, value, count in self._scale_histograms(scale_ids):
            lay = layouts.get(slot[0])
            e = lay.rows.get((def_, qid)) if lay else None
            if e is None or e.type not in SCALE_TYPES:
                continue
            lo = e.scale_min if e.scale_min is not None else float("-inf")
            hi = e.scale_max if e.scale_max is not None else float("inf")
            if not (lo <= value <= hi and value.is_integer()):
                ignored[(slot[0], task_id, qid)] += count
                continue
            hist[(slot, task_id, qid, e.type)][value] += count

        sus_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]] = defaultdict(Counter)
        for slot, def_, task_id, parent, va, vb, k in self._battery(sus_ids, "sus"):
            lay = layouts.get(slot[0])
            if lay is not None and lay.batteries.get((def_, parent)) == "sus":
                sus_counts[(slot, task_id, parent)][(va, vb)] += k
        umux_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]] = defaultdict(Counter)
        for slot, def_, task_id, parent, va, vb, k in self._battery(umux_ids, "umux_lite"):
            lay = layouts.get(slot[0])
            if lay is not None and lay.batteries.get((def_, parent)) == "umux_lite":
                umux_counts[(slot, task_id, parent)][(va, vb)] += k

        runs: dict[tuple[Slot, str], Counter[tuple[str | None, int]]] = defaultdict(Counter)
        has_tasks = any(lay.tasks for lay in layouts.values())
        if has_tasks:
            for slot, task_id, outcome, errors, k in self._runs():
                runs[(slot, task_id)][(outcome, errors)] += k
        times = self._times() if has_tasks else {}

        # tasks and after_each answers seen in data but no longer in any definition
        data_tasks: dict[str, set[str]] = defaultdict(set)
        for slot, task_id in runs:
            data_tasks[slot[0]].add(task_id)

        for (survey, task_id, qid), k in sorted(ignored.items()):
            where = f" (task {task_id})" if task_id else ""
            self.warnings[survey].append(
                f"{qid}{where}: {k} answer{'s' if k != 1 else ''} outside the question's scale "
                f"left out"
            )
        add_unknown_question_warnings(self.conn, self.where, self.where_args, self.warnings)

        out: list[SurveyScores] = []
        for survey in in_scope:
            lay = layouts[survey]
            slots = sorted(
                (slot for slot in sessions if slot[0] == survey),
                key=lambda s: tuple((v == NONE_LABEL, v) for v in s[1]),
            )
            task_list = list(lay.tasks)
            for t in sorted(data_tasks.get(survey, set()) - {t for t, _ in task_list}):
                task_list.append((t, t))
            groups = []
            for slot in slots:
                metrics = self._group_metrics(
                    slot, lay, task_list, sessions[slot], hist, sus_counts, umux_counts, runs, times
                )
                status = sessions[slot]
                counts = {"started": sum(status.values())}
                counts.update({s: status.get(s, 0) for s in STATUSES})
                groups.append(
                    GroupScores(
                        group=dict(zip(self.o.by, slot[1], strict=True)),
                        sessions=counts,
                        metrics=metrics,
                    )
                )
            out.append(
                SurveyScores(
                    survey_id=survey,
                    title=self.known.get(survey, survey),
                    groups=groups,
                    warnings=self.warnings.get(survey, []),
                )
            )
        return out

    def _group_metrics(
        self,
        slot: Slot,
        lay: _Layout,
        task_list: list[tuple[str, str]],
        status: Counter[str],
        hist: dict[tuple[Slot, str, str, str], Counter[float]],
        sus_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]],
        umux_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]],
        runs: dict[tuple[Slot, str], Counter[tuple[str | None, int]]],
        times: dict[tuple[Slot, str], list[float]],
    ) -> list[Metric]:
        c = self.o.confidence
        out: list[Metric] = []
        if not self.o.completed_only:
            started = sum(status.values())
            abandoned = status.get("abandoned", 0)
            out.append(
                Metric(
                    "abandonment",
                    "Abandoned sessions",
                    stats.adjusted_wald(abandoned, started, c).scaled(100.0),
                    "%",
                    "adjusted-wald",
                    subject="sessions",
                    details={"abandoned": abandoned, "started": started},
                )
            )

        def question(v: _Variable, task_id: str) -> list[Metric]:
            if v.type in SCALE_TYPES:
                counts = hist.get((slot, task_id, v.question_id, v.type), Counter())
                return scale_metrics(v.type, counts, c, v.question_id, task_id, v.text)
            if v.type == "sus":
                return [sus_metric(sus_counts.get((slot, task_id, v.question_id), Counter()), c,
                                   v.question_id, task_id, v.text)]
            return umux_metrics(umux_counts.get((slot, task_id, v.question_id), Counter()), c,
                                v.question_id, task_id, v.text)

        for v in lay.questions:
            out.extend(question(v, ""))
        for task_id, title in task_list:
            out.extend(
                task_metrics(
                    runs.get((slot, task_id), Counter()),
                    times.get((slot, task_id), []),
                    c,
                    task_id,
                    title,
                    partial_as_success=self.o.partial_as_success,
                    times_label=self.o.times,
                )
            )
            for v in lay.after_each:
                out.extend(question(v, task_id))
        for v in lay.after:
            out.extend(question(v, ""))
        return out


# --- metric builders (pure: counts in, Metrics out) --------------------------------------

_SCALE_LABEL = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "seq": "SEQ", "rating": "Rating"}


def scale_metrics(
    qtype: str,
    counts: Counter[float] | dict[float, int],
    confidence: float,
    question_id: str,
    task_id: str = "",
    subject: str = "",
) -> list[Metric]:
    """The metrics of one scale question from its histogram {value: answers}."""
    n = sum(counts.values())
    common = {"question_id": question_id, "task_id": task_id, "subject": subject}

    def share(hits: int, name: str, label: str) -> Metric:
        return Metric(
            name, label, stats.adjusted_wald(hits, n, confidence).scaled(100.0), "%",
            "adjusted-wald", **common, details={"count": hits},
        )

    def mean(name: str, label: str) -> Metric:
        return Metric(name, label, stats.mean_t_counts(counts, confidence), "mean", "t", **common)

    if qtype == "nps":
        promoters = sum(k for v, k in counts.items() if v >= 9)
        passives = sum(k for v, k in counts.items() if 7 <= v < 9)
        detractors = sum(k for v, k in counts.items() if v < 7)
        result = stats.nps_counts(promoters, passives, detractors, confidence)
        return [
            Metric("nps", "NPS", result.estimate, "points", "adjusted-wald", **common,
                   details={"promoters": promoters, "passives": passives, "detractors": detractors}),
            share(promoters, "nps_promoters", "promoters (9-10)"),
            share(passives, "nps_passives", "passives (7-8)"),
            share(detractors, "nps_detractors", "detractors (0-6)"),
        ]
    if qtype == "csat":
        return [
            share(sum(k for v, k in counts.items() if v >= 4), "csat_top2", "CSAT top-2-box"),
            mean("csat_mean", "CSAT mean (1-5)"),
        ]
    if qtype == "ces":
        return [
            mean("ces_mean", "CES mean (1-7)"),
            share(sum(k for v, k in counts.items() if v >= 5), "ces_agree", "CES agree (5-7)"),
        ]
    if qtype == "seq":
        return [mean("seq_mean", "SEQ mean (1-7)")]
    if qtype == "rating":
        return [mean("rating_mean", "Rating mean")]
    raise ValueError(f"not a scale type: {qtype!r}")


def sus_metric(
    counts: Counter[tuple[Any, Any]] | dict[tuple[Any, Any], int],
    confidence: float,
    question_id: str,
    task_id: str = "",
    subject: str = "",
) -> Metric:
    """SUS from {(sum of item contributions, items answered): respondents}."""
    scores: Counter[float] = Counter()
    excluded = 0
    for (contributions, answered), k in counts.items():
        s = stats.sus_score(float(contributions or 0), int(answered or 0))
        if s is None:
            excluded += k
        else:
            scores[s] += k
    est = stats.mean_t_counts(scores, confidence)
    details: dict[str, Any] = {"excluded": excluded, "grade": None}
    if est.value is not None:
        details["grade"] = stats.sus_grade(est.value)
        if est.low is not None and est.high is not None:
            details["grade_low"] = stats.sus_grade(est.low)
            details["grade_high"] = stats.sus_grade(est.high)
    return Metric("sus", "SUS", est, "score", "t", question_id, task_id, subject, details)


def umux_metrics(
    counts: Counter[tuple[Any, Any]] | dict[tuple[Any, Any], int],
    confidence: float,
    question_id: str,
    task_id: str = "",
    subject: str = "",
) -> list[Metric]:
    """UMUX-Lite and its SUS equivalent from {(item 1, item 2): respondents}."""
    scores: Counter[float] = Counter()
    excluded = 0
    for (i1, i2), k in counts.items():
        s = stats.umux_lite(i1, i2)
        if s is None:
            excluded += k
        else:
            scores[s] += k
    est = stats.mean_t_counts(scores, confidence)
    eq = stats.umux_lite_sus_equivalent

    def tr(x: float | None) -> float | None:
        return None if x is None else eq(x)

    sus_eq = Estimate(tr(est.value), tr(est.low), tr(est.high), est.n, est.confidence)
    return [
        Metric("umux_lite", "UMUX-Lite", est, "score", "t", question_id, task_id, subject,
               {"excluded": excluded}),
        Metric("umux_lite_sus", "UMUX-Lite as SUS (0.65x+22.9)", sus_eq, "score", "t", question_id,
               task_id, subject,
               {"grade": None if sus_eq.value is None else stats.sus_grade(sus_eq.value)}),
    ]


def task_metrics(
    runs: Counter[tuple[str | None, int]] | dict[tuple[str | None, int], int],
    times_s: Sequence[float],
    confidence: float,
    task_id: str,
    title: str = "",
    *,
    partial_as_success: bool = False,
    times_label: str = "success",
) -> list[Metric]:
    """Completion, time on task, errors and abandonment of one task.

    `runs` counts runs by (outcome, errors); `times_s` are the active times in
    seconds of the runs that count for time on task.
    """
    common = {"task_id": task_id, "subject": title}
    outcomes: list[str | None] = []
    for (outcome, _errors), k in runs.items():
        outcomes.extend(repeat(outcome, k))
    counted = [(o, e, k) for (o, e), k in runs.items() if o in FINISHED]
    n = sum(k for _, _, k in counted)
    unfinished = sum(k for (o, _), k in runs.items() if o is None)
    skipped = sum(k for (o, _), k in runs.items() if o == "skipped")
    by_outcome = Counter({o: 0 for o in FINISHED})
    for o, _e, k in counted:
        by_outcome[o] += k
    completion = stats.completion_rate(outcomes, confidence, partial_as_success).scaled(100.0)
    tot = stats.time_on_task(times_s, confidence)
    err_counts: Counter[float] = Counter()
    with_error = 0
    for _o, e, k in counted:
        err_counts[float(e)] += k
        if e >= 1:
            with_error += k
    abandoned = by_outcome["abandoned"]
    which = "every finished run" if times_label == "all" else (
        "successful and partial runs" if partial_as_success else "successful runs"
    )
    return [
        Metric("completion", "Completion", completion, "%", "adjusted-wald", **common,
               details={**dict(by_outcome), "skipped": skipped, "unfinished": unfinished,
                        "partial_as_success": partial_as_success}),
        Metric("time_on_task", "Time on task (geo)", tot.geometric, "s", "log-t", **common,
               details={"runs": which}),
        Metric("time_on_task_median", "Time on task median",
               Estimate(tot.median, None, None, tot.n, confidence), "s", "", **common),
        Metric("time_on_task_mean", "Time on task mean",
               Estimate(tot.mean, None, None, tot.n, confidence), "s", "", **common),
        Metric("errors_mean", "Errors per run", stats.mean_t_counts(err_counts, confidence),
               "count", "t", **common),
        Metric("errors_any", "Runs with errors",
               stats.adjusted_wald(with_error, n, confidence).scaled(100.0), "%",
               "adjusted-wald", **common, details={"count": with_error}),
        Metric("task_abandonment", "Abandoned runs",
               stats.adjusted_wald(abandoned, n, confidence).scaled(100.0), "%",
               "adjusted-wald", **common, details={"count": abandoned}),
    ]
