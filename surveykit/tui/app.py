"""The base of every surveykit Textual app (runner, kiosk, moderator console).

It loads the shared styles (`styles/*.tcss`) and turns off what a participant
must never meet: the command palette (and with it the screenshot command).
Once the first screen is drawn it freezes the objects made at start-up out of
the garbage collector's way (`gc.freeze()`), so that a full collection takes a
millisecond or two instead of tens while someone is answering.

Its colours come from one of the themes of `surveykit.tui.themes` (`dark`
unless `use_theme` picks another); Textual itself honours `NO_COLOR` (it draws
the screen in greys, with no hue).

It also holds the one signal policy of every screen: SIGINT (from outside:
`kill -INT`, a supervisor's ctrl+c; a ctrl+c typed in the app is a key),
SIGTERM and SIGHUP all end the app the same way. `on_signal` asks the mode to
save its session as `interrupted` through the session layer
(`interrupt_session`, which logs an `exit` event with the signal's name and a
`session_end`; a running task keeps its active time), then to exit
(`exit_after_signal`); Textual restores the terminal. `stopped_by` keeps the
signal, from which the command picks its exit status (see `cli/common.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import constants
from textual.app import App, CSSPathType
from textual.driver import Driver
from textual.theme import Theme

from surveykit.tui.themes import DEFAULT_THEME, THEMES, check_theme

STYLES = Path(__file__).parent / "styles"
ReturnType = TypeVar("ReturnType")

#: the signals that end any surveykit screen, with the session saved as interrupted
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def style_paths() -> list[Path]:
    """Every stylesheet of the package, in name order."""
    return sorted(STYLES.glob("*.tcss"))


def signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


class SurveykitApp(App[ReturnType]):
    """Base app: shared styles, no command palette, one signal policy."""

    CSS_PATH: ClassVar[CSSPathType | None] = list(style_paths())
    ENABLE_COMMAND_PALETTE: ClassVar[bool] = False
    TITLE = "surveykit"

    #: the signal that ended the app (None: it ended some other way)
    stopped_by: int | None = None

    def __init__(self) -> None:
        super().__init__()
        for name, colours in THEMES.items():
            self.register_theme(Theme(name=name, **colours))
        self.theme = DEFAULT_THEME

    def use_theme(self, name: str | None) -> None:
        """Show the app in theme `name` (`surveykit.tui.themes`; None: the default)."""
        self.theme = check_theme(name or DEFAULT_THEME)

    def get_driver_class(self) -> type[Driver]:
        """Textual's terminal driver with surveykit's input policy (`surveykit.tui.driver`).

        A driver named in `TEXTUAL_DRIVER` is still honoured (the kiosk drops that setting).
        """
        if constants.DRIVER is not None or sys.platform == "win32":
            return super().get_driver_class()
        from surveykit.tui.driver import SurveykitDriver

        return SurveykitDriver

    def on_mount(self) -> None:
        self.call_after_refresh(gc.freeze)
        if not self.is_headless:
            self.install_signal_policy()

    def install_signal_policy(self) -> None:
        """Route STOP_SIGNALS to `on_signal` (in the app's event loop)."""
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in STOP_SIGNALS:
                loop.add_signal_handler(sig, self.on_signal, sig)

    def on_signal(self, sig: int) -> None:
        """A stop signal: save the session as interrupted, then exit (once)."""
        if self.stopped_by is not None:
            return
        self.stopped_by = sig
        self.interrupt_session(signal_name(sig))
        self.exit_after_signal()

    def interrupt_session(self, by: str) -> None:
        """Save the session in progress as `interrupted` (each mode says how)."""

    def exit_after_signal(self) -> None:
        """Leave the app once the session is saved (each mode returns its result)."""
        self.exit()
