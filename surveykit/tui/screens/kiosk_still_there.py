"""`Still there?`: the countdown before an idle survey starts over.

Shown over the questions when the person has not touched anything for a
while. Any key, click or tap closes it and the survey goes on where it was;
when the countdown ends the app saves the session as `abandoned` (its answers
kept) and shows the welcome screen.
"""

from __future__ import annotations

import math

from textual import events
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from surveykit.i18n import Translator, translator
from surveykit.tui.widgets import PlainText


def countdown_text(remaining_s: float, t: Translator | None = None) -> str:
    t = t or translator(None)
    n = max(0, math.ceil(remaining_s))
    if n == 1:
        return t("This survey will start over in {n} second.", n=n)
    return t("This survey will start over in {n} seconds.", n=n)


class StillThereScreen(ModalScreen[None]):
    """The countdown, in the language of the session on screen (`language`)."""

    def __init__(self, remaining_s: float, *, language: str | None = None) -> None:
        super().__init__(classes="kiosk-modal")
        self._remaining = remaining_s
        self.t = translator(language)

    def compose(self) -> ComposeResult:
        with Vertical(id="kiosk-still-there", classes="kiosk-card"):
            yield PlainText(self.t("Still there?"), classes="kiosk-title")
            yield PlainText(
                countdown_text(self._remaining, self.t), id="kiosk-countdown", classes="kiosk-text"
            )
            with Center():
                yield Button(self.t("Tap to continue"), id="kiosk-continue", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#kiosk-continue", Button).focus()

    def set_remaining(self, remaining_s: float) -> None:
        self._remaining = remaining_s
        for line in self.query("#kiosk-countdown").results(PlainText):
            line.set_text(countdown_text(remaining_s, self.t))

    @property
    def countdown(self) -> str:
        return countdown_text(self._remaining, self.t)

    def _close(self) -> None:
        if self.is_current:
            self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self._close()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._close()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self._close()
