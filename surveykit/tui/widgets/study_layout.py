"""The layout a moderated session is followed in: header, task list, the current
task's prompt and log, and its timer. The moderator console and the observer
screen both compose it, so the two read alike and a change lands in both."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from surveykit.tui.widgets.task_timer import TaskTimer


def compose_study_body() -> ComposeResult:
    """`#mod-header`, then the task list beside the prompt, the task's log and the timer."""
    yield Static(id="mod-header")
    with Horizontal(id="mod-body"):
        with VerticalScroll(id="mod-tasks", can_focus=False) as tasks:
            tasks.border_title = "Tasks"
            yield Static(id="mod-task-list")
        with Vertical(id="mod-right"):
            with VerticalScroll(id="mod-detail", can_focus=False):
                yield Static(id="mod-prompt")
            with VerticalScroll(id="mod-log", can_focus=False) as log:
                log.border_title = "This task so far"
                yield Static(id="mod-log-lines")
            yield TaskTimer(id="mod-timer")
