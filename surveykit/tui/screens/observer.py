"""An observer's view of a live moderated session: read-only, plus notes.

Laid out like the moderator console (task list, the current task, its timer,
its log) and following it through the database (`ObserverLink`). Keys: **n**
writes a note (free `#tags`; stamped with the task time at which **n** was
pressed), **m** marks the start of the screen recording, **ctrl+q** leaves.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from surveykit.session.clock import format_ms
from surveykit.session.errors import StorageError, StudyError
from surveykit.session.team import POLL_S, ObserverLink
from surveykit.textsafe import safe_display
from surveykit.tui.screens.moderator_console import MARKS
from surveykit.tui.screens.moderator_note import NoteScreen
from surveykit.tui.widgets.study_layout import compose_study_body
from surveykit.tui.widgets.task_timer import TaskTimer, whole_seconds
from surveykit.vocabulary import Outcome

KEYS = "n note (#tags)  ·  m recording started  ·  ctrl+q leave"


def _line(text: str | None) -> str:
    return safe_display(text or "", multiline=False)


class ObserverScreen(Screen[None]):
    """Follows one session; the timer is redrawn ten times a second."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "note", "Note", show=False),
        Binding("m", "mark", "Recording started", show=False),
    ]

    def __init__(self, link: ObserverLink) -> None:
        super().__init__(id="observer")
        self.link = link

    def compose(self) -> ComposeResult:
        yield from compose_study_body()
        yield Static(id="mod-message")
        yield Static(KEYS, id="mod-keys")

    def on_mount(self) -> None:
        self.refresh_view()
        self.set_interval(POLL_S, self._follow)

    def _follow(self) -> None:
        try:
            if self.link.poll():
                self.refresh_view()
                return
        except StorageError:
            pass
        self._show_timer()

    def refresh_view(self) -> None:
        s = self.link.study
        done = sum(1 for t in s.tasks if t.status == "done")
        who = f"Participant {_line(s.participant)}" if s.participant else f"Session {s.session_id}"
        status = "" if not self.link.ended else f"  ·  {self.link.session_row.status.replace('_', ' ')}"
        me = f"  ·  observing as {_line(self.link.name)}" if self.link.name else "  ·  observing"
        self.query_one("#mod-header", Static).update(
            Text.assemble((f" {_line(s.survey.title)}", "bold"), "  ·  ", (who, "bold"),
                          f"  ·  {done}/{len(s.tasks)} tasks done{status}{me}")
        )
        out = Text(no_wrap=True, overflow="ellipsis")
        current = s.current if s.phase == "tasks" else None
        for t in s.tasks:
            mark = "–" if t.status == "done" and t.outcome == Outcome.SKIPPED else MARKS[t.status]
            style = "bold reverse" if t is current else ("dim" if t.status == "done" else "")
            out.append(f"{mark} {t.position} {_line(t.title)}\n", style=style)
            state = t.outcome or ("to do" if t.status == "pending" else t.status)
            if t.outcome and t.started:
                state = f"{t.outcome} {format_ms(t.active_ms)}"
            out.append(f"    {state}\n", style="" if t is current else "dim")
        self.query_one("#mod-task-list", Static).update(out)
        detail = self.query_one("#mod-detail", VerticalScroll)
        prompt = Text()
        if current is not None:
            detail.border_title = f"Task {current.position} of {len(s.tasks)}"
            prompt.append(_line(current.title) + "\n", style="bold")
            prompt.append(safe_display(current.task.prompt) + "\n")
            if current.task.success:
                prompt.append("Success: ", style="dim")
                prompt.append(safe_display(current.task.success) + "\n")
            if current.task.time_limit_s:
                prompt.append("Time limit: ", style="dim")
                prompt.append(whole_seconds(round(current.task.time_limit_s * 1000)))
        else:
            detail.border_title = "Between tasks"
            phase = {"questions": "opening questions", "after_each": "questions after the task",
                     "after": "closing questions", "done": "session done"}.get(s.phase, s.phase)
            prompt.append(f"The participant is on: {phase}")
        self.query_one("#mod-prompt", Static).update(prompt)
        lines = current.log if current is not None else []
        self.query_one("#mod-log-lines", Static).update(Text(safe_display("\n".join(lines))))
        self.query_one("#mod-log", VerticalScroll).scroll_end(animate=False)
        self._show_timer()

    def _show_timer(self) -> None:
        s = self.link.study
        t = s.current if s.phase == "tasks" else None
        timer = self.query_one("#mod-timer", TaskTimer)
        if t is None or not t.started:
            timer.show(0, "idle", counts="")
            return
        ms = self.link.task_ms() or 0
        state = {"running": "running", "paused": "paused"}.get(t.status, "stopped")
        limit = round(t.task.time_limit_s * 1000) if t.task.time_limit_s else None
        counts = f"errors {t.errors}  hints {t.hints}  notes {t.notes}"
        timer.show(ms, state, limit_ms=limit, outcome=t.outcome, counts=counts)

    def say(self, message: str) -> None:
        self.query_one("#mod-message", Static).update(Text(_line(message)))

    def action_note(self) -> None:
        s = self.link.study
        t = s.current if s.phase == "tasks" else None
        task_ms = self.link.task_ms() if t is not None and t.started else None
        where = t.title if task_ms is not None and t is not None else "the session"

        def typed(text: str | None) -> None:
            if not text:
                self.say("Note not saved")
                return
            try:
                tags = self.link.note(text, task_ms=task_ms)
            except (StudyError, StorageError) as e:
                self.app.bell()
                self.say(f"NOT SAVED: {e}")
                return
            at = f" at {format_ms(task_ms)}" if task_ms is not None else ""
            tagged = f" · tags: {', '.join('#' + t for t in tags)}" if tags else ""
            self.say(f"Note saved{at}{tagged}")
            self._follow()

        self.app.push_screen(NoteScreen(where, task_ms), typed)

    def action_mark(self) -> None:
        try:
            self.link.mark_recording()
        except StorageError as e:
            self.app.bell()
            self.say(f"NOT SAVED: {e}")
            return
        self.say("Recording start marked: the timeline counts from now")
