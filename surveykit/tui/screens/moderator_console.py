"""The moderator console: participant, task list, the current task, a big timer, one-key actions.

Every key calls one `StudySession` action, which is on disk before the screen
changes; a key that does not apply now rings the bell and says what would (it
never writes). The timer is redrawn ten times a second from the TaskClock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from surveykit.session.actions import ModeratorAction
from surveykit.session.clock import format_ms
from surveykit.session.errors import StorageError, StudyError
from surveykit.session.study import StudySession, TaskState
from surveykit.session.team import ConsoleLink
from surveykit.textsafe import safe_display
from surveykit.tui.screens.moderator_confirm import ConfirmScreen
from surveykit.tui.screens.moderator_error import NO_CODE, ErrorCodeScreen
from surveykit.tui.screens.moderator_note import NoteScreen
from surveykit.tui.widgets.study_layout import compose_study_body
from surveykit.tui.widgets.task_timer import TaskTimer, whole_seconds
from surveykit.vocabulary import Outcome

#: How often the timer is redrawn (seconds).
TICK_S = 0.1


def _line(text: str | None) -> str:
    """Text from the definition file or the moderator, safe on one line."""
    return safe_display(text or "", multiline=False)


def _para(text: str | None) -> str:
    return safe_display(text or "")


MARKS = {"pending": "·", "running": "▶", "paused": "‖", "ended": "?", "done": "✓"}

Act = ModeratorAction

# The key bar: (keys shown, label, the session-layer action). Two rows, all keys
# always in the same place; keys whose action does nothing right now are dimmed.
KEY_ROWS: list[list[tuple[str, str, ModeratorAction]]] = [
    [
        ("y", "success", Act.END),
        ("p", "partial", Act.END),
        ("f", "fail", Act.END),
        ("a", "abandoned", Act.END),
        ("t", "timeout", Act.END),
        ("k", "skip", Act.SKIP),
        ("u", "undo", Act.UNDO),
    ],
    [
        ("s", "start", Act.START),
        ("space", "pause", Act.PAUSE),
        ("e", "error", Act.ERROR),
        ("h", "hint", Act.HINT),
        ("n", "note", Act.NOTE),
        ("r", "restart", Act.RESTART),
        ("enter", "next", Act.NEXT),
        ("^q", "quit", Act.QUIT),
    ],
]
#: the keys of each action, as a refusal names them ("start it first (s)")
ACTION_KEYS: dict[ModeratorAction, str] = {
    Act.START: "s",
    Act.END: "y p f a t",
    Act.SKIP: "k",
    Act.UNDO: "u",
    Act.ERROR: "e",
    Act.HINT: "h",
    Act.PAUSE: "space",
    Act.RESTART: "r",
    Act.NOTE: "n",
    Act.NEXT: "Enter",
    Act.QUIT: "ctrl+q",
}


def refusal(error: StudyError) -> str:
    """A refusal from the session layer, with the keys of the actions it suggests."""
    keys = [f"{ACTION_KEYS[ModeratorAction(a)]} {a}" for a in error.actions]
    return f"{error} ({', '.join(keys)})" if keys else str(error)


class ModeratorConsole(Screen[None]):
    """The console for one `StudySession`. `on_next` is called when the session
    moves past the tasks (the app then asks the participant's questions)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start", show=False),
        Binding("y,1", "end('success')", "Success", show=False),
        Binding("p,2", "end('partial')", "Partial", show=False),
        Binding("f,3", "end('fail')", "Fail", show=False),
        Binding("a,4", "end('abandoned')", "Abandoned", show=False),
        Binding("t,5", "end('timeout')", "Timeout", show=False),
        Binding("k", "end('skipped')", "Skip", show=False),
        Binding("u", "undo", "Undo", show=False),
        Binding("e", "error", "Error", show=False),
        Binding("h", "hint", "Hint", show=False),
        Binding("space", "pause", "Pause", show=False),
        Binding("r", "restart", "Restart", show=False),
        Binding("n", "note", "Note", show=False),
        Binding("enter", "next", "Next", show=False),
        Binding("m", "mark_recording", "Recording started", show=False),
    ]

    def __init__(
        self,
        study: StudySession,
        *,
        on_next: Callable[[], None] | None = None,
        message: str = "",
        link: ConsoleLink | None = None,
    ) -> None:
        super().__init__(id="moderator-console")
        self.study = study
        #: the other screens of the session (join code, the participant screen's state)
        self.link = link
        self.on_next = on_next
        self._first_message = message
        self._save_failed = False

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from compose_study_body()
        yield Static(id="mod-guide")
        yield Static(id="mod-message")
        yield Static(id="mod-keys")

    def on_mount(self) -> None:
        self.refresh_view()
        if self._first_message:
            self.say(self._first_message)
        self.set_interval(TICK_S, self._tick)

    # --- drawing -------------------------------------------------------------------------

    def refresh_view(self) -> None:
        s = self.study
        done = sum(1 for t in s.tasks if t.status == "done")
        who = f"Participant {_line(s.participant)}" if s.participant else f"Session {s.session_id}"
        header = Text.assemble(
            (f" {_line(s.survey.title)}", "bold"),
            "  ·  ",
            (who, "bold"),
            f"  ·  {done}/{len(s.tasks)} tasks done",
        )
        if self.link is not None:
            state = self.link.participant_state
            if state is not None:  # what the participant screen does matters more than the title
                header = Text.assemble(
                    (f" {who}", "bold"),
                    f" · {done}/{len(s.tasks)} done · join {self.link.code} · ",
                    (f"participant: {_line(state)}", "bold"),
                )
            else:
                header.append(f"  ·  join {self.link.code}")
        self.query_one("#mod-header", Static).update(header)
        self.query_one("#mod-task-list", Static).update(self._task_list())
        detail = self.query_one("#mod-detail", VerticalScroll)
        t = s.current if s.phase == "tasks" else None
        if t is not None:
            detail.border_title = f"Task {t.position} of {len(s.tasks)}"
        else:
            detail.border_title = "Between tasks"
        self.query_one("#mod-prompt", Static).update(self._detail(t))
        lines = t.log if t is not None else []
        self.query_one("#mod-log-lines", Static).update(Text(_para("\n".join(lines))))
        self.query_one("#mod-log", VerticalScroll).scroll_end(animate=False)
        self.query_one("#mod-guide", Static).update(self._guide())
        self.query_one("#mod-keys", Static).update(self._keys())
        self._show_timer()

    def _task_list(self) -> Text:
        s = self.study
        current = s.current
        out = Text(no_wrap=True, overflow="ellipsis")
        for t in s.tasks:
            is_current = current is not None and t is current and s.phase == "tasks"
            mark = MARKS[t.status]
            if t.status == "done" and t.outcome == Outcome.SKIPPED:
                mark = "–"
            style = "bold reverse" if is_current else ("dim" if t.status == "done" else "")
            out.append(f"{mark} {t.position} {_line(t.title)}\n", style=style)
            out.append(f"    {self._status_text(t)}\n", style="dim" if not is_current else "")
        return out

    def _status_text(self, t: TaskState) -> str:
        if t.status == "pending":
            return "to do"
        if t.status in ("running", "paused"):
            return t.status
        if not t.started:
            return t.outcome or ""
        return f"{t.outcome} {format_ms(t.active_ms)}"  # the mark says if it is final

    def _detail(self, t: TaskState | None) -> Text:
        s = self.study
        if t is None:
            if s.phase == "after_each" and s.after_each_pending is not None:
                what = f"the questions about “{_line(s.after_each_pending.title)}”"
            elif s.phase == "after":
                what = "the closing questions"
            elif s.phase == "questions":
                what = "the opening questions"
            else:
                what = "the summary"
            if self.link is not None and self.link.participant_joined:
                state = _line(self.link.participant_state)
                return Text.assemble(
                    ("Next: ", "bold"), what,
                    "\n\nThe participant answers on their screen (", (state, "bold"), ").",
                )
            return Text.assemble(
                ("Next: ", "bold"), what, "\n\nPress Enter and hand over to the participant."
            )
        task = t.task
        out = Text()
        out.append(_line(task.title) + "\n", style="bold")
        out.append("Read to the participant:\n", style="dim")
        out.append(_para(task.prompt) + "\n", style="bold")
        if task.success:
            out.append("Success: ", style="dim")
            out.append(_para(task.success) + "\n")
        if task.time_limit_s:
            out.append("Time limit: ", style="dim")
            out.append(whole_seconds(round(task.time_limit_s * 1000)))
        return out

    def _guide(self) -> Text:
        s = self.study
        t = s.current
        if s.phase != "tasks" or t is None:
            if self.link is not None and self.link.participant_joined:
                state = _line(self.link.participant_state)
                return Text(f"Waiting for the participant screen ({state})", style="bold")
            return Text("Enter: hand over to the participant", style="bold")
        if t.status == "pending":
            return Text("Read the task aloud, then s starts the timer (k skips the task).")
        if t.status == "running":
            return Text("End with y p f a t (or 1-5) · space pauses · e error · h hint · n note")
        if t.status == "paused":
            return Text("PAUSED: space resumes the timer", style="bold")
        if t.status == "ended":
            return Text.assemble(
                ("Outcome ", ""),
                ((t.outcome or "").upper(), "bold"),
                ": another outcome key corrects it · u undoes · ",
                ("Enter moves on", "bold"),
            )
        return Text("")

    def available(self) -> frozenset[ModeratorAction]:
        """Actions that do something right now (the session layer says; the rest are dimmed)."""
        return self.study.allowed()

    def _keys(self) -> Text:
        on = self.available()
        t = self.study.current
        out = Text()
        for i, row in enumerate(KEY_ROWS):
            if i:
                out.append("\n")
            for j, (key, label, group) in enumerate(row):
                if group is Act.PAUSE and t is not None and t.status == "paused":
                    label = "resume"
                if j:
                    out.append("  ")
                active = group in on
                out.append(key, style="bold reverse" if active else "dim")
                out.append(f" {label}", style="" if active else "dim")
        return out

    def _show_timer(self) -> None:
        s = self.study
        t = s.current if s.phase == "tasks" else None
        timer = self.query_one("#mod-timer", TaskTimer)
        if t is None:
            timer.show(0, "idle", counts="")
            return
        limit = round(t.task.time_limit_s * 1000) if t.task.time_limit_s else None
        counts = f"errors {t.errors}  hints {t.hints}  notes {t.notes}"
        state = s.clock.state
        timer.show(s.active_ms, state, limit_ms=limit, outcome=t.outcome, counts=counts)

    def say(self, message: str, *, ok: bool = True) -> None:
        """The feedback line: what the last key did (or why it did nothing)."""
        style = "" if ok else "bold"
        prefix = "✓ " if ok else "✗ "
        line = self.query_one("#mod-message", Static)
        line.update(Text(prefix + _line(message), style=style))
        line.set_class(not ok, "-refused")

    def _refuse(self, why: str) -> None:
        self.app.bell()
        self.say(why, ok=False)

    def _tick(self) -> None:
        s = self.study
        try:
            reached = s.tick()
        except StorageError as e:
            reached = False
            if not self._save_failed:  # once, not ten times a second
                self._refuse(f"NOT SAVED (the timer goes on): {e}")
            self._save_failed = True
        else:
            self._save_failed = False
        if reached:
            t = s.current
            self.app.bell()
            if t is not None:
                self.say(f"Time limit reached on {t.title}: t ends it as timeout")
        self._show_timer()

    # --- actions -------------------------------------------------------------------------

    def _do(self, action: Callable[[], str | None]) -> None:
        try:
            message = action()
        except StudyError as e:
            self._refuse(refusal(e))
            self.refresh_view()
            return
        except StorageError as e:
            self._refuse(f"NOT SAVED, press the key again: {e}")
            self.refresh_view()
            return
        self.refresh_view()
        if message:
            self.say(message)

    def _at(self) -> str:
        return format_ms(self.study.active_ms)

    def action_start(self) -> None:
        def go() -> str:
            t = self.study.start()
            return f"Started {t.title}"

        self._do(go)

    def action_end(self, outcome: str) -> None:
        def go() -> str:
            t = self.study.current
            was = t.outcome if t is not None and t.status == "ended" else None
            t = self.study.end(outcome)
            if was and was != outcome:
                return f"Outcome corrected: {was} → {outcome}"
            if was == outcome:
                return f"Outcome is {outcome} (unchanged)"
            if not t.started:
                return f"{t.title} skipped · u undoes · Enter moves on"
            return f"{t.title}: {outcome} at {format_ms(t.active_ms)} · Enter moves on"

        self._do(go)

    def action_undo(self) -> None:
        def go() -> str:
            t = self.study.reopen()
            return f"Outcome undone: {t.title} is {t.status} again"

        self._do(go)

    def action_pause(self) -> None:
        def go() -> str:
            state = self.study.toggle_pause()
            return f"{'Paused' if state == 'paused' else 'Resumed'} at {self._at()}"

        self._do(go)

    def action_hint(self) -> None:
        def go() -> str:
            n = self.study.hint()
            return f"Hint {n} counted at {self._at()}"

        self._do(go)

    def action_error(self) -> None:
        s = self.study
        try:
            t = s.require_started("log an error")
        except StudyError as e:
            self._refuse(refusal(e))
            return
        at_ms = s.active_ms
        codes = s.error_codes
        if not codes:
            self._log_error(None, at_ms)
            return

        def picked(code: str | None) -> None:
            if code is None:
                self.say("No error logged")
                return
            self._log_error(None if code == NO_CODE else code, at_ms)

        self.app.push_screen(ErrorCodeScreen(codes, t.title), picked)

    def _log_error(self, code: str | None, at_ms: int) -> None:
        def go() -> str:
            n = self.study.error(code, task_ms=at_ms)
            what = f" ({code})" if code else ""
            return f"Error {n}{what} logged at {format_ms(at_ms)}"

        self._do(go)

    def action_note(self) -> None:
        s = self.study
        t = s.current if s.phase == "tasks" else None
        started = t is not None and t.started and t.status != "pending"
        task_ms = s.active_ms if started else None
        where = t.title if started and t is not None else "the session"

        def typed(text: str | None) -> None:
            if not text:
                self.say("Note not saved")
                return

            def go() -> str:
                s.note(text, task_ms=task_ms)
                at = f" at {format_ms(task_ms)}" if task_ms is not None else ""
                return f"Note saved{at}"

            self._do(go)

        self.app.push_screen(NoteScreen(where, task_ms), typed)

    def action_restart(self) -> None:
        s = self.study
        t = s.current
        if Act.RESTART not in s.allowed() or t is None:
            self._refuse(f"nothing to restart: the task has not started ({ACTION_KEYS[Act.START]} start)")
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self.say("Not restarted")
                return

            def go() -> str:
                task = s.restart()
                return f"Restarted {task.title}: timer, errors and hints from zero"

            self._do(go)

        self.app.push_screen(
            ConfirmScreen(
                f"Restart “{t.title}” from zero?",
                "The timer, errors and hints go back to 0 (the first attempt stays in the log).",
                again_key="r",
            ),
            confirmed,
        )

    def action_next(self) -> None:
        s = self.study
        if s.phase == "tasks":
            try:
                s.next()
            except StudyError as e:
                self._refuse(refusal(e))
                return
            self.refresh_view()
            self.say("Moved on")
        if s.phase != "tasks" and self.on_next is not None:
            self.on_next()
        else:
            self.refresh_view()

    def action_mark_recording(self) -> None:
        def go() -> str:
            self.study.mark_recording()
            return "Recording start marked: the timeline counts from here"

        self._do(go)

    def on_screen_resume(self) -> None:
        self.refresh_view()


def describe_resume(study: StudySession) -> str:
    """What a moderator needs to hear when a session comes back after a crash."""
    t = study.current
    if study.phase != "tasks" or t is None:
        return f"Resumed session {study.session_id}"
    if t.status == "running":
        return (
            f"Resumed: {t.title} was running; the timer carries on from "
            f"{format_ms(study.active_ms)} (time while closed is not counted)"
        )
    if t.status == "paused":
        return f"Resumed: {t.title} is paused at {format_ms(study.active_ms)} · space resumes"
    return f"Resumed session {study.session_id} at {t.title}"
