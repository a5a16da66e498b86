"""Pick a quick code for a logged error: a digit, Enter for no code, Escape to cancel."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from surveykit.textsafe import safe_display

NO_CODE = ""


class ErrorCodeScreen(ModalScreen[str | None]):
    """Dismisses with the chosen code, `NO_CODE` ("") for an error without a code,
    or None when cancelled (nothing is logged)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, codes: list[str], task_title: str) -> None:
        super().__init__(classes="mod-dialog")
        self.codes = list(codes)
        self.task_title = task_title

    def compose(self) -> ComposeResult:
        with Vertical(id="mod-error-box", classes="mod-dialog-box"):
            yield Static(
                Text.assemble(
                    "Log an error on ", (safe_display(self.task_title, multiline=False), "bold")
                ),
                classes="mod-dialog-title",
            )
            options = [Option(Text("⏎  no code"), id="mod-code-none")]
            for n, code in enumerate(self.codes, 1):
                key = str(n) if n <= 9 else " "
                options.append(
                    Option(
                        Text(f"{key}  {safe_display(code, multiline=False)}"), id=f"mod-code-{n}"
                    )
                )
            yield OptionList(*options, id="mod-error-codes")
            yield Static(
                "digit = that code · Enter = highlighted · Esc = cancel, no error",
                classes="mod-dialog-keys",
            )

    def on_mount(self) -> None:
        codes = self.query_one(OptionList)
        codes.highlighted = 0
        codes.focus()

    def on_key(self, event: Key) -> None:
        if event.character and event.character in "123456789":  # not isdigit(): "²" is one
            n = int(event.character)
            event.stop()
            event.prevent_default()
            if n <= min(9, len(self.codes)):
                self.dismiss(self.codes[n - 1])
            else:
                self.app.bell()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        self.dismiss(NO_CODE if index == 0 else self.codes[index - 1])

    def action_cancel(self) -> None:
        self.dismiss(None)
