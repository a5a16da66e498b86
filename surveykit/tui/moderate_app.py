"""`surveykit moderate`: the moderator console app.

Screens, in the order a session meets them::

    participants (without --participant) → opening questions (participant)
    → console (moderator) ⇄ after_each questions (participant) → after questions
    → summary

The app only routes between screens; `StudySession` decides what comes next
and writes everything to the Store as it happens. A stop signal (SIGINT,
SIGTERM, SIGHUP) suspends the session through the shared signal policy of
`SurveykitApp`: a running task is paused with its active time saved, and the
session is saved as `interrupted`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual.app import CSSPathType
from textual.binding import Binding, BindingType

from surveykit.definition.loader import Definition
from surveykit.session.errors import StorageError, StudyError
from surveykit.session.participants import open_study, participants, suggest_participant
from surveykit.session.study import Block, StudySession
from surveykit.session.team import POLL_S, ConsoleLink
from surveykit.tui.app import SurveykitApp, style_paths
from surveykit.tui.screens.intro import IntroScreen
from surveykit.tui.screens.moderator_confirm import ConfirmScreen
from surveykit.tui.screens.moderator_console import ModeratorConsole, describe_resume
from surveykit.tui.screens.moderator_participants import ParticipantsScreen
from surveykit.tui.screens.moderator_summary import SummaryScreen
from surveykit.tui.screens.outro import OutroScreen
from surveykit.tui.screens.questions import QuestionsScreen

if TYPE_CHECKING:
    from surveykit.storage.store import Store

STYLES = Path(__file__).parent / "styles"

Now = Callable[[], float]

HEADINGS: dict[Block, str] = {
    "questions": "Before we start",
    "after_each": "About the task you just did",
    "after": "About the whole session",
}


def _css_paths() -> list[str | PurePath]:
    """The shared styles, with ours last (once, whether or not the base already has it)."""
    ours = STYLES / "moderate.tcss"
    shared = [p for p in style_paths() if Path(p).resolve() != ours.resolve()]
    return [*shared, ours]


class ModerateApp(SurveykitApp[None]):
    """The moderator console for one study.

    Give `study` (already opened, e.g. by the CLI with --participant) or leave
    it None to pick a participant on the first screen. `now` is the monotonic
    clock of the task timer (tests freeze it).
    """

    CSS_PATH: ClassVar[CSSPathType | None] = _css_paths()
    ENABLE_COMMAND_PALETTE: ClassVar[bool] = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True)
    ]

    def __init__(
        self,
        store: Store,
        definition: Definition,
        *,
        study: StudySession | None = None,
        resumed: bool = False,
        device: str | None = None,
        now: Now = time.monotonic,
        site: str | None = None,
    ) -> None:
        super().__init__()
        self.site = site
        self.store = store
        self.definition = definition
        self.study = study
        self.resumed = resumed
        self.device = device
        self.now = now
        self.title = definition.survey.title
        self._quitting = False
        self._question_screen_open = False
        #: the session's other screens (participant screen, observers); see session/team.py
        self.link: ConsoleLink | None = None

    # --- start ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        if self.study is not None:
            self._open(self.study, self.resumed)
            return
        rows = participants(self.store, self.definition.survey, site=self.site)
        self.push_screen(
            ParticipantsScreen(
                self.definition.survey.title,
                rows,
                suggest_participant([r for r in rows if r.site == self.site]),
                self.choose,
                site=self.site,
            )
        )

    def choose(self, participant: str) -> str | None:
        """Open a participant's session (the participants screen calls this)."""
        try:
            study, resumed = open_study(
                self.store,
                self.definition,
                participant,
                device=self.device,
                now=self.now,
                site=self.site,
            )
        except (StudyError, StorageError) as e:
            return str(e)
        self._open(study, resumed)
        return None

    def _open(self, study: StudySession, resumed: bool) -> None:
        self.study = study
        self.resumed = resumed
        message = describe_resume(study) if resumed else f"Session {study.session_id} started"
        with contextlib.suppress(StorageError):  # without it, the one-terminal flow still works
            self.link = ConsoleLink(self.store, study)
            self.set_interval(POLL_S, self._follow)
        console = ModeratorConsole(
            study, on_next=lambda: self.advance(take_over=True), message=message, link=self.link
        )
        if isinstance(self.screen, ParticipantsScreen):
            self.switch_screen(console)
        else:
            self.push_screen(console)
        self.call_after_refresh(self.advance)

    # --- moving through the session -----------------------------------------------------

    @property
    def moderator_console(self) -> ModeratorConsole | None:
        for screen in self.screen_stack:
            if isinstance(screen, ModeratorConsole):
                return screen
        return None

    def _follow(self) -> None:
        """What the other screens did (a block answered on the participant screen,
        an observer's note): the session layer takes it in, the console redraws."""
        link = self.link
        if link is None or self.study is None:
            return
        try:
            changed = link.poll()
        except StorageError:
            return
        if not changed:
            return
        if self.study.phase in ("questions", "after_each", "after") and not self._question_screen_open:
            self.advance()
        elif self.study.phase == "done" and not self.study.completed:
            self.advance()
        elif (console := self.moderator_console) is not None:
            console.refresh_view()

    def advance(self, *, take_over: bool = False) -> None:
        """Show what the session needs next (questions, the console, the summary).

        A block of questions is asked here unless the participant screen has it
        (the session layer decides); `take_over` (Enter on the console) asks it
        here when the participant screen that had it is gone."""
        study = self.study
        if study is None or self._question_screen_open:
            return
        phase = study.phase
        if phase in ("questions", "after_each", "after"):
            if self.link is not None:
                try:
                    who = self.link.decide(take_over=take_over)
                except StorageError as e:
                    self._not_saved(e)
                    return
                if who == "participant":
                    if (console := self.moderator_console) is not None:
                        console.refresh_view()
                        state = self.link.participant_state
                        console.say(
                            f"The participant screen has the questions ({state})"
                            if state
                            else "The participant screen had the questions and is gone: "
                            "Enter asks them here"
                        )
                    return
            self._ask(phase)  # type: ignore[arg-type]
        elif phase == "done":
            self._summary()
        elif (console := self.moderator_console) is not None:
            console.refresh_view()

    def _ask(self, block: Block) -> None:
        """Hand over to the participant for a block of questions (the intro first, if new)."""
        study = self.study
        assert study is not None
        run = study.question_run(block)
        heading = HEADINGS[block]
        if block == "after_each" and study.after_each_pending is not None:
            heading = f"{heading}: {study.after_each_pending.title}"
        self._question_screen_open = True

        def finished(done: bool | None) -> None:
            self._question_screen_open = False
            if self.link is not None:
                with contextlib.suppress(StorageError):
                    self.link.asked()
            if not done:
                if (console := self.moderator_console) is not None:
                    console.refresh_view()
                    console.say("Questions not finished: Enter hands over again", ok=False)
                return
            try:
                study.finish_block(block)
            except StorageError as e:
                self._not_saved(e)
                return
            self.advance()

        def ask(_: bool | None = None) -> None:
            self.push_screen(QuestionsScreen(run, heading=heading), finished)

        intro = self.definition.survey.intro
        fresh = not run.flow.answers and study.questions_fresh()
        if block == "questions" and intro and fresh:
            self.push_screen(IntroScreen(self.definition.survey.title, intro), ask)
        else:
            ask()

    def _summary(self) -> None:
        study = self.study
        assert study is not None
        try:
            study.complete()
        except StorageError as e:
            self._not_saved(e)
            return
        from surveykit.scoring.stats import sus_grade, sus_respondent  # (scoring: only now)

        summary = SummaryScreen(
            self.definition.survey.title,
            study.summary(sus_score=sus_respondent, sus_grade=sus_grade),
            study.session_id,
        )
        outro = self.definition.survey.outro
        if self.link is not None and self.link.participant_joined:
            outro = None  # the participant screen shows it
        if outro:
            self.push_screen(
                OutroScreen(self.definition.survey.title, outro, button="Done"),
                lambda _: self.push_screen(summary),
            )
        else:
            self.push_screen(summary)

    # --- leaving -------------------------------------------------------------------------

    async def action_quit(self) -> None:
        study = self.study
        if study is None or study.completed or isinstance(self.screen, SummaryScreen):
            self.exit()
            return
        if self._quitting:  # ctrl+q again on the confirmation: yes
            screen = self.screen
            if isinstance(screen, ConfirmScreen):
                screen.dismiss(True)
            return
        self._quitting = True

        def answered(yes: bool | None) -> None:
            self._quitting = False
            if yes:
                self.leave()

        self.push_screen(
            ConfirmScreen(
                "Close the console?",
                "Everything is saved and a running task is paused. Run the same command "
                "again to resume this participant where you left off.",
                again_key="ctrl+q",
            ),
            answered,
        )

    def leave(self) -> None:
        """Close with the session resumable: a running task is paused first."""
        if self.study is not None and not self.study.completed:
            # not saved: the task comes back running (from its last saved time)
            with contextlib.suppress(StudyError, StorageError):
                self.study.suspend()
        if self.link is not None:
            with contextlib.suppress(StorageError):
                self.link.close()
        self.exit()

    def _not_saved(self, error: StorageError) -> None:
        self.bell()
        if (console := self.moderator_console) is not None:
            if self.screen is not console:
                self.pop_screen()
            console.refresh_view()
            console.say(f"NOT SAVED, press Enter to try again: {error}", ok=False)

    # --- the signal policy (see SurveykitApp) ---------------------------------------------

    def interrupt_session(self, by: str) -> None:
        """A running task is paused (its active time kept), the session `interrupted`."""
        if self.study is not None and not self.study.completed:
            with contextlib.suppress(StudyError, StorageError):
                self.study.suspend(by=by)
