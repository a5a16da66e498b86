"""A `number` question: a short field, its unit and range, optional N/A.

What is typed is read with `parse_number` (`3`, `2.5`, `2,5`, `1 000`);
anything else gives the participant a plain message instead of an answer.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input

from surveykit.session.steps import display_value, parse_number
from surveykit.tui.widgets.answer import AnswerChanged, AnswerError, AnswerWidget, NAToggle
from surveykit.tui.widgets.plain import PlainText
from surveykit.tui.widgets.text import SafeInput

NUMBER_MAX_LENGTH = 32
NUMBER_CHARACTERS = r"[-+0-9.,\s\u00a0]*"


def _fmt(v: float) -> str:
    return display_value(None, v)


def range_text(question: Any) -> str:
    """`A whole number from 1 to 50`, `At least 0`, … (empty without bounds)."""
    kind = "A whole number" if question.integer else "A number"
    low, high = question.min, question.max
    if low is not None and high is not None:
        return f"{kind} from {_fmt(low)} to {_fmt(high)}"
    if low is not None:
        return f"{kind}, at least {_fmt(low)}"
    if high is not None:
        return f"{kind}, at most {_fmt(high)}"
    return f"{kind}" if question.integer else ""


class NumberAnswer(AnswerWidget):
    keys_hint = "Type a number, then Enter: next"

    def compose(self) -> ComposeResult:
        q = self.step.question
        value, is_na = self.initial if self.initial else (None, False)
        text = "" if value is None or is_na else display_value(q, value)
        with Horizontal(classes="number-row"):
            yield SafeInput(
                value=text, max_length=NUMBER_MAX_LENGTH, restrict=NUMBER_CHARACTERS, id="number"
            )
            if q.unit:
                yield PlainText(q.unit, multiline=False, classes="unit")
        yield PlainText(range_text(q), classes="range")
        if self.step.allows_na:
            yield NAToggle(self.step.na_label, value=is_na, id="na")

    @on(Input.Changed, "#number")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value:
            for toggle in self.query(NAToggle):
                toggle.value = False
        self.post_message(AnswerChanged())

    def get_answer(self) -> tuple[Any, bool]:
        toggles = self.query(NAToggle)
        if toggles and toggles.first().value:
            return None, True
        text = self.query_one("#number", Input).value
        if not text.strip():
            return None, False
        number = parse_number(text, integer=bool(self.step.question.integer))
        if number is None:
            raise AnswerError("Please enter a number, like 3 or 2.5.")
        return number, False

    def focus_answer(self) -> None:
        self.query_one("#number").focus()
