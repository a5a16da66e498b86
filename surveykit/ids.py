"""Identifiers that travel between devices: UUIDv7 (RFC 9562).

A session made on one kiosk must keep its identity when it is merged into
another file or sent to a central database, so it carries a UUID made on the
device. Version 7 puts the Unix time in milliseconds in the top 48 bits, so ids
sort by creation time (good for B-tree indexes and for reading), and fills the
rest with random bits. Within one process, ids made in the same millisecond
stay strictly increasing: the 12-bit `rand_a` field is used as a counter
(RFC 9562 §6.2, method 1), seeded randomly each new millisecond; if it runs
out, the timestamp is advanced by one millisecond rather than repeating.

Python 3.11's `uuid` module has no `uuid7`; this is the short, tested version.
This module imports nothing from the project: it sits at the bottom of the layers.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

__all__ = ["Uuid7Generator", "uuid7", "uuid7_time_ms"]

_COUNTER_MAX = 0xFFF


class Uuid7Generator:
    """Makes UUIDv7s, each strictly greater than the one before (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def __call__(self, now_ms: int | None = None) -> uuid.UUID:
        ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        with self._lock:
            if ms > self._last_ms:
                self._last_ms = ms
                self._counter = int.from_bytes(os.urandom(2), "big") & 0x7FF  # room to count up
            else:  # same millisecond, or the wall clock went back: count on from the last id
                self._counter += 1
                if self._counter > _COUNTER_MAX:
                    self._last_ms += 1
                    self._counter = 0
            ms, counter = self._last_ms, self._counter
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76  # version
        value |= counter << 64
        value |= 0b10 << 62  # variant (RFC 9562)
        value |= rand_b
        return uuid.UUID(int=value)


#: The process-wide generator: `uuid7()` is a new id now.
uuid7 = Uuid7Generator()


def uuid7_time_ms(u: uuid.UUID | str) -> int:
    """The Unix time in milliseconds stored in a UUIDv7."""
    value = (u if isinstance(u, uuid.UUID) else uuid.UUID(u)).int
    return value >> 80
