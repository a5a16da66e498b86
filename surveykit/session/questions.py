"""A participant answering a block of questions, committed as they go.

`QuestionRun` joins a `Flow` (what to show) and a `SessionWriter` (the Store,
or the kiosk's queued writer: what is on disk):
every step shown is logged, every answer is committed before the next step is
shown, going back and changing an answer keeps the old one in `events`, and
answers that skip logic hides after a change are cleared (and logged). The
runner, the kiosk and the moderator console all use it; none of them talk SQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from surveykit.session.steps import Flow, Say, Step, validate_answer
from surveykit.storage.store import Answer
from surveykit.storage.writer import SessionWriter
from surveykit.timeutil import Monotonic
from surveykit.vocabulary import EventKind


class QuestionRun:
    """Drive one block of questions (main, one task's `after_each`, or `after`)."""

    def __init__(
        self,
        store: SessionWriter,
        session_id: int,
        flow: Flow,
        *,
        mono: Monotonic = time.monotonic,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.flow = flow
        self._mono = mono
        self.current: Step | None = None
        self.shown_at: str | None = None
        self._shown_mono: float = 0.0
        self.finished = False

    @property
    def task_id(self) -> str:
        return self.flow.task_id

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> Step | None:
        """Show the first step (or, after `load_answers`, the first one still to do)."""
        shown = self.store.shown_keys(self.session_id, self.task_id)
        step = self.flow.resume_point(shown) if self.flow.answers or shown else self.flow.first()
        if step is None:
            self.finished = True
            self.current = None
            return None
        self.show(step)
        return step

    def load_answers(self, stored: Mapping[tuple[str, str], Answer]) -> int:
        """Put this block's committed answers back (resume); returns how many.

        `stored` is the session's answers as `Store.answers` gives them."""
        n = 0
        for (task_id, key), ans in stored.items():
            if task_id != self.task_id:
                continue
            try:
                self.flow.step(key)
            except KeyError:
                continue
            self.flow.set_answer(key, ans.value, is_na=ans.is_na)
            n += 1
        return n

    def show(self, step: Step) -> None:
        data: dict[str, Any] | None = None
        if step.options and getattr(step.question, "shuffle", False):
            data = {"options": [o.stored for o in step.options]}
        self.shown_at = self.store.record_shown(self.session_id, step.key, self.task_id, data)
        self._shown_mono = self._mono()
        self.current = step
        self.finished = False

    # --- reading -----------------------------------------------------------------------

    def text(self, step: Step | None = None) -> str:
        step = step or self.current
        return self.flow.text(step) if step else ""

    def title(self, step: Step | None = None) -> str | None:
        step = step or self.current
        return self.flow.title(step) if step else None

    def progress(self) -> tuple[int, int]:
        if self.current is None:
            n = len(self.flow.steps())
            return (n, n)
        return self.flow.progress(self.current.key)

    def value(self, step: Step | None = None) -> tuple[Any, bool] | None:
        """The answer already given to a step: (value, is_na), or None."""
        step = step or self.current
        if step is None or step.key not in self.flow.answers:
            return None
        return self.flow.answers[step.key], step.key in self.flow.na

    @property
    def can_go_back(self) -> bool:
        return self.current is not None and self.flow.previous_before(self.current.key) is not None

    # --- acting ------------------------------------------------------------------------

    def submit(self, value: Any = None, *, is_na: bool = False, say: Say | None = None) -> str | None:
        """Validate and commit the current step's answer, then show the next step.

        Returns a message for the participant when the answer cannot be accepted
        (nothing is stored and the step stays), else None; `say` gives it in the
        participant's language (see `validate_answer`).
        """
        step = self.current
        if step is None:
            return None
        if step.stores_answer:
            problem = validate_answer(step, value, is_na=is_na, say=say)
            if problem:
                return problem
            empty = not is_na and (value is None or value == "" or value == [])
            if empty:
                if step.key in self.flow.answers:
                    self.store.clear_answer(self.session_id, step.key, self.task_id, "emptied")
                    self.flow.forget(step.key)
                else:
                    self.store.record_event(
                        self.session_id,
                        EventKind.SKIPPED,
                        task_id=self.task_id or None,
                        question_id=step.key,
                    )
            else:
                response_ms = int((self._mono() - self._shown_mono) * 1000)
                self.store.record_answer(
                    self.session_id,
                    step.key,
                    value,
                    task_id=self.task_id,
                    is_na=is_na,
                    shown_at=self.shown_at,
                    response_ms=response_ms,
                )
                self.flow.set_answer(step.key, value, is_na=is_na)
            for stale in self.flow.stale():
                self.store.clear_answer(
                    self.session_id, stale, self.task_id, "hidden by skip logic after a change"
                )
                self.flow.forget(stale)
        nxt = self.flow.next_after(step.key)
        if nxt is None:
            self.current = None
            self.finished = True
        else:
            self.show(nxt)
        return None

    def back(self) -> Step | None:
        """Show the previous visible step (its answer stays until changed)."""
        if self.current is None:
            steps = self.flow.steps()
            prev = steps[-1] if steps else None
        else:
            prev = self.flow.previous_before(self.current.key)
        if prev is None:
            return None
        self.store.record_event(
            self.session_id,
            EventKind.BACK,
            task_id=self.task_id or None,
            question_id=self.current.key if self.current else None,
        )
        self.show(prev)
        return prev


def block_context(runs: Iterable[QuestionRun]) -> tuple[dict[str, Any], set[str]]:
    """The answers from earlier blocks that later blocks' `show_if` and piping see:
    those of the main questions (task_id ''), from the runs of this session so far
    (a resumed run has loaded its stored answers first). The one place the
    context is built, for every mode."""
    values: dict[str, Any] = {}
    na: set[str] = set()
    for run in runs:
        if run.task_id == "":
            values.update(run.flow.answers)
            na |= set(run.flow.na)
    return values, na


def flow_for(
    questions: list[Any],
    *,
    seed: str,
    task_id: str = "",
    context: Mapping[str, Any] | None = None,
    context_na: set[str] | None = None,
    context_questions: list[Any] | None = None,
) -> Flow:
    return Flow(
        questions,
        task_id=task_id,
        seed=seed,
        context=dict(context or {}),
        context_na=set(context_na or ()),
        context_questions=list(context_questions or ()),
    )
