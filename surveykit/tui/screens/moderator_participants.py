"""Who is next? The study's participants so far (with their status) and a new id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from surveykit.session.participants import ParticipantRow
from surveykit.textsafe import safe_display


class ParticipantsScreen(Screen[None]):
    """`choose(participant)` opens (or resumes) that participant's session and returns
    None, or returns a message saying why it cannot (shown here)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.quit", "Quit", show=False)]

    def __init__(
        self,
        title: str,
        rows: list[ParticipantRow],
        suggestion: str,
        choose: Callable[[str], str | None],
        *,
        site: str | None = None,
    ) -> None:
        super().__init__(id="moderator-participants")
        self.site = site
        self.study_title = title
        self.rows = rows
        self.suggestion = suggestion
        self.choose = choose

    def compose(self) -> ComposeResult:
        yield Static(
            Text(f" {safe_display(self.study_title, multiline=False)}", style="bold"),
            id="mod-header",
        )
        with Vertical(id="mod-participants-body"):
            with Horizontal(id="mod-participant-new"):
                yield Static("New participant: ", id="mod-participant-label")
                yield Input(value=self.suggestion, id="mod-participant-id", max_length=64)
            yield Static(
                "Enter starts them (an unfinished session is resumed) · Tab: the list",
                id="mod-participant-help",
            )
            yield Static("", id="mod-participant-error")
            table: DataTable[str] = DataTable(id="mod-participant-table", cursor_type="row")
            site = escape(safe_display(self.site, multiline=False)) if self.site is not None else ""
            at = f" at {site}" if site else ""
            table.border_title = f"Participants so far{at} ({len(self.rows)})"
            yield table
        yield Static(
            Text.assemble(
                ("enter", "bold reverse"),
                " start/resume  ",
                ("tab", "bold reverse"),
                " list/new id  ",
                ("esc", "bold reverse"),
                " quit",
            ),
            id="mod-keys",
        )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        sites = any(r.site is not None for r in self.rows)
        columns = ["Participant", "Status", "Tasks", "Started (UTC)", "Session"]
        table.add_columns(*(["Site", *columns] if sites else columns))
        for i, r in reversed(list(enumerate(self.rows))):  # latest first
            status = Text(r.label, style="bold" if r.resumable else "")
            cells: list[Any] = [
                Text(safe_display(r.participant, multiline=False)),
                status,
                f"{r.tasks_done}/{r.tasks_total}",
                r.started_at[:16].replace("T", " "),
                str(r.session_id),
            ]
            if sites:
                cells.insert(0, Text(safe_display(r.site or "-", multiline=False)))
            table.add_row(*cells, key=str(i))
        if not self.rows:
            table.display = False
        field = self.query_one(Input)
        field.focus()
        field.action_end()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._try(event.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            row = self.rows[int(event.row_key.value)]
            if row.site != self.site:
                self.app.bell()
                where = f"--site {row.site}" if row.site is not None else "no --site"
                who = f"{row.participant} is at another site: open the console with {where}"
                self.query_one("#mod-participant-error", Static).update(
                    Text("✗ " + safe_display(who, multiline=False), style="bold")
                )
                return
            self._try(row.participant)

    def _try(self, participant: str) -> None:
        problem = self.choose(participant)
        if problem:
            self.app.bell()
            self.query_one("#mod-participant-error", Static).update(
                Text("✗ " + problem, style="bold")
            )
