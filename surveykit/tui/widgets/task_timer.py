"""The moderator's big task timer: large digits, the clock's state, the time limit.

A display only: it shows what it is given (`show`), it does not count. The
console reads the `TaskClock` ten times a second and passes the reading on, so
the digits can never drift from the clock that is stored.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Digits, Static

from surveykit.session.clock import format_ms

STATE_TEXT = {
    "idle": "NOT STARTED",
    "running": "● RUNNING",
    "paused": "❚❚ PAUSED",
    "stopped": "■ ENDED",
}
_STATE_CLASSES = (*(f"-{s}" for s in STATE_TEXT), "-over")


def whole_seconds(ms: int, *, up: bool = False) -> str:
    """`m:ss` (a countdown rounds up: it shows 0:00 only once time is up)."""
    if up:
        ms = -(-max(0, ms) // 1000) * 1000
    return format_ms(ms)[:-2]


class TaskTimer(Widget):
    """Large `m:ss.t` digits with the state ("● RUNNING") and the time limit beside them."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: tuple[object, ...] | None = None

    @staticmethod
    def _limit_text(active_ms: int, limit_ms: int | None) -> str:
        if limit_ms is None:
            return "no time limit"
        if active_ms >= limit_ms:
            return f"TIME LIMIT {whole_seconds(limit_ms)} REACHED"
        left = whole_seconds(limit_ms - active_ms, up=True)
        return f"limit {whole_seconds(limit_ms)} · {left} left"

    def compose(self) -> ComposeResult:
        with Horizontal(id="mod-timer-row"):
            yield Digits("0:00.0", id="mod-timer-digits")
            with Vertical(id="mod-timer-side"):
                yield Static(STATE_TEXT["idle"], id="mod-timer-state")
                yield Static("", id="mod-timer-limit")
                yield Static("", id="mod-timer-counts")

    def show(
        self,
        active_ms: int,
        state: str,
        *,
        limit_ms: int | None = None,
        outcome: str | None = None,
        counts: str = "",
    ) -> None:
        """Display a clock reading; `state` is the TaskClock state."""
        digits = self.query_one("#mod-timer-digits", Digits)
        text = format_ms(active_ms)
        if digits.value != text:
            digits.update(text)
        over = limit_ms is not None and active_ms >= limit_ms
        label = STATE_TEXT.get(state, state.upper())
        if state == "stopped" and outcome:
            label = f"■ {outcome.upper()}"
        limit_text = self._limit_text(active_ms, limit_ms)
        shown = (label, limit_text, counts, state, over)
        if shown == self._shown:
            return  # nothing but the digits changed: redraw nothing else
        self._shown = shown
        self.query_one("#mod-timer-state", Static).update(label)
        self.query_one("#mod-timer-limit", Static).update(limit_text)
        self.query_one("#mod-timer-counts", Static).update(counts)
        self.remove_class(*_STATE_CLASSES)
        self.add_class(f"-{state}")
        if over:
            self.add_class("-over")
