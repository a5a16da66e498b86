"""Kiosk writes that survive a failing database (disk full, read-only file, a lock held too long).

`KioskWriter` stands between the kiosk and its `Store`. It offers the few write
calls a kiosk session makes (the ones `QuestionRun` uses, plus starting and
finishing a session) and never raises on a storage failure:

* While the database works, each call is written at once, as with the Store.
* When a write fails with a storage error, that call — with the wall-clock and
  monotonic time it was made at — goes into an ordered in-memory queue, the
  writer becomes unhealthy (`health()` says why), and every later call is queued
  behind it, even if the database would accept it: a session's start always
  lands before its answers, an answer before its change, the end last.
* `flush()` writes the queue in order and stops at the first failure; it is
  called again (`retry_due()`, with a growing pause) until the queue is empty.
  Replayed calls are stamped with their original times (the Store's clocks are
  pinned while each one is written), so `answered_at`, `shown_at`, `elapsed_ms`
  and `response_ms` are what they would have been.
* A session started while the database fails gets a provisional (negative) id;
  the real id replaces it when its start is written. The caller keeps using the
  id it was given.
* On the way out, what could still not be written is `spill()`ed to a JSON file
  next to the database (or in the user's state folder), and `recover()` writes
  such a file into the database the next time a kiosk starts.

The kiosk keeps collecting answers while unhealthy; it shows a staff banner.

Threads: the UI thread is the only caller of the write methods; `flush()` may
run in a worker thread. The Store is only ever used by one thread at a time
(`_store_lock`); a write made while a flush holds the Store is queued.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from surveykit.definition.models import Survey
from surveykit.definition.record import Definition
from surveykit.storage.store import StorageError, Store
from surveykit.timeutil import Monotonic, WallClock, iso_ms, utc_now
from surveykit.vocabulary import Mode, Status

SPILL_VERSION = 1
SPILL_PREFIX = "surveykit-pending-"

#: the Store calls the writer knows how to queue and replay
KINDS = (
    "start_session",
    "record_shown",
    "record_answer",
    "clear_answer",
    "record_event",
    "finish_session",
)


class _PinnableClock:
    """The Store's clocks: the real ones, or the time of the call being replayed."""

    def __init__(self, wall: WallClock, mono: Monotonic) -> None:
        self.real_wall = wall
        self.real_mono = mono
        self._pin: tuple[datetime, float] | None = None

    def wall(self) -> datetime:
        return self._pin[0] if self._pin is not None else self.real_wall()

    def mono(self) -> float:
        return self._pin[1] if self._pin is not None else self.real_mono()

    @contextlib.contextmanager
    def pinned(self, wall: datetime, mono: float) -> Iterator[None]:
        self._pin = (wall, mono)
        try:
            yield
        finally:
            self._pin = None


@dataclass
class PendingWrite:
    """One Store call, as made: what, for which session, and when."""

    seq: int
    kind: str
    #: the session id as the caller knows it (< 0: provisional, not written yet)
    session: int
    args: dict[str, Any]
    wall: datetime
    mono: float
    definition: Definition | None = None
    attempts: int = 0


@dataclass(frozen=True)
class WriterHealth:
    """What the staff banner shows."""

    healthy: bool
    pending: int
    last_error: str | None
    #: seconds since the first failure of the current outage (None when healthy)
    failing_for_s: float | None
    #: seconds until the next retry is due (None when healthy)
    retry_in_s: float | None
    written: int
    rejected: int


@dataclass
class _Failure:
    message: str
    permanent: bool


def _classify(error: BaseException) -> _Failure:
    """A storage error worth retrying, or one that will never go away (a constraint)."""
    cause = error.__cause__ if isinstance(error, StorageError) else error
    permanent = isinstance(cause, sqlite3.IntegrityError)
    return _Failure(str(error), permanent)


_STORAGE_ERRORS = (StorageError, sqlite3.Error)


@dataclass
class _SpillState:
    """What a spill file carries besides the writes."""

    session_monos: dict[int, float] = field(default_factory=dict)
    definitions: dict[str, Definition] = field(default_factory=dict)


class KioskWriter:
    """A Store whose writes are queued, in order, while the database fails."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        busy_timeout_s: float = 2.0,
        wall: WallClock = utc_now,
        mono: Monotonic = time.monotonic,
        retry_min_s: float = 0.5,
        retry_max_s: float = 10.0,
        store_factory: Callable[..., Store] = Store,
    ) -> None:
        self.clock = _PinnableClock(wall, mono)
        self.store = store_factory(
            path, wall=self.clock.wall, mono=self.clock.mono, busy_timeout_s=busy_timeout_s
        )
        self.retry_min_s = retry_min_s
        self.retry_max_s = retry_max_s
        self._queue: deque[PendingWrite] = deque()
        self._qlock = threading.Lock()
        self._store_lock = threading.Lock()
        self._seq = 0
        self._next_provisional = -1
        self._ids: dict[int, int] = {}  # provisional -> real
        self._shown: dict[tuple[int, str], set[str]] = {}
        self._session_mono: dict[int, float] = {}  # open sessions: start time (for spills)
        self._last_error: str | None = None
        self._failing_since: float | None = None
        self._failures = 0
        self._retry_at = 0.0
        self.written = 0
        self.rejected: list[tuple[PendingWrite, str]] = []
        #: called (from whichever thread wrote) when the queue has been written out
        self.on_recovered: Callable[[int], None] | None = None

    @property
    def path(self) -> str:
        return self.store.path

    # --- the Store calls a kiosk makes ------------------------------------------------------

    def register_definition(self, definition: Definition) -> None:
        """At start-up, while staff watch: a failure raises (StorageError)."""
        with self._store_lock:
            self.store.register_definition(definition)

    def start_session(
        self,
        definition: Definition,
        mode: str = Mode.KIOSK,
        *,
        participant: str | None = None,
        device: str | None = None,
        meta: dict[str, Any] | None = None,
        site: str | None = None,
    ) -> int:
        """A new session's id: the real one, or a provisional (negative) one while failing."""
        args = {"mode": mode, "participant": participant, "device": device, "meta": meta}
        if site is not None:
            args["site"] = site
        provisional = self._next_provisional
        self._next_provisional -= 1
        op = self._op("start_session", provisional, args, definition=definition)
        done, result = self._write(op)
        if done:
            self._ids.pop(provisional, None)
        sid = int(result) if done else provisional
        self._session_mono[sid] = op.mono
        return sid

    def record_shown(
        self,
        session_id: int,
        question_id: str,
        task_id: str = "",
        data: dict[str, Any] | None = None,
    ) -> str:
        op = self._op(
            "record_shown",
            session_id,
            {"question_id": question_id, "task_id": task_id, "data": data},
        )
        self._shown.setdefault((session_id, task_id), set()).add(question_id)
        done, result = self._write(op)
        return str(result) if done else iso_ms(op.wall)

    def shown_keys(self, session_id: int, task_id: str = "") -> set[str]:
        """Questions shown in this session, from memory (the kiosk never resumes a session)."""
        return set(self._shown.get((session_id, task_id), ()))

    def record_answer(
        self,
        session_id: int,
        question_id: str,
        value: Any,
        *,
        task_id: str = "",
        is_na: bool = False,
        shown_at: str | None = None,
        response_ms: int | None = None,
    ) -> None:
        args = {
            "question_id": question_id,
            "value": value,
            "task_id": task_id,
            "is_na": is_na,
            "shown_at": shown_at,
            "response_ms": response_ms,
        }
        self._write(self._op("record_answer", session_id, args))

    def clear_answer(
        self, session_id: int, question_id: str, task_id: str = "", reason: str = ""
    ) -> None:
        args = {"question_id": question_id, "task_id": task_id, "reason": reason}
        self._write(self._op("clear_answer", session_id, args))

    def record_event(
        self,
        session_id: int,
        kind: str,
        *,
        task_id: str | None = None,
        question_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        args = {"kind": kind, "task_id": task_id, "question_id": question_id, "data": data}
        self._write(self._op("record_event", session_id, args))

    def finish_session(self, session_id: int, status: str = Status.COMPLETED) -> None:
        self._write(self._op("finish_session", session_id, {"status": status}))
        for key in [k for k in self._shown if k[0] == session_id]:
            del self._shown[key]

    def pin_lockout(self, device: str) -> tuple[int, str | None]:
        """The staff-PIN lock-out kept for this device (StorageError while the file fails)."""
        with self._store_lock:
            try:
                return self.store.pin_lockout(device)
            except sqlite3.Error as e:
                raise StorageError(str(e)) from e

    def save_pin_lockout(self, device: str, failures: int, locked_until: str | None) -> None:
        """Keep the staff-PIN lock-out (not queued: a newer try replaces it anyway)."""
        with self._store_lock:
            try:
                self.store.save_pin_lockout(device, failures, locked_until)
            except sqlite3.Error as e:
                raise StorageError(str(e)) from e

    def real_id(self, session_id: int) -> int | None:
        """The database id of a session (None while its start is still queued)."""
        if session_id >= 0:
            return session_id
        return self._ids.get(session_id)

    # --- health -----------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._queue)

    @property
    def healthy(self) -> bool:
        return not self._queue

    @property
    def last_error(self) -> str | None:
        return self._last_error

    def health(self) -> WriterHealth:
        now = self.clock.real_mono()
        since = self._failing_since if self._queue else None
        return WriterHealth(
            healthy=not self._queue,
            pending=len(self._queue),
            last_error=self._last_error,
            failing_for_s=(now - since) if since is not None else None,
            retry_in_s=max(0.0, self._retry_at - now) if self._queue else None,
            written=self.written,
            rejected=len(self.rejected),
        )

    def retry_due(self) -> bool:
        """Something is queued and the pause after the last failure is over."""
        return bool(self._queue) and self.clock.real_mono() >= self._retry_at

    @property
    def flushing(self) -> bool:
        return self._store_lock.locked()

    # --- writing ----------------------------------------------------------------------------

    def _op(
        self, kind: str, session: int, args: dict[str, Any], *, definition: Definition | None = None
    ) -> PendingWrite:
        self._seq += 1
        return PendingWrite(
            self._seq,
            kind,
            session,
            args,
            self.clock.real_wall(),
            self.clock.real_mono(),
            definition,
        )

    def _write(self, op: PendingWrite) -> tuple[bool, Any]:
        """Write now if nothing is queued and the Store is free; else queue. (written?, result)"""
        with self._qlock:
            if self._queue or not self._store_lock.acquire(blocking=False):
                self._queue.append(op)
                return False, None
        try:
            try:
                result = self._apply(op)
            except _STORAGE_ERRORS as e:
                failure = _classify(e)
                if failure.permanent:
                    self._reject(op, failure.message)
                    return False, None
                with self._qlock:
                    self._queue.append(op)
                self._failed(failure.message)
                return False, None
            self.written += 1
            return True, result
        finally:
            self._store_lock.release()

    def _apply(self, op: PendingWrite) -> Any:
        """One call on the Store, with its clocks pinned to the time it was made."""
        op.attempts += 1
        store = self.store
        a = op.args
        with self.clock.pinned(op.wall, op.mono):
            if op.kind == "start_session":
                assert op.definition is not None
                real = store.start_session(
                    op.definition,
                    a["mode"],
                    participant=a["participant"],
                    device=a["device"],
                    meta=a["meta"],
                    site=a.get("site"),  # absent in spill files of older versions
                )
                if op.session < 0:
                    self._ids[op.session] = real
                return real
            sid = self._resolve(op.session)
            if op.kind == "record_shown":
                return store.record_shown(sid, a["question_id"], a["task_id"], a["data"])
            if op.kind == "record_answer":
                return store.record_answer(
                    sid,
                    a["question_id"],
                    a["value"],
                    task_id=a["task_id"],
                    is_na=a["is_na"],
                    shown_at=a["shown_at"],
                    response_ms=a["response_ms"],
                )
            if op.kind == "clear_answer":
                return store.clear_answer(sid, a["question_id"], a["task_id"], a["reason"])
            if op.kind == "record_event":
                return store.record_event(
                    sid,
                    a["kind"],
                    task_id=a["task_id"],
                    question_id=a["question_id"],
                    data=a["data"],
                )
            if op.kind == "finish_session":
                store.finish_session(sid, a["status"])
                self._ids.pop(op.session, None)
                self._session_mono.pop(op.session, None)
                return None
        raise ValueError(f"unknown write {op.kind!r}")

    def _resolve(self, session: int) -> int:
        if session >= 0:
            return session
        try:
            return self._ids[session]
        except KeyError:
            # cannot happen while the queue keeps its order; never write to a wrong session
            raise StorageError(f"session {session} has not been written yet") from None

    def _failed(self, message: str) -> None:
        now = self.clock.real_mono()
        self._last_error = message
        if self._failing_since is None:
            self._failing_since = now
        self._failures += 1
        delay = min(self.retry_max_s, self.retry_min_s * 2 ** (self._failures - 1))
        self._retry_at = now + delay

    def _reject(self, op: PendingWrite, message: str) -> None:
        """A write the database will never take (a constraint): kept aside, never retried."""
        self.rejected.append((op, message))
        self._last_error = message

    def flush(self, *, wait_s: float = 0.0) -> bool:
        """Write what is queued, in order; True when nothing is left.

        Stops at the first failure (and schedules the next retry). With
        `wait_s`, waits that long for a flush running in another thread.
        """
        while True:
            if wait_s > 0:
                acquired = self._store_lock.acquire(timeout=wait_s)
            else:
                acquired = self._store_lock.acquire(blocking=False)
            if not acquired:
                return not self._queue
            written = 0
            try:
                while True:
                    with self._qlock:
                        if not self._queue:
                            break
                        op = self._queue[0]
                    try:
                        self._apply(op)
                    except _STORAGE_ERRORS as e:
                        failure = _classify(e)
                        if not failure.permanent:
                            self._failed(failure.message)
                            return False
                        self._reject(op, failure.message)
                    except Exception as e:  # a bug must not block every later answer
                        self._reject(op, f"{type(e).__name__}: {e}")
                    else:
                        self.written += 1
                        written += 1
                    with self._qlock:
                        self._queue.popleft()
            finally:
                self._store_lock.release()
            with self._qlock:
                if self._queue:  # queued by the UI while this flush held the Store
                    continue
                recovered = self._failing_since is not None
                self._failing_since = None
                self._failures = 0
                self._retry_at = 0.0
            if recovered and self.on_recovered is not None:
                self.on_recovered(written)
            return True

    # --- leaving and coming back ------------------------------------------------------------

    def spill(self, folder: str | Path | None = None) -> Path | None:
        """Write what is still queued to a JSON file; its path (None when nothing is queued).

        The file goes next to the database, else into `folder` (default: the
        user's state folder). Raises OSError when no folder can take it.
        """
        with self._qlock:
            ops = list(self._queue)
        if not ops:
            return None
        doc = self._spill_doc(ops)
        text = json.dumps(doc, ensure_ascii=False, default=str, indent=1)
        name = f"{SPILL_PREFIX}{socket.gethostname()}-{os.getpid()}-{int(time.time())}.json"
        errors: list[str] = []
        for where in spill_folders(self.path, folder):
            target = where / name
            try:
                where.mkdir(parents=True, exist_ok=True)
                write_atomic(target, text)
            except OSError as e:
                errors.append(f"{where}: {e.strerror or e}")
                continue
            return target
        raise OSError("; ".join(errors))

    def spill_text(self) -> str:
        """The queue as JSON (last resort: printed to stderr when no file can be written)."""
        with self._qlock:
            ops = list(self._queue)
        return json.dumps(self._spill_doc(ops), ensure_ascii=False, default=str)

    def _spill_doc(self, ops: list[PendingWrite]) -> dict[str, Any]:
        definitions = {
            op.definition.sha256: {
                "source_path": op.definition.source_path,
                "body_json": op.definition.body_json,
            }
            for op in ops
            if op.definition is not None
        }
        sessions = {op.session for op in ops}
        return {
            "surveykit_pending": SPILL_VERSION,
            "db": str(Path(self.path).resolve()),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "last_error": self._last_error,
            "session_monos": {
                str(s): self._session_mono[s] for s in sessions if s in self._session_mono
            },
            "definitions": definitions,
            "writes": [
                {
                    "seq": op.seq,
                    "kind": op.kind,
                    "session": op.session,
                    "args": op.args,
                    "wall": op.wall.isoformat(),
                    "mono": op.mono,
                    "definition": op.definition.sha256 if op.definition is not None else None,
                }
                for op in ops
            ],
        }

    def recover(self, path: str | Path) -> int:
        """Write a spill file into the database, in order; delete it; how many writes landed.

        On a storage failure the file is rewritten with what is left (ids of
        sessions already written made real) and StorageError is raised.
        """
        path = Path(path)
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("surveykit_pending") != SPILL_VERSION:
            raise StorageError(f"{path}: not a surveykit pending-writes file (or a newer one)")
        definitions: dict[str, Definition] = {}
        for sha, d in doc.get("definitions", {}).items():
            survey = Survey.model_validate(json.loads(d["body_json"]))
            definitions[sha] = Definition(survey, sha, d["source_path"], d["body_json"])
        monos = {int(k): float(v) for k, v in doc.get("session_monos", {}).items()}
        ids: dict[int, int] = {}
        writes = list(doc["writes"])
        done = 0
        with self._store_lock:
            # elapsed_ms of the recovered sessions continue from their own start
            for sid, start in monos.items():
                if sid > 0:
                    self.store.set_session_clock(sid, start)
            saved_ids = self._ids
            self._ids = ids
            try:
                for w in writes:
                    session = int(w["session"])
                    op = PendingWrite(
                        int(w["seq"]),
                        w["kind"],
                        session,
                        dict(w["args"]),
                        datetime.fromisoformat(w["wall"]),
                        float(w["mono"]),
                        definitions.get(w["definition"]) if w.get("definition") else None,
                    )
                    try:
                        self._apply(op)
                    except _STORAGE_ERRORS as e:
                        failure = _classify(e)
                        if failure.permanent:
                            self.rejected.append((op, failure.message))
                            done += 1
                            continue
                        rest = writes[done:]
                        for r in rest:
                            r_s = int(r["session"])
                            if r_s < 0 and r_s in ids:
                                r["session"] = ids[r_s]
                        doc["writes"] = rest
                        write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1))
                        raise StorageError(
                            f"{failure.message} (recovering {path}: {done} of {len(writes)} written)"
                        ) from e
                    self.written += 1
                    done += 1
            finally:
                self._ids = saved_ids
        path.unlink()
        return done

    def close(self, *, wait_s: float = 5.0) -> bool:
        """Last try to write the queue (waiting up to `wait_s`), then close the Store.

        True when everything is written; else call `spill()` before this.
        """
        deadline = self.clock.real_mono() + wait_s
        ok = self.flush(wait_s=wait_s)
        while not ok and self.clock.real_mono() < deadline:
            time.sleep(min(0.5, max(0.0, deadline - self.clock.real_mono())))
            ok = self.flush(wait_s=0.1)
        return ok

    def close_store(self) -> None:
        with self._store_lock:
            self.store.close()


def write_atomic(target: Path, text: str) -> None:
    """Write `text` to `target` through a temporary file beside it, synced, then renamed.

    On any failure (a full disk, a file size limit, a folder gone read-only) the
    temporary file is removed and the error raised: nothing is left half-written
    beside the database, and `target` keeps its old content.
    """
    tmp = target.with_suffix(".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def spill_folders(db_path: str | Path, folder: str | Path | None = None) -> list[Path]:
    """Where spill files go (and are looked for): next to the database, then a state folder."""
    state = Path(folder or os.environ.get("XDG_STATE_HOME", "") or Path.home() / ".local" / "state")
    if folder is None:
        state = state / "surveykit"
    out = [Path(db_path).resolve().parent, state]
    return list(dict.fromkeys(out))


def find_spills(db_path: str | Path, folder: str | Path | None = None) -> list[Path]:
    """Spill files written for this database, oldest first."""
    target = str(Path(db_path).resolve())
    found: list[Path] = []
    for where in spill_folders(db_path, folder):
        if not where.is_dir():
            continue
        for p in sorted(where.glob(f"{SPILL_PREFIX}*.json")):
            try:
                doc = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(doc, dict) and doc.get("db") == target:
                found.append(p)
    return sorted(found, key=lambda p: p.stat().st_mtime)
