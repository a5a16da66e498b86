"""`surveykit kiosk`: an unattended, locked survey loop.

welcome ("Tap or press any key to start") → questions → thank-you for
`thank_you_s` → welcome, forever. One session per pass; a new person can never
reach the previous person's answers (Back stays inside the current session).

* Idle: every key, click, tap or mouse move touches an `IdleTimer`. Mid-survey,
  in the last seconds before `idle_reset_s` a "Still there?" countdown shows;
  at zero the session is saved as `abandoned` (answers kept, an `idle_reset`
  event logged) and the welcome screen returns. Welcome and thank-you never
  time out into anything else.
* Locked: no key leaves the app. ctrl+q opens the staff PIN screen (Escape
  closes it); ctrl+c, ctrl+z, ctrl+\\, ctrl+p and the F-keys are swallowed
  before any widget or binding sees them, and the App actions they could reach
  (quit, suspend, command palette, screenshot, help panel, theme) are
  neutralised as well, so a binding added later in a runner widget cannot undo
  the lock. The only ways out: the right PIN, or a signal from outside.
* Signals: SIGTERM, SIGHUP and SIGINT save the session in progress as
  `interrupted` and exit cleanly (the shared signal policy of `SurveykitApp`;
  the terminal is restored by Textual).
* Sessions: each pass is a `SurveySession` (session layer) on the writer; the
  app only routes the welcome, question, thank-you and PIN screens.
* Storage: every write goes through a `KioskWriter`; while the database
  fails, answers are kept in order in memory, a staff banner shows on every
  screen, and the writer is retried (in a worker thread) until they land.

Clocks are injectable (`mono`) and the periodic `tick()` does all the timing,
so tests move time by hand and call `tick()`.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.screen import Screen

from surveykit.definition.loader import Definition, in_language
from surveykit.definition.models import KioskSettings
from surveykit.session.kiosk import IdleTimer, PinGate
from surveykit.session.survey import SurveySession
from surveykit.timeutil import WallClock, utc_now
from surveykit.tui.app import SurveykitApp
from surveykit.tui.screens.kiosk_fault import BANNER_ID, FaultBanner
from surveykit.tui.screens.kiosk_pin import KioskPinScreen
from surveykit.tui.screens.kiosk_still_there import StillThereScreen
from surveykit.tui.screens.kiosk_thanks import KioskThanksScreen
from surveykit.tui.screens.kiosk_welcome import KioskWelcomeScreen
from surveykit.tui.screens.questions import QuestionsScreen
from surveykit.vocabulary import Mode, Status

if TYPE_CHECKING:
    from surveykit.session.kiosk_sync import KioskSync
    from surveykit.session.questions import QuestionRun
    from surveykit.storage.kiosk_writer import KioskWriter

#: the staff key (SPEC §3)
STAFF_KEYS = frozenset({"ctrl+q"})
#: keys swallowed before anything else sees them
BLOCKED_KEYS = frozenset({"ctrl+c", "ctrl+z", "ctrl+backslash", "ctrl+p", "ctrl+underscore"})
_FUNCTION_KEY = re.compile(r"^(?:[a-z]+\+)*f\d{1,2}$")
#: how long the "saving works again" note stays after an outage
ALL_CLEAR_S = 10.0


def is_blocked(key: str) -> bool:
    """A key no kiosk screen may act on (the staff key is handled apart)."""
    return key in BLOCKED_KEYS or _FUNCTION_KEY.match(key) is not None


@dataclass
class KioskResult:
    """How the kiosk stopped (the CLI prints it)."""

    reason: str  # "pin" | "signal"
    signal: int | None = None
    counts: Counter[str] = field(default_factory=Counter)
    #: the session that was in progress when it stopped (saved as interrupted), if any
    interrupted: int | None = None


class KioskApp(SurveykitApp[KioskResult]):
    """The kiosk loop for one definition, writing through a `KioskWriter`."""

    ENABLE_COMMAND_PALETTE: ClassVar[bool] = False
    ESCAPE_TO_MINIMIZE: ClassVar[bool] = False
    # Replaces App's ctrl+q (quit) and ctrl+c (help_quit); priority so no widget sees them.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "staff_exit", "Staff", show=False, priority=True),
        Binding("ctrl+c", "locked", show=False, priority=True, system=True),
    ]

    def __init__(
        self,
        definition: Definition,
        writer: KioskWriter,
        *,
        device: str | None = None,
        pin_hash: str | None = None,
        idle_reset_s: float | None = None,
        thank_you_s: float | None = None,
        warn_s: float | None = None,
        mono: Callable[[], float] = time.monotonic,
        wall: WallClock = utc_now,
        tick_s: float = 0.25,
        flush_in_thread: bool = True,
        arm_delay_s: float = 0.6,
        pin_idle_s: float = 30.0,
        site: str | None = None,
        sync: KioskSync | None = None,
    ) -> None:
        super().__init__()
        self.site = site
        #: the background sync to a central server (`--sync`): kicked when a session
        #: closes; its state is shown to staff only, on the PIN screen
        self.sync = sync
        # A kiosk never talks to devtools and never prints debug tracebacks on screen.
        self.features = frozenset(f for f in self.features if f == "headless")
        self.devtools = None
        self._devtools_redirector = None
        #: the file in its default language; `definition` is the one of the session on
        #: screen (the language picked on the welcome screen), back to the default after it
        self.default_definition = definition
        self.definition = definition
        self.survey = definition.survey
        self.writer = writer
        self.device = device
        settings = self.survey.kiosk or KioskSettings()
        self.settings = settings
        self.idle_reset_s = float(
            idle_reset_s if idle_reset_s is not None else settings.idle_reset_s
        )
        self.thank_you_s = float(thank_you_s if thank_you_s is not None else settings.thank_you_s)
        self.mono = mono
        self.idle = IdleTimer(self.idle_reset_s, warn_s=warn_s, now=mono)
        self.gate = PinGate(
            pin_hash or settings.pin_hash,
            now=mono,
            wall=wall,
            lockout=writer,
            device=device or "",
        )
        self.tick_s = tick_s
        self.flush_in_thread = flush_in_thread
        self.arm_delay_s = arm_delay_s
        self.pin_idle_s = pin_idle_s
        self.phase = "starting"  # welcome | survey | thanks | stopping
        self.session: SurveySession | None = None
        self.counts: Counter[str] = Counter()
        self._generation = 0
        self._thanks_until = 0.0
        self._was_healthy = True
        self._all_clear_until = 0.0
        self._stopping = False
        self._interrupted: int | None = None

    # --- start ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()  # the signal policy
        if not self.is_headless:
            _no_terminal_signals()
        self.set_interval(self.tick_s, self.tick, name="kiosk tick")
        self.show_welcome()

    # --- what the tests and the CLI read ---------------------------------------------------

    @property
    def session_id(self) -> int | None:
        return self.session.session_id if self.session is not None else None

    @property
    def runs(self) -> list[QuestionRun]:
        return self.session.runs if self.session is not None else []

    # --- the loop ------------------------------------------------------------------------

    def _show(self, screen: Screen[Any], callback: Callable[[Any], None] | None = None) -> None:
        """Make `screen` the only screen above the base one (modals and all go)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen, callback)

    def show_welcome(self) -> None:
        self.phase = "welcome"
        self.session = None
        self._generation += 1
        self._use_language(None)  # every new person starts in the default language
        screen = KioskWelcomeScreen(
            self.survey.title,
            self.survey.intro,
            self.settings.welcome,
            clock=self.mono,
            arm_delay_s=self.arm_delay_s,
            languages=self.default_definition.languages,
        )
        self._show(screen, self._welcome_done)

    def _use_language(self, language: str | None) -> None:
        """The definition (texts) of the next session: in `language`, or the default."""
        self.definition = in_language(self.default_definition, language)
        self.survey = self.definition.survey

    def _welcome_done(self, choice: bool | str | None) -> None:
        if self.phase == "welcome" and not self._stopping:
            if isinstance(choice, str):
                self._use_language(choice)
            self.start_session()

    def start_session(self) -> None:
        self._generation += 1
        token = secrets.token_hex(8)
        self.session = SurveySession.begin(
            self.writer,
            self.definition,
            Mode.KIOSK,
            device=self.device,
            mono=self.mono,
            heading=self.survey.title,
            site=self.site,
        )
        self.session.seed = f"{self.survey.id}:{self.device or ''}:{self.session.session_id}:{token}"
        self.phase = "survey"
        self.idle.touch()
        self.counts["started"] += 1
        self._next_block()

    def _next_block(self) -> None:
        assert self.session is not None
        nxt = self.session.next_block()
        if nxt is None:
            self._complete()
            return
        block, run = nxt
        screen = QuestionsScreen(
            run, heading=block.heading, big=True, language=self.definition.language
        )
        generation = self._generation

        def done(_: bool | None) -> None:
            self._block_done(generation)

        self._show(screen, done)

    def _block_done(self, generation: int) -> None:
        if generation == self._generation and self.phase == "survey" and not self._stopping:
            self._next_block()

    def _complete(self) -> None:
        assert self.session is not None
        self.session.complete()
        self.counts[Status.COMPLETED] += 1
        if self.sync is not None:
            self.sync.kick()
        self.session = None
        self._generation += 1
        self.phase = "thanks"
        self._thanks_until = self.mono() + self.thank_you_s
        self._show(
            KioskThanksScreen(
                self.survey.title, self.survey.outro, language=self.definition.language
            )
        )

    def abandon(self) -> None:
        """Idle too long mid-survey: saved as `abandoned` (answers kept), back to welcome."""
        if self.phase != "survey" or self.session is None:
            return
        self.session.idle_reset(self.idle.idle_s, self.idle_reset_s)
        self.counts[Status.ABANDONED] += 1
        if self.sync is not None:
            self.sync.kick()
        self.show_welcome()

    # --- the clock -------------------------------------------------------------------------

    def tick(self) -> None:
        """Everything timed: idle reset, the thank-you pause, the PIN screen, retries, banner."""
        if self._stopping:
            return
        now = self.mono()
        top = self.screen
        if self.phase == "survey":
            state = self.idle.state()
            if state == "expired":
                self.abandon()
                top = self.screen
            elif state == "warning":
                if isinstance(top, StillThereScreen):
                    top.set_remaining(self.idle.remaining_s)
                elif not isinstance(top, KioskPinScreen):
                    self.push_screen(
                        StillThereScreen(
                            self.idle.remaining_s, language=self.definition.language
                        ),
                        self._still_there_closed,
                    )
                    top = self.screen
            elif isinstance(top, StillThereScreen):
                top.dismiss(None)
        elif self.phase == "thanks" and now >= self._thanks_until:
            self.show_welcome()
            top = self.screen
        if isinstance(top, KioskPinScreen):
            if top.idle_for() >= self.pin_idle_s:
                top.dismiss(False)
            else:
                top.refresh_state()
        self._keep_writing()
        self.sync_banner()

    def _still_there_closed(self, _: None) -> None:
        self.idle.touch()

    def _keep_writing(self) -> None:
        writer = self.writer
        if not writer.retry_due() or writer.flushing:
            return
        if self.flush_in_thread:
            self.run_worker(writer.flush, thread=True, group="kiosk-flush", exit_on_error=False)
        else:
            writer.flush()

    def sync_banner(self) -> None:
        """The staff banner on the top screen while writes wait; after they have landed, a
        short all-clear; then nothing."""
        health = self.writer.health()
        now = self.mono()
        if health.healthy:
            if not self._was_healthy:
                self._was_healthy = True
                self._all_clear_until = now + ALL_CLEAR_S
            if now >= self._all_clear_until:
                for screen in self.screen_stack:
                    for banner in screen.query(f"#{BANNER_ID}"):
                        banner.remove()
                return
        else:
            self._was_healthy = False
            self._all_clear_until = 0.0
        screen = self.screen
        found = list(screen.query(f"#{BANNER_ID}").results(FaultBanner))
        banner = found[0] if found else FaultBanner()
        if health.healthy:
            banner.show_all_clear()
        else:
            banner.show_health(health)
        if not found and screen.is_attached:
            screen.mount(banner)

    # --- input: idle and the lock --------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent | events.Paste) and not event.is_forwarded:
            self.idle.touch()
            if isinstance(event, events.Key):
                if event.key in STAFF_KEYS:
                    event.stop()
                    event.prevent_default()
                    self.action_staff_exit()
                    return
                if is_blocked(event.key):
                    event.stop()
                    event.prevent_default()
                    return
        await super().on_event(event)

    def action_staff_exit(self) -> None:
        """ctrl+q: the PIN screen (once)."""
        if self._stopping or any(isinstance(s, KioskPinScreen) for s in self.screen_stack):
            return
        if isinstance(self.screen, StillThereScreen):
            self.screen.dismiss(None)
        sync = self.sync
        self.push_screen(
            KioskPinScreen(
                self.gate,
                clock=self.mono,
                idle_s=self.pin_idle_s,
                staff_line=(lambda: sync.state.line()) if sync is not None else None,
            ),
            self._pin_closed,
        )

    def _pin_closed(self, ok: bool | None) -> None:
        if ok:
            self.stop("pin")

    def action_locked(self) -> None:
        """Any key that would leave, suspend or inspect the app does nothing here."""

    # Textual's own ways out, neutralised whatever binding might reach them.
    async def action_quit(self) -> None:
        self.action_staff_exit()

    def action_help_quit(self) -> None:
        pass

    def action_command_palette(self) -> None:
        pass

    def action_suspend_process(self) -> None:
        pass

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        pass

    def deliver_screenshot(self, *args: Any, **kwargs: Any) -> str | None:
        return None

    def action_show_help_panel(self) -> None:
        pass

    def action_change_theme(self) -> None:
        pass

    def action_toggle_dark(self) -> None:
        pass

    # --- stopping ---------------------------------------------------------------------------

    def interrupt_session(self, by: str) -> None:
        """The signal policy (SurveykitApp.on_signal): the session in progress, if any,
        is saved as `interrupted` with an `exit` event naming the signal."""
        self._interrupt(by)

    def exit_after_signal(self) -> None:
        self.stop("signal", self.stopped_by)

    def _interrupt(self, by: str) -> None:
        if self.phase == "survey" and self.session is not None and not self._stopping:
            if self.session.interrupt(by):
                self.counts[Status.INTERRUPTED] += 1
                self._interrupted = self.session.session_id

    def stop(self, reason: str, sig: int | None = None) -> None:
        if self._stopping:
            return
        if sig is None:
            self._interrupt("staff PIN")
        self._stopping = True
        self.phase = "stopping"
        self.exit(KioskResult(reason, sig, self.counts, self._interrupted))


def _no_terminal_signals() -> None:
    """Make sure the terminal sends ctrl+c, ctrl+z and ctrl+\\ as keys, not signals."""
    try:
        import termios
    except ImportError:  # pragma: no cover - not POSIX
        return
    for stream in (sys.__stdin__,):
        if stream is None:
            continue
        with contextlib.suppress(OSError, ValueError, termios.error):
            fd = stream.fileno()
            attrs = termios.tcgetattr(fd)
            if attrs[3] & termios.ISIG:
                attrs[3] &= ~termios.ISIG
                termios.tcsetattr(fd, termios.TCSANOW, attrs)
