"""The kiosk's resting screen: the survey's title, its intro and one huge target.

Any key, a click or a tap anywhere starts a new session (the app makes it);
it never times out into anything else. For `arm_delay_s` after it appears it
ignores input, so the previous person's last taps on the thank-you screen
cannot start a session nobody asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button

from surveykit.tui.widgets import PlainText

#: keys that never start a survey (the staff key and keys a person leans on by mistake)
IGNORED_KEYS = frozenset({"escape", "ctrl+q", "tab", "shift+tab"})


class KioskWelcomeScreen(Screen[bool]):
    """Dismisses with True on the first key, click or tap once armed."""

    def __init__(
        self,
        title: str,
        intro: str | None,
        prompt: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        arm_delay_s: float = 0.6,
    ) -> None:
        super().__init__(classes="kiosk-screen")
        self.survey_title = title
        self.intro = intro or ""
        self.prompt = prompt
        self._clock = clock
        self._armed_at = clock() + arm_delay_s
        self._started = False

    def compose(self) -> ComposeResult:
        with Vertical(id="kiosk-welcome", classes="kiosk-card"):
            yield PlainText(self.survey_title, classes="kiosk-title")
            yield PlainText(self.intro, classes="kiosk-text")
            with Center():
                yield Button(self.prompt, id="kiosk-start", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#kiosk-start", Button).focus()

    @property
    def armed(self) -> bool:
        return self._clock() >= self._armed_at

    def start(self) -> None:
        if self._started or not self.armed:
            return
        self._started = True
        self.dismiss(True)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key not in IGNORED_KEYS:
            self.start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.start()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.start()
