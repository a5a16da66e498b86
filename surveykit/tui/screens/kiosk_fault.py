"""The staff banner shown on every kiosk screen while answers cannot be written.

(A widget, kept with the kiosk screens it is mounted on.)

The survey goes on (answers are kept in memory, in order, and written as soon
as the database works again); the banner tells staff what is wrong, how many
writes wait and when the next try is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from textual.widgets import Static

from surveykit.tui.widgets import plain

if TYPE_CHECKING:
    from surveykit.storage.kiosk_writer import WriterHealth

BANNER_ID = "kiosk-fault"
ALL_CLEAR = "Saving works again: every kept answer is now in the database."


def fault_text(health: WriterHealth) -> str:
    waiting = f"{health.pending} write{'s' if health.pending != 1 else ''} waiting"
    retry = ""
    if health.retry_in_s is not None:
        retry = f", next try in {max(1, math.ceil(health.retry_in_s))} s"
    error = health.last_error or "the database does not answer"
    return (
        f"STAFF: answers cannot be saved right now — {error}. "
        f"They are kept and will be saved automatically ({waiting}{retry}). "
        "Do not switch this kiosk off; fix the disk or database."
    )


class FaultBanner(Static):
    """Docked at the top of whatever screen is showing."""

    def __init__(self) -> None:
        super().__init__("", markup=False, id=BANNER_ID)
        self._text = ""

    @property
    def text(self) -> str:
        return self._text

    def show_health(self, health: WriterHealth) -> None:
        self.remove_class("-ok")
        self._show(fault_text(health))

    def show_all_clear(self) -> None:
        """After an outage: everything kept has been written."""
        self.add_class("-ok")
        self._show(ALL_CLEAR)

    def _show(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update(plain(text))
