"""A `multi` question: tick every option that applies, within `min_selected`/`max_selected`.

The list is `OptionPicker` with checkboxes (↑/↓ move, Space or a digit ticks,
a click ticks); "Other" has its text field, N/A unticks everything else. A
line under the list says how many may be chosen and how many are.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult

from surveykit.tui.widgets.answer import AnswerChanged
from surveykit.tui.widgets.choice import ChoiceAnswer, OptionPicker
from surveykit.tui.widgets.plain import PlainText


def limits_text(low: int | None, high: int | None) -> str:
    if low and high:
        return f"Choose {low}." if low == high else f"Choose {low} to {high}."
    if low:
        return f"Choose at least {low}."
    if high:
        return f"Choose up to {high}."
    return "Choose all that apply."


class MultiAnswer(ChoiceAnswer):
    multiple: ClassVar[bool] = True

    def compose_extra(self) -> ComposeResult:
        yield PlainText(self._limits(), multiline=False, id="limits", classes="limits")

    def hint(self) -> str:
        return "↑↓ move · Space or digit ticks · Enter next"

    def _limits(self, count: int | None = None) -> str:
        q = self.step.question
        text = limits_text(q.min_selected, q.max_selected)
        if count:
            text += f" ({count} chosen)"
        return text

    @on(AnswerChanged)
    def _count(self) -> None:
        picker = self.picker
        chosen = [i for i in picker.selected if picker.items[i].kind != "na"]
        limits = self.query_one("#limits", PlainText)
        limits.set_text(self._limits(len(chosen)))
        limits.remove_class("-warn")

    @on(OptionPicker.Refused)
    def _refused(self, event: OptionPicker.Refused) -> None:
        limits = self.query_one("#limits", PlainText)
        limits.set_text(event.reason)
        limits.add_class("-warn")

    def get_answer(self) -> tuple[Any, bool]:
        picker = self.picker
        chosen = [picker.items[i] for i in sorted(picker.selected)]
        if any(item.kind == "na" for item in chosen):
            return None, True
        order = {o.stored: n for n, o in enumerate(self.step.question.option_list())}
        values: list[Any] = [
            item.stored
            for item in sorted(
                (i for i in chosen if i.kind == "option"), key=lambda i: order.get(i.stored, 0)
            )
        ]
        if any(item.kind == "other" for item in chosen):
            field = self._other_field()
            values.append({"other": field.value if field else ""})
        return values, False
