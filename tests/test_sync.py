"""`surveykit sync` against a real, throwaway PostgreSQL (tests/pg_server.py)."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from surveykit.storage.merge import content_sha256, session_body
from surveykit.storage.pg import mask
from tests.fixtures_data import run_cli
from tests.pg_server import PASSWORD, PgServer, free_port, pg_server  # noqa: F401
from tests.test_merge import bodies_by_uuid, live_session, q, sim

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pg_url(pg_server: PgServer, request: pytest.FixtureRequest) -> str:  # noqa: F811
    return pg_server.create_db("t_" + request.node.name.lower()[:50])


def server_bodies(url: str) -> dict[str, str]:
    """Content hash of every session on the server, recomputed from the server's rows."""
    from surveykit.storage.merge import ANSWER_FIELDS, EVENT_FIELDS, SESSION_FIELDS, TASK_RUN_FIELDS

    with psycopg.connect(url) as conn:
        sessions = {
            r[0]: dict(zip(SESSION_FIELDS, [str(r[1]), *r[2:]], strict=True))
            for r in conn.execute(f"SELECT id, {', '.join(SESSION_FIELDS)} FROM sessions")
        }
        parts = {}
        for table, fields in (("answers", ANSWER_FIELDS), ("task_runs", TASK_RUN_FIELDS),
                              ("events", EVENT_FIELDS)):
            rows: dict[int, list] = {}
            for r in conn.execute(f"SELECT session_id, {', '.join(fields)} FROM {table}"):
                rows.setdefault(r[0], []).append(tuple(r[1:]))
            parts[table] = rows
    return {
        s["uuid"]: content_sha256(session_body(
            s, parts["answers"].get(i, []), parts["task_runs"].get(i, []), parts["events"].get(i, [])
        ))
        for i, s in sessions.items()
    }


def server_count(url: str, sql: str = "SELECT COUNT(*) FROM sessions") -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(sql).fetchone()[0])


def closed_bodies(db: Path) -> dict[str, str]:
    closed = {r[0] for r in q(db, "SELECT uuid FROM sessions WHERE status != 'in_progress'")}
    return {u: h for u, h in bodies_by_uuid(db).items() if u in closed}


@pytest.fixture
def kiosk(tmp_path: Path) -> Path:
    db = tmp_path / "kiosk-1.db"
    sim(db, 60, 1, devices=("kiosk-1",))
    live_session(db, finish=None)  # a customer still answering
    return db


def test_sync_sends_closed_sessions_once_and_nothing_the_second_time(kiosk: Path, tmp_path: Path, pg_url: str, capsys) -> None:
    other = tmp_path / "kiosk-2.db"
    sim(other, 40, 2, devices=("kiosk-2",))
    code, out, err = run_cli(["sync", str(kiosk), "--to", pg_url], capsys)
    assert code == 0, err
    assert "60 sessions sent" in out and "1 in progress left for later" in out
    assert PASSWORD not in out + err and "***" in out
    assert run_cli(["sync", str(other), "--to", pg_url], capsys)[0] == 0
    assert server_bodies(pg_url) == {**closed_bodies(kiosk), **closed_bodies(other)}
    assert server_count(pg_url, "SELECT COUNT(DISTINCT device_id) FROM session_overview") == 2
    t0 = time.monotonic()
    code, out, _ = run_cli(["sync", str(kiosk), "--to", pg_url], capsys)
    assert code == 0 and "nothing to send" in out and time.monotonic() - t0 < 5
    assert server_count(pg_url) == 100
    # the password never lands in the local file
    for p in kiosk.parent.glob("kiosk-1.db*"):
        assert PASSWORD.encode() not in p.read_bytes()
    # status: per device, here and there
    code, out, _ = run_cli(["sync", str(kiosk), "--to", pg_url, "--status"], capsys)
    assert code == 0 and "all 60 closed sessions are on the server" in out
    live_session(kiosk)
    code, out, _ = run_cli(["sync", str(kiosk), "--to", pg_url, "--status"], capsys)
    assert "1 of 61 closed sessions are not on the server yet" in out
    code, out, _ = run_cli(["sync", str(kiosk), "--to", pg_url], capsys)
    assert code == 0 and "1 session sent" in out


def test_a_different_copy_of_a_session_is_a_conflict(kiosk: Path, tmp_path: Path, pg_url: str, capsys) -> None:
    assert run_cli(["sync", str(kiosk), "--to", pg_url], capsys)[0] == 0
    restored = tmp_path / "restored.db"  # an old backup of the kiosk, edited by hand
    shutil.copy(kiosk, restored)
    uuid, sid = q(restored, "SELECT uuid, id FROM sessions WHERE status = 'completed' ORDER BY id LIMIT 1")[0]
    conn = sqlite3.connect(restored)
    conn.execute("UPDATE answers SET value_json = '0', value_num = 0 WHERE session_id = ?", (sid,))
    conn.execute("DELETE FROM sync_state")
    conn.commit()
    conn.close()
    before = server_bodies(pg_url)
    code, out, err = run_cli(["sync", str(restored), "--to", pg_url], capsys)
    assert code == 1
    assert f"conflict: session {uuid}" in err
    assert "59 already there, 1 conflict" in out.splitlines()[-1]
    assert server_bodies(pg_url) == before  # the server's copy untouched
    with psycopg.connect(pg_url) as c:
        rows = c.execute("SELECT session_uuid, content_sha256 FROM sync_conflicts").fetchall()
    assert [(str(r[0]), r[1]) for r in rows] == [(uuid, bodies_by_uuid(restored)[uuid])]
    code, out, _ = run_cli(["sync", str(restored), "--to", pg_url], capsys)  # still reported
    assert code == 1 and "1 earlier conflict still unresolved" in out


def test_server_down_at_start_gives_up_after_bounded_retries(kiosk: Path, capsys) -> None:
    url = f"postgresql://kiosk:{PASSWORD}@127.0.0.1:{free_port()}/fleet"
    t0 = time.monotonic()
    code, out, err = run_cli(["sync", str(kiosk), "--to", url, "--retries", "2", "--max-wait", "5"], capsys)
    assert code == 1
    assert time.monotonic() - t0 < 10
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: cannot reach postgresql://kiosk:***@127.0.0.1") and "3 attempts" in last
    assert err.count("retrying in") == 2
    assert PASSWORD not in out + err
    assert q(kiosk, "SELECT COUNT(*) FROM sync_state") == [(0,)]


def test_wrong_password_is_masked_and_not_retried(kiosk: Path, pg_server: PgServer, pg_url: str, capsys) -> None:  # noqa: F811
    url = pg_url.replace(PASSWORD, "Wr0ng-pw")
    code, out, err = run_cli(["sync", str(kiosk), "--to", url, "--retries", "5"], capsys)
    assert code == 1 and "retrying" not in err
    assert err.strip().count("\n") == 0
    assert "password authentication failed" in err and "postgres:***@" in err
    assert "Wr0ng-pw" not in out + err and PASSWORD not in out + err


def test_mask_hides_passwords_in_urls_and_conninfo() -> None:
    assert mask("postgresql://u:p%40ss@h:5/db") == "postgresql://u:***@h:5/db"
    assert mask("postgresql://u@h/db") == "postgresql://u@h/db"
    assert mask("host=h password=hunter2 dbname=x") == "host=h password=*** dbname=x"
    assert mask("postgresql://u:hunter2@h/db", "failed for hunter2 at h") == "failed for *** at h"


def test_pgpassfile_and_pgservice_work(kiosk: Path, tmp_path: Path, pg_server: PgServer, pg_url: str, capsys, monkeypatch) -> None:  # noqa: F811
    dbname = pg_url.rsplit("/", 1)[1]
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg_server.port}:{dbname}:postgres:{PASSWORD}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    url = f"postgresql://postgres@127.0.0.1:{pg_server.port}/{dbname}"
    code, out, err = run_cli(["sync", str(kiosk), "--to", url], capsys)
    assert code == 0 and "60 sessions sent" in out, err
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[fleet]\nhost=127.0.0.1\nport={pg_server.port}\ndbname={dbname}\nuser=postgres\n")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    monkeypatch.setenv("PGSERVICE", "fleet")
    code, out, err = run_cli(["sync", str(kiosk), "--to", "", "--status"], capsys)
    assert code == 0 and "all 60 closed sessions are on the server" in out, err


def sync_process(db: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "surveykit", "sync", str(db), "--to", url, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )


def test_two_syncs_of_the_same_file_at_once(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "k.db"
    sim(db, 400, 3)
    copy = tmp_path / "k-copy.db"  # two processes, two local files, same sessions
    shutil.copy(db, copy)
    procs = [sync_process(db, pg_url, "--batch", "20"), sync_process(copy, pg_url, "--batch", "20"),
             sync_process(db, pg_url, "--batch", "7")]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert server_bodies(pg_url) == closed_bodies(db)
    assert server_count(pg_url) == 400


def test_a_sync_killed_midway_then_rerun_leaves_each_session_once(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "k.db"
    sim(db, 600, 4)
    proc = sync_process(db, pg_url, "--batch", "10")
    deadline = time.monotonic() + 60
    n = 0
    while time.monotonic() < deadline:
        try:
            n = server_count(pg_url)
        except psycopg.Error:
            n = 0  # tables not made yet
        if n >= 50:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < n < 600 and server_count(pg_url) < 600
    proc = sync_process(db, pg_url)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert server_bodies(pg_url) == closed_bodies(db)
    assert server_count(pg_url) == 600


def test_server_down_midway_is_retried(tmp_path: Path, pg_server: PgServer, pg_url: str) -> None:  # noqa: F811
    db = tmp_path / "k.db"
    sim(db, 600, 5)
    proc = sync_process(db, pg_url, "--batch", "10", "--retries", "20", "--max-wait", "60")
    while not (_tables(pg_url) and server_count(pg_url) >= 50):
        time.sleep(0.02)
    pg_server.ctl("-m", "immediate", "stop")
    time.sleep(1.5)
    pg_server.start()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "retrying in" in err and PASSWORD not in out + err
    assert server_bodies(pg_url) == closed_bodies(db)


def _tables(url: str) -> bool:
    try:
        server_count(url)
        return True
    except psycopg.Error:
        return False


def test_fixture_server_is_real(pg_server: PgServer) -> None:  # noqa: F811
    with psycopg.connect(pg_server.url()) as conn:
        assert conn.execute("SHOW server_version").fetchone()[0]


def test_a_malformed_url_is_one_masked_line(kiosk: Path, capsys) -> None:
    for url in ("postgresql://u:Hunter2pw@127.0.0.1:notaport/db", "postgresql://u:Hunter2pw@/db?foo=bar"):
        code, out, err = run_cli(["sync", str(kiosk), "--to", url, "--retries", "0"], capsys)
        assert code == 1 and err.startswith("Error: cannot ") and err.count("\n") == 1, err
        assert "Hunter2pw" not in out + err and "Traceback" not in err


def test_a_file_that_is_not_a_surveykit_database_is_not_touched(tmp_path: Path, capsys) -> None:
    db = tmp_path / "accounts.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE ledger (x)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    code, _out, err = run_cli(["sync", str(db), "--to", "postgresql://u@127.0.0.1:1/x"], capsys)
    assert code == 1 and "is not a surveykit database" in err and err.count("\n") == 1
    assert db.read_bytes() == before
    code, _out, err = run_cli(["sync", str(tmp_path / "nope.db"), "--to", "postgresql://u@127.0.0.1:1/x"], capsys)
    assert code == 1 and "no database at" in err and not (tmp_path / "nope.db").exists()
