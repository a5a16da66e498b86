"""Kiosk rules without a UI: the staff PIN gate (with its lock-out kept in the
database) and the idle timer.

Both take an injectable monotonic clock so tests can move time by hand.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from surveykit.pin import verify_pin
from surveykit.storage.store import StorageError
from surveykit.timeutil import Monotonic, WallClock, iso_ms, utc_now


def pin_sha256(pin: str) -> str:
    """The old, unsalted staff-PIN hash (hex sha256), which kiosks still accept."""
    return hashlib.sha256(pin.encode()).hexdigest()


@dataclass(frozen=True)
class PinResult:
    ok: bool
    #: seconds to wait before the next try is accepted (0 when none)
    wait_s: float
    message: str


class LockoutStore(Protocol):
    """Where a kiosk keeps its PIN lock-out between runs (the Store and the kiosk's
    queued writer both are one)."""

    def pin_lockout(self, device: str) -> tuple[int, str | None]: ...

    def save_pin_lockout(self, device: str, failures: int, locked_until: str | None) -> None: ...


class PinGate:
    """Checks the staff PIN; each wrong try doubles the wait before the next.

    The PIN is checked against its stored hash (`surveykit.pin.verify_pin`: the
    salted scrypt form or the old sha256) and never kept. With a `lockout`
    store, the wrong tries and the wall time until which the gate is locked are
    saved after every try and read back when a gate is made, so restarting the
    kiosk does not reset a wait. The wait itself runs on the monotonic clock; a
    saved lock is never longer than `max_delay_s` (a wall clock set far ahead
    cannot lock the kiosk for good).
    """

    def __init__(
        self,
        pin_hash: str | None,
        *,
        now: Monotonic = time.monotonic,
        wall: WallClock = utc_now,
        lockout: LockoutStore | None = None,
        device: str = "",
        free_tries: int = 2,
        base_delay_s: float = 2.0,
        max_delay_s: float = 300.0,
    ) -> None:
        self._hash = pin_hash or None
        self._now = now
        self._wall = wall
        self._lockout = lockout
        self.device = device
        self.free_tries = free_tries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.failures = 0
        self._locked_until = 0.0
        if lockout is not None:
            self._load(lockout)

    def _load(self, lockout: LockoutStore) -> None:
        try:
            failures, until = lockout.pin_lockout(self.device)
        except StorageError:
            return  # the wait is kept in memory only
        self.failures = max(0, int(failures))
        if until:
            try:
                moment = datetime.fromisoformat(until.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None:
                left = (moment - self._wall()).total_seconds()
                self._locked_until = self._now() + min(max(0.0, left), self.max_delay_s)

    def _save(self, delay_s: float | None) -> None:
        if self._lockout is None:
            return
        until = iso_ms(self._wall() + timedelta(seconds=delay_s)) if delay_s else None
        with contextlib.suppress(StorageError):
            self._lockout.save_pin_lockout(self.device, self.failures, until)

    @property
    def configured(self) -> bool:
        return self._hash is not None

    def locked_for(self) -> float:
        return max(0.0, self._locked_until - self._now())

    def check(self, pin: str) -> PinResult:
        if self._hash is None:
            return PinResult(False, 0.0, "No staff PIN is set for this kiosk.")
        wait = self.locked_for()
        if wait > 0:
            return PinResult(False, wait, f"Too many wrong tries. Wait {wait:.0f} s.")
        if verify_pin(self._hash, pin):
            self.failures = 0
            self._locked_until = 0.0
            self._save(None)
            return PinResult(True, 0.0, "")
        self.failures += 1
        over = self.failures - self.free_tries
        if over <= 0:
            self._save(None)
            return PinResult(False, 0.0, "Wrong PIN.")
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** (over - 1))
        self._locked_until = self._now() + delay
        self._save(delay)
        return PinResult(False, delay, f"Wrong PIN. Wait {delay:.0f} s before the next try.")


IdleState = Literal["active", "warning", "expired"]


class IdleTimer:
    """Mid-survey inactivity: `warning` for the last `warn_s` seconds, then `expired`."""

    def __init__(
        self,
        idle_reset_s: float,
        *,
        warn_s: float | None = None,
        now: Monotonic = time.monotonic,
    ) -> None:
        self.idle_reset_s = float(idle_reset_s)
        self.warn_s = float(warn_s) if warn_s is not None else min(15.0, self.idle_reset_s / 3)
        self._now = now
        self._last = now()

    def touch(self) -> None:
        self._last = self._now()

    @property
    def idle_s(self) -> float:
        return max(0.0, self._now() - self._last)

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.idle_reset_s - self.idle_s)

    def state(self) -> IdleState:
        idle = self.idle_s
        if idle >= self.idle_reset_s:
            return "expired"
        if idle >= self.idle_reset_s - self.warn_s:
            return "warning"
        return "active"
