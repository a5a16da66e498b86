"""Staff only: the PIN that closes the kiosk.

ctrl+q opens it (from any kiosk screen), Escape or Cancel closes it, and it
closes itself after `idle_s` without input so it is never left for a customer.
Digits come from the keyboard or the on-screen keypad (large targets for
touch); the PIN is shown as dots, checked by the app's `PinGate` (hash,
constant time, a growing wait after wrong tries, kept while this screen is
closed and opened again) and dropped right after the check: it is never
stored, logged or put on screen.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from surveykit.session.kiosk import PinGate
from surveykit.tui.widgets import PlainText

MAX_DIGITS = 12
DIGITS = frozenset("0123456789")
PROMPT = "Staff: enter the PIN to close the kiosk."
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok")
LABELS = {"del": "⌫", "ok": "OK"}


class KioskPinScreen(ModalScreen[bool]):
    """Dismisses with True when the PIN is right, False when closed."""

    BINDINGS: ClassVar = []

    def __init__(
        self,
        gate: PinGate,
        *,
        clock: Callable[[], float] = time.monotonic,
        idle_s: float = 30.0,
        staff_line: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(classes="kiosk-modal")
        #: a line for staff only (the sync state), redrawn with the countdown
        self.staff_line = staff_line
        self.gate = gate
        self._clock = clock
        self.idle_s = idle_s
        self._digits: list[str] = []
        self._message = ""
        self.last_input = clock()

    def compose(self) -> ComposeResult:
        with Vertical(id="kiosk-pin", classes="kiosk-card"):
            yield PlainText(PROMPT, classes="kiosk-text")
            yield PlainText(self._dots(), id="kiosk-pin-dots", multiline=False)
            yield Static("", id="kiosk-pin-message", markup=False)
            with Grid(id="kiosk-keypad"):
                for key in KEYPAD:
                    button = Button(LABELS.get(key, key), id=f"kiosk-pin-{key}")
                    button.can_focus = False  # keys go to the screen, never to a button
                    yield button
            with Horizontal(id="kiosk-pin-actions"):
                cancel = Button("Cancel (Esc)", id="kiosk-pin-cancel")
                cancel.can_focus = False
                yield cancel
            if self.staff_line is not None:
                yield Static("", id="kiosk-pin-staff", markup=False)

    def on_mount(self) -> None:
        self.refresh_state()

    # --- state ------------------------------------------------------------------------------

    @property
    def entered(self) -> int:
        """How many digits are typed (never which)."""
        return len(self._digits)

    @property
    def message(self) -> str:
        return self._message

    def idle_for(self) -> float:
        return self._clock() - self.last_input

    def _dots(self) -> str:
        return " ".join("●" for _ in self._digits) if self._digits else "_ _ _ _"

    def refresh_state(self) -> None:
        """Redraw the dots and the lock-out countdown (the app calls it on every tick)."""
        try:
            dots = self.query_one("#kiosk-pin-dots", PlainText)
            line = self.query_one("#kiosk-pin-message", Static)
            ok = self.query_one("#kiosk-pin-ok", Button)
        except NoMatches:  # not composed yet
            return
        wait = self.gate.locked_for()
        message = self._message
        if wait > 0:
            seconds = math.ceil(wait)
            if message.startswith("Wrong PIN"):  # just typed here
                message = f"Wrong PIN. Wait {seconds} s before the next try."
            else:
                message = f"Too many wrong tries. Wait {seconds} s."
        elif "Wait" in message:
            message = ""
        self._message = message
        dots.set_text(self._dots())
        line.update(message)
        ok.disabled = wait > 0
        if self.staff_line is not None:
            with contextlib.suppress(NoMatches):
                self.query_one("#kiosk-pin-staff", Static).update(self.staff_line())

    # --- input ------------------------------------------------------------------------------

    def press(self, key: str) -> None:
        self.last_input = self._clock()
        if key == "cancel":
            self.dismiss(False)
            return
        if key == "del":
            if self._digits:
                self._digits.pop()
        elif key == "ok":
            self._submit()
            return
        elif key in DIGITS:
            if self.gate.locked_for() > 0:
                self.app.bell()
            elif len(self._digits) < MAX_DIGITS:
                self._digits.append(key)
                if self._message and "Wait" not in self._message:
                    self._message = ""
        self.refresh_state()

    def _submit(self) -> None:
        if not self._digits:
            return
        if self.gate.locked_for() > 0:
            self.app.bell()
            self.refresh_state()
            return
        pin = "".join(self._digits)
        self._digits.clear()
        result = self.gate.check(pin)
        del pin
        if result.ok:
            self.dismiss(True)
            return
        self._message = result.message
        self.app.bell()
        self.refresh_state()

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        key = event.key
        if key == "escape":
            self.press("cancel")
        elif key in ("enter", "ctrl+m"):
            self.press("ok")
        elif key in ("backspace", "ctrl+h", "delete"):
            self.press("del")
        elif event.character is not None and event.character in DIGITS:
            self.press(event.character)
        else:
            self.last_input = self._clock()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        key = (event.button.id or "").removeprefix("kiosk-pin-")
        self.press(key)

    def on_click(self, event: events.Click) -> None:
        self.last_input = self._clock()
