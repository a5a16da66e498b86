"""Answer widgets, one module per kind of step, and the bits screens share."""

from __future__ import annotations

from surveykit.session.steps import Step
from surveykit.tui.widgets.answer import (
    AnswerChanged,
    AnswerError,
    AnswerWidget,
    Initial,
    NAToggle,
    SubmitAnswer,
)
from surveykit.tui.widgets.choice import ChoiceAnswer, OptionPicker
from surveykit.tui.widgets.multi import MultiAnswer
from surveykit.tui.widgets.number import NumberAnswer
from surveykit.tui.widgets.plain import PlainText, plain
from surveykit.tui.widgets.progress import ProgressIndicator
from surveykit.tui.widgets.scale import DigitKeys, ScaleAnswer, ScaleInput
from surveykit.tui.widgets.text import SafeInput, TextAnswer

__all__ = [
    "AnswerChanged",
    "AnswerError",
    "AnswerWidget",
    "ChoiceAnswer",
    "DigitKeys",
    "MultiAnswer",
    "NAToggle",
    "NoteAnswer",
    "NumberAnswer",
    "OptionPicker",
    "PlainText",
    "ProgressIndicator",
    "SafeInput",
    "SafeTextArea",
    "ScaleAnswer",
    "ScaleInput",
    "SubmitAnswer",
    "TextAnswer",
    "answer_widget_for",
    "plain",
]


class NoteAnswer(AnswerWidget):
    """A `note`: nothing to answer (the screen's Next button takes the focus)."""

    keys_hint = "Enter next"


_KINDS: dict[str, type[AnswerWidget]] = {
    "scale": ScaleAnswer,
    "choice": ChoiceAnswer,
    "multi": MultiAnswer,
    "text": TextAnswer,
    "number": NumberAnswer,
    "note": NoteAnswer,
}


def __getattr__(name: str) -> object:
    if name == "SafeTextArea":  # imported on demand: Textual's TextArea is slow to import
        from surveykit.tui.widgets.textarea import SafeTextArea

        return SafeTextArea
    raise AttributeError(name)


def answer_widget_for(step: Step, *, initial: Initial = None, big: bool = False) -> AnswerWidget:
    """The widget that answers `step`, showing `initial` (value, is_na) if given."""
    return _KINDS[step.kind](step, initial=initial, big=big, id="answer-widget")
