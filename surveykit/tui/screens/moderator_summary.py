"""The end of a session: each task's outcome, time, errors, hints, notes and SEQ; SUS."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from surveykit.session.clock import format_ms
from surveykit.session.summary import SessionSummary
from surveykit.textsafe import safe_display
from surveykit.vocabulary import Outcome


class SummaryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,enter,escape", "app.quit", "Close", show=False)
    ]

    def __init__(self, title: str, summary: SessionSummary, session_id: int) -> None:
        super().__init__(id="moderator-summary")
        self.study_title = title
        self.summary = summary
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        s = self.summary
        who = (
            f"Participant {_one_line(s.participant)}"
            if s.participant
            else f"Session {self.session_id}"
        )
        yield Static(
            Text.assemble(
                (f" {_one_line(self.study_title)}", "bold"),
                "  ·  ",
                (who, "bold"),
                "  ·  completed",
            ),
            id="mod-header",
        )
        with VerticalScroll(id="mod-summary-body", can_focus=False):
            yield Static(self._table(), id="mod-summary-table")
            yield Static(self._totals(), id="mod-summary-totals")
        yield Static(
            Text.assemble(
                "Everything is saved (session ",
                str(self.session_id),
                ").  ",
                ("q", "bold reverse"),
                " or ",
                ("enter", "bold reverse"),
                " close",
            ),
            id="mod-keys",
        )

    def _table(self) -> Table:
        table = Table(expand=True, box=None, header_style="bold", pad_edge=False)
        table.add_column("#", justify="right", width=2)
        table.add_column("Task", ratio=1, overflow="ellipsis", no_wrap=True)
        table.add_column("Outcome", width=9)
        table.add_column("Time", justify="right", width=8)
        table.add_column("Err", justify="right", width=3)
        table.add_column("Hint", justify="right", width=4)
        table.add_column("Note", justify="right", width=4)
        table.add_column("SEQ", justify="right", width=3)
        for t in sorted(self.summary.tasks, key=lambda t: t.position):
            skipped = t.outcome == Outcome.SKIPPED
            table.add_row(
                str(t.position),
                Text(_one_line(t.title)),
                t.outcome or "-",
                "-" if skipped else format_ms(t.active_ms),
                "-" if skipped else str(t.errors),
                "-" if skipped else str(t.hints),
                str(t.notes),
                "-" if t.seq is None else str(t.seq),
            )
        return table

    def _totals(self) -> Text:
        s = self.summary
        out = Text("\n")
        if s.sus is not None:
            out.append("SUS score ", style="bold")
            out.append(f"{s.sus:.1f}", style="bold")
            out.append(f"  (grade {s.sus_grade})\n")
        else:
            out.append("SUS: not answered\n")
        ok = sum(1 for t in s.tasks if t.outcome == Outcome.SUCCESS)
        ran = sum(1 for t in s.tasks if t.outcome not in (None, Outcome.SKIPPED))
        out.append(f"Tasks completed successfully: {ok} of {ran} attempted\n")
        if s.session_notes:
            out.append(f"Session notes: {s.session_notes}\n")
        return out


def _one_line(text: str | None) -> str:
    return safe_display(text or "", multiline=False)
