"""The first screen: the survey's title, its `intro`, and a Start button."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button

from surveykit.tui.widgets import PlainText


class MessageScreen(Screen[bool]):
    """A title, a text, a note and one button (Enter or a click); dismisses with True."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "done", "Continue", show=False)]
    button_label: ClassVar[str] = "Continue"

    def __init__(
        self,
        title: str,
        text: str | None,
        *,
        note: str | None = None,
        button: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.body_text = text or ""
        self.note = note
        self.label = button or self.button_label
        self.add_class("sk-message-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="sk-card"):
            yield PlainText(self.title_text, classes="sk-card-title")
            yield PlainText(self.body_text, classes="sk-card-text")
            yield PlainText(self.note, classes="sk-card-note")
            with Center():
                yield Button(self.label, id="sk-continue", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#sk-continue", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_done()

    def action_done(self) -> None:
        self.dismiss(True)


class IntroScreen(MessageScreen):
    """The survey's `intro` (shown before the first question)."""

    button_label = "Start →"
