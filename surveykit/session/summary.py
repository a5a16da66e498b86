"""What a moderated session came to: each task's outcome, time, counts and SEQ,
and the SUS (the moderator's summary screen shows it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from surveykit.definition.models import Survey
from surveykit.storage.store import Store
from surveykit.vocabulary import EventKind

__all__ = ["SessionSummary", "SusGrade", "SusScore", "TaskSummary", "study_summary"]

#: a SUS score from its ten items (None for missing ones); ValueError when too many are missing
SusScore = Callable[[Sequence[int | None]], "float | None"]
#: the letter grade of a SUS score
SusGrade = Callable[[float], str]


@dataclass(frozen=True)
class TaskSummary:
    task_id: str
    title: str
    position: int
    outcome: str | None
    active_ms: int
    errors: int
    hints: int
    notes: int
    seq: Any  # the SEQ answer (1-7), None if not answered or N/A


@dataclass(frozen=True)
class SessionSummary:
    participant: str | None
    tasks: list[TaskSummary]
    sus: float | None
    sus_grade: str | None
    session_notes: int = 0
    #: the SUS items as answered (None: not answered or N/A); None without a SUS
    sus_items: tuple[int | None, ...] | None = None


def study_summary(
    store: Store,
    session_id: int,
    survey: Survey,
    *,
    sus_score: SusScore | None = None,
    sus_grade: SusGrade | None = None,
) -> SessionSummary:
    """Each task's outcome, active time, errors, hints, notes and SEQ; the SUS items,
    and the SUS score and grade when the front end passes the scorer (the session
    layer does no scoring: `surveykit.scoring.stats.sus_respondent` and `sus_grade`)."""
    row = store.session(session_id)
    answers = store.answers(session_id)
    notes: dict[str | None, int] = {}
    for e in store.events(session_id):
        if e["kind"] == EventKind.NOTE:
            notes[e["task_id"]] = notes.get(e["task_id"], 0) + 1
    seq_id = None
    if survey.tasks:
        seq_id = next((q.id for q in survey.tasks.after_each if q.type == "seq"), None)
    runs = {r["task_id"]: r for r in store.task_runs(session_id)}
    order = row.task_order or ([t.id for t in survey.tasks.items] if survey.tasks else [])
    tasks = []
    for pos, tid in enumerate(order, 1):
        try:
            title = survey.task(tid).title
        except KeyError:
            title = tid
        r = runs.get(tid, {})
        seq = None
        if seq_id is not None and (a := answers.get((tid, seq_id))) is not None and not a.is_na:
            seq = a.value
        tasks.append(
            TaskSummary(
                task_id=tid,
                title=title,
                position=int(r.get("position") or pos),
                outcome=r.get("outcome"),
                active_ms=int(r.get("active_ms") or 0),
                errors=int(r.get("errors") or 0),
                hints=int(r.get("hints") or 0),
                notes=notes.get(tid, 0),
                seq=seq,
            )
        )
    score: float | None = None
    grade: str | None = None
    items: list[int | None] | None = None
    sus_q = next((q for q in survey.after if q.type == "sus"), None)
    if sus_q is not None:
        items = []
        for key in sus_q.item_ids():
            a = answers.get(("", key))
            items.append(a.value if a is not None and not a.is_na else None)
        if sus_score is not None:
            try:
                score = sus_score(items)
            except ValueError:  # too many items missing
                score = None
        if score is not None and sus_grade is not None:
            grade = sus_grade(score)
    return SessionSummary(
        participant=row.participant,
        tasks=tasks,
        sus=score,
        sus_grade=grade,
        session_notes=notes.get(None, 0),
        sus_items=tuple(items) if items is not None else None,
    )
