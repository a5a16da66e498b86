"""Timestamps and durations as SPEC §4 wants them.

Wall-clock timestamps are UTC ISO 8601 with milliseconds; durations come from
the monotonic clock only. Both are injectable so tests can freeze time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

WallClock = Callable[[], datetime]
Monotonic = Callable[[], float]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_ms(moment: datetime) -> str:
    """`2026-11-22T10:15:03.123Z`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
