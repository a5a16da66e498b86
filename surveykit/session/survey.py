"""A survey session (`surveykit run`, `run --preview` and every pass of the kiosk):
the blocks of questions one after the other, through one block loop.

A front end asks `next_block()` for what to show, shows its `QuestionRun` (one
question at a time, `submit`/`back`), and asks again when the run is finished;
`None` means everything is answered, and `complete()` ends the session. Leaving
early is `end(Status.ABANDONED)`, a signal `interrupt(by)`, the kiosk's idle
timer `idle_reset(...)`. Every write goes through a `SessionWriter`, so the
same object runs on the `Store` and on the kiosk's queued writer.

Blocks: the main `questions`; for `run --preview` of a study its `after_each`
questions once, stored under the first task's id; then `after`. Later blocks
see the main answers (`block_context`) for `show_if` and piping.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveykit.definition.loader import Definition
from surveykit.session.questions import QuestionRun, block_context, flow_for
from surveykit.storage.store import Answer
from surveykit.storage.writer import SessionWriter
from surveykit.timeutil import Monotonic
from surveykit.vocabulary import EventKind, Mode, Status

__all__ = ["Block", "SurveySession", "blocks_for"]


@dataclass(frozen=True)
class Block:
    """A list of questions asked together, under one task id."""

    questions: list[Any]
    task_id: str = ""
    heading: str = ""


def blocks_for(definition: Definition, *, heading: str) -> list[Block]:
    """The blocks of a survey (or of a study's questions, for a preview), in order."""
    survey = definition.survey
    blocks = [Block(list(survey.questions), "", heading)]
    if survey.tasks is not None:
        first = survey.tasks.items[0]
        blocks.append(
            Block(list(survey.tasks.after_each), first.id, f"{heading} · after each task")
        )
    if survey.after:
        blocks.append(Block(list(survey.after), "", heading))
    return [b for b in blocks if b.questions]


class SurveySession:
    """One participant's pass through a survey's blocks, written as it goes."""

    def __init__(
        self,
        writer: SessionWriter,
        definition: Definition,
        session_id: int,
        *,
        seed: str,
        mode: str = Mode.RUN,
        heading: str | None = None,
        stored: Mapping[tuple[str, str], Answer] | None = None,
        mono: Monotonic = time.monotonic,
    ) -> None:
        self.writer = writer
        self.definition = definition
        self.survey = definition.survey
        self.session_id = session_id
        self.seed = seed
        self.mode = mode
        title = self.survey.title
        if heading is None:
            heading = title + (" · preview (not scored)" if mode == Mode.PREVIEW else "")
        self.blocks = blocks_for(definition, heading=heading)
        #: the answers already stored (a resumed session), put back block by block
        self.stored = stored
        self.mono = mono
        self.runs: list[QuestionRun] = []
        self.status: str = Status.IN_PROGRESS
        self._block_index = 0

    @classmethod
    def begin(
        cls,
        writer: SessionWriter,
        definition: Definition,
        mode: str,
        *,
        seed: str | None = None,
        participant: str | None = None,
        device: str | None = None,
        meta: dict[str, Any] | None = None,
        mono: Monotonic = time.monotonic,
        heading: str | None = None,
        site: str | None = None,
    ) -> SurveySession:
        """A new session, stored at once. Without `seed`, option order depends on the
        survey and session id."""
        sid = writer.start_session(
            definition, mode, participant=participant, device=device, meta=meta, site=site
        )
        seed = seed if seed is not None else f"{definition.survey.id}:{sid}"
        return cls(writer, definition, sid, seed=seed, mode=mode, mono=mono, heading=heading)

    # --- reading -----------------------------------------------------------------------

    @property
    def resumed(self) -> bool:
        return self.stored is not None

    @property
    def finished(self) -> bool:
        return self.status != Status.IN_PROGRESS

    def question_count(self) -> int:
        """How many questions a participant meets (as the intro announces it)."""
        return sum(len(flow_for(b.questions, seed=self.seed).steps()) for b in self.blocks)

    @property
    def current_question(self) -> str | None:
        """The question on screen (the last block with one), for the event log."""
        for run in reversed(self.runs):
            if run.current is not None:
                return run.current.key
        return None

    # --- the block loop ------------------------------------------------------------------

    def next_block(self) -> tuple[Block, QuestionRun] | None:
        """The next block with something to ask, its run started; None when all are done."""
        while self._block_index < len(self.blocks):
            block = self.blocks[self._block_index]
            self._block_index += 1
            context, context_na = block_context(self.runs)
            flow = flow_for(
                block.questions,
                seed=self.seed,
                task_id=block.task_id,
                context=context,
                context_na=context_na,
            )
            run = QuestionRun(self.writer, self.session_id, flow, mono=self.mono)
            self.runs.append(run)
            if self.stored is not None:
                run.load_answers(self.stored)
            run.start()
            if run.finished:
                continue
            return block, run
        return None

    # --- ending --------------------------------------------------------------------------

    def log(self, kind: EventKind, data: dict[str, Any] | None = None) -> None:
        """A session-level event (intro or outro shown, ...)."""
        self.writer.record_event(self.session_id, kind, data=data)

    def complete(self, *, outro_shown: bool = False) -> None:
        """Every block answered: the session is `completed` (the outro logged first:
        once the session has ended its clock is gone)."""
        if outro_shown:
            self.log(EventKind.OUTRO_SHOWN)
        self.end(Status.COMPLETED)

    def end(self, status: str) -> bool:
        """End the session with `status` (once); False when it had ended already."""
        if self.finished:
            return False
        self.writer.finish_session(self.session_id, status)
        self.status = status
        return True

    def interrupt(self, by: str) -> bool:
        """Stopped from outside (a signal, the staff PIN, a crash): an `exit` event
        naming `by` and the question on screen, then `interrupted`."""
        if self.finished:
            return False
        self.writer.record_event(
            self.session_id, EventKind.EXIT, question_id=self.current_question, data={"by": by}
        )
        return self.end(Status.INTERRUPTED)

    def idle_reset(self, idle_s: float, idle_reset_s: float) -> None:
        """Nobody answered for too long (the kiosk): `abandoned`, answers kept."""
        if self.finished:
            return
        self.writer.record_event(
            self.session_id,
            EventKind.IDLE_RESET,
            question_id=self.current_question,
            data={"idle_s": round(idle_s, 3), "idle_reset_s": idle_reset_s},
        )
        self.end(Status.ABANDONED)
