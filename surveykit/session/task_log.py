"""A task's log as the moderator reads it: one line per event ("0:12.3  error (form)")."""

from __future__ import annotations

from typing import Any

from surveykit.session.clock import format_ms
from surveykit.vocabulary import EventKind

__all__ = ["RESTART_LINE", "log_line"]

RESTART_LINE = "restarted from zero"


def log_line(kind: str, data: dict[str, Any]) -> str | None:
    """One line of a task's log for the moderator ("0:12.3  error (form)"), None to leave out."""
    what: str | None
    if kind == EventKind.TASK_START:
        what = "started"
    elif kind == EventKind.PAUSE:
        what = "paused" + (f" ({data['reason']})" if data.get("reason") else "")
    elif kind == EventKind.RESUME:
        what = "resumed"
    elif kind == EventKind.ERROR:
        what = f"error ({data['code']})" if data.get("code") else "error"
    elif kind == EventKind.HINT:
        what = "hint"
    elif kind == EventKind.NOTE:
        by = f" ({data['by']})" if data.get("by") else ""
        what = f"note{by}: {data.get('text', '')}"
    elif kind == EventKind.TIME_LIMIT:
        what = "time limit reached"
    elif kind == EventKind.TASK_END:
        what = f"ended: {data.get('outcome')}"
    elif kind == EventKind.OUTCOME_CORRECTED:
        what = f"corrected: {data.get('from')} → {data.get('to')}"
    elif kind == EventKind.REOPEN:
        what = "end undone"
    elif kind == EventKind.RESTART:
        what = RESTART_LINE
    else:
        what = None
    if what is None:
        return None
    ms = data.get("task_ms", data.get("active_ms"))
    at = format_ms(ms) if isinstance(ms, int) else ("0:00.0" if kind == EventKind.TASK_START else "")
    return f"{at:>7}  {what}"
