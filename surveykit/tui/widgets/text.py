"""Free text: one line (`SafeInput`) or several (`SafeTextArea`), with a character count.

Both keep exactly what was typed or pasted (that is what gets stored) but
draw it through `safe_display`, so an escape sequence or control character
in the text shows as `␛[31m`… and never reaches the terminal raw. The mapping
is one character for one, so the cursor stays where the participant sees it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Input

from surveykit.textsafe import safe_display
from surveykit.tui.widgets.answer import AnswerChanged, AnswerWidget, NAToggle, request_next
from surveykit.tui.widgets.plain import PlainText


class SafeInput(Input):
    """A one-line `Input` that never draws control characters raw.

    Enter asks to go on (`SubmitAnswer`). A paste of several lines is joined
    with spaces instead of keeping only its first line, and a paste too long
    for `max_length` is cut to fit instead of being dropped.
    """

    def __init__(self, *args: Any, select_on_focus: bool = False, **kwargs: Any) -> None:
        # Selecting everything on focus would make the next key replace an earlier answer.
        super().__init__(*args, select_on_focus=select_on_focus, **kwargs)

    @property
    def _value(self) -> Text:
        return Text(
            safe_display(self.value, multiline=False), no_wrap=True, overflow="ignore", end=""
        )

    async def action_submit(self) -> None:
        request_next(self)

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":  # at once, without the trip through the app's bindings
            event.stop()
            event.prevent_default()
            request_next(self)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # not Input's own paste as well
        if not event.text:
            return
        text = " ".join(event.text.splitlines())
        start, end = sorted(self.selection)
        if self.max_length:
            room = self.max_length - (len(self.value) - (end - start))
            text = text[: max(0, room)]
        if text:
            self.replace(text, start, end)


def count_text(n: int, limit: int) -> str:
    return f"{n} / {limit} characters"


class TextAnswer(AnswerWidget):
    """A `text` question: one line, or several with `multiline: true`."""

    def compose(self) -> ComposeResult:
        q = self.step.question
        value, is_na = self.initial if self.initial else ("", False)
        text = value if isinstance(value, str) else ""
        if q.multiline:
            from surveykit.tui.widgets.textarea import SafeTextArea  # only when needed: start-up

            area = SafeTextArea(
                text,
                soft_wrap=True,
                show_line_numbers=False,
                tab_behavior="focus",
                id="text",
            )
            yield area
        else:
            yield SafeInput(value=text, max_length=q.max_length, id="text")
        yield PlainText(self._count(text), id="count", classes="count")
        if self.step.allows_na:
            yield NAToggle(self.step.na_label, value=is_na, id="na")

    def hint(self) -> str:
        if self.step.question.multiline:
            return "Enter: new line · ctrl+n: next"
        return "Type, then Enter: next"

    def _count(self, text: str) -> str:
        limit = int(self.step.question.max_length)
        if self.step.question.multiline or len(text) >= limit * 0.8:
            return count_text(len(text), limit)
        return ""

    def _text(self) -> str:
        widget = self.query_one("#text")
        if isinstance(widget, Input):
            return widget.value
        from textual.widgets import TextArea  # the multi-line editor (loaded only with one)

        assert isinstance(widget, TextArea)
        return widget.text

    @on(Input.Changed, "#text")
    def _input_changed(self, event: Input.Changed) -> None:
        self._changed(event)

    def on_text_area_changed(self, event: Any) -> None:
        self._changed(event)

    def _changed(self, event: Any) -> None:
        event.stop()
        text = self._text()
        count = self.query_one("#count", PlainText)
        count.set_text(self._count(text))
        count.set_class(len(text) > self.step.question.max_length, "-over")
        if text:
            for toggle in self.query(NAToggle):
                toggle.value = False
        self.post_message(AnswerChanged())

    def get_answer(self) -> tuple[Any, bool]:
        toggles = self.query(NAToggle)
        if toggles and toggles.first().value:
            return None, True
        return self._text(), False

    def focus_answer(self) -> None:
        self.query_one("#text").focus()
