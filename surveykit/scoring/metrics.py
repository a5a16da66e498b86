"""Scores from a survey database (SPEC §5): `score()` puts a report together.

The package has one module per job:

* `source`: every SQL query (the database does the counting: histograms of
  answers, per-respondent SUS/UMUX-Lite sums, task outcome counts);
* `builders`: the metrics of one question, battery or task from those counts;
* `stats`: every formula (no SQL, no I/O);
* `results`: the report's data classes (`ScoreOptions`, `Metric`, `ScoreReport`…);
* this module: which metrics each survey and group gets, in reading order, and
  the warnings; it re-exports the public names of the others.

What is counted:

* sessions in `preview` mode never; `--completed-only` keeps completed sessions
  only; `--since`/`--until` filter on `sessions.started_at` (UTC).
* answers: N/A and missing answers are left out (n says how many counted);
  values outside the question's scale are left out too and reported as a
  warning (the runner never stores them; they come from hand edits). A value
  between two points of a scale (3.5 from another tool) counts, except for
  NPS, which has no category for it (left out, with a warning).
* a question whose scale changed between definition versions (1-5, then
  1-10) is scored once per scale (`details.scale`), never pooled, and a
  warning says so. `number` questions get a mean (t interval) and a median.
* task runs: a finished run with no active time (0 ms) is left out of time on
  task (a geometric mean needs times above 0), counted in the time metric's
  `details.excluded` and reported as a warning.
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
from difflib import get_close_matches
from typing import Any

from surveykit.scoring import stats
from surveykit.scoring.builders import (
    BATTERY_TYPES,
    FINISHED,
    NUMERIC_TYPES,
    SCALE_TYPES,
    SCORED_TYPES,
    Scale,
    scale_metrics,
    scale_text,
    sus_metric,
    task_metrics,
    umux_metrics,
)
from surveykit.scoring.results import (
    GroupScores,
    Metric,
    ScoreError,
    ScoreOptions,
    ScoreReport,
    SurveyScores,
)
from surveykit.scoring.source import (
    NONE_LABEL,
    GroupKey,
    Layout,
    ScoreSource,
    Slot,
    Variable,
    check_by,
    group_label,
    layout,
)
from surveykit.scoring.unknown import add_unknown_question_warnings
from surveykit.storage import queries
from surveykit.vocabulary import END_STATUSES, Status

__all__ = [
    "BATTERY_TYPES",
    "FINISHED",
    "NONE_LABEL",
    "NUMERIC_TYPES",
    "SCALE_TYPES",
    "SCORED_TYPES",
    "STATUSES",
    "GroupKey",
    "GroupScores",
    "Metric",
    "ScoreError",
    "ScoreOptions",
    "ScoreReport",
    "Slot",
    "SurveyScores",
    "group_label",
    "scale_metrics",
    "score",
    "sus_metric",
    "task_metrics",
    "umux_metrics",
]

HistKey = tuple[Slot, str, str, str, Scale]  # (slot, task_id, question_id, type, scale)

#: Session statuses in the order `sessions` counts them in the report.
STATUSES: tuple[str, ...] = (*END_STATUSES, Status.IN_PROGRESS.value)


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
    check_by(conn, options)
    return ScoreReport(database=database, options=options, surveys=_Scorer(conn, options, known).run())


class _Scorer:
    """Puts the counts read by `ScoreSource` together into metrics, survey by survey and group by group."""

    def __init__(self, conn: sqlite3.Connection, options: ScoreOptions, known: dict[str, str]) -> None:
        self.conn = conn
        self.o = options
        self.known = known
        self.src = ScoreSource(conn, options)
        self.warnings: dict[str, list[str]] = defaultdict(list)

    def run(self) -> list[SurveyScores]:
        sessions = self.src.sessions()
        in_scope = sorted({slot[0] for slot in sessions})
        if self.o.survey is not None and self.o.survey not in in_scope:
            in_scope = [self.o.survey]
        layouts = {sid: layout(self.conn, sid) for sid in in_scope}

        scale_ids: set[str] = set()
        sus_ids: set[str] = set()
        umux_ids: set[str] = set()
        for lay in layouts.values():
            for (_def, qid), e in lay.rows.items():
                if e.type in NUMERIC_TYPES and qid == e.parent_id:
                    scale_ids.add(qid)
                elif e.type == "sus" and qid != e.parent_id:
                    sus_ids.add(qid)
                elif e.type == "umux_lite" and qid != e.parent_id:
                    umux_ids.add(qid)

        # (slot, task_id, question_id, type, scale) → {value: count}. Answers are
        # kept apart by the scale of the definition they were given under: a
        # question whose scale changed (1-5, then 1-10) is never pooled.
        hist: dict[HistKey, Counter[float]] = defaultdict(Counter)
        answered_on: dict[tuple[str, str, str], set[Scale]] = defaultdict(set)
        ignored: Counter[tuple[str, str, str]] = Counter()
        not_whole: Counter[tuple[str, str, str]] = Counter()
        for slot, def_, task_id, qid, value, count in self.src.scale_histograms(scale_ids):
            of_survey = layouts.get(slot[0])
            row = of_survey.rows.get((def_, qid)) if of_survey is not None else None
            if row is None or row.type not in NUMERIC_TYPES:
                continue
            e = row
            lo = e.scale_min if e.scale_min is not None else float("-inf")
            hi = e.scale_max if e.scale_max is not None else float("inf")
            if not lo <= value <= hi:
                ignored[(slot[0], task_id, qid)] += count
                continue
            # A value between two points (a CSAT of 3.5 from another tool) is on
            # the scale and counts; NPS alone has no category for it.
            if e.type == "nps" and not value.is_integer():
                not_whole[(slot[0], task_id, qid)] += count
                continue
            scale = (e.scale_min, e.scale_max)
            hist[(slot, task_id, qid, e.type, scale)][value] += count
            answered_on[(slot[0], qid, e.type)].add(scale)
        # (survey, question id, type) → the scales to score it on, newest first
        scales: dict[tuple[str, str, str], list[Scale]] = {}
        for survey, lay in layouts.items():
            for (qid, qtype), known in lay.scales.items():
                used = [sc for sc in known if sc in answered_on.get((survey, qid, qtype), ())]
                scales[(survey, qid, qtype)] = used or known[:1]
                if len(used) > 1:
                    self.warnings[survey].append(
                        f"{qid}: its scale changed between definition versions ("
                        + ", then ".join(scale_text(sc) for sc in reversed(used))
                        + "); scored separately on each scale, not pooled"
                    )

        sus_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]] = defaultdict(Counter)
        for slot, def_, task_id, parent, va, vb, k in self.src.battery(sus_ids, "sus"):
            of_survey = layouts.get(slot[0])
            if of_survey is not None and of_survey.batteries.get((def_, parent)) == "sus":
                sus_counts[(slot, task_id, parent)][(va, vb)] += k
        umux_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]] = defaultdict(Counter)
        for slot, def_, task_id, parent, va, vb, k in self.src.battery(umux_ids, "umux_lite"):
            of_survey = layouts.get(slot[0])
            if of_survey is not None and of_survey.batteries.get((def_, parent)) == "umux_lite":
                umux_counts[(slot, task_id, parent)][(va, vb)] += k

        runs: dict[tuple[Slot, str], Counter[tuple[str | None, int]]] = defaultdict(Counter)
        has_tasks = any(lay.tasks for lay in layouts.values())
        if has_tasks:
            for slot, task_id, outcome, errors, k in self.src.runs():
                runs[(slot, task_id)][(outcome, errors)] += k
        times = self.src.times() if has_tasks else {}
        untimed: Counter[tuple[str, str]] = Counter()
        for (slot, task_id), values in times.items():
            untimed[(slot[0], task_id)] += sum(1 for t in values if not t > 0.0)

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
        for (survey, task_id), k in sorted(untimed.items()):
            if k:
                self.warnings[survey].append(
                    f"task {task_id}: {k} timed run{'s' if k != 1 else ''} with no active time "
                    f"(0 ms) left out of time on task (a geometric mean needs times above 0)"
                )
        for (survey, task_id, qid), k in sorted(not_whole.items()):
            where = f" (task {task_id})" if task_id else ""
            self.warnings[survey].append(
                f"{qid}{where}: {k} answer{'s' if k != 1 else ''} between two points of the "
                f"0-10 scale left out (NPS has no category for them)"
            )
        add_unknown_question_warnings(self.conn, self.src.where, self.src.where_args, self.warnings)

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
                    slot, lay, task_list, sessions[slot], hist, scales, sus_counts, umux_counts,
                    runs, times,
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
        lay: Layout,
        task_list: list[tuple[str, str]],
        status: Counter[str],
        hist: dict[HistKey, Counter[float]],
        scales: dict[tuple[str, str, str], list[Scale]],
        sus_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]],
        umux_counts: dict[tuple[Slot, str, str], Counter[tuple[Any, Any]]],
        runs: dict[tuple[Slot, str], Counter[tuple[str | None, int]]],
        times: dict[tuple[Slot, str], list[float]],
    ) -> list[Metric]:
        c = self.o.confidence
        out: list[Metric] = []
        if not self.o.completed_only:
            started = sum(status.values())
            abandoned = status.get(Status.ABANDONED, 0)
            out.append(
                Metric(
                    "abandonment",
                    "Abandoned sessions",
                    stats.adjusted_wald(abandoned, started, c).scaled(100.0),
                    "%",
                    "adjusted-wald",
                    subject="sessions",
                    details={"abandoned": abandoned, "started": started},
                    sample={1.0: abandoned, 0.0: started - abandoned},
                )
            )

        def question(v: Variable, task_id: str) -> list[Metric]:
            if v.type in NUMERIC_TYPES:
                on = scales.get((slot[0], v.question_id, v.type)) or [(None, None)]
                found: list[Metric] = []
                for scale in on:
                    counts = hist.get((slot, task_id, v.question_id, v.type, scale), Counter())
                    found.extend(scale_metrics(v.type, counts, c, v.question_id, task_id, v.text,
                                               scale=scale, split=len(on) > 1))
                return found
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

