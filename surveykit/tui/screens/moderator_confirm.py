"""Confirm a destructive action: y (or the same key again) confirms, n or Escape cancels."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Static

from surveykit.textsafe import safe_display


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "Cancel", show=False)
    ]

    def __init__(self, question: str, detail: str = "", *, again_key: str | None = None) -> None:
        super().__init__(classes="mod-dialog")
        self.question = safe_display(question)
        self.detail = safe_display(detail)
        self.yes_keys = {"y"} | ({again_key} if again_key else set())

    def compose(self) -> ComposeResult:
        keys = " or ".join(sorted(self.yes_keys))
        with Vertical(id="mod-confirm-box", classes="mod-dialog-box"):
            yield Static(self.question, classes="mod-dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="mod-dialog-detail", markup=False)
            yield Static(f"{keys} = yes · n or Esc = no", classes="mod-dialog-keys")

    def on_key(self, event: Key) -> None:
        if event.key in self.yes_keys:
            event.stop()
            event.prevent_default()
            self.dismiss(True)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
