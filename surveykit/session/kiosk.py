"""Kiosk rules without a UI: the staff PIN gate and the idle timer.

Both take an injectable monotonic clock so tests can move time by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Literal

from surveykit.timeutil import Monotonic


def pin_sha256(pin: str) -> str:
    """The hex sha256 that `surveykit hash-pin` prints for a PIN."""
    return hashlib.sha256(pin.encode()).hexdigest()


@dataclass(frozen=True)
class PinResult:
    ok: bool
    #: seconds to wait before the next try is accepted (0 when none)
    wait_s: float
    message: str


class PinGate:
    """Checks the staff PIN; each wrong try doubles the wait before the next.

    The PIN is compared as a hash in constant time and never kept.
    """

    def __init__(
        self,
        pin_sha256_hex: str | None,
        *,
        now: Monotonic = time.monotonic,
        free_tries: int = 2,
        base_delay_s: float = 2.0,
        max_delay_s: float = 300.0,
    ) -> None:
        self._hash = pin_sha256_hex.lower() if pin_sha256_hex else None
        self._now = now
        self.free_tries = free_tries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.failures = 0
        self._locked_until = 0.0

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
        if hmac.compare_digest(pin_sha256(pin), self._hash):
            self.failures = 0
            self._locked_until = 0.0
            return PinResult(True, 0.0, "")
        self.failures += 1
        over = self.failures - self.free_tries
        if over <= 0:
            return PinResult(False, 0.0, "Wrong PIN.")
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** (over - 1))
        self._locked_until = self._now() + delay
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
