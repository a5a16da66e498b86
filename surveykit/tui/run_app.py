"""`surveykit run`: one participant answers one survey in this terminal, then it exits.

resume offer (if an unfinished session is found) → intro → questions → outro → exit.

The session is created when the app starts (before the intro) and every answer
is committed by `QuestionRun.submit` before the next screen shows. Leaving
half-way (ctrl+q, confirmed) saves the session as `abandoned`; SIGTERM/SIGHUP
save it as `interrupted`; a crash or SIGKILL leaves it `in_progress` with a
dead owner, which the next start offers to continue (`--participant`) or
marks `interrupted` (and `--resume` can still continue it).

A study (a file with `tasks`) is run by `surveykit moderate`; `run --preview`
walks through its questions: `questions`, the `after_each` block once (stored
under the first task's id) and `after`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from surveykit.definition.loader import Definition
from surveykit.session.questions import QuestionRun, block_context, flow_for
from surveykit.storage.store import SessionRow, StorageError, Store
from surveykit.tui.app import SurveykitApp
from surveykit.tui.screens import (
    ConfirmQuitScreen,
    IntroScreen,
    OutroScreen,
    QuestionsScreen,
    ResumeOffer,
    ResumeScreen,
)
from surveykit.tui.screens.resume import CONTINUE

QUIT_KEYS_NOTE = "ctrl+q quit"


@dataclass(frozen=True)
class Block:
    """A list of questions asked together, under one task id."""

    questions: list[Any]
    task_id: str = ""
    heading: str = ""


@dataclass
class RunResult:
    """How the run ended (the CLI prints it and picks the exit code)."""

    status: str  # completed | abandoned | interrupted | not_started | error
    session_id: int | None = None
    answers: int = 0
    error: str | None = None
    signal: int | None = None
    resumed: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def unfinished(store: Store, session: SessionRow) -> bool:
    """In progress with its process gone, or already marked interrupted."""
    return session.status == "interrupted" or (
        session.status == "in_progress" and store.is_orphan(session)
    )


def resumable_session(
    store: Store, survey_id: str, *, participant: str | None, mode: str
) -> SessionRow | None:
    """The session `run` should offer to continue, or None.

    With a participant: their latest session of this survey in this mode, if it
    is unfinished. Without one (`--resume` only): the latest unfinished session
    that has no participant.
    """
    rows = [
        s
        for s in store.sessions(survey_id, participant=participant)
        if s.mode == mode and s.participant == participant
    ]
    if not rows:
        return None
    if participant is not None:
        latest = rows[-1]
        return latest if unfinished(store, latest) else None
    candidates = [s for s in rows if unfinished(store, s)]
    return candidates[-1] if candidates else None


def blocks_for(definition: Definition, *, heading: str) -> list[Block]:
    survey = definition.survey
    blocks = [Block(list(survey.questions), "", heading)]
    if survey.tasks is not None:
        first = survey.tasks.items[0]
        blocks.append(
            Block(
                list(survey.tasks.after_each),
                first.id,
                f"{heading} · after each task",
            )
        )
    if survey.after:
        blocks.append(Block(list(survey.after), "", heading))
    return [b for b in blocks if b.questions]


class RunApp(SurveykitApp[RunResult]):
    """Run one definition for one participant."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        definition: Definition,
        store: Store,
        *,
        mode: str = "run",
        participant: str | None = None,
        device: str | None = None,
        resume: SessionRow | None = None,
        ask_resume: bool = True,
        meta: dict[str, Any] | None = None,
        mono: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.definition = definition
        self.survey = definition.survey
        self.store = store
        self.mode = mode
        self.participant = participant
        self.device = device
        self.resume_candidate = resume
        self.ask_resume = ask_resume
        self.meta = meta
        self.mono = mono
        self.session_id: int | None = None
        self.status = "not_started"
        self.resumed = False
        heading = self.survey.title + (" · preview (not scored)" if mode == "preview" else "")
        self.blocks = blocks_for(definition, heading=heading)
        self._block_index = 0
        self._seed = ""
        self._signal: int | None = None
        self._error: str | None = None
        self.runs: list[QuestionRun] = []

    # --- start ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._install_signal_handlers()
        candidate = self.resume_candidate
        if candidate is None:
            self._guard(self._begin)
        elif self.ask_resume:
            offer = ResumeOffer(
                candidate.id,
                candidate.participant,
                candidate.started_at,
                len(self.store.answers(candidate.id)),
            )
            self.push_screen(ResumeScreen(offer, title=self.survey.title), self._resume_chosen)
        else:
            self._guard(self._continue, candidate)

    def _resume_chosen(self, choice: str | None) -> None:
        if choice == CONTINUE and self.resume_candidate is not None:
            self._guard(self._continue, self.resume_candidate)
        else:
            self._guard(self._begin)

    def _guard(self, step: Callable[..., None], *args: Any) -> None:
        """Run a storage step; a storage failure ends the app with one clear message."""
        try:
            step(*args)
        except StorageError as e:
            self._error = str(e)
            self._leave("error")

    def _begin(self) -> None:
        self.store.mark_orphans_interrupted(self.survey.id)
        self.session_id = self.store.start_session(
            self.definition,
            self.mode,
            participant=self.participant,
            device=self.device,
            meta=self.meta,
        )
        self.status = "in_progress"
        self._seed = self._seed_for(self.session_id)
        if self.survey.intro:
            self.store.record_event(self.session_id, "intro_shown")
            count = sum(len(flow_for(b.questions, seed=self._seed).steps()) for b in self.blocks)
            note = "1 question" if count == 1 else f"about {count} questions"
            self.push_screen(
                IntroScreen(self.survey.title, self.survey.intro, note=note), self._after_intro
            )
        else:
            self._next_block()

    def _after_intro(self, _: bool | None) -> None:
        self._guard(self._next_block)

    def _continue(self, session: SessionRow) -> None:
        self.store.take_over(session.id)
        self.store.mark_orphans_interrupted(self.survey.id)
        self.session_id = session.id
        self.status = "in_progress"
        self.resumed = True
        self._seed = self._seed_for(session.id)
        if not self.ask_resume:  # (the offer screen has already said so)
            kept = len(self.store.answers(session.id))
            self.notify(
                f"Continuing session {session.id}: {kept} answer{'s' if kept != 1 else ''} kept.",
                timeout=3,
            )
        self._next_block()

    def _seed_for(self, session_id: int) -> str:
        """Option shuffling depends on the session only, so a resumed session shows the same order."""
        row = self.store.session(session_id)
        return f"{row.survey_id}:{row.id}:{row.started_at}"

    # --- blocks --------------------------------------------------------------------------

    def _next_block(self) -> None:
        assert self.session_id is not None
        while self._block_index < len(self.blocks):
            block = self.blocks[self._block_index]
            self._block_index += 1
            context, context_na = (
                block_context(self.store, self.session_id) if self._block_index > 1 else ({}, set())
            )
            flow = flow_for(
                block.questions,
                seed=self._seed,
                task_id=block.task_id,
                context=context,
                context_na=context_na,
            )
            run = QuestionRun(self.store, self.session_id, flow, mono=self.mono)
            self.runs.append(run)
            if self.resumed:
                run.load_answers()
            run.start()
            if run.finished:
                continue
            screen = QuestionsScreen(run, heading=block.heading, keys_note=QUIT_KEYS_NOTE)
            self.push_screen(screen, self._block_done)
            return
        self._complete()

    def _block_done(self, _: bool | None) -> None:
        self._guard(self._next_block)

    def _complete(self) -> None:
        assert self.session_id is not None
        if self.survey.outro:  # logged first: after the session ends its clock is gone
            self.store.record_event(self.session_id, "outro_shown")
        self.store.finish_session(self.session_id, "completed")
        self.status = "completed"
        if self.survey.outro:
            self.push_screen(
                OutroScreen(self.survey.title, self.survey.outro),
                lambda _: self._leave("completed"),
            )
        else:
            self._leave("completed")

    # --- leaving -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """ctrl+q: ask first when a session is in progress (then it is `abandoned`)."""
        if self.status != "in_progress":
            self._leave(self.status)
            return
        if isinstance(self.screen, ConfirmQuitScreen):
            return
        self.push_screen(
            ConfirmQuitScreen(
                "The answers you have confirmed are saved. If you leave now, this survey "
                "is recorded as not finished."
            ),
            self._quit_chosen,
        )

    def _quit_chosen(self, leave: bool | None) -> None:
        if not leave:
            return
        self._end_session("abandoned")
        self._leave(self.status)

    def _end_session(self, status: str) -> None:
        if self.session_id is None or self.status != "in_progress":
            return
        try:
            self.store.finish_session(self.session_id, status)
            self.status = status
        except StorageError as e:
            self._error = str(e)

    def _leave(self, status: str) -> None:
        answers = 0
        if self.session_id is not None:
            with contextlib.suppress(Exception):  # the summary must not hide the real outcome
                answers = len(self.store.answers(self.session_id))
        self.exit(
            RunResult(
                status=status if not self._error else "error",
                session_id=self.session_id,
                answers=answers,
                error=self._error,
                signal=self._signal,
                resumed=self.resumed,
            )
        )

    def _install_signal_handlers(self) -> None:
        if self.is_headless:
            return
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self._on_signal, sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            pass

    def _on_signal(self, sig: int) -> None:
        """SIGTERM / SIGHUP: save the session as `interrupted` (it can be continued) and exit."""
        self._signal = sig
        self._end_session("interrupted")  # only if it is in progress
        self._leave(self.status)
