"""`surveykit participant`: the participant's own screen in a moderated session.

It follows the moderator's console through the database (`ParticipantLink`
polls the events log every `POLL_S`): the intro and opening questions, the
running task's prompt, the `after_each` questions once the moderator moves on
from a task, the `after` questions, "please wait" in between, thank you at the
end. The session layer decides which blocks are this screen's; the answers go
through `QuestionRun`, committed before the next question shows, so a crash of
either side loses nothing and a rejoin continues at the same question.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType

from surveykit.session.errors import StorageError, StudyError
from surveykit.session.questions import QuestionRun
from surveykit.session.team import POLL_S, ParticipantLink, ParticipantView, describe
from surveykit.tui.app import SurveykitApp
from surveykit.tui.screens.intro import IntroScreen
from surveykit.tui.screens.participant_join import JoinScreen
from surveykit.tui.screens.participant_wait import ParticipantWaitScreen
from surveykit.tui.screens.questions import QuestionsScreen

HEADINGS = {
    "questions": "Before we start",
    "after_each": "About the task you just did",
    "after": "About the whole session",
}
INSTRUMENTS = {"seq", "sus", "umux_lite", "nps", "csat", "ces"}


def step_label(run: QuestionRun) -> str | None:
    """The question on screen as the console names it ("SEQ", "sus", "consent")."""
    step = run.current
    if step is None:
        return None
    kind = str(step.question.type)
    label = kind.upper() if kind in INSTRUMENTS else step.key.split(".")[0]
    position, total = run.progress()
    return f"{label} {position}/{total}" if total > 1 else label


class ParticipantApp(SurveykitApp[None]):
    """The participant screen of one moderated session."""

    ENABLE_COMMAND_PALETTE: ClassVar[bool] = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True)
    ]

    def __init__(
        self,
        link: ParticipantLink | None = None,
        *,
        join: Callable[[str], ParticipantLink] | None = None,
    ) -> None:
        """Give the `link` of the session to follow, or `join` (a join code → its
        link; StudyError when no session has it) to ask for the code first."""
        super().__init__()
        self._link = link
        self._join = join
        self.title = link.survey.title if link is not None else "surveykit"
        self.wait = ParticipantWaitScreen(link.survey.title if link is not None else "")
        self._answering: str | None = None  # the key of the block on screen
        self._run: QuestionRun | None = None
        self._view: ParticipantView | None = None
        self._drawn: tuple[ParticipantView, bool] | None = None

    @property
    def link(self) -> ParticipantLink:
        assert self._link is not None, "not joined yet"
        return self._link

    def on_mount(self) -> None:
        super().on_mount()
        if self._link is None:
            self.push_screen(JoinScreen(self.join))
            return
        self._start()

    def join(self, code: str) -> str | None:
        """Join the session with this code (the join screen calls this)."""
        if self._join is None:
            return "cannot join from here"
        try:
            self._link = self._join(code)
        except (StudyError, StorageError) as e:
            return str(e)
        self.title = self._link.survey.title
        self.wait.study_title = self._link.survey.title
        self.switch_screen(self.wait)
        self._start(push=False)
        return None

    def _start(self, *, push: bool = True) -> None:
        if push:
            self.push_screen(self.wait)
        self.call_after_refresh(self.route)
        self.set_interval(POLL_S, self.follow)

    # --- following the console ---------------------------------------------------------

    def follow(self) -> None:
        try:
            changed = self.link.poll()
            if self._run is not None and self._view is not None:
                self.link.say(describe(self._view, step_label(self._run)))
        except StorageError:
            return  # the file is busy or gone for a moment: try again at the next poll
        if changed:
            self.route()

    def route(self) -> None:
        """Show what the session needs from the participant now."""
        try:
            view = self.link.view()
        except StorageError:
            return
        if self._answering is not None:
            if view.key == self._answering:
                return
            # the block is no longer this screen's (the console took it over)
            self._close_block()
        if view.kind == "questions":
            try:
                ours = self.link.claim(view)
            except StorageError:
                return
            if ours:
                self._answer(view)
                return
            view = ParticipantView("elsewhere", f"elsewhere:{view.key}", view.block, view.task)
        if (view, self.link.ended) != self._drawn:
            self._view = view
            self._drawn = (view, self.link.ended)
            self.wait.show(view, outro=self.link.survey.outro, ended=self.link.ended)
            with contextlib.suppress(StorageError):
                self.link.say(describe(view))

    def _answer(self, view: ParticipantView) -> None:
        try:
            run = self.link.question_run(view)
        except (StudyError, StorageError):
            return
        self._answering = view.key
        self._view = view
        self._run = run
        heading = HEADINGS[view.block or "questions"]
        if view.block == "after_each" and view.task is not None:
            heading = f"{heading}: {view.task.title}"

        def finished(done: bool | None) -> None:
            if self._answering != view.key:
                return
            self._answering, self._run = None, None
            if done:
                try:
                    self.link.finish_block(view)
                except (StudyError, StorageError):
                    pass  # the next poll shows the block again, at its first unanswered question
            self._view = self._drawn = None
            self.route()

        def ask(_: bool | None = None) -> None:
            self.push_screen(QuestionsScreen(run, heading=heading), finished)

        if self.link.intro_due(view):
            intro = self.link.survey.intro
            self.push_screen(IntroScreen(self.link.survey.title, intro), ask)
        else:
            ask()
        with contextlib.suppress(StorageError):
            self.link.say(describe(view, step_label(run)))

    def _close_block(self) -> None:
        self._answering, self._run, self._view, self._drawn = None, None, None, None
        while len(self.screen_stack) > 1 and self.screen is not self.wait:
            self.pop_screen()

    # --- leaving -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.leave()

    def leave(self) -> None:
        if self._link is not None:
            with contextlib.suppress(StorageError):
                self._link.leave()
        self.exit()

    def interrupt_session(self, by: str) -> None:
        """A signal: this screen leaves; the session itself is the console's."""
        if self._link is not None:
            with contextlib.suppress(StorageError):
                self._link.leave()
