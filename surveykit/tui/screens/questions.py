"""One block of questions, one step per screen: the screen every mode shares.

`QuestionsScreen(run)` shows `run.current` with the widget made for its kind,
a progress line, Back and Next, the participant's keys, and a message line
for answers that cannot be accepted. Next hands the answer to
`QuestionRun.submit`, which validates it and commits it to the database before
this screen shows anything else; Back calls `QuestionRun.back`. When the block
is done the screen dismisses itself with `True`.

It binds no app-level keys and never quits the app: the app around it decides
what ctrl+q, Escape and idle time mean (the kiosk locks them). Screen keys:
Enter (from an answer), PgDn or ctrl+n go on; PgUp goes back.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from surveykit.i18n import translator
from surveykit.session.errors import StorageError
from surveykit.session.questions import QuestionRun
from surveykit.tui.widgets import (
    AnswerChanged,
    AnswerError,
    AnswerWidget,
    PlainText,
    ProgressIndicator,
    SubmitAnswer,
    answer_widget_for,
)


class StepBody(VerticalScroll, can_focus=False):
    """The scrolling area of a step: the mouse wheel scrolls it, but it takes no Tab stop."""


NEXT_LABEL = "Next →"
FINISH_LABEL = "Finish ✓"
BACK_LABEL = "← Back"


class QuestionsScreen(Screen[bool]):
    """Steps of one `QuestionRun`, committed as the participant goes.

    `heading` is shown at the top (the survey's title, say); `big` gives
    larger targets for touch screens (kiosk); `keys_note` is appended to the
    key hints (e.g. the app's own "ctrl+q quit").
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown,ctrl+n", "next", "Next", show=False),
        Binding("pageup", "back", "Back", show=False),
    ]

    def __init__(
        self,
        run: QuestionRun,
        *,
        heading: str | None = None,
        big: bool = False,
        keys_note: str | None = None,
        language: str | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.run = run
        self.heading = heading
        self.big = big
        self.keys_note = keys_note
        #: Next, Back and the progress line in the participant's language
        self.t = translator(language)
        self.answer: AnswerWidget | None = None
        self._busy = False
        self._start_error = ""
        if big:
            self.add_class("-big")

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The first step is composed with the screen (no second layout pass before it shows).
        self._start()
        run = self.run
        step = run.current
        if step is not None:
            self.answer = answer_widget_for(step, initial=run.value(), big=self.big)
        with Vertical(id="sk-frame"):
            yield PlainText(self.heading, multiline=False, id="sk-heading")
            yield ProgressIndicator(id="sk-progress")
            with StepBody(id="sk-body"):
                yield PlainText(run.title(), id="sk-title")
                yield PlainText(self._item_text(), multiline=False, id="sk-item")
                yield PlainText(run.text(), id="sk-question")
                yield PlainText(step.help if step else "", id="sk-help")
                with Vertical(id="sk-answer"):
                    if self.answer is not None:
                        yield self.answer
            yield PlainText(self._start_error, id="sk-message")
            with Horizontal(id="sk-nav"):
                yield Button(self.t(BACK_LABEL), id="sk-back")
                yield Static(id="sk-nav-gap")
                yield Button(self.t(NEXT_LABEL), id="sk-next", variant="primary")
            yield PlainText("", multiline=False, id="sk-keys")

    def _start(self) -> None:
        """`run.start()` unless the run is already under way (resumed, or shown before)."""
        self._start_error = ""
        if self.run.current is None and not self.run.finished:
            try:
                self.run.start()
            except StorageError as e:
                self._start_error = _storage_message(e)

    def on_mount(self) -> None:
        if self.run.finished:
            self.call_later(self._done)
            return
        if self.answer is not None:
            self._decorate(self.answer)

    def _done(self) -> None:
        self.dismiss(True)

    # --- showing a step ------------------------------------------------------------------

    def _item_text(self) -> str:
        step = self.run.current
        if step is None or step.item is None:
            return ""
        return self.t("Statement {item} of {count}", item=step.item, count=step.item_count)

    async def show_step(self) -> None:
        """Draw `run.current` (with its earlier answer, if any) and focus its widget."""
        run = self.run
        step = run.current
        if step is None:
            return
        self.query_one("#sk-title", PlainText).set_text(run.title())
        self.query_one("#sk-item", PlainText).set_text(self._item_text())
        self.query_one("#sk-question", PlainText).set_text(run.text())
        self.query_one("#sk-help", PlainText).set_text(step.help)
        self._say("")
        widget = answer_widget_for(step, initial=run.value(), big=self.big)
        area = self.query_one("#sk-answer", Vertical)
        with self.app.batch_update():
            await area.remove_children()
            await area.mount(widget)
        self.answer = widget
        self._decorate(widget)
        self.query_one("#sk-body", StepBody).scroll_home(animate=False)

    def _decorate(self, widget: AnswerWidget) -> None:
        """Progress, Back/Next, key hints and focus for the step on screen."""
        position, total = self.run.progress()
        progress = self.query_one(ProgressIndicator)
        progress.template = self.t("Question {position} of {total}")  # (filled by the widget)
        progress.update_progress(position, total)
        self.query_one("#sk-back", Button).disabled = not self.run.can_go_back
        self.query_one("#sk-next", Button).label = self.t(
            FINISH_LABEL if position >= total else NEXT_LABEL
        )
        self.query_one("#sk-keys", PlainText).set_text(self._keys(widget))
        self._focus_answer()

    def _keys(self, widget: AnswerWidget) -> str:
        parts = [widget.hint()]
        if self.run.can_go_back:
            parts.append("PgUp back")
        if self.keys_note:
            parts.append(self.keys_note)
        return " · ".join(parts)

    def _focus_answer(self) -> None:
        widget = self.answer
        if widget is not None and any(w.can_focus for w in widget.query("*")):
            widget.focus_answer()
        else:
            self.query_one("#sk-next", Button).focus()

    def _say(self, message: str) -> None:
        self.query_one("#sk-message", PlainText).set_text(message)

    @property
    def message(self) -> str:
        """The message shown to the participant ('' when none)."""
        return self.query_one("#sk-message", PlainText).text

    # --- acting --------------------------------------------------------------------------

    async def action_next(self) -> None:
        """Commit what is on screen and show the next step (or finish the block)."""
        if self._busy or self.run.current is None:
            return
        widget = self.answer
        try:
            value, is_na = widget.get_answer() if widget is not None else (None, False)
        except AnswerError as e:
            self._refuse(str(e))
            return
        self._busy = True
        try:
            try:
                problem = self.run.submit(value, is_na=is_na, say=self.t)
            except StorageError as e:
                self._refuse(_storage_message(e))
                return
            if problem:
                self._refuse(problem)
                return
            if self.run.finished:
                self.dismiss(True)
                return
            await self.show_step()
        finally:
            self._busy = False

    async def action_back(self) -> None:
        """Show the previous step; nothing happens on the first one."""
        if self._busy or not self.run.can_go_back:
            return
        self._busy = True
        try:
            try:
                self.run.back()
            except StorageError as e:
                self._refuse(_storage_message(e))
                return
            await self.show_step()
        finally:
            self._busy = False

    def _refuse(self, message: str) -> None:
        self._say(message)
        self.app.bell()
        self._focus_answer()

    @on(SubmitAnswer)
    async def _submit(self, event: SubmitAnswer) -> None:
        event.stop()
        await self.action_next()

    @on(AnswerChanged)
    def _changed(self, event: AnswerChanged) -> None:
        event.stop()
        if self.message:
            self._say("")

    @on(Button.Pressed, "#sk-next")
    async def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_next()

    @on(Button.Pressed, "#sk-back")
    async def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_back()


def _storage_message(error: Exception) -> str:
    return f"Your answer could not be saved ({error}). Please tell the person running this survey."
