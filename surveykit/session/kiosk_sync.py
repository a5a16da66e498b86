"""A kiosk's sync to a central PostgreSQL, in the background (`surveykit kiosk --sync`).

A worker thread with its own connection to the kiosk's file pushes the closed
sessions the server has not acknowledged (`storage.pg.push`): once at start (a
kiosk that was offline catches up in one go), then each time the front end says
a session closed (`kick`). Never on the customer's path: the front end only
calls `kick` (which returns at once) and reads `state` for the staff screen.

A failed attempt is retried with growing waits (`base_s`, doubled each time,
at most `max_backoff_s`, a little jitter) up to `retries` times; after that the
worker waits for the next closed session, or `recheck_s`, whichever comes
first, so a kiosk whose network comes back catches up by itself even when
nobody answers. Passwords never reach `state`: the errors are `pg.mask`ed.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from surveykit.storage.store import StorageError, Store
from surveykit.timeutil import WallClock, utc_now

__all__ = ["KioskSync", "SyncState"]

Phase = Literal["starting", "syncing", "synced", "failing"]


@dataclass(frozen=True)
class SyncState:
    """What the staff screen shows: a snapshot, safe to read from any thread."""

    phase: Phase = "starting"
    waiting: int | None = None  # closed sessions the server has not acknowledged
    last_ok: datetime | None = None  # the last successful sync (UTC)
    error: str | None = None  # the last failure, one line, password masked
    failures: int = 0  # in a row

    def line(self) -> str:
        """One line for staff: "synced 14:02, 0 waiting", "sync failing: server
        unreachable, 12 waiting" (local time of the kiosk)."""
        waiting = f"{self.waiting:,} waiting" if self.waiting is not None else "counting"
        if self.phase == "failing":
            return f"sync failing: {self.reason()}, {waiting}"
        when = self.last_ok.astimezone().strftime("%H:%M") if self.last_ok else None
        if self.phase == "syncing":
            return f"syncing… ({waiting}" + (f", last synced {when})" if when else ")")
        if self.phase == "synced" and when:
            return f"synced {when}, {waiting}"
        return f"sync not done yet, {waiting}"

    def reason(self) -> str:
        error = self.error or "unknown error"
        if error.startswith("cannot reach"):
            return "server unreachable"
        if error.startswith("cannot sync to ") and ": " in error:
            error = error.split(": ", 1)[1]
        if "FATAL:" in error:  # libpq: "connection to server at … failed: FATAL:  why"
            error = error.rsplit("FATAL:", 1)[1].strip()
        return error if len(error) <= 60 else error[:59] + "…"


class KioskSync:
    """Pushes the closed sessions of the file at `db_path` to `target` in a thread."""

    def __init__(
        self,
        db_path: str,
        target: str,
        *,
        retries: int = 5,
        base_s: float = 2.0,
        max_backoff_s: float = 300.0,
        recheck_s: float = 900.0,
        wall: WallClock = utc_now,
        mono: Callable[[], float] = time.monotonic,
        push: Callable[..., Any] | None = None,
    ) -> None:
        self.db_path = db_path
        self.target = target
        self.retries = retries
        self.base_s = base_s
        self.max_backoff_s = max_backoff_s
        self.recheck_s = recheck_s
        self.wall = wall
        self.mono = mono
        self._push = push
        self._state = SyncState()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._kicked = False
        self._stop = False
        self._thread: threading.Thread | None = None
        self.attempts = 0

    # --- what the front end calls -------------------------------------------------------------

    @property
    def state(self) -> SyncState:
        with self._lock:
            return self._state

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="surveykit sync", daemon=True)
            self._thread.start()

    def kick(self) -> None:
        """A session closed: sync soon (returns at once)."""
        self._kicked = True
        self._wake.set()

    def stop(self, wait_s: float = 5.0) -> bool:
        """Stop the worker; wait up to `wait_s` for an attempt under way. True if it ended
        (else it is left to die with the process: nothing is lost, the next start sends it)."""
        self._stop = True
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(wait_s)
        return not self._thread.is_alive()

    # --- the worker ---------------------------------------------------------------------------

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)

    def _run(self) -> None:
        try:
            store = Store(self.db_path)
        except StorageError as e:
            self._set(phase="failing", error=f"cannot read {self.db_path}: {e}")
            return
        try:
            self._loop(store)
        finally:
            store.close()

    def _loop(self, store: Store) -> None:
        from surveykit.storage.pg import waiting

        failures = 0
        next_at: float | None = self.mono()  # at start: catch up
        while not self._stop:
            if next_at is not None:
                self._wake.wait(max(0.0, next_at - self.mono()))
            else:
                self._wake.wait()
            self._wake.clear()
            if self._stop:
                return
            kicked, self._kicked = self._kicked, False
            due = next_at is not None and self.mono() >= next_at
            if kicked and not due and 0 < failures <= self.retries:
                # in a series of retries: the next one sends this session too
                self._count(store, waiting)
                continue
            if not kicked and not due:
                continue
            if self._attempt(store):
                failures = 0
                next_at = None
            else:
                failures += 1
                self._set(failures=failures)
                if failures <= self.retries:
                    delay = min(self.base_s * 2 ** (failures - 1), self.max_backoff_s)
                    next_at = self.mono() + delay * (0.75 + random.random() / 2)
                else:
                    next_at = self.mono() + self.recheck_s
            self._count(store, waiting)

    def _count(self, store: Store, waiting: Callable[[Store], int]) -> None:
        try:
            self._set(waiting=waiting(store))
        except Exception:  # a busy file: the count waits for the next attempt
            pass

    def _attempt(self, store: Store) -> bool:
        from surveykit.storage.pg import Retry, SyncError, mask, push

        self.attempts += 1
        self._set(phase="syncing")
        try:
            # one attempt: the waits between attempts are this worker's, so it stays stoppable
            (self._push or push)(store, self.target, retry=Retry(retries=0, max_wait_s=0))
        except SyncError as e:
            self._set(phase="failing", error=str(e))
            return False
        except Exception as e:  # the local file busy or failing, a driver surprise
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            self._set(phase="failing", error=mask(self.target, first))
            return False
        self._set(phase="synced", last_ok=self.wall(), error=None, failures=0)
        return True
