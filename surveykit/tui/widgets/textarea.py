"""The multi-line editor of `text` questions with `multiline: true`.

In its own module so that a survey without multi-line text never imports
Textual's TextArea (start-up time).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import TextArea

from surveykit.textsafe import safe_display
from surveykit.tui.widgets.answer import request_next


class SafeTextArea(TextArea):
    """A multi-line editor that never draws control characters raw."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "submit", "Next", show=False),
    ]

    def get_line(self, line_index: int) -> Text:
        line = self.document.get_line(line_index)
        return Text(safe_display(line, multiline=False), end="", no_wrap=True)

    def action_submit(self) -> None:
        request_next(self)
