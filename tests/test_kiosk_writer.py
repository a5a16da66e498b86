"""The kiosk's writer: writes queue up, in order, while the database fails, and land later
with their own times. Faults are real SQLite errors: a read-only connection
(`query_only`), a full file (`max_page_count`) and a write lock held by another
connection."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeClock

from surveykit.definition.loader import Definition, load
from surveykit.session.questions import QuestionRun, flow_for
from surveykit.storage.kiosk_writer import KioskWriter, find_spills
from surveykit.storage.store import StorageError, Store

EPOCH = datetime(2026, 11, 22, 10, 15, 3, 123000, tzinfo=UTC)

SURVEY = """\
surveykit: 1
id: shop
title: How was your visit?
questions:
  - {id: nps, type: nps, text: Recommend us?}
  - {id: csat, type: csat, text: Satisfied?}
kiosk:
  exit_pin_sha256: a1fb4e703a9ef1fa4936801721ff285a97ac85330856674412e054892afe6972
"""


def iso(clock_t: float) -> str:
    moment = EPOCH + timedelta(seconds=clock_t - 1000.0)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@pytest.fixture
def definition(tmp_path: Path) -> Definition:
    path = tmp_path / "shop.yaml"
    path.write_text(textwrap.dedent(SURVEY))
    return load(path)


@pytest.fixture
def clock() -> FakeClock:
    """The shared fake clock, its wall clock starting at `EPOCH` (whole milliseconds)."""
    return FakeClock(start=EPOCH)


def writer_for(tmp_path: Path, clock: FakeClock, **kw: Any) -> KioskWriter:
    kw.setdefault("busy_timeout_s", 0.2)
    return KioskWriter(tmp_path / "k.db", wall=clock.wall, mono=clock, **kw)


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def read_only(w: KioskWriter, on: bool) -> None:
    """The database turns read-only for this process (SQLITE_READONLY on every write)."""
    w.store.conn.execute(f"PRAGMA query_only = {int(on)}")


def kinds(db: Path, sid: int) -> list[tuple[str, str | None]]:
    return [
        (r["kind"], r["question_id"])
        for r in rows(
            db, "SELECT kind, question_id FROM events WHERE session_id = ? ORDER BY id", sid
        )
    ]


# --- healthy ------------------------------------------------------------------------------------


def test_healthy_writes_go_straight_to_the_file(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    w = writer_for(tmp_path, clock)
    sid = w.start_session(definition, "kiosk", device="till-1")
    assert sid > 0
    shown_at = w.record_shown(sid, "nps")
    clock.advance(2.5)
    w.record_answer(sid, "nps", 9, shown_at=shown_at, response_ms=2500)
    assert w.healthy and w.pending == 0 and w.last_error is None
    db = tmp_path / "k.db"
    (row,) = rows(db, "SELECT * FROM answers")
    assert (row["value_num"], row["shown_at"], row["answered_at"]) == (9, iso(1000), iso(1002.5))
    assert rows(db, "SELECT device, mode FROM sessions")[0]["device"] == "till-1"
    w.finish_session(sid, "completed")
    assert rows(db, "SELECT status FROM sessions")[0]["status"] == "completed"
    assert w.shown_keys(sid) == set()


# --- a database that turns read-only mid-session -------------------------------------------------


def test_read_only_mid_session_queues_in_order_and_lands_with_original_times(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock)
    sid = w.start_session(definition, "kiosk", device="k1")
    shown = w.record_shown(sid, "nps")
    read_only(w, True)
    clock.advance(3)
    w.record_answer(sid, "nps", 10, shown_at=shown, response_ms=3000)  # fails: queued, no exception
    assert not w.healthy and w.pending == 1
    assert "readonly" in (w.last_error or "").replace("-", "").replace(" ", "")
    clock.advance(1)
    shown2 = w.record_shown(sid, "csat")
    assert shown2 == iso(1004)
    clock.advance(2)
    w.record_answer(sid, "csat", 4, shown_at=shown2, response_ms=2000)
    w.finish_session(sid, "completed")
    assert w.pending == 4
    assert rows(db, "SELECT * FROM answers") == []
    clock.advance(1)
    assert w.flush() is False  # still read-only: nothing lost, nothing reordered
    assert w.pending == 4
    read_only(w, False)
    clock.advance(60)
    assert w.flush() is True
    assert w.healthy and w.pending == 0
    got = {
        r["question_id"]: (r["value_num"], r["shown_at"], r["answered_at"], r["response_ms"])
        for r in rows(db, "SELECT * FROM answers")
    }
    assert got == {
        "nps": (10, iso(1000), iso(1003), 3000),
        "csat": (4, iso(1004), iso(1006), 2000),
    }
    (session,) = rows(db, "SELECT * FROM sessions")
    assert (session["status"], session["ended_at"]) == ("completed", iso(1006))
    assert kinds(db, sid) == [
        ("session_start", None),
        ("shown", "nps"),
        ("answered", "nps"),
        ("shown", "csat"),
        ("answered", "csat"),
        ("session_end", None),
    ]
    # elapsed_ms is measured from the session's start, as if nothing had failed
    elapsed = [r["elapsed_ms"] for r in rows(db, "SELECT elapsed_ms FROM events ORDER BY id")]
    assert elapsed == [0, 0, 3000, 4000, 6000, 6000]


def test_session_started_while_failing_gets_a_provisional_id_then_its_real_one(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock)
    first = w.start_session(definition, "kiosk", device="k1")
    w.finish_session(first, "completed")
    read_only(w, True)
    clock.advance(10)
    sid = w.start_session(definition, "kiosk", device="k1")
    assert sid < 0 and w.real_id(sid) is None
    run = QuestionRun(w, sid, flow_for(list(definition.survey.questions), seed="s"), mono=clock)  # type: ignore[arg-type]
    run.start()
    clock.advance(1.5)
    assert run.submit(6) is None
    assert run.current is not None and run.current.key == "csat"
    clock.advance(1)
    assert run.submit(5) is None and run.finished
    w.record_event(sid, "idle_reset")
    w.finish_session(sid, "abandoned")
    assert len(rows(db, "SELECT * FROM sessions")) == 1
    read_only(w, False)
    assert w.flush()
    real = w.real_id(sid)
    # the mapping is dropped once the session's end is written (no growth over a day)
    assert real is None
    sessions = rows(db, "SELECT * FROM sessions ORDER BY id")
    assert len(sessions) == 2
    s = sessions[1]
    assert (s["status"], s["device"], s["started_at"], s["ended_at"]) == (
        "abandoned",
        "k1",
        iso(1010),
        iso(1012.5),
    )
    assert kinds(db, s["id"]) == [
        ("session_start", None),
        ("shown", "nps"),
        ("answered", "nps"),
        ("shown", "csat"),
        ("answered", "csat"),
        ("idle_reset", None),
        ("session_end", None),
    ]
    assert {
        r["question_id"]: r["response_ms"]
        for r in rows(db, "SELECT * FROM answers WHERE session_id = ?", s["id"])
    } == {
        "nps": 1500,
        "csat": 1000,
    }


def test_disk_full_is_queued_and_written_when_space_returns(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock)
    sid = w.start_session(definition, "kiosk")
    pages = w.store.conn.execute("PRAGMA page_count").fetchone()[0]
    w.store.conn.execute(f"PRAGMA max_page_count = {pages}")
    long_text = "x" * 20000  # needs new pages: SQLITE_FULL
    w.record_event(sid, "note", data={"text": long_text})
    assert not w.healthy and "full" in (w.last_error or "")
    w.record_answer(sid, "nps", 8)
    w.store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert w.flush()
    assert [k for k, _ in kinds(db, sid)] == ["session_start", "note", "answered"]


def test_a_lock_held_too_long_is_queued_and_the_caller_is_not_kept_waiting(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock, busy_timeout_s=0.1)
    sid = w.start_session(definition, "kiosk")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        t0 = time.monotonic()
        w.record_answer(sid, "nps", 7)
        w.record_answer(sid, "csat", 3)
        assert time.monotonic() - t0 < 1.0  # one busy wait, then queued at once
        assert w.pending == 2 and "locked" in (w.last_error or "")
        assert not w.flush()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert w.flush()
    assert {r["question_id"] for r in rows(db, "SELECT * FROM answers")} == {"nps", "csat"}


# --- ordering and retries --------------------------------------------------------------------------


class FlakyStore(Store):
    """A Store whose next `record_answer` calls fail (then it works again)."""

    fail_answers = 0

    def record_answer(self, *args: Any, **kwargs: Any) -> None:
        if self.fail_answers:
            self.fail_answers -= 1
            raise StorageError("cannot write to database: disk I/O error")
        super().record_answer(*args, **kwargs)


def test_writes_that_would_work_wait_behind_a_failed_one(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock, store_factory=FlakyStore)
    store = w.store
    assert isinstance(store, FlakyStore)
    sid = w.start_session(definition, "kiosk")
    store.fail_answers = 1
    w.record_answer(sid, "nps", 3)  # fails
    w.record_event(sid, "back", question_id="csat")  # the database would take this one...
    w.record_answer(sid, "nps", 9)  # ...and this change
    assert w.pending == 3
    assert kinds(db, sid) == [("session_start", None)]  # ...but they wait, in order
    assert w.flush()
    assert kinds(db, sid) == [
        ("session_start", None),
        ("answered", "nps"),
        ("back", "csat"),
        ("changed", "nps"),
    ]
    assert rows(db, "SELECT value_num FROM answers")[0]["value_num"] == 9


def test_retries_back_off_and_health_says_why(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    w = writer_for(tmp_path, clock, retry_min_s=0.5, retry_max_s=4)
    sid = w.start_session(definition, "kiosk")
    read_only(w, True)
    w.record_answer(sid, "nps", 5)
    h = w.health()
    assert (h.healthy, h.pending, h.failing_for_s, h.retry_in_s) == (False, 1, 0.0, 0.5)
    assert not w.retry_due()
    pauses = []
    for _ in range(5):
        h = w.health()
        assert h.retry_in_s is not None
        pauses.append(h.retry_in_s)
        clock.advance(h.retry_in_s)
        assert w.retry_due()
        assert not w.flush()
    assert pauses == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert w.health().failing_for_s == pytest.approx(11.5)
    read_only(w, False)
    recovered: list[int] = []
    w.on_recovered = recovered.append
    assert w.flush()
    h = w.health()
    assert (h.healthy, h.pending, h.failing_for_s, h.retry_in_s, h.written) == (
        True,
        0,
        None,
        None,
        2,
    )
    assert recovered == [1]
    assert not w.retry_due()


def test_a_write_the_database_never_takes_is_set_aside_not_blocking_the_rest(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock)
    sid = w.start_session(definition, "kiosk")
    read_only(w, True)
    w.record_answer(999, "nps", 1)  # no such session: a foreign-key failure once writable
    w.record_answer(sid, "nps", 2)
    read_only(w, False)
    assert w.flush()
    assert len(w.rejected) == 1 and w.rejected[0][0].session == 999
    assert [r["value_num"] for r in rows(db, "SELECT value_num FROM answers")] == [2]


def test_a_flush_in_another_thread_never_blocks_the_screen(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock, busy_timeout_s=1.0)
    sid = w.start_session(definition, "kiosk")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    w.record_answer(sid, "nps", 1)  # 1 s busy wait, then queued
    assert w.pending == 1
    result: list[bool] = []
    flusher = threading.Thread(target=lambda: result.append(w.flush()))
    flusher.start()
    time.sleep(0.1)
    assert w.flushing
    t0 = time.monotonic()
    w.record_answer(sid, "csat", 2)  # the Store is busy in the flush: queued at once
    w.finish_session(sid, "completed")
    assert time.monotonic() - t0 < 0.05
    other.execute("ROLLBACK")
    other.close()
    flusher.join(5)
    assert w.flush()
    assert w.pending == 0
    assert kinds(db, sid) == [
        ("session_start", None),
        ("answered", "nps"),
        ("answered", "csat"),
        ("session_end", None),
    ]


# --- leaving with writes still queued, and coming back ---------------------------------------------


def test_spill_then_recover_in_a_new_process(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    state = tmp_path / "state"
    w = writer_for(tmp_path, clock)
    started = w.start_session(definition, "kiosk", device="k1")  # written
    w.record_shown(started, "nps")
    read_only(w, True)
    clock.advance(4)
    w.record_answer(started, "nps", 9, response_ms=4000)
    w.record_event(started, "exit", data={"by": "SIGTERM"})
    w.finish_session(started, "interrupted")
    fresh = w.start_session(definition, "kiosk", device="k1")  # never written
    clock.advance(1)
    w.record_answer(fresh, "nps", 2)
    w.finish_session(fresh, "interrupted")
    assert not w.close(wait_s=0)
    path = w.spill(state)
    assert path is not None and path.parent == tmp_path  # next to the database
    w.close_store()
    assert find_spills(db, state) == [path]
    doc = json.loads(path.read_text())
    assert len(doc["writes"]) == 6 and "2468" not in path.read_text()

    clock.advance(3600)  # the next start, an hour later
    again = writer_for(tmp_path, clock)
    assert again.recover(path) == 6
    assert not path.exists() and find_spills(db, state) == []
    sessions = rows(db, "SELECT * FROM sessions ORDER BY id")
    assert [(s["status"], s["started_at"], s["ended_at"]) for s in sessions] == [
        ("interrupted", iso(1000), iso(1004)),
        ("interrupted", iso(1004), iso(1005)),
    ]
    first = [
        (r["kind"], r["elapsed_ms"])
        for r in rows(
            db, "SELECT * FROM events WHERE session_id = ? ORDER BY id", sessions[0]["id"]
        )
    ]
    assert first == [
        ("session_start", 0),
        ("shown", 0),
        ("answered", 4000),
        ("exit", 4000),
        ("session_end", 4000),
    ]
    assert rows(db, "SELECT answered_at FROM answers WHERE session_id = ?", sessions[1]["id"])[0][
        0
    ] == iso(1005)


def test_recover_that_fails_half_way_keeps_the_rest(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    db = tmp_path / "k.db"
    w = writer_for(tmp_path, clock, store_factory=FlakyStore)
    read_only(w, True)
    sid = w.start_session(definition, "kiosk")
    w.record_answer(sid, "nps", 1)
    w.record_answer(sid, "csat", 2)
    w.finish_session(sid, "interrupted")
    path = w.spill()
    assert path is not None
    w.close_store()

    again = writer_for(tmp_path, clock, store_factory=FlakyStore)
    assert isinstance(again.store, FlakyStore)
    again.store.fail_answers = 1
    with pytest.raises(StorageError, match="1 of 4 written"):
        again.recover(path)
    doc = json.loads(path.read_text())
    real = rows(db, "SELECT id FROM sessions")[0]["id"]
    assert [(x["kind"], x["session"]) for x in doc["writes"]] == [
        ("record_answer", real),
        ("record_answer", real),
        ("finish_session", real),
    ]
    assert again.recover(path) == 3
    assert len(rows(db, "SELECT * FROM sessions")) == 1  # not started twice
    assert rows(db, "SELECT status FROM sessions")[0][0] == "interrupted"
    assert len(rows(db, "SELECT * FROM answers")) == 2


def test_nothing_is_kept_in_memory_per_session_once_written(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    w = writer_for(tmp_path, clock)
    for i in range(50):
        if i % 10 == 5:
            read_only(w, True)
        sid = w.start_session(definition, "kiosk")
        w.record_shown(sid, "nps")
        w.record_answer(sid, "nps", i % 11)
        w.finish_session(sid, "completed")
        if i % 10 == 7:
            read_only(w, False)
            assert w.flush()
    assert w.flush()
    assert (w._ids, w._shown, w._session_mono, w.pending) == ({}, {}, {}, 0)
    assert len(rows(tmp_path / "k.db", "SELECT * FROM sessions WHERE status = 'completed'")) == 50


# --- several kiosks, one file ----------------------------------------------------------------------

KIOSK_PROCESS = """
import sys
from surveykit.definition.loader import load
from surveykit.storage.kiosk_writer import KioskWriter
definition = load(sys.argv[1])
w = KioskWriter(sys.argv[2], busy_timeout_s=2.0)
for i in range(int(sys.argv[4])):
    sid = w.start_session(definition, "kiosk", device=sys.argv[3])
    for q, v in (("nps", i % 11), ("csat", 1 + i % 5)):
        w.record_answer(sid, q, v, shown_at=w.record_shown(sid, q))
    w.finish_session(sid, "completed")
assert w.flush(wait_s=5) and w.pending == 0, w.last_error
print(w.written)
"""


def test_several_kiosk_processes_share_one_file(tmp_path: Path, definition: Definition) -> None:
    db = tmp_path / "shared.db"
    KioskWriter(db).register_definition(definition)  # what `surveykit kiosk` does at start
    root = Path(__file__).resolve().parents[1]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", KIOSK_PROCESS, definition.source_path, str(db), device, "60"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for device in ("entrance", "till-1", "till-2")
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert int(out) == 60 * 6
    by_device = {
        r[0]: r[1]
        for r in rows(
            db, "SELECT device, COUNT(*) FROM sessions WHERE status = 'completed' GROUP BY device"
        )
    }
    assert by_device == {"entrance": 60, "till-1": 60, "till-2": 60}
    assert rows(db, "SELECT COUNT(*) FROM answers")[0][0] == 3 * 60 * 2


def test_a_spill_that_cannot_be_written_leaves_no_temporary_file(
    tmp_path: Path, clock: FakeClock, definition: Definition
) -> None:
    """A full disk while the pending file is written: the write fails with a real
    OS error (here EFBIG, from a file size limit, the same path as ENOSPC), and no
    `*.tmp` is left beside the database nor in the state folder."""
    import resource
    import signal

    state = tmp_path / "state"
    w = writer_for(tmp_path, clock)
    read_only(w, True)
    sid = w.start_session(definition, "kiosk")
    w.record_answer(sid, "nps", 7)
    w.finish_session(sid, "interrupted")
    assert not w.close(wait_s=0)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, hard))
    try:
        with pytest.raises(OSError):
            w.spill(state)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old)
    left = sorted(p.name for p in [*tmp_path.glob("*.tmp"), *state.glob("*.tmp")])
    assert left == []
    assert find_spills(tmp_path / "k.db", state) == []
    # once space is back the same queue is kept in a whole file
    path = w.spill(state)
    assert path is not None and len(json.loads(path.read_text())["writes"]) == 3
    w.close_store()
