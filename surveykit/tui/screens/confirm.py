"""Ask before leaving a survey half-way."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from surveykit.tui.widgets import PlainText


class ConfirmQuitScreen(ModalScreen[bool]):
    """`Leave the survey?` Dismisses with True to leave, False to stay (Escape stays)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stay", "Stay", show=False),
        Binding("left", "app.focus_previous", "Previous", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.body = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="sk-card sk-confirm"):
            yield PlainText("Leave the survey?", classes="sk-card-title")
            yield PlainText(self.body, classes="sk-card-text")
            with Horizontal(classes="sk-card-buttons"):
                yield Button("Stay", id="sk-stay", variant="primary")
                yield Button("Leave", id="sk-leave", variant="error")

    def on_mount(self) -> None:
        self.query_one("#sk-stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "sk-leave")

    def action_stay(self) -> None:
        self.dismiss(False)
