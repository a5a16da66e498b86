"""The SQLite store: schema and pragmas, every write call, clocks, views, migrations,
user-facing errors, and several processes writing one file at once."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils
from conftest import FakeClock

from surveykit.definition.loader import load
from surveykit.storage.migrations import MIGRATIONS, SCHEMA_VERSION, _split
from surveykit.storage.store import StorageError, Store, encode_value
from surveykit.storage.views import wide_view_name
from surveykit.vocabulary import MODES, OUTCOMES, STATUSES

ROOT = Path(__file__).resolve().parents[1]
STORE_FEEDBACK = load(ROOT / "surveys/store-feedback.yaml")
POST_SUPPORT = load(ROOT / "surveys/post-support.yaml")
CHECKOUT = load(ROOT / "surveys/checkout-study.yaml")
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def rows(store: Store, sql: str, *args: object) -> list[dict]:
    return [dict(r) for r in store.conn.execute(sql, args)]


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


# --- schema and pragmas ------------------------------------------------------------------


def test_pragmas(store: Store, db_path: Path) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    # WAL is a property of the file: a plain sqlite3 connection sees it too
    with sqlite3.connect(db_path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_tables_and_views(store: Store) -> None:
    conn = store.conn
    assert {
        "sha256", "survey_id", "title", "format_version", "source_path", "body_json", "first_seen_at",
    } <= columns(conn, "definitions")
    assert {
        "id", "survey_id", "definition_sha256", "mode", "participant", "device", "started_at",
        "ended_at", "status", "task_order_json", "meta_json",
    } <= columns(conn, "sessions")
    assert {
        "session_id", "task_id", "question_id", "value_json", "value_num", "is_na", "shown_at",
        "answered_at", "response_ms",
    } <= columns(conn, "answers")
    assert {
        "session_id", "task_id", "position", "started_at", "ended_at", "active_ms", "outcome",
        "errors", "hints",
    } <= columns(conn, "task_runs")
    assert {"id", "session_id", "at", "elapsed_ms", "kind", "task_id", "question_id", "data_json"} <= columns(
        conn, "events"
    )
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert {"session_overview", "answers_labeled", "task_runs_labeled"} <= views
    pk = [r[1] for r in conn.execute("PRAGMA table_info(answers)") if r[5]]
    assert sorted(pk) == ["question_id", "session_id", "task_id"]


def test_the_file_reads_right_in_sqlite_utils(store: Store, db_path: Path) -> None:
    """sqlite-utils (the library under Datasette) sees the documented tables, keys,
    foreign keys and views, and reads the views' rows."""
    sid = store.start_session(CHECKOUT, "moderate", participant="P1", device="lab-1")
    store.record_answer(sid, "shop_online", "Weekly")
    store.start_task(sid, "find-shoes", 1)
    store.finish_task(sid, "find-shoes", "success", 61_000)
    db = sqlite_utils.Database(db_path)
    assert {"definitions", "sessions", "answers", "task_runs", "events", "questions",
            "tasks"} <= set(db.table_names())
    assert {"session_overview", "answers_labeled", "task_runs_labeled",
            wide_view_name(CHECKOUT.survey.id)} <= set(db.view_names())
    assert db["answers"].pks == ["session_id", "task_id", "question_id"]
    assert db["task_runs"].pks == ["session_id", "task_id"]
    assert {(fk.column, fk.other_table) for fk in db["answers"].foreign_keys} == {
        ("session_id", "sessions")}
    assert db["sessions"].columns_dict["status"] is str
    overview = list(db["session_overview"].rows)
    assert [(r["participant"], r["answers"], r["task_runs"]) for r in overview] == [("P1", 1, 1)]
    runs = list(db["task_runs_labeled"].rows)
    assert runs[0]["task_title"] and runs[0]["active_s"] == 61.0
    db.close()


def test_the_schema_accepts_exactly_the_vocabulary(store: Store) -> None:
    """The CHECK constraints of the released schema and `surveykit.vocabulary` agree:
    a word added to the vocabulary without a migration fails here."""
    sid = store.start_session(STORE_FEEDBACK, "kiosk")
    c = store.conn
    for mode in MODES:
        c.execute("UPDATE sessions SET mode = ? WHERE id = ?", (mode, sid))
    for status in STATUSES:
        c.execute("UPDATE sessions SET status = ? WHERE id = ?", (status, sid))
    c.execute("INSERT INTO task_runs (session_id, task_id, position) VALUES (?, 't', 1)", (sid,))
    for outcome in OUTCOMES:
        c.execute("UPDATE task_runs SET outcome = ? WHERE session_id = ?", (outcome, sid))
    for column, table, word in (("mode", "sessions", "browser"), ("status", "sessions", "lost"),
                                ("outcome", "task_runs", "won")):
        with pytest.raises(sqlite3.IntegrityError):
            c.execute(f"UPDATE {table} SET {column} = ? WHERE {'id' if table == 'sessions' else 'session_id'} = ?", (word, sid))


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(StorageError):
        store.record_answer(999, "nps", 5)


def test_check_constraints_hold(store: Store) -> None:
    sid = store.start_session(STORE_FEEDBACK, "kiosk")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("UPDATE sessions SET status = 'lost' WHERE id = ?", (sid,))
    with pytest.raises(ValueError):
        store.start_session(STORE_FEEDBACK, "browser")
    with pytest.raises(ValueError):
        store.finish_session(sid, "in_progress")
    with pytest.raises(ValueError):
        store.finish_task(sid, "t", "won", 1)


# --- timestamps --------------------------------------------------------------------------


def test_timestamps_are_utc_with_milliseconds(store: Store, clock: FakeClock) -> None:
    sid = store.start_session(STORE_FEEDBACK, "run")
    assert store.session(sid).started_at == "2026-11-22T10:15:03.123Z"
    clock.set_wall(datetime(2026, 11, 22, 12, 0, 0, 999999, tzinfo=timezone(timedelta(hours=2))))
    assert store.record_shown(sid, "nps") == "2026-11-22T10:00:00.999Z"
    clock.set_wall(datetime(2027, 1, 2, 3, 4, 5, 0, tzinfo=UTC))
    store.record_answer(sid, "nps", 9)
    assert store.answers(sid)[("", "nps")].answered_at == "2027-01-02T03:04:05.000Z"
    for e in store.events(sid):
        assert ISO_MS.match(e["at"]), e


# --- sessions and answers ----------------------------------------------------------------


def test_start_session_registers_the_definition_once(store: Store) -> None:
    a = store.start_session(STORE_FEEDBACK, "kiosk", device="till-1", meta={"shop": "Leeds"})
    b = store.start_session(STORE_FEEDBACK, "kiosk", device="till-2")
    assert b == a + 1
    (d,) = rows(store, "SELECT * FROM definitions")
    assert d["sha256"] == STORE_FEEDBACK.sha256
    assert (d["survey_id"], d["title"], d["format_version"]) == ("store-feedback", "How was your visit?", 1)
    assert json.loads(d["body_json"]) == json.loads(STORE_FEEDBACK.body_json)
    s = store.session(a)
    assert (s.survey_id, s.mode, s.device, s.status, s.meta) == (
        "store-feedback", "kiosk", "till-1", "in_progress", {"shop": "Leeds"},
    )
    assert s.definition_sha256 == STORE_FEEDBACK.sha256
    assert s.owner_pid == os.getpid()
    assert [e["kind"] for e in store.events(a)] == ["session_start"]
    catalogue = rows(store, "SELECT question_id, type, text FROM questions ORDER BY position")
    assert [c["question_id"] for c in catalogue] == ["nps", "nps_reason", "csat", "ces", "visit"]
    assert catalogue[0]["text"].startswith("How likely are you to recommend Corner Books")


def test_record_answer_encodings(store: Store) -> None:
    sid = store.start_session(POST_SUPPORT, "run")
    values = {
        "resolved": "partly",
        "csat": 4,
        "contacts": 2.5,
        "channels": ["Email", {"other": "Fax"}],
        "unresolved_why": "Nothing — it's «fine»",
    }
    for qid, value in values.items():
        store.record_answer(sid, qid, value, shown_at="2026-01-01T00:00:00.000Z", response_ms=1200)
    store.record_answer(sid, "agent_rating", 7, is_na=True)
    got = {r["question_id"]: r for r in rows(store, "SELECT * FROM answers WHERE session_id = ?", sid)}
    assert got["resolved"]["value_json"] == '"partly"' and got["resolved"]["value_num"] is None
    assert got["csat"]["value_json"] == "4" and got["csat"]["value_num"] == 4.0
    assert got["contacts"]["value_num"] == 2.5
    assert json.loads(got["channels"]["value_json"]) == ["Email", {"other": "Fax"}]
    assert json.loads(got["unresolved_why"]["value_json"]) == "Nothing — it's «fine»"
    na = got["agent_rating"]
    assert (na["value_json"], na["value_num"], na["is_na"]) == (None, None, 1)
    assert got["csat"]["response_ms"] == 1200 and got["csat"]["task_id"] == ""
    answers = store.answers(sid)
    assert {k[1]: a.value for k, a in answers.items()} == {**values, "agent_rating": None}
    assert answers[("", "agent_rating")].is_na
    assert encode_value(True) == ("true", None)  # booleans are not numbers


def test_change_is_logged_with_the_old_value(store: Store) -> None:
    sid = store.start_session(STORE_FEEDBACK, "run")
    store.record_answer(sid, "nps", 3)
    store.record_answer(sid, "nps", 3)  # same again: nothing new to log
    store.record_answer(sid, "nps", 9)
    store.record_answer(sid, "nps", None, is_na=True)
    kinds = [(e["kind"], e["data"]) for e in store.events(sid) if e["question_id"] == "nps"]
    assert kinds[0] == ("answered", {"value": 3, "na": False, "response_ms": None})
    assert kinds[1] == ("changed", {"from": {"value": 3, "na": False}, "to": {"value": 9, "na": False, "response_ms": None}})
    assert kinds[2][0] == "changed" and kinds[2][1]["from"] == {"value": 9, "na": False}
    assert kinds[2][1]["to"]["na"] is True
    assert len(kinds) == 3
    assert store.answers(sid)[("", "nps")].is_na


def test_clear_answer(store: Store) -> None:
    sid = store.start_session(STORE_FEEDBACK, "run")
    store.record_answer(sid, "nps_reason", "slow")
    store.clear_answer(sid, "nps_reason", reason="hidden by skip logic after a change")
    store.clear_answer(sid, "nps_reason", reason="again")  # nothing left: nothing logged
    assert store.answers(sid) == {}
    cleared = [e for e in store.events(sid) if e["kind"] == "cleared"]
    assert len(cleared) == 1
    assert cleared[0]["data"] == {"value": "slow", "na": False, "reason": "hidden by skip logic after a change"}


def test_record_shown_and_event(store: Store) -> None:
    sid = store.start_session(STORE_FEEDBACK, "kiosk")
    store.record_shown(sid, "visit", data={"options": ["A gift", "Browsing"]})
    store.record_shown(sid, "seq", task_id="t1")
    eid = store.record_event(sid, "idle_reset", data={"after_s": 45})
    events = store.events(sid)
    assert events[-1]["id"] == eid
    assert events[-1]["kind"] == "idle_reset" and events[-1]["data"] == {"after_s": 45}
    assert events[1]["data"] == {"options": ["A gift", "Browsing"]}
    assert store.shown_keys(sid) == {"visit"}
    assert store.shown_keys(sid, "t1") == {"seq"}


def test_finish_session(store: Store, clock: FakeClock) -> None:
    sid = store.start_session(STORE_FEEDBACK, "kiosk")
    clock.advance(30)
    store.finish_session(sid, "abandoned")
    s = store.session(sid)
    assert s.status == "abandoned"
    assert s.ended_at == "2026-11-22T10:15:33.123Z"
    end = store.events(sid)[-1]
    assert (end["kind"], end["data"], end["elapsed_ms"]) == ("session_end", {"status": "abandoned"}, 30000)
    overview = rows(store, "SELECT * FROM session_overview WHERE session_id = ?", sid)[0]
    assert overview["wall_ms"] == 30000 and overview["survey_title"] == "How was your visit?"


# --- tasks -------------------------------------------------------------------------------


def test_task_calls(store: Store, clock: FakeClock) -> None:
    sid = store.start_session(CHECKOUT, "moderate", participant="P1", task_order=["apply-coupon", "find-shoes", "guest-checkout"])
    assert store.session(sid).task_order == ["apply-coupon", "find-shoes", "guest-checkout"]
    store.start_task(sid, "apply-coupon", 1)
    store.task_event(sid, "apply-coupon", "error", data={"code": "form"})
    store.task_event(sid, "apply-coupon", "error")
    store.task_event(sid, "apply-coupon", "hint")
    store.task_event(sid, "apply-coupon", "pause", active_ms=4000)
    store.task_event(sid, "apply-coupon", "note", data={"text": "hesitates"})
    store.finish_task(sid, "apply-coupon", "partial", 61000)
    store.skip_task(sid, "find-shoes", 2)
    store.start_task(sid, "guest-checkout", 3)
    store.task_event(sid, "guest-checkout", "error")
    store.start_task(sid, "guest-checkout", 3)  # restarted: counts begin again
    store.finish_task(sid, "guest-checkout", "success", 1000)
    store.finish_task(sid, "guest-checkout", "fail", 1000)  # corrected by the moderator
    runs = {r["task_id"]: r for r in store.task_runs(sid)}
    assert [r["task_id"] for r in store.task_runs(sid)] == ["apply-coupon", "find-shoes", "guest-checkout"]
    a = runs["apply-coupon"]
    assert (a["errors"], a["hints"], a["active_ms"], a["outcome"]) == (2, 1, 61000, "partial")
    assert a["started_at"] and a["ended_at"]
    f = runs["find-shoes"]
    assert (f["outcome"], f["started_at"], f["active_ms"]) == ("skipped", None, 0)
    g = runs["guest-checkout"]
    assert (g["errors"], g["outcome"]) == (0, "fail")
    events = [(e["kind"], e["task_id"]) for e in store.events(sid)]
    assert ("task_start", "apply-coupon") in events and ("task_end", "find-shoes") in events
    pause = next(e for e in store.events(sid) if e["kind"] == "pause")
    assert pause["data"] == {"active_ms": 4000}
    error = next(e for e in store.events(sid) if e["kind"] == "error")
    assert error["data"] == {"code": "form"}
    labeled = rows(store, "SELECT * FROM task_runs_labeled WHERE session_id = ? ORDER BY position", sid)
    assert labeled[0]["task_title"] == "Apply a coupon"
    assert labeled[0]["active_s"] == 61.0
    assert labeled[0]["time_limit_s"] == 180
    assert labeled[0]["participant"] == "P1"


# --- clocks across processes -------------------------------------------------------------


def test_take_over_continues_the_elapsed_clock(db_path: Path, clock: FakeClock) -> None:
    db = db_path
    first = Store(db, wall=clock.wall, mono=clock)
    sid = first.start_session(CHECKOUT, "moderate", participant="P2")
    clock.advance(5)
    first.record_event(sid, "note")
    first.close()

    later = FakeClock(t=50.0)  # another process: its monotonic clock means nothing to ours
    second = Store(db, wall=later.wall, mono=later)
    s = second.take_over(sid)
    assert s.status == "in_progress" and s.owner_pid == os.getpid()
    later.advance(2)
    second.record_event(sid, "note")
    elapsed = [e["elapsed_ms"] for e in second.events(sid)]
    assert elapsed == [0, 5000, 5000, 7000]  # start, note, resume, note
    assert [e["kind"] for e in second.events(sid)][2] == "resume"
    second.close()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_orphans_are_found_and_marked_interrupted(store: Store, clock: FakeClock) -> None:
    mine = store.start_session(CHECKOUT, "moderate", participant="P4")
    crashed = store.start_session(CHECKOUT, "moderate", participant="P4")
    elsewhere = store.start_session(CHECKOUT, "moderate", participant="P4")
    clock.advance(3)
    store.record_event(crashed, "note")
    last_at = store.events(crashed)[-1]["at"]
    dead = _dead_pid()
    store.conn.execute("UPDATE sessions SET owner_pid = ? WHERE id = ?", (dead, crashed))
    store.conn.execute("UPDATE sessions SET owner_host = 'other-machine' WHERE id = ?", (elsewhere,))

    assert not store.is_orphan(store.session(mine))  # alive: ours
    assert store.is_orphan(store.session(crashed))
    assert not store.is_orphan(store.session(elsewhere))  # cannot tell: left alone
    assert store.resumable("checkout-study", "P4").id == crashed
    assert store.resumable("checkout-study", "P5") is None

    clock.advance(60)
    assert store.mark_orphans_interrupted("checkout-study") == [crashed]
    s = store.session(crashed)
    assert s.status == "interrupted"
    assert s.ended_at == last_at  # when it was last heard of, not now
    assert store.events(crashed)[-1]["kind"] == "interrupted"
    assert store.session(mine).status == "in_progress"
    assert store.mark_orphans_interrupted() == []
    assert store.resumable("checkout-study", "P4") is None


def test_a_session_of_this_process_not_opened_by_this_store_is_orphaned(db_path: Path) -> None:
    db = db_path
    with Store(db) as a:
        sid = a.start_session(STORE_FEEDBACK, "run", participant="P9")
    with Store(db) as b:  # same pid, but nobody holds the session any more
        assert b.resumable("store-feedback", "P9").id == sid
        b.take_over(sid)
        assert b.resumable("store-feedback", "P9") is None


# --- views -------------------------------------------------------------------------------


def test_answers_labeled(store: Store) -> None:
    sid = store.start_session(STORE_FEEDBACK, "kiosk", device="till-1")
    store.record_answer(sid, "nps", 10)
    store.record_answer(sid, "csat", 4)
    store.record_answer(sid, "ces", None, is_na=True)
    store.record_answer(sid, "visit", "A gift")
    got = {r["question_id"]: r for r in rows(store, "SELECT * FROM answers_labeled WHERE session_id = ?", sid)}
    assert got["nps"]["question_text"] == "How likely are you to recommend Corner Books to a friend or colleague?"
    assert got["nps"]["value_label"] == "Extremely likely"
    assert got["csat"]["value_label"] == "Satisfied"
    assert got["csat"]["question_type"] == "csat"
    assert got["ces"]["is_na"] == 1 and got["ces"]["value_label"] is None
    assert got["visit"]["value"] == '"A gift"' and got["visit"]["value_label"] == "A gift"
    assert got["visit"]["device"] == "till-1" and got["visit"]["survey_id"] == "store-feedback"


def test_battery_and_task_answers_are_labelled(store: Store) -> None:
    sid = store.start_session(CHECKOUT, "moderate", participant="P1")
    store.record_answer(sid, "seq", 7, task_id="find-shoes")
    store.record_answer(sid, "sus.1", 5)
    got = {r["question_id"]: r for r in rows(store, "SELECT * FROM answers_labeled WHERE session_id = ?", sid)}
    assert got["seq"]["task_title"] == "Find running shoes"
    assert got["seq"]["value_label"] == "Very easy"
    assert got["sus.1"]["question_text"] == "I think that I would like to use the website frequently."
    assert got["sus.1"]["value_label"] == "Strongly agree"


def test_wide_responses_view(store: Store) -> None:
    a = store.start_session(STORE_FEEDBACK, "kiosk")
    store.record_answer(a, "nps", 3)
    store.record_answer(a, "nps_reason", "slow")
    store.record_answer(a, "visit", {"other": "Coffee"})
    b = store.start_session(STORE_FEEDBACK, "kiosk")
    store.record_answer(b, "ces", None, is_na=True)
    store.start_session(STORE_FEEDBACK, "kiosk")  # nothing answered yet
    name = wide_view_name("store-feedback")
    assert name == "responses_store_feedback"
    got = rows(store, f'SELECT * FROM "{name}" ORDER BY session_id')
    assert [r["session_id"] for r in got] == [a, b, b + 1]
    assert {"nps", "nps_reason", "csat", "ces", "visit", "status", "mode"} <= set(got[0])
    assert got[0]["nps"] == 3 and got[0]["nps_reason"] == '"slow"'
    assert json.loads(got[0]["visit"]) == {"other": "Coffee"}
    assert got[1]["ces"] == "N/A" and got[1]["nps"] is None


def test_wide_view_of_a_study_has_a_column_per_task_question(store: Store) -> None:
    sid = store.start_session(CHECKOUT, "moderate", participant="P1")
    store.record_answer(sid, "seq", 6, task_id="find-shoes")
    store.record_answer(sid, "seq", 2, task_id="apply-coupon")
    store.record_answer(sid, "sus.10", 1)
    (row,) = rows(store, "SELECT * FROM responses_checkout_study")
    assert row["find-shoes.seq"] == 6 and row["apply-coupon.seq"] == 2
    assert row["guest-checkout.seq"] is None
    assert row["sus.10"] == 1
    assert "consent" not in row  # notes store nothing


# --- migrations --------------------------------------------------------------------------


def _build_version_1(path: Path) -> None:
    conn = sqlite3.connect(path)
    migration = MIGRATIONS[0]
    if callable(migration):
        migration(conn)
    else:
        for stmt in _split(migration):
            conn.execute(stmt)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO definitions VALUES ('abc', 'old-survey', 'Old', 1, 'old.yaml', '{}', '2025-01-01T00:00:00.000Z')"
    )
    conn.execute(
        "INSERT INTO sessions (id, survey_id, definition_sha256, mode, started_at, status) "
        "VALUES (1, 'old-survey', 'abc', 'run', '2025-01-01T00:00:00.000Z', 'completed')"
    )
    conn.execute(
        "INSERT INTO answers (session_id, question_id, value_json, value_num, answered_at) "
        "VALUES (1, 'nps', '8', 8, '2025-01-01T00:00:05.000Z')"
    )
    conn.commit()
    conn.close()


def test_an_old_file_is_upgraded_in_place(db_path: Path) -> None:
    db = db_path
    _build_version_1(db)
    with Store(db) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {"owner_host", "owner_pid"} <= columns(s.conn, "sessions")
        assert s.answers(1)[("", "nps")].value == 8
        assert s.session(1).status == "completed"
        (old,) = rows(s, "SELECT * FROM answers_labeled")
        assert old["survey_id"] == "old-survey" and old["question_text"] is None
        # and the upgraded file takes new data
        sid = s.start_session(STORE_FEEDBACK, "run")
        s.record_answer(sid, "nps", 9)
    with Store(db) as again:  # opening a current file changes nothing
        assert len(again.sessions()) == 2
        assert again.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_newer_file_is_refused(db_path: Path) -> None:
    db = db_path
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer surveykit") as info:
        Store(db)
    assert f"schema {SCHEMA_VERSION + 1}" in str(info.value)
    assert "upgrade surveykit" in str(info.value)


# --- user-facing errors ------------------------------------------------------------------


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"folder .*nowhere does not exist"):
        Store(tmp_path / "nowhere" / "s.db")


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"cannot open database .*: it is a folder; give a file name"):
        Store(tmp_path)


def test_not_a_database_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StorageError, match="is not a surveykit database"):
        Store(path)


def test_a_place_that_cannot_hold_files() -> None:
    with pytest.raises(StorageError, match=r"^cannot open database /proc/surveykit\.db: "):
        Store("/proc/surveykit.db")


# --- several processes -------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, sys, time
    from surveykit.definition.loader import load
    from surveykit.storage.store import Store

    db, survey, name, n, go = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    store = Store(db)
    while not os.path.exists(go):  # start together, so the writes really overlap
        time.sleep(0.005)
    sid = store.start_session(load(survey), "kiosk", device=name)
    for i in range(n):
        store.record_answer(sid, f"q{i}", i)
        if i % 50 == 0:
            store.record_event(sid, "tick", data={"i": i})
    store.finish_session(sid)
    print(sid)
    """
)


def _run_writers(db: Path, n_processes: int, n_answers: int = 200) -> list[int]:
    Store(db).close()  # create the file first, as the first kiosk would
    go = db.with_suffix(".go")
    procs = [
        subprocess.Popen(
            [
                sys.executable, "-c", WRITER, str(db), str(ROOT / "surveys/store-feedback.yaml"),
                f"dev{k}", str(n_answers), str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for k in range(n_processes)
    ]
    go.touch()
    sids = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert err == ""
        sids.append(int(out.strip()))
    return sids


@pytest.mark.parametrize("n_processes", [2, 4])
def test_processes_write_one_file_at_once(tmp_path: Path, n_processes: int) -> None:
    db = tmp_path / "shared.db"
    sids = _run_writers(db, n_processes)
    assert len(set(sids)) == n_processes
    with Store(db) as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for sid in sids:
            answers = s.answers(sid)
            assert len(answers) == 200
            assert sorted(a.value for a in answers.values()) == list(range(200))
            assert s.session(sid).status == "completed"
            kinds = [e["kind"] for e in s.events(sid)]
            assert kinds.count("answered") == 200 and kinds.count("tick") == 4
        assert len(s.conn.execute("SELECT * FROM definitions").fetchall()) == 1
