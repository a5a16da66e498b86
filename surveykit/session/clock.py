"""The moderator's task timer.

Pure domain logic: no UI, no storage, no I/O.  All durations come from an
injected monotonic clock (``time.monotonic`` by default); wall-clock time is
never used, so changing the system clock mid-task cannot corrupt a duration.

States and transitions::

    idle --start--> running --pause--> paused --resume--> running
    running|paused --stop--> stopped
    any --restart--> running (active time reset to 0)

``active_ms`` is the time spent in ``running`` (pauses excluded) in whole
milliseconds, truncated; it is frozen once the clock is stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Literal

__all__ = ["ClockState", "TaskClock", "format_ms"]

ClockState = Literal["idle", "running", "paused", "stopped"]
_STATES: tuple[str, ...] = ("idle", "running", "paused", "stopped")

# Absorbs float noise in (now - start) * 1000 so that e.g. a 1.1 s segment
# counts as 1100 ms rather than 1099 ms.  Far below 1 ms, so it never adds time.
_EPS_MS = 1e-6


def _limit_to_ms(time_limit_s: float | None) -> int | None:
    if time_limit_s is None:
        return None
    if isinstance(time_limit_s, bool) or not isinstance(time_limit_s, int | float):
        raise TypeError(f"time_limit_s must be a number of seconds or None, got {time_limit_s!r}")
    if not math.isfinite(time_limit_s) or time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be a positive number of seconds, got {time_limit_s!r}")
    return max(1, round(time_limit_s * 1000))


class TaskClock:
    """Stopwatch for one usability task, with optional time limit.

    ``now`` must be monotonic (never go backwards); a backwards step is
    treated as zero elapsed time.  The time limit is kept in whole
    milliseconds (``round(time_limit_s * 1000)``).
    """

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        time_limit_s: float | None = None,
    ) -> None:
        self._now = now
        self._limit_ms = _limit_to_ms(time_limit_s)
        self.time_limit_s = time_limit_s
        self._state: ClockState = "idle"
        self._banked_s = 0.0  # running time of finished segments (seconds)
        self._base_ms = 0  # active time carried in by restore()
        self._segment_start: float | None = None  # set only while running

    # -- state -------------------------------------------------------------

    @property
    def state(self) -> ClockState:
        """``"idle"``, ``"running"``, ``"paused"`` or ``"stopped"``."""
        return self._state

    def _refuse(self, action: str, allowed: str) -> ValueError:
        hint = " (use restart() to time the task again from zero)" if action == "start" else ""
        return ValueError(
            f"cannot {action} the task clock: it is {self._state}, "
            f"{action} is only allowed when {allowed}{hint}"
        )

    def _bank_segment(self) -> None:
        assert self._segment_start is not None
        self._banked_s += max(0.0, self._now() - self._segment_start)
        self._segment_start = None

    # -- transitions ---------------------------------------------------------

    def start(self) -> None:
        """idle -> running."""
        if self._state != "idle":
            raise self._refuse("start", "idle")
        self._segment_start = self._now()
        self._state = "running"

    def pause(self) -> None:
        """running -> paused."""
        if self._state != "running":
            raise self._refuse("pause", "running")
        self._bank_segment()
        self._state = "paused"

    def resume(self) -> None:
        """paused -> running."""
        if self._state != "paused":
            raise self._refuse("resume", "paused")
        self._segment_start = self._now()
        self._state = "running"

    def stop(self) -> int:
        """running|paused -> stopped; returns the final ``active_ms``."""
        if self._state not in ("running", "paused"):
            raise self._refuse("stop", "running or paused")
        if self._state == "running":
            self._bank_segment()
        self._state = "stopped"
        return self.active_ms

    def restart(self) -> None:
        """Any state -> running, with active time reset to 0."""
        self._banked_s = 0.0
        self._base_ms = 0
        self._segment_start = self._now()
        self._state = "running"

    # -- readings ------------------------------------------------------------

    @property
    def active_ms(self) -> int:
        """Running time in whole ms, pauses excluded; frozen once stopped."""
        seconds = self._banked_s
        if self._state == "running" and self._segment_start is not None:
            seconds += max(0.0, self._now() - self._segment_start)
        return self._base_ms + math.floor(seconds * 1000 + _EPS_MS)

    @property
    def over_limit(self) -> bool:
        """True once ``active_ms`` reaches the time limit; False without a limit."""
        return self._limit_ms is not None and self.active_ms >= self._limit_ms

    @property
    def remaining_ms(self) -> int | None:
        """Milliseconds left before the limit (never negative); None without a limit."""
        if self._limit_ms is None:
            return None
        return max(0, self._limit_ms - self.active_ms)

    # -- persistence ---------------------------------------------------------

    @classmethod
    def restore(
        cls,
        active_ms: int,
        state: str,
        now: Callable[[], float] = time.monotonic,
        time_limit_s: float | None = None,
    ) -> TaskClock:
        """Rebuild a clock from stored active time after a crash or resume.

        ``"running"`` carries on counting from ``now()`` (time while the app was
        down is not counted); ``"paused"`` stays paused; ``"stopped"`` is frozen
        at ``active_ms``; ``"idle"`` requires ``active_ms == 0``.
        """
        if isinstance(active_ms, bool) or not isinstance(active_ms, int):
            raise TypeError(f"active_ms must be an int, got {active_ms!r}")
        if active_ms < 0:
            raise ValueError(f"active_ms must be >= 0, got {active_ms}")
        if state not in _STATES:
            raise ValueError(
                f"cannot restore task clock in unknown state {state!r}; "
                f"expected one of {', '.join(_STATES)}"
            )
        if state == "idle" and active_ms != 0:
            raise ValueError(f"an idle task clock has no active time, got active_ms={active_ms}")
        clock = cls(now=now, time_limit_s=time_limit_s)
        clock._base_ms = active_ms
        clock._state = state  # type: ignore[assignment]  # validated above
        if state == "running":
            clock._segment_start = now()
        return clock

    def __repr__(self) -> str:
        return (
            f"TaskClock(state={self._state!r}, active_ms={self.active_ms}, "
            f"time_limit_s={self.time_limit_s!r})"
        )


def format_ms(ms: int) -> str:
    """Format a duration for display, truncated to tenths of a second.

    ``7300`` -> ``"0:07.3"``, ``725000`` -> ``"12:05.0"``,
    ``3723400`` -> ``"1:02:03.4"`` (``h:mm:ss.t`` from one hour up).
    Negative durations clamp to ``"0:00.0"``.
    """
    tenths = max(0, int(ms)) // 100
    total_s, t = divmod(tenths, 10)
    total_m, s = divmod(total_s, 60)
    h, m = divmod(total_m, 60)
    if h:
        return f"{h}:{m:02d}:{s:02d}.{t}"
    return f"{m}:{s:02d}.{t}"
