"""The kiosk's resting screen: the survey's title, its intro and one huge target.

Any key, a click or a tap anywhere starts a new session (the app makes it);
it never times out into anything else. A file in several languages adds one
big button per language (`1 English`, `2 Deutsch`, …): a tap on one, or its
digit, starts the session in that language; anything else starts it in the
default language. For `arm_delay_s` after it appears it
ignores input, so the previous person's last taps on the thank-you screen
cannot start a session nobody asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button

from surveykit.i18n import language_name
from surveykit.tui.widgets import PlainText

#: keys that never start a survey (the staff key and keys a person leans on by mistake)
IGNORED_KEYS = frozenset({"escape", "ctrl+q", "tab", "shift+tab"})


class KioskWelcomeScreen(Screen[bool | str]):
    """Dismisses with True on the first key, click or tap once armed, or with the
    language tag chosen."""

    def __init__(
        self,
        title: str,
        intro: str | None,
        prompt: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        arm_delay_s: float = 0.6,
        languages: tuple[str, ...] = (),
    ) -> None:
        super().__init__(classes="kiosk-screen")
        #: the languages offered (none: a one-language file; at most 9, one digit each)
        self.languages = languages[:9] if len(languages) > 1 else ()
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
            if self.languages:
                with Horizontal(id="kiosk-languages"):
                    for n, tag in enumerate(self.languages, 1):
                        yield Button(
                            f"{n} {language_name(tag)}",
                            id=f"kiosk-lang-{n}",
                            classes="kiosk-language",
                        )

    def on_mount(self) -> None:
        self.query_one("#kiosk-start", Button).focus()

    @property
    def armed(self) -> bool:
        return self._clock() >= self._armed_at

    def start(self, language: str | None = None) -> None:
        if self._started or not self.armed:
            return
        self._started = True
        self.dismiss(language if language is not None else True)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key in IGNORED_KEYS:
            return
        if event.key.isdigit() and 1 <= int(event.key) <= len(self.languages):
            self.start(self.languages[int(event.key) - 1])
        else:
            self.start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id.startswith("kiosk-lang-"):
            self.start(self.languages[int(button_id.removeprefix("kiosk-lang-")) - 1])
        else:
            self.start()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.start()
