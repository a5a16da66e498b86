"""Test doubles importable from any test module (conftest re-exports them).

`FakeClock` is the suite's one hand-moved clock: call it for monotonic seconds,
`clock.wall()` for the wall time (UTC). Time moves only when a test says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """A monotonic clock and a wall clock that move only when the test says so.

    * `clock()` — monotonic seconds (`t`, 1000.0 unless given); counts `calls`.
    * `clock.wall()` — `start` (`START` unless given) plus however far `t` has
      moved since the clock was made, so `advance(s)` (or setting `t`) moves
      both clocks together.
    * `set_wall(moment)` — pin the wall clock to `moment` from now on (later
      advances move it on from there).
    * `wall_tick` — how far the wall moves by itself each time it is read
      (zero unless given): for writers that need distinct timestamps.
    """

    START = datetime(2026, 11, 22, 10, 15, 3, 123456, tzinfo=UTC)

    def __init__(
        self,
        t: float = 1000.0,
        start: datetime | None = None,
        *,
        wall_tick: timedelta = timedelta(0),
    ) -> None:
        self.t = t
        self.origin = t
        self._wall_origin = start or self.START
        self.wall_tick = wall_tick
        self.calls = 0

    def __call__(self) -> float:
        """Monotonic seconds."""
        self.calls += 1
        return self.t

    def wall(self) -> datetime:
        """The wall-clock time (what `timeutil.utc_now` would say)."""
        self._wall_origin += self.wall_tick
        return self._wall_origin + timedelta(seconds=self.t - self.origin)

    def advance(self, seconds: float) -> None:
        self.t += seconds

    def set_wall(self, moment: datetime) -> None:
        self._wall_origin = moment - timedelta(seconds=self.t - self.origin)
