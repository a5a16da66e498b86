"""Identity that travels (sessions.uuid, installation, events.seq) and `surveykit merge`."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from surveykit.definition.loader import load
from surveykit.ids import uuid7_time_ms
from surveykit.simulate import SimOptions, simulate
from surveykit.storage.bulk import BulkEvent, BulkSession, BulkWriter
from surveykit.storage.merge import content_sha256, merge_files, read_bodies
from surveykit.storage.migrations import MIGRATIONS, SCHEMA_VERSION, _apply
from surveykit.storage.store import Store
from tests.fixtures_data import SURVEYS, run_cli

ROOT = Path(__file__).resolve().parents[1]
STORE_FEEDBACK = load(SURVEYS / "store-feedback.yaml")
CHECKOUT = load(SURVEYS / "checkout-study.yaml")
START = datetime(2026, 10, 5, tzinfo=UTC)


def sim(db: Path, n: int, seed: int, definition=STORE_FEEDBACK, devices=("kiosk-1",)) -> None:
    with Store(db) as store:
        simulate(definition, store, SimOptions(sessions=n, seed=seed, start=START, devices=devices))


def q(db: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def bodies_by_uuid(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM sessions")]
        return {b["session"]["uuid"]: content_sha256(b) for b in read_bodies(conn, ids).values()}
    finally:
        conn.close()


def live_session(db: Path, *, finish: str | None = "completed", nps: int = 9) -> str:
    with Store(db) as s:
        sid = s.start_session(STORE_FEEDBACK, "kiosk", device="kiosk-live", site="north")
        s.record_answer(sid, "nps", nps)
        if finish:
            s.finish_session(sid, finish)
        return s.session(sid).uuid or ""


# --- identity -------------------------------------------------------------------------------


def test_new_sessions_carry_uuid_device_site_and_event_seq(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as s:
        a = s.start_session(STORE_FEEDBACK, "kiosk", site="north")
        b = s.start_session(STORE_FEEDBACK, "kiosk")
        for sid in (a, b, a):
            s.record_answer(sid, "nps", 7)
            s.record_event(sid, "note", data={"text": "x"})
        ra, rb = s.session(a), s.session(b)
        assert ra.uuid and rb.uuid and ra.uuid < rb.uuid  # time-ordered
        assert ra.site == "north" and rb.site is None
        assert ra.device_id == rb.device_id == s.device_id()
        assert abs(uuid7_time_ms(ra.uuid) - datetime.now(UTC).timestamp() * 1000) < 60_000
        for sid in (a, b):
            seqs = [e["seq"] for e in s.events(sid)]
            assert seqs == list(range(1, len(seqs) + 1))
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("UPDATE sessions SET uuid = ? WHERE id = ?", (rb.uuid, a))
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute(
                "INSERT INTO events (session_id, at, kind, seq) VALUES (?, 'x', 'note', 1)", (a,)
            )
        row = s.conn.execute(
            "SELECT session_uuid, site, device_id FROM session_overview WHERE session_id = ?", (a,)
        ).fetchone()
        assert tuple(row) == (ra.uuid, "north", ra.device_id)


def test_bulk_writes_get_ids_from_the_database(tmp_path: Path) -> None:
    db = tmp_path / "bulk.db"
    with Store(db) as s:
        s.register_definition(STORE_FEEDBACK)
        with BulkWriter(s) as w:
            for i in range(3):
                w.add(BulkSession(
                    survey_id="store-feedback", definition_sha256=STORE_FEEDBACK.sha256,
                    mode="kiosk", started_at=f"2026-10-0{i + 1}T10:00:00.000Z", status="completed",
                    events=[BulkEvent(at="2026-10-01T10:00:00.000Z", elapsed_ms=k, kind="note")
                            for k in range(4)],
                ))
        rows = s.conn.execute("SELECT uuid, device_id, started_at FROM sessions ORDER BY id").fetchall()
        assert len({r[0] for r in rows}) == 3 and all(r[1] == s.device_id() for r in rows)
        for u, _d, started in rows:
            ms = int(datetime.fromisoformat(started.replace("Z", "+00:00")).timestamp() * 1000)
            assert uuid7_time_ms(u) == ms and u[14] == "7" and u[19] in "89ab"
        seqs = s.conn.execute("SELECT session_id, seq FROM events ORDER BY id").fetchall()
        assert [r[1] for r in seqs] == [1, 2, 3, 4] * 3


def old_file(db: Path) -> sqlite3.Connection:
    """A file as schema 3 (before travelling ids) left it."""
    conn = sqlite3.connect(db)
    for m in MIGRATIONS[:3]:
        _apply(conn, m)
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    return conn


def plain_pool(dest: Path, sources: list[Path]) -> None:
    """Every row of every source in one file by plain SQL (integer ids offset), for reference."""
    Store(dest).close()
    conn = sqlite3.connect(dest)
    for src in sources:
        conn.execute("ATTACH DATABASE ? AS src", (str(src),))
        off = conn.execute("SELECT COALESCE(MAX(id), 0) FROM main.sessions").fetchone()[0]
        for t in ("definitions", "questions", "tasks"):
            conn.execute(f"INSERT OR IGNORE INTO main.{t} SELECT * FROM src.{t}")
        cols = [r[1] for r in conn.execute("PRAGMA main.table_info(sessions)") if r[1] != "id"]
        conn.execute(
            f"INSERT INTO main.sessions (id, {', '.join(cols)}) "
            f"SELECT id + ?, {', '.join(cols)} FROM src.sessions", (off,)
        )
        for t in ("answers", "task_runs", "events"):
            cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info({t})")
                    if r[1] not in ("id", "session_id")]
            conn.execute(
                f"INSERT INTO main.{t} (session_id, {', '.join(cols)}) "
                f"SELECT session_id + ?, {', '.join(cols)} FROM src.{t}", (off,)
            )
        conn.commit()
        conn.execute("DETACH DATABASE src")
    conn.close()


def test_migration_gives_existing_rows_ids_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = old_file(db)
    conn.execute(
        "INSERT INTO definitions VALUES ('d', 's', 't', 1, NULL, '{}', '2026-01-01T00:00:00.000Z')"
    )
    for sid, started in ((1, "2026-03-01T00:00:00.000Z"), (2, "2026-01-01T00:00:00.000Z")):
        conn.execute(
            "INSERT INTO sessions (id, survey_id, definition_sha256, mode, started_at, status) "
            "VALUES (?, 's', 'd', 'kiosk', ?, 'completed')",
            (sid, started),
        )
        for _k in range(3):
            conn.execute(
                "INSERT INTO events (session_id, at, kind) VALUES (?, 'x', 'note')", (sid,)
            )
    conn.commit()
    conn.close()
    with Store(db) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        rows = dict(s.conn.execute("SELECT id, uuid FROM sessions").fetchall())
        assert rows[2] < rows[1]  # ordered by started_at, not by id
        assert uuid7_time_ms(rows[2]) == 1767225600000
        assert s.conn.execute("SELECT COUNT(*) FROM installation").fetchone()[0] == 1
        seqs = s.conn.execute("SELECT session_id, seq FROM events ORDER BY id").fetchall()
        assert [tuple(r) for r in seqs] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
        device = s.device_id()
    with Store(db) as s:  # reopening changes nothing
        assert s.device_id() == device
        assert dict(s.conn.execute("SELECT id, uuid FROM sessions").fetchall()) == rows


# --- merge ----------------------------------------------------------------------------------


@pytest.fixture
def kiosks(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "kiosk-1.db", tmp_path / "kiosk-2.db"
    sim(a, 60, 1, devices=("kiosk-1",))
    sim(b, 40, 2, devices=("kiosk-2",))
    return a, b


def test_two_kiosks_with_overlapping_ids_merge_into_one(tmp_path: Path, kiosks, capsys) -> None:
    a, b = kiosks
    dest = tmp_path / "all.db"
    code, out, err = run_cli(["merge", str(a), str(b), "--into", str(dest)], capsys)
    assert code == 0, err
    assert "100 sessions copied" in out
    assert q(dest, "SELECT COUNT(*), COUNT(DISTINCT uuid), COUNT(DISTINCT device_id) FROM sessions") == [(100, 100, 2)]
    merged = bodies_by_uuid(dest)
    assert merged == {**bodies_by_uuid(a), **bodies_by_uuid(b)}  # every row, every seq
    for table in ("answers", "task_runs", "events"):
        n = sum(q(p, f"SELECT COUNT(*) FROM {table}")[0][0] for p in (a, b))
        assert q(dest, f"SELECT COUNT(*) FROM {table}")[0][0] == n
    assert q(dest, "SELECT COUNT(*) FROM definitions") == [(1,)]
    assert q(dest, "PRAGMA foreign_key_check") == []
    assert q(dest, "SELECT COUNT(*) FROM responses_store_feedback")[0][0] == 100


def test_merging_twice_changes_nothing_and_says_so(tmp_path: Path, kiosks, capsys) -> None:
    a, b = kiosks
    dest = tmp_path / "all.db"
    assert run_cli(["merge", str(a), str(b), "--into", str(dest)], capsys)[0] == 0
    before = dest.read_bytes(), q(dest, "SELECT * FROM sessions ORDER BY id")
    code, out, _ = run_cli(["merge", str(a), str(b), "--into", str(dest)], capsys)
    assert code == 0
    assert "nothing new" in out and "already has all 100 closed sessions" in out
    assert q(dest, "SELECT * FROM sessions ORDER BY id") == before[1]
    # merging the merged file into a kiosk's own copy also only adds what is missing
    code, out, _ = run_cli(["merge", str(dest), "--into", str(tmp_path / "copy.db")], capsys)
    assert code == 0 and "100 sessions copied" in out


def test_a_conflicting_copy_is_kept_aside(tmp_path: Path, kiosks, capsys) -> None:
    a, _b = kiosks
    dest = tmp_path / "all.db"
    assert run_cli(["merge", str(a), "--into", str(dest)], capsys)[0] == 0
    # the same session, changed on the device afterwards (edited by hand here)
    uuid, sid = q(a, "SELECT uuid, id FROM sessions ORDER BY id LIMIT 1")[0]
    conn = sqlite3.connect(a)
    conn.execute("UPDATE answers SET value_json = '0', value_num = 0 WHERE session_id = ? "
                 "AND question_id = 'nps'", (sid,))
    conn.commit()
    conn.close()
    kept = q(dest, "SELECT a.* FROM answers a JOIN sessions s ON s.id = a.session_id WHERE s.uuid = ?", uuid)
    code, out, err = run_cli(["merge", str(a), "--into", str(dest)], capsys)
    assert code == 1
    assert f"conflict: session {uuid}" in err
    assert "1 conflict kept aside in merge_conflicts" in out.splitlines()[-1]
    assert q(dest, "SELECT a.* FROM answers a JOIN sessions s ON s.id = a.session_id WHERE s.uuid = ?", uuid) == kept
    rows = q(dest, "SELECT session_uuid, source_device, content_sha256, body_json FROM merge_conflicts")
    assert len(rows) == 1 and rows[0][0] == uuid
    body = json.loads(rows[0][3])
    assert content_sha256(body) == rows[0][2]
    assert next(x for x in body["answers"] if x[1] == "nps")[2] == "0"
    # again: still reported, not stored twice
    assert run_cli(["merge", str(a), "--into", str(dest)], capsys)[0] == 1
    assert q(dest, "SELECT COUNT(*) FROM merge_conflicts") == [(1,)]


def test_sessions_in_progress_are_left_for_later(tmp_path: Path, capsys) -> None:
    src, dest = tmp_path / "k.db", tmp_path / "all.db"
    done = live_session(src)
    waiting = live_session(src, finish=None)
    code, out, _ = run_cli(["merge", str(src), "--into", str(dest)], capsys)
    assert code == 0 and "1 in progress left for later" in out
    assert q(dest, "SELECT uuid, site FROM sessions") == [(done, "north")]
    with Store(src) as s:
        sid = s.conn.execute("SELECT id FROM sessions WHERE uuid = ?", (waiting,)).fetchone()[0]
        s.finish_session(sid, "abandoned")
    code, out, _ = run_cli(["merge", str(src), "--into", str(dest)], capsys)
    assert code == 0 and "1 session copied" in out and "1 already there" in out
    assert sorted(r[0] for r in q(dest, "SELECT uuid FROM sessions")) == sorted([done, waiting])


WRITER = textwrap.dedent("""
    import sys
    from surveykit.definition.loader import load
    from surveykit.storage.store import Store
    d = load(sys.argv[2])
    with Store(sys.argv[1]) as s:
        for i in range(int(sys.argv[3])):
            sid = s.start_session(d, "kiosk", device="busy")
            for q in ("nps", "csat", "ces"):
                s.record_answer(sid, q, 4)
            s.finish_session(sid, "completed")
            if i == 5:
                print("going", flush=True)
""")


def test_a_source_being_written_while_merging(tmp_path: Path) -> None:
    src, dest = tmp_path / "busy.db", tmp_path / "all.db"
    live_session(src)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(src), str(SURVEYS / "store-feedback.yaml"), "150"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "going\n"
    rounds = 0
    while writer.poll() is None:
        [r] = merge_files([src], dest, batch=7)
        assert r.error is None and r.conflicts == 0
        rounds += 1
    assert writer.wait() == 0 and rounds >= 1
    [r] = merge_files([src], dest)
    assert r.error is None and r.conflicts == 0 and r.in_progress == 0
    assert bodies_by_uuid(dest) == bodies_by_uuid(src)  # each session once, complete
    assert q(dest, "SELECT COUNT(*) FROM sessions") == [(151,)]
    # the source was only read: its WAL is the writer's own business
    assert q(src, "SELECT COUNT(*) FROM sessions") == [(151,)]


def test_bad_sources_are_one_line_errors_and_leave_dest_alone(tmp_path: Path, kiosks, capsys) -> None:
    a, _ = kiosks
    dest = tmp_path / "all.db"
    junk = tmp_path / "notes.db"
    junk.write_text("not a database at all, just some text that is long enough" * 20)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    newer = tmp_path / "newer.db"
    live_session(newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    missing = tmp_path / "missing.db"
    for bad, words in (
        (junk, "is not a surveykit database (not an SQLite file)"),
        (other, "is not a surveykit database (an SQLite file without surveykit's tables)"),
        (newer, "was written by a newer surveykit"),
        (missing, "no such file"),
    ):
        code, out, err = run_cli(["merge", str(bad), "--into", str(dest)], capsys)
        assert code == 1, bad
        assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err
        assert q(dest, "SELECT COUNT(*) FROM sessions") == [(0,)]
    # a bad source among good ones: the good ones are merged, the exit code says 1
    code, out, err = run_cli(["merge", str(junk), str(a), "--into", str(dest)], capsys)
    assert code == 1 and "60 sessions copied" in out and "1 source not merged" in out
    assert not missing.exists()


def test_older_dest_is_upgraded_and_score_gives_the_pooled_numbers(tmp_path: Path, capsys) -> None:
    a, b, pooled = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "pooled.db"
    sim(a, 50, 11, definition=CHECKOUT, devices=("lab-1",))
    sim(b, 30, 12, definition=CHECKOUT, devices=("lab-2",))
    plain_pool(pooled, [a, b])
    dest = tmp_path / "merged.db"
    old_file(dest)
    assert run_cli(["merge", str(a), str(b), "--into", str(dest)], capsys)[0] == 0
    assert q(dest, "PRAGMA user_version") == [(SCHEMA_VERSION,)]

    def score(db: Path) -> dict:
        code, out, _ = run_cli(["score", str(db), "--json", "--by", "device"], capsys)
        assert code == 0
        data = json.loads(out)
        data.pop("database")
        return data

    assert score(dest) == score(pooled)


def test_every_kind_of_difference_is_a_conflict_and_only_those(tmp_path: Path, kiosks) -> None:
    a, _ = kiosks
    dest = tmp_path / "all.db"
    [r] = merge_files([a], dest)
    assert r.copied == 60
    ids = [x[0] for x in q(a, "SELECT id FROM sessions ORDER BY id LIMIT 5")]
    conn = sqlite3.connect(a)
    conn.execute("INSERT INTO events (session_id, at, kind) VALUES (?, 'x', 'note')", (ids[0],))
    conn.execute("DELETE FROM answers WHERE rowid = (SELECT MIN(rowid) FROM answers WHERE session_id = ?)", (ids[1],))
    conn.execute("UPDATE sessions SET meta_json = '{}' WHERE id = ?", (ids[2],))
    conn.execute("UPDATE answers SET response_ms = NULL WHERE session_id = ?", (ids[3],))
    conn.execute("UPDATE events SET data_json = data_json WHERE session_id = ?", (ids[4],))  # no change
    conn.commit()
    conn.close()
    changed = {u for (u,) in q(a, "SELECT uuid FROM sessions WHERE id IN (?, ?, ?, ?)", *ids[:4])}
    [r] = merge_files([a], dest)
    assert set(r.conflict_uuids) == changed and r.identical == 56 and r.copied == 0
    theirs = bodies_by_uuid(a)
    stored = dict(q(dest, "SELECT session_uuid, content_sha256 FROM merge_conflicts"))
    assert stored == {u: theirs[u] for u in changed}


def merge_process(dest: Path, *sources: Path, batch: int = 1000) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "surveykit", "merge", *map(str, sources), "--into", str(dest),
         "--batch", str(batch)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )


def test_two_merges_into_one_file_at_once(tmp_path: Path, kiosks) -> None:
    a, b = kiosks
    dest = tmp_path / "all.db"
    procs = [merge_process(dest, a, b, batch=5), merge_process(dest, b, a, batch=3)]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert bodies_by_uuid(dest) == {**bodies_by_uuid(a), **bodies_by_uuid(b)}
    assert q(dest, "SELECT COUNT(*) FROM sessions") == [(100,)]


def test_a_merge_killed_midway_then_rerun_leaves_each_session_once(tmp_path: Path) -> None:
    src, dest = tmp_path / "big.db", tmp_path / "all.db"
    sim(src, 1500, 9)
    proc = merge_process(dest, src, batch=10)
    deadline = time.monotonic() + 60
    n = 0
    while time.monotonic() < deadline and n < 100:
        time.sleep(0.01)
        try:
            n = q(dest, "SELECT COUNT(*) FROM sessions")[0][0]
        except sqlite3.Error:
            n = 0
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < q(dest, "SELECT COUNT(*) FROM sessions")[0][0] < 1500
    # every session already there is whole: its rows are exactly the source's
    done = set(bodies_by_uuid(dest).items())
    assert done <= set(bodies_by_uuid(src).items())
    [r] = merge_files([src], dest)
    assert r.error is None and r.conflicts == 0 and r.identical == len(done)
    assert bodies_by_uuid(dest) == bodies_by_uuid(src)


def test_a_dest_that_is_not_a_surveykit_database_is_left_alone(tmp_path: Path, kiosks, capsys) -> None:
    a, _ = kiosks
    dest = tmp_path / "accounts.db"
    conn = sqlite3.connect(dest)
    conn.execute("CREATE TABLE ledger (x)")
    conn.commit()
    conn.close()
    before = dest.read_bytes()
    code, _out, err = run_cli(["merge", str(a), "--into", str(dest)], capsys)
    assert code == 1 and "is not a surveykit database" in err and err.count("\n") == 1
    assert dest.read_bytes() == before


def test_merged_sessions_bring_their_meta_columns(tmp_path: Path, capsys) -> None:
    dest, src = tmp_path / "dest.db", tmp_path / "src.db"
    live_session(dest)  # the survey is known here before the merge
    with Store(src) as s:
        sid = s.start_session(STORE_FEEDBACK, "kiosk", meta={"store": "north", "returning": True})
        s.finish_session(sid, "completed")
    assert run_cli(["merge", str(src), "--into", str(dest)], capsys)[0] == 0
    assert q(dest, 'SELECT "meta.store", "meta.returning" FROM responses_store_feedback '
                   "ORDER BY session_id") == [(None, None), ("north", "true")]
