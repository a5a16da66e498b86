"""What a moderator can do, as data: the actions of the console, and which of
them apply in each state of a study session.

The session layer decides; a front end maps each action to its keys (or
buttons) and shows the ones that do nothing now as unavailable. No key is named
here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveykit.session.study import TaskState

__all__ = ["ModeratorAction", "allowed_actions"]


class ModeratorAction(StrEnum):
    START = "start"  # start the task's timer
    END = "end"  # code an outcome (success, partial, fail, abandoned, timeout)
    SKIP = "skip"  # code it as skipped
    UNDO = "undo"  # undo the outcome
    ERROR = "error"  # log an error (with a quick code)
    HINT = "hint"  # count a hint
    PAUSE = "pause"  # pause or resume the timer
    RESTART = "restart"  # time the task again from zero
    NOTE = "note"  # a timestamped note
    NEXT = "next"  # move on (to the next task, or hand over for the questions)
    QUIT = "quit"  # close the console (the session stays resumable)


A = ModeratorAction
_BETWEEN_TASKS = frozenset({A.NEXT, A.NOTE, A.QUIT})
_PENDING = frozenset({A.START, A.SKIP, A.NOTE, A.QUIT})
_RUNNING = frozenset({A.END, A.SKIP, A.ERROR, A.HINT, A.PAUSE, A.RESTART, A.NOTE, A.QUIT})
_ENDED = frozenset(
    {A.END, A.SKIP, A.UNDO, A.ERROR, A.HINT, A.RESTART, A.NOTE, A.NEXT, A.QUIT}
)
_SKIPPED = frozenset({A.UNDO, A.NEXT, A.NOTE, A.QUIT})


def allowed_actions(phase: str, task: TaskState | None) -> frozenset[ModeratorAction]:
    """The actions that do something in this phase, on this current task."""
    if phase != "tasks" or task is None:
        return _BETWEEN_TASKS
    if task.status == "pending":
        return _PENDING
    if task.status in ("running", "paused"):
        return _RUNNING
    if task.status == "ended" and task.started:
        return _ENDED
    return _SKIPPED
