"""Choosing among options: one (`choice`), or several (`multi`, see `multi.py`).

`OptionPicker` draws numbered options, in the order the participant is shown
(shuffled options keep their shuffled order), then "Other" if the question
has it, then N/A if allowed. One Tab stop; ↑/↓ move, digits pick an option by
its number (two digits within a short window for 10 and up), a click picks.
For a single choice the highlighted option is the choice; for several, Space
ticks the highlighted one. When "Other" is chosen a text field appears under
the list; typing a letter while "Other" is chosen goes straight into it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Offset, Size
from textual.message import Message
from textual.widgets import Input

from surveykit.textsafe import safe_display
from surveykit.tui.widgets.answer import AnswerChanged, AnswerWidget, request_next
from surveykit.tui.widgets.pointer import PointerTargets
from surveykit.tui.widgets.scale import ROOMY_HEIGHT, DigitKeys, ScaleInput
from surveykit.tui.widgets.text import SafeInput

OTHER_MAX_LENGTH = 500


@dataclass(frozen=True)
class Item:
    """One line of the list: an option, "Other", or N/A."""

    kind: str  # option | other | na
    text: str
    number: int | None  # the digit(s) that pick it
    stored: Any = None  # the option's stored value


def items_for(step: Any) -> list[Item]:
    q = step.question
    items = [Item("option", o.text, i, o.stored) for i, o in enumerate(step.options, 1)]
    if getattr(q, "other", False):
        items.append(Item("other", q.other_label, len(items) + 1))
    if step.allows_na:
        items.append(Item("na", step.na_label, None))
    return items


class OptionPicker(PointerTargets, can_focus=True):
    """The list itself (`ChoiceAnswer` and `MultiAnswer` wrap it)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "options--item",
        "options--selected",
        "options--cursor",
        "options--hover",
        "options--number",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next option", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("space", "choose_cursor", "Choose", show=False),
    ]

    class TypedOther(Message):
        """A letter was typed while "Other" is chosen: it belongs in the Other field."""

        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    class Refused(Message):
        """A tick was refused (too many chosen)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(
        self,
        items: list[Item],
        *,
        multiple: bool = False,
        selected: set[int] | None = None,
        max_selected: int | None = None,
        big: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.items = items
        self.multiple = multiple
        self.selected: set[int] = set(selected or ())
        self.max_selected = max_selected
        self.big = big
        self.cursor = min(self.selected) if self.selected else 0
        self._hover: int | None = None
        self._typing_other = False
        self._rows: list[tuple[int, int, int]] = []  # (y0, y1, index)
        numbered = [i.number for i in items if i.number is not None]
        self._digits = DigitKeys(
            1, max(numbered) if numbered else 0, clock=lambda: ScaleInput.clock()
        )

    # --- state -------------------------------------------------------------------------

    def index_of(self, kind: str) -> int | None:
        for i, item in enumerate(self.items):
            if item.kind == kind:
                return i
        return None

    def is_selected(self, kind: str) -> bool:
        index = self.index_of(kind)
        return index is not None and index in self.selected

    def choose(self, index: int) -> None:
        """Pick (single choice) or tick/untick (several) the item at `index`."""
        self.cursor = index
        item = self.items[index]
        if not self.multiple:
            if self.selected != {index}:
                self.selected = {index}
                self.post_message(AnswerChanged())
            self.refresh()
            return
        if index in self.selected:
            self.selected.discard(index)
        elif item.kind == "na":
            self.selected = {index}
        else:
            na = self.index_of("na")
            if na is not None:
                self.selected.discard(na)
            chosen = len(self.selected)
            if self.max_selected is not None and chosen >= self.max_selected:
                self.post_message(
                    self.Refused(f"You can choose at most {self.max_selected}: untick one first.")
                )
                self.app.bell()
                self.refresh()
                return
            self.selected.add(index)
        self.refresh()
        self.post_message(AnswerChanged())

    def set_selected(self, kind: str, on: bool) -> None:
        index = self.index_of(kind)
        if index is None or (index in self.selected) == on:
            return
        self.choose(index)

    # --- keys and mouse ----------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if not self.multiple and not self.selected:
            target = 0 if delta > 0 else len(self.items) - 1
        else:
            target = max(0, min(len(self.items) - 1, self.cursor + delta))
        if self.multiple:
            self.cursor = target
            self.refresh()
        else:
            self.choose(target)

    def action_jump(self, where: int) -> None:
        target = 0 if where == 0 else len(self.items) - 1
        if self.multiple:
            self.cursor = target
            self.refresh()
        else:
            self.choose(target)

    def action_choose_cursor(self) -> None:
        """Space: choose (or tick) the option under the cursor (not Textual's `toggle`,
        which flips an attribute)."""
        self.choose(self.cursor)

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            request_next(self)
            return
        char = event.character
        if not char or not event.is_printable:
            return
        if len(char) == 1 and char in "0123456789":
            event.stop()
            event.prevent_default()
            number = self._digits.press(int(char))
            for i, item in enumerate(self.items):
                if number is not None and item.number == number:
                    self.choose(i)
                    break
            else:
                self.app.bell()
        elif self.is_selected("other") and (char != " " or self._typing_other):
            # typing while "Other" is chosen fills in its field (spaces too, once typing has begun)
            event.stop()
            event.prevent_default()
            self._typing_other = True
            self.post_message(self.TypedOther(char))

    def _target_at(self, x: int, y: int) -> int | None:
        for y0, y1, index in self._rows:
            if y0 <= y < y1:
                return index
        return None

    def _activate(self, index: int) -> None:
        self.choose(index)

    def on_focus(self) -> None:
        self._typing_other = False
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- drawing -----------------------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._layout(width)[0])

    def render(self) -> Text:
        lines, self._rows = self._layout(self.size.width)
        self._place_terminal_cursor()
        return Text("\n", end="").join(lines)

    def _place_terminal_cursor(self) -> None:
        """Put the terminal's (hidden) cursor on the focused option's mark, so that a
        braille display or a screen magnifier that follows the cursor finds it."""
        if not self.has_focus or not self.is_attached:
            return
        region = self.content_region
        for y0, _, index in self._rows:
            if index == self.cursor:
                numw = max((len(str(i.number)) for i in self.items if i.number is not None), default=1)
                self.app.cursor_position = Offset(region.x + 2 + numw + 2, region.y + y0)
                return

    def _style(self, name: str) -> Style:
        try:
            return self.get_component_rich_style(name, partial=True)
        except Exception:
            return Style()

    def _layout(self, width: int) -> tuple[list[Text], list[tuple[int, int, int]]]:
        numbers = [i.number for i in self.items if i.number is not None]
        numw = max((len(str(n)) for n in numbers), default=1)
        head_w = 2 + numw + 1 + 4  # cursor, number, space, mark
        lines: list[Text] = []
        rows: list[tuple[int, int, int]] = []
        show_cursor = self.multiple and self.has_focus
        for i, item in enumerate(self.items):
            if item.kind == "na" and i:
                lines.append(Text(end=""))
            chosen = i in self.selected
            if self.multiple:
                mark = "[x] " if chosen else "[ ] "
            else:
                mark = "(●) " if chosen else "( ) "
            pointer = "› " if show_cursor and i == self.cursor else "  "
            number = str(item.number).rjust(numw) if item.number is not None else " " * numw
            text = safe_display(item.text, multiline=False)
            wrapped = textwrap.wrap(text, max(8, width - head_w)) or [""]
            style = self._style("options--item")
            if chosen:
                style += self._style("options--selected")
            if show_cursor and i == self.cursor:
                style += self._style("options--cursor")
            elif i == self._hover:
                style += self._style("options--hover")
            y0 = len(lines)
            for j, part in enumerate(wrapped):
                line = Text(end="")
                if j == 0:
                    line.append(pointer, style)
                    line.append(number, style + self._style("options--number"))
                    line.append(" " + mark + part, style)
                else:
                    line.append(" " * head_w + part, style)
                pad = width - cell_len(line.plain)
                if pad > 0:
                    line.append(" " * pad, style)
                lines.append(line)
            rows.append((y0, len(lines), i))
            if self.big or (self.is_attached and self.app.size.height >= ROOMY_HEIGHT):
                lines.append(Text(end=""))
        return lines, rows


class OtherInput(SafeInput):
    """The free-text field of "Other"."""


class ChoiceAnswer(AnswerWidget):
    """A `choice` question: one option, "Other" with text, or N/A."""

    multiple: ClassVar[bool] = False

    def _initial_selection(self, items: list[Item]) -> tuple[set[int], str]:
        selected: set[int] = set()
        other_text = ""
        if not self.initial:
            return selected, other_text
        value, is_na = self.initial
        values = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if item.kind == "na" and is_na:
                selected.add(i)
            elif item.kind == "other":
                for v in values:
                    if isinstance(v, dict) and "other" in v:
                        selected.add(i)
                        other_text = str(v["other"])
            elif item.kind == "option" and not is_na and item.stored in values:
                selected.add(i)
        return selected, other_text

    def compose(self) -> ComposeResult:
        items = items_for(self.step)
        selected, other_text = self._initial_selection(items)
        yield OptionPicker(
            items,
            multiple=self.multiple,
            selected=selected,
            max_selected=getattr(self.step.question, "max_selected", None)
            if self.multiple
            else None,
            big=self.big,
            id="options",
        )
        if getattr(self.step.question, "other", False):
            field = OtherInput(
                value=other_text,
                placeholder="Please say…",
                max_length=OTHER_MAX_LENGTH,
                id="other",
            )
            field.display = any(items[i].kind == "other" for i in selected)
            yield field
        yield from self.compose_extra()

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def hint(self) -> str:
        n = len(self.step.options) + (1 if getattr(self.step.question, "other", False) else 0)
        digits = "1–9" if n > 9 else f"1–{n}" if n > 1 else "1"
        return f"↑↓ or {digits} choose · Enter next"

    @property
    def picker(self) -> OptionPicker:
        return self.query_one(OptionPicker)

    def _other_field(self) -> OtherInput | None:
        found = self.query(OtherInput)
        return found.first() if found else None

    @on(AnswerChanged)
    def _sync_other(self) -> None:
        field = self._other_field()
        if field is None:
            return
        showing = self.picker.is_selected("other")
        if showing != field.display:
            field.display = showing

    @on(OptionPicker.TypedOther)
    def _type_into_other(self, event: OptionPicker.TypedOther) -> None:
        field = self._other_field()
        if field is None:
            return
        field.display = True
        field.focus()
        field.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#other")
    def _other_typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value and not self.picker.is_selected("other"):
            self.picker.set_selected("other", True)
        self.post_message(AnswerChanged())

    def on_click(self, event: events.Click) -> None:
        # a click on the Other field chooses Other
        field = self._other_field()
        if field is not None and event.widget is field and not self.picker.is_selected("other"):
            self.picker.set_selected("other", True)

    def get_answer(self) -> tuple[Any, bool]:
        picker = self.picker
        if not picker.selected:
            return None, False
        item = picker.items[min(picker.selected)]
        if item.kind == "na":
            return None, True
        if item.kind == "other":
            field = self._other_field()
            return {"other": field.value if field else ""}, False
        return item.stored, False

    def focus_answer(self) -> None:
        self.picker.focus()
