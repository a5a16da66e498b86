"""The base of every surveykit Textual app (runner, kiosk, moderator console).

It loads the shared styles (`styles/*.tcss`) and turns off what a participant
must never meet: the command palette (and with it the screenshot command).
Once the first screen is drawn it freezes the objects made at start-up out of
the garbage collector's way (`gc.freeze()`), so that a full collection takes a
millisecond or two instead of tens while someone is answering. Nothing here is
specific to one mode; each mode's app subclasses it.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import constants
from textual.app import App
from textual.driver import Driver

STYLES = Path(__file__).parent / "styles"
ReturnType = TypeVar("ReturnType")


def style_paths() -> list[Path]:
    """Every stylesheet of the package, in name order."""
    return sorted(STYLES.glob("*.tcss"))


class SurveykitApp(App[ReturnType]):
    """Base app: shared styles, no command palette."""

    CSS_PATH: ClassVar = style_paths()
    ENABLE_COMMAND_PALETTE: ClassVar[bool] = False
    TITLE = "surveykit"

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
