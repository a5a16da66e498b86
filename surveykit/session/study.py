"""A moderated usability session: task order, the current task, its clock, outcomes.

Plain Python: no UI, no SQL, no key names (`actions.py` says which moderator
actions apply; a front end maps them to keys). Every action writes through the `Store` before the
in-memory state moves on, so the database is always the truth and
`StudySession.resume` can rebuild the whole session from `task_runs` and
`events` after a crash.

A session goes through phases::

    questions -> tasks (each: pending -> running <-> paused -> ended -> done,
                        then its after_each questions) -> after -> done

A task is `ended` once an outcome is coded; until the moderator moves on
(`next()`) the outcome can be corrected (`end()` again with another outcome)
or the end undone (`reopen()`). Moving on logs `task_done`; the task's
`after_each` questions follow (not for a skipped task).

Events this module adds to the Store's own (`task_start`, `task_end`, `pause`,
`resume`, `error`, `hint`, `note`, `restart`, `time_limit`):

* `checkpoint` — the running task's active time, saved every `CHECKPOINT_MS`
  so that a crash loses at most that much timing;
* `outcome_corrected` — `{from, to}` when a coded outcome is changed;
* `reopen` — the end of a task was undone (`{outcome, state}`);
* `task_done` — the moderator moved on from a task (its outcome is final);
* `block_end` — a block of questions was finished (`{block}`: questions,
  after_each (with the task id) or after).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from surveykit.definition.loader import Definition
from surveykit.definition.models import Survey, Task
from surveykit.session.actions import ModeratorAction, allowed_actions
from surveykit.session.actions import ModeratorAction as A
from surveykit.session.clock import ClockState, TaskClock
from surveykit.session.errors import StudyError
from surveykit.session.questions import QuestionRun, block_context, flow_for
from surveykit.session.summary import SessionSummary, SusGrade, SusScore, study_summary
from surveykit.session.tags import parse_tags
from surveykit.session.task_log import RESTART_LINE, log_line
from surveykit.session.task_order import task_order
from surveykit.storage.store import Store
from surveykit.vocabulary import EventKind, Mode, Outcome, Status

__all__ = [
    "CHECKPOINT_MS",
    "END_OUTCOMES",
    "Block",
    "Phase",
    "StudyError",
    "StudySession",
    "TaskState",
    "TaskStatus",
]

TaskStatus = Literal["pending", "running", "paused", "ended", "done"]
Phase = Literal["questions", "tasks", "after_each", "after", "done"]
Block = Literal["questions", "after_each", "after"]

#: Outcomes a moderator can code.
END_OUTCOMES: tuple[str, ...] = tuple(Outcome)
#: While a task runs, its active time is saved at least this often.
CHECKPOINT_MS = 10_000

Now = Callable[[], float]


@dataclass
class TaskState:
    """One task of the participant's order, as the moderator sees it."""

    task: Task
    position: int  # 1-based position in this participant's order
    status: TaskStatus = "pending"
    outcome: str | None = None
    active_ms: int = 0  # last saved active time (the current task's live time is on the clock)
    errors: int = 0
    hints: int = 0
    notes: int = 0
    started: bool = False  # has been started (a skipped-before-start task has not)
    limit_logged: bool = False
    log: list[str] = field(default_factory=list)  # this run's events, "m:ss.t  what"
    # what an undo of the end goes back to
    ended_from: TaskStatus | None = None
    ended_at_mono: float | None = None

    @property
    def id(self) -> str:
        return self.task.id

    @property
    def title(self) -> str:
        return self.task.title


class StudySession:
    """The state of one participant's moderated session, written through to the Store."""

    def __init__(
        self,
        store: Store,
        session_id: int,
        survey: Survey,
        order: list[str],
        *,
        participant: str | None = None,
        now: Now = time.monotonic,
    ) -> None:
        if survey.tasks is None:
            raise StudyError(f"{survey.id} has no tasks: it is not a study")
        self.store = store
        self.session_id = session_id
        self.survey = survey
        self.participant = participant
        self.order = list(order)
        self._now = now
        self.tasks = [TaskState(survey.task(tid), i) for i, tid in enumerate(self.order, 1)]
        self._by_id = {t.id: t for t in self.tasks}
        self.questions_done = not survey.questions
        self.after_done = not survey.after
        self.after_each_done: set[str] = set()
        self.session_notes = 0
        self.completed = False
        self.clock = self._clock_for(self.current)
        self._saved_ms = 0

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def begin(
        cls,
        store: Store,
        definition: Definition,
        participant: str,
        *,
        device: str | None = None,
        now: Now = time.monotonic,
        site: str | None = None,
    ) -> StudySession:
        """A new session: the task order for this participant is computed and stored
        (counterbalanced per site: P1 at each site gets the first row of a latin square)."""
        survey = definition.survey
        if survey.tasks is None:
            raise StudyError(f"{survey.id} has no tasks: it is not a study")
        order = task_order([t.id for t in survey.tasks.items], survey.tasks.order, participant)
        sid = store.start_session(
            definition,
            Mode.MODERATE,
            participant=participant,
            device=device,
            task_order=order,
            meta={"task_order_method": survey.tasks.order},
            site=site,
        )
        return cls(store, sid, survey, order, participant=participant, now=now)

    @classmethod
    def resume(
        cls, store: Store, session_id: int, survey: Survey, *, now: Now = time.monotonic
    ) -> StudySession:
        """Rebuild a session from the database (`task_runs` and `events`).

        Which tasks are done, the current task's status (running or paused →
        its clock carries on from the saved active time; time while no process
        ran is not counted), its counts, whether its time-limit alert was
        already logged, and which question blocks are finished.
        """
        row = store.session(session_id)
        tasks = survey.tasks
        if tasks is None:
            raise StudyError(f"{survey.id} has no tasks: it is not a study")
        order = row.task_order or [t.id for t in tasks.items]
        s = cls(store, session_id, survey, order, participant=row.participant, now=now)
        for e in store.events(session_id):
            s._replay(e)
        for r in store.task_runs(session_id):
            t = s._by_id.get(r["task_id"])
            if t is not None:
                t.active_ms = int(r["active_ms"] or 0)
                t.errors = int(r["errors"] or 0)
                t.hints = int(r["hints"] or 0)
        s.completed = row.status == Status.COMPLETED
        s.clock = s._clock_for(s.current)
        s._saved_ms = s.clock.active_ms
        return s

    def _replay(self, e: dict[str, Any]) -> None:
        kind: str = e["kind"]
        tid: str | None = e["task_id"]
        data: dict[str, Any] = e["data"] or {}
        if kind == EventKind.BLOCK_END:
            block = data.get("block")
            if block == "questions":
                self.questions_done = True
            elif block == "after":
                self.after_done = True
            elif block == "after_each" and tid:
                self.after_each_done.add(tid)
            return
        if tid is None:
            if kind == EventKind.NOTE:
                self.session_notes += 1
            return
        t = self._by_id.get(tid)
        if t is None:
            return
        if kind == EventKind.TASK_START:
            restarted = bool(t.log) and t.log[-1].endswith(RESTART_LINE)
            t.status, t.started, t.outcome = "running", True, None
            t.notes, t.limit_logged, t.log = 0, False, []
            if restarted:
                kind = EventKind.RESTART  # the new run's log begins with the restart
        elif kind == EventKind.PAUSE and t.status == "running":
            t.status = "paused"
        elif kind == EventKind.RESUME and t.status == "paused":
            t.status = "running"
        elif kind == EventKind.TASK_END:
            if t.status == "ended":
                kind = "correction"  # logged by the outcome_corrected event that follows
            else:
                t.ended_from = t.status
            t.status, t.outcome = "ended", data.get("outcome")
        elif kind == EventKind.REOPEN:
            back: TaskStatus = "paused" if t.started else "pending"
            state = data.get("state")
            if state == "pending":
                back = "pending"
            elif state == "running":
                back = "running"
            elif state == "paused":
                back = "paused"
            t.status, t.outcome = back, None
        elif kind == "task_done":
            t.status = "done"
        elif kind == EventKind.NOTE:
            t.notes += 1
        elif kind == EventKind.TIME_LIMIT:
            t.limit_logged = True
        _log(t, kind, data)

    def absorb(self, events: list[dict[str, Any]]) -> bool:
        """Take in events that other screens logged (see `session/team.py`): a block
        of questions finished on the participant screen, an observer's note. Events
        this session wrote itself change nothing. True when something changed."""
        changed = False
        for e in events:
            data: dict[str, Any] = e["data"] or {}
            if e["kind"] == EventKind.BLOCK_END:
                before = (self.questions_done, self.after_done, len(self.after_each_done))
                self._replay(e)
                changed = changed or before != (
                    self.questions_done, self.after_done, len(self.after_each_done)
                )
            elif e["kind"] == EventKind.NOTE and data.get("role") == "observer":
                self._replay(e)
                changed = True
        return changed

    def _clock_for(self, t: TaskState | None) -> TaskClock:
        limit = t.task.time_limit_s if t else None
        if t is None or t.status == "pending":
            return TaskClock(now=self._now, time_limit_s=limit)
        state: ClockState = {"running": "running", "paused": "paused"}.get(t.status, "stopped")  # type: ignore[assignment]
        return TaskClock.restore(t.active_ms, state, now=self._now, time_limit_s=limit)

    # --- reading -----------------------------------------------------------------------

    @property
    def current(self) -> TaskState | None:
        """The task the console is on: the first one not yet done."""
        for t in self.tasks:
            if t.status != "done":
                return t
        return None

    @property
    def after_each_pending(self) -> TaskState | None:
        """A finished task whose `after_each` questions are still to be asked."""
        assert self.survey.tasks is not None
        if not self.survey.tasks.after_each:
            return None
        for t in self.tasks:
            if t.status == "done" and t.outcome != Outcome.SKIPPED and t.id not in self.after_each_done:
                return t
        return None

    @property
    def phase(self) -> Phase:
        if not self.questions_done:
            return "questions"
        if self.after_each_pending is not None:
            return "after_each"
        if self.current is not None:
            return "tasks"
        if not self.after_done:
            return "after"
        return "done"

    @property
    def active_ms(self) -> int:
        """The current task's active time now (pauses excluded)."""
        return self.clock.active_ms

    @property
    def error_codes(self) -> list[str]:
        assert self.survey.tasks is not None
        return list(self.survey.tasks.error_codes)

    def task(self, task_id: str) -> TaskState:
        return self._by_id[task_id]

    # --- task actions ------------------------------------------------------------------

    def _need_current(self) -> TaskState:
        t = self.current
        if t is None or self.phase != "tasks":
            raise StudyError("no task is open: hand over to the participant for the questions", [A.NEXT])
        return t

    def start(self) -> TaskState:
        t = self._need_current()
        if t.status != "pending":
            if t.status in ("running", "paused"):
                raise StudyError(
                    f"{t.title} is already {t.status}: restart it to time it again", [A.RESTART]
                )
            raise StudyError(f"{t.title} is already {t.status}: move on to the next", [A.NEXT])
        self.store.start_task(self.session_id, t.id, t.position)
        self.clock = TaskClock(now=self._now, time_limit_s=t.task.time_limit_s)
        self.clock.start()
        t.status, t.started, t.outcome = "running", True, None
        t.errors = t.hints = t.notes = 0
        t.active_ms, t.limit_logged, t.log = 0, False, []
        self._saved_ms = 0
        _log(t, EventKind.TASK_START, {})
        return t

    def pause(self, *, reason: str | None = None) -> None:
        t = self._need_current()
        if t.status != "running":
            raise StudyError(f"{t.title} is not running")
        self.clock.pause()
        try:
            self._save(t, EventKind.PAUSE, data={"reason": reason} if reason else None)
        except BaseException:
            self.clock.resume()  # not saved: the task runs on, no time lost
            raise
        t.status = "paused"

    def resume_task(self) -> None:
        t = self._need_current()
        if t.status != "paused":
            raise StudyError(f"{t.title} is not paused")
        self.clock.resume()
        try:
            self._save(t, EventKind.RESUME)
        except BaseException:
            self.clock = TaskClock.restore(
                t.active_ms, "paused", now=self._now, time_limit_s=t.task.time_limit_s
            )
            raise
        t.status = "running"

    def toggle_pause(self) -> TaskStatus:
        t = self._need_current()
        if t.status == "running":
            self.pause()
        elif t.status == "paused":
            self.resume_task()
        elif t.status == "pending":
            raise StudyError("the task has not started: start it first", [A.START])
        else:
            raise StudyError("the task has ended")
        return t.status

    def end(self, outcome: str) -> TaskState:
        """Code the outcome: ends a running/paused task, or corrects an ended one."""
        if outcome not in END_OUTCOMES:
            raise ValueError(f"outcome must be one of {END_OUTCOMES}")
        t = self._need_current()
        if t.status == "pending":
            if outcome != Outcome.SKIPPED:
                raise StudyError(f"{t.title} has not started: start it or skip it", [A.START, A.SKIP])
            self.store.skip_task(self.session_id, t.id, t.position)
            _log(t, EventKind.TASK_END, {"outcome": outcome})
            t.ended_from, t.ended_at_mono = "pending", None
            t.status, t.outcome = "ended", outcome
            return t
        if t.status in ("running", "paused"):
            before = t.status
            t.ended_from, t.ended_at_mono = before, self._now()
            ms = self.clock.stop()
            try:
                self.store.finish_task(self.session_id, t.id, outcome, ms)
            except BaseException:  # not saved: the clock goes on as before
                self.clock = TaskClock.restore(
                    ms, before, now=self._now, time_limit_s=t.task.time_limit_s
                )
                raise
            _log(t, EventKind.TASK_END, {"outcome": outcome, "active_ms": ms})
            self._saved_ms = t.active_ms = ms
            t.status, t.outcome = "ended", outcome
            return t
        if t.status == "ended":
            if outcome == t.outcome:
                return t
            if not t.started:
                raise StudyError(f"{t.title} was never started: undo the skip first", [A.UNDO])
            self.store.finish_task(self.session_id, t.id, outcome, t.active_ms)
            corrected = {"from": t.outcome, "to": outcome}
            self.store.task_event(
                self.session_id, t.id, EventKind.OUTCOME_CORRECTED, active_ms=t.active_ms, data=corrected
            )
            _log(t, EventKind.OUTCOME_CORRECTED, {**corrected, "active_ms": t.active_ms})
            t.outcome = outcome
            return t
        raise StudyError(f"{t.title} is done")

    def skip(self) -> TaskState:
        return self.end(Outcome.SKIPPED)

    def reopen(self) -> TaskState:
        """Undo the end of the current task: back to how it was before it was ended.

        A task that was running carries on, the time since it was ended counted
        (as if it had not been ended); after a restart of the program it comes
        back paused instead. A skipped task that never started is pending again.
        """
        t = self._need_current()
        if t.status != "ended":
            raise StudyError(f"{t.title} has no outcome to undo")
        was = t.outcome
        if not t.started:
            self.store.task_event(
                self.session_id, t.id, EventKind.REOPEN, data={"outcome": was, "state": "pending"}
            )
            _log(t, EventKind.REOPEN, {})
            t.status, t.outcome = "pending", None
            self.clock = TaskClock(now=self._now, time_limit_s=t.task.time_limit_s)
            return t
        state: TaskStatus = "paused"
        ms = t.active_ms
        if t.ended_from == "running" and t.ended_at_mono is not None:
            state = "running"
            ms += max(0, int((self._now() - t.ended_at_mono) * 1000))
        self.store.task_event(
            self.session_id, t.id, EventKind.REOPEN, active_ms=ms, data={"outcome": was, "state": state}
        )
        _log(t, EventKind.REOPEN, {"active_ms": ms})
        self.clock = TaskClock.restore(ms, state, now=self._now, time_limit_s=t.task.time_limit_s)
        t.status, t.outcome, t.active_ms = state, None, ms
        self._saved_ms = ms
        return t

    def restart(self) -> TaskState:
        """Time the current task again from zero; counts reset (the old ones stay in events)."""
        t = self._need_current()
        if not t.started or t.status not in ("running", "paused", "ended"):
            raise StudyError(f"{t.title} has not started")
        before = self.clock.active_ms if t.status != "ended" else t.active_ms
        self.store.task_event(
            self.session_id,
            t.id,
            EventKind.RESTART,
            data={
                "previous_active_ms": before,
                "previous_errors": t.errors,
                "previous_hints": t.hints,
                "previous_outcome": t.outcome,
            },
        )
        self.store.start_task(self.session_id, t.id, t.position)
        self.clock = TaskClock(now=self._now, time_limit_s=t.task.time_limit_s)
        self.clock.start()
        t.status, t.outcome = "running", None
        t.errors = t.hints = t.notes = 0
        t.active_ms, t.limit_logged, self._saved_ms = 0, False, 0
        t.log = []
        _log(t, EventKind.RESTART, {})
        return t

    def error(self, code: str | None = None, *, task_ms: int | None = None) -> int:
        """Log an error on the current task (with an optional quick code); returns the count.

        `task_ms`: the task time when the moderator pressed the key, if a code
        was picked afterwards."""
        t = self.require_started("log an error")
        data: dict[str, Any] = {"code": code}
        if task_ms is not None:
            data["task_ms"] = task_ms
        self._save(t, EventKind.ERROR, data=data)
        t.errors += 1
        return t.errors

    def hint(self) -> int:
        t = self.require_started("count a hint")
        self._save(t, EventKind.HINT)
        t.hints += 1
        return t.hints

    def note(self, text: str, *, task_ms: int | None = None) -> None:
        """A timestamped note: on the current task once started, else on the session.

        `task_ms` is the task time when the moderator began typing (the moment
        noted); the event also carries the active time when it was saved.
        """
        text = text.strip()
        if not text:
            raise StudyError("empty note not saved")
        tags = parse_tags(text)
        t = self.current if self.phase == "tasks" else None
        if t is None or not t.started or t.status == "pending":
            self.store.record_event(
                self.session_id, EventKind.NOTE, data={"text": text, **({"tags": tags} if tags else {})}
            )
            self.session_notes += 1
            return
        data: dict[str, Any] = {"text": text}
        if tags:
            data["tags"] = tags
        if task_ms is not None:
            data["task_ms"] = task_ms
        self._save(t, EventKind.NOTE, data=data)
        t.notes += 1

    def next(self) -> Phase:
        """Move on from an ended task (its outcome becomes final); returns the new phase."""
        t = self._need_current()
        if t.status == "pending":
            raise StudyError("the task has not started: start it or skip it", [A.START, A.SKIP])
        if t.status != "ended":
            raise StudyError(
                "code an outcome first (success, partial, fail, abandoned, timeout or skip)",
                [A.END, A.SKIP],
            )
        self.store.record_event(
            self.session_id, "task_done", task_id=t.id, data={"outcome": t.outcome}
        )
        t.status = "done"
        self.clock = self._clock_for(self.current)
        self._saved_ms = 0
        return self.phase

    def tick(self) -> bool:
        """Call often (the console does ten times a second): logs the time-limit alert
        once and checkpoints the active time. True when the limit was just reached."""
        t = self.current
        if t is None or t.status != "running" or self.phase != "tasks":
            return False
        ms = self.clock.active_ms
        if self.clock.over_limit and not t.limit_logged:
            limit_s = t.task.time_limit_s
            self._save(t, EventKind.TIME_LIMIT, data={"time_limit_s": limit_s}, ms=ms)
            t.limit_logged = True
            return True
        if ms - self._saved_ms >= CHECKPOINT_MS:
            self._save(t, "checkpoint", ms=ms)
        return False

    def suspend(self, *, by: str | None = None) -> None:
        """The console is closing before the end: a running task is paused (its
        active time saved, the time away not counted) and the session is saved as
        `interrupted` (resumable). `by`: what stopped it (a signal's name), logged
        as an `exit` event."""
        if self.completed:
            return
        t = self.current
        if t is not None and t.status == "running" and self.phase == "tasks":
            self.pause(reason="console closed")
        if by is not None:
            self.store.record_event(self.session_id, EventKind.EXIT, data={"by": by})
        self.store.finish_session(self.session_id, Status.INTERRUPTED)

    def require_started(self, what: str) -> TaskState:
        """The current task if it has started, else StudyError naming `what` was refused."""
        t = self._need_current()
        if t.status == "pending" or not t.started:
            raise StudyError(f"start the task before you {what}", [A.START])
        return t

    def _save(
        self,
        t: TaskState,
        kind: str,
        *,
        data: dict[str, Any] | None = None,
        ms: int | None = None,
    ) -> None:
        ms = self.clock.active_ms if ms is None else ms
        self.store.task_event(self.session_id, t.id, kind, active_ms=ms, data=data)
        self._saved_ms = t.active_ms = ms
        _log(t, kind, {**(data or {}), "active_ms": ms})

    # --- question blocks ---------------------------------------------------------------

    @property
    def seed(self) -> str:
        return str(self.session_id)

    def question_run(self, block: Block, *, mono: Now = time.monotonic) -> QuestionRun:
        """The QuestionRun of a block, with its answers so far (for resuming in it).

        Later blocks see the opening questions' answers (`block_context`)."""
        assert self.survey.tasks is not None
        stored = self.store.answers(self.session_id)
        task_id = ""
        context: dict[str, Any] = {}
        na: set[str] = set()
        if block == "questions":
            questions = list(self.survey.questions)
        else:
            opening = QuestionRun(
                self.store, self.session_id, flow_for(list(self.survey.questions), seed=self.seed)
            )
            opening.load_answers(stored)
            context, na = block_context([opening])
            if block == "after_each":
                pending = self.after_each_pending
                if pending is None:
                    raise StudyError("no task is waiting for its questions")
                task_id = pending.id
                questions = list(self.survey.tasks.after_each)
            else:
                questions = list(self.survey.after)
        flow = flow_for(questions, seed=self.seed, task_id=task_id, context=context, context_na=na)
        run = QuestionRun(self.store, self.session_id, flow, mono=mono)
        run.load_answers(stored)
        return run

    def finish_block(self, block: Block) -> Phase:
        """A block of questions is finished (logged as `block_end`); returns the new phase."""
        if block == "questions":
            self.store.record_event(self.session_id, EventKind.BLOCK_END, data={"block": block})
            self.questions_done = True
        elif block == "after_each":
            pending = self.after_each_pending
            if pending is None:
                raise StudyError("no task is waiting for its questions")
            self.store.record_event(
                self.session_id, EventKind.BLOCK_END, task_id=pending.id, data={"block": block}
            )
            self.after_each_done.add(pending.id)
        else:
            self.store.record_event(self.session_id, EventKind.BLOCK_END, data={"block": block})
            self.after_done = True
        return self.phase

    def mark_recording(self, *, by: str = "moderator") -> None:
        """The screen recording starts now: the timeline's zero (`recording_start`)."""
        self.store.record_event(self.session_id, EventKind.RECORDING_START, data={"by": by})

    def complete(self) -> None:
        """Mark the session completed (once everything is done)."""
        if self.phase != "done":
            raise StudyError("the session is not finished yet")
        if not self.completed:
            self.store.finish_session(self.session_id, Status.COMPLETED)
            self.completed = True

    def summary(
        self, *, sus_score: SusScore | None = None, sus_grade: SusGrade | None = None
    ) -> SessionSummary:
        """The summary; the SUS score and grade when the front end passes the scorer."""
        return study_summary(
            self.store, self.session_id, self.survey, sus_score=sus_score, sus_grade=sus_grade
        )

    def allowed(self) -> frozenset[ModeratorAction]:
        """The moderator actions that do something now (the rest are refused)."""
        return allowed_actions(self.phase, self.current if self.phase == "tasks" else None)

    def questions_fresh(self) -> bool:
        """Nothing of the opening questions shown yet (the intro comes first)."""
        return not self.store.shown_keys(self.session_id)


def _log(t: TaskState, kind: str, data: dict[str, Any]) -> None:
    line = log_line(kind, data)
    if line is not None:
        t.log.append(line)
