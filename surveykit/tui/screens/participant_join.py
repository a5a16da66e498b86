"""The participant screen's first screen when it does not know its session yet:
type the join code shown on the moderator's console."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input

from surveykit.textsafe import safe_display
from surveykit.tui.widgets import PlainText

JOIN_TITLE = "Join the session"
JOIN_TEXT = "Type the join code shown on the moderator's screen, then Enter."


class JoinScreen(Screen[None]):
    """`join(code)` returns None when it joined, else why not (shown, and try again)."""

    def __init__(self, join: Callable[[str], str | None]) -> None:
        super().__init__(id="pt-join")
        self.join = join
        self.add_class("sk-message-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="sk-card"):
            yield PlainText(JOIN_TITLE, classes="sk-card-title")
            yield PlainText(JOIN_TEXT, classes="sk-card-text")
            yield Input(placeholder="e.g. K7QF", id="pt-code", max_length=12)
            yield PlainText("", classes="sk-card-note", id="pt-join-message")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        code = event.value.strip()
        if not code:
            return
        problem = self.join(code)
        if problem:
            self.app.bell()
            self.query_one("#pt-join-message", PlainText).set_text(safe_display(problem))
            self.query_one(Input).value = ""
