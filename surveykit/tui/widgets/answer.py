"""What every answer widget shares: its messages, its interface, the N/A toggle.

An answer widget shows one step (see `surveykit.session.steps.Step`) and knows
nothing about storage: the screen asks it for `get_answer()` when the
participant moves on and hands that to `QuestionRun.submit`. Widgets post
`AnswerChanged` whenever the participant changes something (the screen clears
its message) and `SubmitAnswer` for Enter (the screen goes to the next step).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget

from surveykit.session.steps import Step
from surveykit.textsafe import safe_display


class AnswerChanged(Message):
    """The participant changed the answer on screen (nothing is stored yet)."""


class SubmitAnswer(Message):
    """The participant asked to go on (Enter)."""


def request_next(widget: Widget) -> None:
    """Ask the screen to go on (Enter).

    The message goes straight to the screen rather than bubbling up through every
    container: the answer is committed a few scheduling hops sooner.
    """
    try:
        target: Widget = widget.screen
    except Exception:  # not on a screen (yet)
        target = widget
    target.post_message(SubmitAnswer())


class AnswerError(ValueError):
    """What is on screen cannot be read as an answer (e.g. letters in a number field)."""


Initial = tuple[Any, bool] | None  # (value, is_na) to show when going back, or None


class AnswerWidget(Vertical):
    """Base of the per-type answer widgets (`scale`, `choice`, `multi`, `text`, `number`)."""

    #: keys to show the participant for this kind of answer (screen adds Back/Next)
    keys_hint: ClassVar[str] = "Enter next"

    def __init__(
        self,
        step: Step,
        *,
        initial: Initial = None,
        big: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.step = step
        self.initial = initial
        self.big = big
        self.add_class("answer", f"answer-{step.kind}")
        if big:
            self.add_class("-big")

    def get_answer(self) -> tuple[Any, bool]:
        """(value, is_na) as on screen; value None when nothing is given.

        Raises AnswerError when the input cannot be read at all.
        """
        return None, False

    def focus_answer(self) -> None:
        """Put the keyboard focus where the participant answers."""
        for widget in self.query("*"):
            if widget.can_focus and widget.display:
                widget.focus()
                return

    def hint(self) -> str:
        return self.keys_hint


class NAToggle(Widget, can_focus=True):
    """`[ ] Not applicable` for text and number questions: Space or a click ticks it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick", show=False),
        Binding("enter", "submit", "Next", show=False),
    ]

    class Toggled(Message):
        def __init__(self, toggle: NAToggle) -> None:
            super().__init__()
            self.toggle = toggle

        @property
        def control(self) -> NAToggle:
            return self.toggle

    def __init__(self, label: str, *, value: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self._value = value

    @property
    def value(self) -> bool:
        return self._value

    @value.setter
    def value(self, on: bool) -> None:
        if on != self._value:
            self._value = on
            self.set_class(on, "-on")
            self.refresh()

    def on_mount(self) -> None:
        self.set_class(self._value, "-on")

    def render(self) -> Text:
        box = "[x]" if self._value else "[ ]"
        return Text(f"{box} {safe_display(self.label, multiline=False)}", no_wrap=True, end="")

    def get_content_width(self, container: Any, viewport: Any) -> int:
        return len(self.label) + 4

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 1

    def action_tick(self) -> None:
        """Space: tick or untick (not Textual's `toggle`, which flips an attribute)."""
        self.value = not self._value
        self.post_message(self.Toggled(self))
        self.post_message(AnswerChanged())

    def action_submit(self) -> None:
        request_next(self)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_tick()
