"""The words stored in the database, defined once (SPEC §4).

Every layer (storage, session, scoring, export, simulate, the front ends and the
docs tests) takes modes, statuses, outcomes and event kinds from here. The
members are `StrEnum`s: a member *is* its stored string (``Status.COMPLETED ==
"completed"``), so it binds in SQL, serialises in JSON and compares with values
read back from a file without conversion.

This module imports nothing from the project: it sits at the bottom of the layers.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CLOSED_STATUSES",
    "DEFAULT_THEME",
    "END_STATUSES",
    "EVENT_KINDS",
    "MODES",
    "OUTCOMES",
    "STATUSES",
    "THEME_NAMES",
    "EventKind",
    "Mode",
    "Outcome",
    "Status",
    "Theme",
]


class Mode(StrEnum):
    """How a session was run (`sessions.mode`)."""

    RUN = "run"
    KIOSK = "kiosk"
    MODERATE = "moderate"
    PREVIEW = "preview"  # `run --preview` of a study: stored, never scored


class Status(StrEnum):
    """Where a session stands (`sessions.status`)."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"  # left on purpose, or reset by the kiosk's idle timer
    INTERRUPTED = "interrupted"  # a signal, a crash, or a process that went away


class Outcome(StrEnum):
    """How a task run ended (`task_runs.outcome`)."""

    SUCCESS = "success"
    PARTIAL = "partial"
    FAIL = "fail"
    ABANDONED = "abandoned"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"


class EventKind(StrEnum):
    """What an `events` row records (`events.kind`)."""

    SESSION_START = "session_start"
    SESSION_END = "session_end"
    INTRO_SHOWN = "intro_shown"
    OUTRO_SHOWN = "outro_shown"
    # questions
    SHOWN = "shown"
    ANSWERED = "answered"
    CHANGED = "changed"
    CLEARED = "cleared"  # an answer that skip logic no longer shows
    SKIPPED = "skipped"
    BACK = "back"
    BLOCK_END = "block_end"
    # tasks (moderated studies)
    TASK_START = "task_start"
    TASK_END = "task_end"
    PAUSE = "pause"
    RESUME = "resume"
    ERROR = "error"
    HINT = "hint"
    NOTE = "note"
    TIME_LIMIT = "time_limit"
    OUTCOME_CORRECTED = "outcome_corrected"
    REOPEN = "reopen"
    RESTART = "restart"
    # a study followed on several screens (participant screen, observers)
    SCREEN_JOIN = "screen_join"  # a participant screen or an observer joined
    BLOCK_CLAIM = "block_claim"  # which screen answers a block of questions
    RECORDING_START = "recording_start"  # the screen recording started (timeline zero)
    # kiosk and process life
    IDLE_RESET = "idle_reset"
    INTERRUPTED = "interrupted"
    EXIT = "exit"
    CRASH = "crash"


class Theme(StrEnum):
    """The colour themes of the full-screen apps (`--theme`, `kiosk.theme`); their
    colours live with the front end (`surveykit.tui.themes`)."""

    DARK = "dark"
    LIGHT = "light"
    HIGH_CONTRAST = "high-contrast"


MODES: tuple[str, ...] = tuple(Mode)
STATUSES: tuple[str, ...] = tuple(Status)
#: The statuses a session can end with (everything but in_progress).
END_STATUSES: tuple[str, ...] = tuple(s for s in Status if s is not Status.IN_PROGRESS)
#: Closed sessions: the ones that are final (and may travel between files).
CLOSED_STATUSES: frozenset[str] = frozenset(END_STATUSES)
OUTCOMES: tuple[str, ...] = tuple(Outcome)
EVENT_KINDS: tuple[str, ...] = tuple(EventKind)
THEME_NAMES: tuple[str, ...] = tuple(Theme)
DEFAULT_THEME: str = Theme.DARK
