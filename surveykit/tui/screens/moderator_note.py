"""Type a timestamped note: Enter saves, Escape cancels."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from surveykit.session.clock import format_ms
from surveykit.textsafe import safe_display


class NoteScreen(ModalScreen[str | None]):
    """Dismisses with the text (stripped, may be empty) or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, where: str, task_ms: int | None) -> None:
        super().__init__(classes="mod-dialog")
        self.where = where
        self.task_ms = task_ms

    def compose(self) -> ComposeResult:
        at = f" at {format_ms(self.task_ms)}" if self.task_ms is not None else ""
        with Vertical(id="mod-note-box", classes="mod-dialog-box"):
            yield Static(
                f"Note{at} · {safe_display(self.where, multiline=False)}",
                classes="mod-dialog-title",
                markup=False,
            )
            yield Input(placeholder="What happened?", id="mod-note-text", max_length=2000)
            yield Static("Enter = save · Esc = cancel", classes="mod-dialog-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
