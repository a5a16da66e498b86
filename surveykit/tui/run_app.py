"""`surveykit run`: one participant answers one survey in this terminal, then it exits.

resume offer (if an unfinished session is found) → intro → questions → outro → exit.

The app only routes screens: `RunOpener` (session layer) starts or continues
the session, `SurveySession` walks its blocks, and every answer is committed by
`QuestionRun.submit` before the next screen shows. Leaving half-way (ctrl+q,
confirmed) saves the session as `abandoned`; SIGINT, SIGTERM and SIGHUP save it
as `interrupted` (the signal policy of `SurveykitApp`); a crash or SIGKILL
leaves it `in_progress` with a dead owner, which the next start offers to
continue (`--participant`) or marks `interrupted` (and `--resume` can still
continue it).

A study (a file with `tasks`) is run by `surveykit moderate`; `run --preview`
walks through its questions: `questions`, the `after_each` block once (stored
under the first task's id) and `after`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType

from surveykit.definition.loader import Definition
from surveykit.session.errors import StorageError
from surveykit.session.run import ERROR, NOT_STARTED, RunOpener, RunResult
from surveykit.session.survey import SurveySession
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
from surveykit.vocabulary import Mode, Status

if TYPE_CHECKING:
    from surveykit.session.questions import QuestionRun
    from surveykit.storage.store import SessionRow, Store

QUIT_KEYS_NOTE = "ctrl+q quit"

__all__ = ["QUIT_KEYS_NOTE", "RunApp", "RunResult"]
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
        mode: str = Mode.RUN,
        participant: str | None = None,
        device: str | None = None,
        resume: SessionRow | None = None,
        ask_resume: bool = True,
        meta: dict[str, Any] | None = None,
        mono: Callable[[], float] = time.monotonic,
        site: str | None = None,
    ) -> None:
        super().__init__()
        self.definition = definition
        self.survey = definition.survey
        self.opener = RunOpener(
            store,
            definition,
            mode=mode,
            participant=participant,
            device=device,
            meta=meta,
            mono=mono,
            site=site,
        )
        self.mode = mode
        self.resume_candidate = resume
        self.ask_resume = ask_resume
        self.session: SurveySession | None = None
        self._error: str | None = None

    # --- what the tests and the CLI read ---------------------------------------------------

    @property
    def session_id(self) -> int | None:
        return self.session.session_id if self.session is not None else None

    @property
    def status(self) -> str:
        return self.session.status if self.session is not None else NOT_STARTED

    @property
    def resumed(self) -> bool:
        return self.session is not None and self.session.resumed

    @property
    def runs(self) -> list[QuestionRun]:
        return self.session.runs if self.session is not None else []

    # --- start ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        candidate = self.resume_candidate
        if candidate is None:
            self._guard(self._begin)
        elif self.ask_resume:
            offer = ResumeOffer(
                candidate.id,
                candidate.participant,
                candidate.started_at,
                self.opener.answers_saved(candidate.id),
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
            self._leave()

    def _begin(self) -> None:
        self.session = session = self.opener.begin()
        if self.survey.intro:
            count = session.question_count()
            note = "1 question" if count == 1 else f"about {count} questions"
            self.push_screen(
                IntroScreen(self.survey.title, self.survey.intro, note=note), self._after_intro
            )
        else:
            self._next_block()

    def _after_intro(self, _: bool | None) -> None:
        self._guard(self._next_block)

    def _continue(self, candidate: SessionRow) -> None:
        self.session = self.opener.resume(candidate)
        if not self.ask_resume:  # (the offer screen has already said so)
            kept = self.opener.answers_saved(candidate.id)
            self.notify(
                f"Continuing session {candidate.id}: {kept} answer{'s' if kept != 1 else ''} kept.",
                timeout=3,
            )
        self._next_block()

    # --- blocks --------------------------------------------------------------------------

    def _next_block(self) -> None:
        assert self.session is not None
        nxt = self.session.next_block()
        if nxt is None:
            self._complete()
            return
        block, run = nxt
        screen = QuestionsScreen(
            run, heading=block.heading, keys_note=QUIT_KEYS_NOTE, language=self.definition.language
        )
        self.push_screen(screen, self._block_done)

    def _block_done(self, _: bool | None) -> None:
        self._guard(self._next_block)

    def _complete(self) -> None:
        assert self.session is not None
        outro = self.survey.outro
        self.session.complete(outro_shown=bool(outro))
        if outro:
            self.push_screen(OutroScreen(self.survey.title, outro), lambda _: self._leave())
        else:
            self._leave()

    # --- leaving -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """ctrl+q: ask first when a session is in progress (then it is `abandoned`)."""
        if self.status != Status.IN_PROGRESS:
            self._leave()
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
        self._end_session(Status.ABANDONED)
        self._leave()

    def _end_session(self, status: str) -> None:
        if self.session is None:
            return
        try:
            self.session.end(status)
        except StorageError as e:
            self._error = str(e)

    def _leave(self) -> None:
        answers = 0
        with contextlib.suppress(Exception):  # the summary must not hide the real outcome
            answers = self.opener.answers_saved(self.session_id)
        self.exit(
            RunResult(
                status=self.status if not self._error else ERROR,
                session_id=self.session_id,
                answers=answers,
                error=self._error,
                signal=self.stopped_by,
                resumed=self.resumed,
            )
        )

    # --- the signal policy (see SurveykitApp) ---------------------------------------------

    def interrupt_session(self, by: str) -> None:
        if self.session is not None:
            try:
                self.session.interrupt(by)
            except StorageError as e:
                self._error = str(e)

    def exit_after_signal(self) -> None:
        self._leave()
