"""Thank-you: shown for `thank_you_s` after a finished survey, then the welcome screen.

It takes no input (a tap here must not start the next session or go back into
this one); the app's clock decides when it goes.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from surveykit.i18n import translator
from surveykit.tui.widgets import PlainText

DEFAULT_THANKS = "Thank you! Your answers have been saved."


class KioskThanksScreen(Screen[None]):
    def __init__(self, title: str, text: str | None, *, language: str | None = None) -> None:
        super().__init__(classes="kiosk-screen")
        self.survey_title = title
        #: the file's outro (already in the session's language), else ours in it
        self.text = text or translator(language)(DEFAULT_THANKS)

    def compose(self) -> ComposeResult:
        with Vertical(id="kiosk-thanks", classes="kiosk-card"):
            yield PlainText("✓", classes="kiosk-tick")
            yield PlainText(self.text, classes="kiosk-title")
            yield PlainText(self.survey_title, classes="kiosk-note")
