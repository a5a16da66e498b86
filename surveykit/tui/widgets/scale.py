"""Numbered scales: NPS 0–10, CSAT, CES, SEQ, rating, and battery items (SUS, UMUX-Lite).

One focusable widget (one Tab stop) draws the whole scale: a row of numbered
boxes with their labels under them, an optional N/A box, and a line saying
what is chosen. Keys: ←/→ (or ↑/↓) move the choice, Home/End jump to the ends,
digits choose directly, Enter goes on. On a scale that reaches 10 or more,
`1` chooses 1 at once and becomes 10 if `0` follows within `DIGIT_WINDOW_S`
(on a 1–10 scale a lone `0` also means 10). The mouse chooses with a click.

When the boxes cannot be made wide enough for the terminal (many points with
long labels on a narrow screen) the scale is drawn as a vertical list instead.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size

from surveykit.session.steps import Step
from surveykit.textsafe import safe_display
from surveykit.tui.widgets.answer import AnswerChanged, AnswerWidget, request_next
from surveykit.tui.widgets.pointer import PointerTargets

DIGIT_WINDOW_S = 0.8
ROOMY_HEIGHT = 36  # terminals this tall get taller boxes
NA = "na"

_BOX = ("╭", "─", "╮", "│", "╰", "╯")
_BOX_SELECTED = ("┏", "━", "┓", "┃", "┗", "┛")


class DigitKeys:
    """Turn digit key presses into choices on a numbered range `low..high`.

    A digit chooses its number at once. If a longer number starts with it (on
    0–10, `1` may begin `10`) a second digit within `window` seconds makes the
    two-digit number. A lone `0` on a range that has 10 but not 0 means 10.
    """

    def __init__(
        self,
        low: int,
        high: int,
        *,
        window: float = DIGIT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.low, self.high = low, high
        self.window = window
        self.clock = clock
        self._pending: int | None = None
        self._at = 0.0

    def _in(self, n: int) -> bool:
        return self.low <= n <= self.high

    def press(self, digit: int) -> int | None:
        """The number chosen by this key press, or None if it chooses nothing."""
        now = self.clock()
        pending, self._pending = self._pending, None
        if pending is not None and now - self._at <= self.window:
            combined = pending * 10 + digit
            if self._in(combined):
                return combined
        chosen: int | None = digit if self._in(digit) else None
        if chosen is None and digit == 0 and self._in(10):
            chosen = 10
        if digit > 0 and any(self._in(digit * 10 + d) for d in range(10)):
            self._pending, self._at = digit, now
        return chosen


@dataclass(frozen=True)
class _Hit:
    y0: int
    y1: int
    x0: int
    x1: int
    index: int

    def contains(self, x: int, y: int) -> bool:
        return self.y0 <= y < self.y1 and self.x0 <= x < self.x1


class ScaleInput(PointerTargets, can_focus=True):
    """The scale itself; `ScaleAnswer` wraps it as an answer widget."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "scale--point",
        "scale--selected",
        "scale--hover",
        "scale--label",
        "scale--label-selected",
        "scale--chosen",
        "scale--none",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,up", "move(-1)", "Previous", show=False),
        Binding("right,down", "move(1)", "Next point", show=False),
        Binding("home", "jump(0)", "Lowest", show=False),
        Binding("end", "jump(-1)", "Highest", show=False),
    ]

    #: the clock for the two-digit window (tests replace it)
    clock: ClassVar[Callable[[], float]] = staticmethod(time.monotonic)  # type: ignore[assignment]

    def __init__(
        self,
        step: Step,
        *,
        value: int | None = None,
        is_na: bool = False,
        big: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.step = step
        self.big = big
        self.values = list(range(step.low, step.high + 1))
        self.labels = {v: t for v, t in step.labels.items() if step.low <= v <= step.high and t}
        self.points: list[int | str] = [*self.values, *([NA] if step.allows_na else [])]
        self._index: int | None = None
        if is_na and step.allows_na:
            self._index = len(self.points) - 1
        elif value in self.values:
            self._index = self.values.index(value)  # type: ignore[arg-type]
        self._hover: int | None = None
        self._digits = DigitKeys(step.low, step.high, clock=lambda: type(self).clock())
        self._hits: list[_Hit] = []
        self.vertical = False

    # --- state -------------------------------------------------------------------------

    @property
    def selected(self) -> int | str | None:
        """The chosen number, `"na"`, or None."""
        return None if self._index is None else self.points[self._index]

    def select_index(self, index: int | None) -> None:
        if index == self._index:
            return
        self._index = index
        self.refresh()
        self.post_message(AnswerChanged())

    def select_value(self, value: int | str) -> None:
        if value in self.points:
            self.select_index(self.points.index(value))

    # --- keys and mouse ----------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if self._index is None:
            index = 0 if delta > 0 else len(self.values) - 1
        else:
            index = max(0, min(len(self.points) - 1, self._index + delta))
        self.select_index(index)

    def action_jump(self, where: int) -> None:
        self.select_index(0 if where == 0 else len(self.values) - 1)

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            request_next(self)
            return
        char = event.character
        if char is not None and len(char) == 1 and char in "0123456789":
            event.stop()
            event.prevent_default()
            chosen = self._digits.press(int(char))
            if chosen is not None:
                self.select_value(chosen)
            else:
                self.app.bell()

    def _target_at(self, x: int, y: int) -> int | None:
        for hit in self._hits:
            if hit.contains(x, y):
                return hit.index
        return None

    def _activate(self, index: int) -> None:
        self.select_index(index)

    # --- drawing -----------------------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._layout(width)[0])

    def render(self) -> Text:
        lines, self._hits = self._layout(self.size.width)
        return Text("\n", end="").join(lines)

    @property
    def roomy(self) -> bool:
        """Taller targets: for touch (`big`) and on tall terminals."""
        return self.big or (self.is_attached and self.app.size.height >= ROOMY_HEIGHT)

    def _style(self, name: str) -> Style:
        try:
            return self.get_component_rich_style(name, partial=True)
        except Exception:  # not mounted yet (layout asked before styles exist)
            return Style()

    def _point_style(self, index: int) -> Style:
        if index == self._index:
            return self._style("scale--selected")
        if index == self._hover:
            return self._style("scale--point") + self._style("scale--hover")
        return self._style("scale--point")

    def _layout(self, width: int) -> tuple[list[Text], list[_Hit]]:
        width = max(width, 10)
        n = len(self.values)
        full = len(self.labels) == n
        numw = max(cell_len(str(v)) for v in self.values)
        gap = 1
        min_cw = max(numw + 2, 8 if full else 4)
        max_cw = (18 if self.big else 16) if full else (11 if self.big else 9)
        cw = min(max_cw, (width - gap * (n - 1)) // n)
        self.vertical = cw < min_cw
        if self.vertical:
            return self._layout_vertical(width)
        return self._layout_row(width, cw, gap, full)

    def _box_lines(self, text: str, cw: int, h: int, selected: bool) -> list[str]:
        tl, hz, tr, vt, bl, br = _BOX_SELECTED if selected else _BOX
        inner = cw - 2
        pad = inner - cell_len(text)
        middle = " " * (pad - pad // 2) + text + " " * (pad // 2)
        rows = [tl + hz * inner + tr]
        for r in range(1, h - 1):
            rows.append(vt + (middle if r == h // 2 else " " * inner) + vt)
        rows.append(bl + hz * inner + br)
        return rows

    def _layout_row(
        self, width: int, cw: int, gap: int, full: bool
    ) -> tuple[list[Text], list[_Hit]]:
        h = 5 if self.roomy else 3
        n = len(self.values)
        lines = [Text(end="") for _ in range(h)]
        hits: list[_Hit] = []
        for i, v in enumerate(self.values):
            x = i * (cw + gap)
            if i:
                for line in lines:
                    line.append(" " * gap)
            box = self._box_lines(str(v), cw, h, i == self._index)
            style = self._point_style(i)
            for line, row in zip(lines, box, strict=True):
                line.append(row, style)
            hits.append(_Hit(0, h, x, x + cw, i))
        total = n * cw + (n - 1) * gap
        label_lines = self._full_labels(cw, gap) if full else self._sparse_labels(cw, gap, total)
        y = h
        for line in label_lines:
            lines.append(line)
        if full and label_lines:
            for i in range(n):
                x = i * (cw + gap)
                hits.append(_Hit(y, y + len(label_lines), x, x + cw, i))
        if self.step.allows_na:
            label = safe_display(self.step.na_label, multiline=False)
            naw = min(width, cell_len(label) + 4)
            lines.append(Text(end=""))
            y = len(lines)
            na_index = len(self.points) - 1
            style = self._point_style(na_index)
            for row in self._box_lines(label, naw, h, self._index == na_index):
                lines.append(Text(row, style=style, end=""))
            hits.append(_Hit(y, y + h, 0, naw, na_index))
        lines.append(self._chosen_line())
        return lines, hits

    def _full_labels(self, cw: int, gap: int) -> list[Text]:
        wrapped = [
            textwrap.wrap(safe_display(self.labels[v], multiline=False), cw, break_long_words=True)
            or [""]
            for v in self.values
        ]
        depth = max(len(w) for w in wrapped)
        out: list[Text] = []
        for j in range(depth):
            line = Text(end="")
            for i, parts in enumerate(wrapped):
                if i:
                    line.append(" " * gap)
                part = parts[j] if j < len(parts) else ""
                pad = cw - cell_len(part)
                style = "scale--label-selected" if i == self._index else "scale--label"
                line.append(" " * (pad // 2) + part + " " * (pad - pad // 2), self._style(style))
            out.append(line)
        return out

    def _sparse_labels(self, cw: int, gap: int, total: int) -> list[Text]:
        if not self.labels:
            return []
        n = len(self.values)
        placed: list[tuple[int, str, int]] = []  # (start, text, index)
        fits = True
        prev_end = -2
        for v in sorted(self.labels):
            i = self.values.index(v)
            text = safe_display(self.labels[v], multiline=False)
            w = cell_len(text)
            x = i * (cw + gap)
            if i == 0:
                start = 0
            elif i == n - 1:
                start = x + cw - w
            else:
                start = x + cw // 2 - w // 2
            start = max(0, min(start, total - w))
            if w > total or start <= prev_end + 1:
                fits = False
                break
            placed.append((start, text, i))
            prev_end = start + w - 1
        if fits:
            line = Text(end="")
            cursor = 0
            for start, text, i in placed:
                line.append(" " * (start - cursor))
                style = "scale--label-selected" if i == self._index else "scale--label"
                line.append(text, self._style(style))
                cursor = start + cell_len(text)
            return [line]
        return [
            Text(
                f"{v} = {safe_display(self.labels[v], multiline=False)}",
                self._style("scale--label"),
                end="",
            )
            for v in sorted(self.labels)
        ]

    def _layout_vertical(self, width: int) -> tuple[list[Text], list[_Hit]]:
        lines: list[Text] = []
        hits: list[_Hit] = []
        numw = max(cell_len(str(v)) for v in self.values)
        indent = numw + 6
        for i, point in enumerate(self.points):
            if point == NA:
                lines.append(Text(end=""))
                head = "(●) " if i == self._index else "( ) "
                text = safe_display(self.step.na_label, multiline=False)
                head = head + " " * (numw + 2)
            else:
                head = ("(●) " if i == self._index else "( ) ") + str(point).rjust(numw) + "  "
                text = safe_display(self.labels.get(point, ""), multiline=False)  # type: ignore[arg-type]
            wrapped = textwrap.wrap(text, max(8, width - indent)) or [""]
            y0 = len(lines)
            style = self._point_style(i)
            for j, part in enumerate(wrapped):
                lines.append(Text((head if j == 0 else " " * indent) + part, style, end=""))
            hits.append(_Hit(y0, len(lines), 0, width, i))
            if self.roomy:
                lines.append(Text(end=""))
        lines.append(self._chosen_line())
        return lines, hits

    def _chosen_line(self) -> Text:
        point = self.selected
        if point is None:
            return Text("No answer chosen yet", self._style("scale--none"), end="")
        if point == NA:
            said = safe_display(self.step.na_label, multiline=False)
        else:
            label = self.labels.get(point)  # type: ignore[arg-type]
            said = f"{point}" + (f" · {safe_display(label, multiline=False)}" if label else "")
        return Text(f"Your answer: {said}", self._style("scale--chosen"), end="")


class ScaleAnswer(AnswerWidget):
    """A scale question or battery item."""

    keys_hint = "←→ or digits choose · Enter next"

    def compose(self) -> ComposeResult:
        value, is_na = self.initial if self.initial else (None, False)
        yield ScaleInput(
            self.step,
            value=value if isinstance(value, int) else None,
            is_na=is_na,
            big=self.big,
            id="scale",
        )

    def hint(self) -> str:
        low, high = self.step.low, self.step.high
        digits = f"{max(low, 0)}–{min(high, 9)}" if low <= 9 and high >= 0 else ""
        parts = [f"←→ or {digits} choose" if digits else "←→ choose"]
        if high == 10 and low <= 1:
            parts.append("10 = 1 then 0")
        elif high >= 10:
            parts.append("10 and up: two digits")
        parts.append("Enter next")
        return " · ".join(parts)

    def get_answer(self) -> tuple[Any, bool]:
        chosen = self.query_one(ScaleInput).selected
        if chosen == NA:
            return None, True
        return chosen, False

    def focus_answer(self) -> None:
        self.query_one(ScaleInput).focus()
