"""`surveykit kiosk --sync`: closed sessions go to a real, throwaway PostgreSQL
(tests/pg_server.py) in the background; the customer never waits for it; staff see
its state on the PIN screen; a kiosk that was offline catches up by itself."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from surveykit.cli import kiosk as kiosk_cli
from surveykit.cli import main
from surveykit.session.kiosk_sync import KioskSync, SyncState
from surveykit.storage.store import Store
from surveykit.tui import kiosk_app
from surveykit.tui.kiosk_app import KioskResult
from surveykit.tui.screens.kiosk_pin import KioskPinScreen
from surveykit.tui.screens.kiosk_thanks import KioskThanksScreen
from tests.pg_server import PASSWORD, PgServer, pg_server  # noqa: F401
from tests.test_merge import sim
from tests.test_sync import closed_bodies, server_bodies
from tests.tui.test_kiosk_support import SIZE, kiosk

ROOT = Path(__file__).resolve().parent.parent
FEEDBACK = ROOT / "surveys" / "store-feedback.yaml"


@pytest.fixture
def pg_url(pg_server: PgServer, request: pytest.FixtureRequest) -> str:  # noqa: F811
    return pg_server.create_db("k_" + request.node.name.lower()[:50])


def count(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
    except psycopg.Error:
        return -1


def until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def staff_line(app: Any) -> str:
    """The staff line of the PIN screen, as drawn."""
    screen = app.screen
    assert isinstance(screen, KioskPinScreen)
    return str(screen.query_one("#kiosk-pin-staff").render())


def fast(db: Path, url: str, **kwargs: Any) -> KioskSync:
    """A sync with short waits, for tests."""
    options: dict[str, Any] = {"base_s": 0.1, "retries": 2, "recheck_s": 0.5, **kwargs}
    return KioskSync(str(db), url, **options)


# --- what staff read ------------------------------------------------------------------------


def test_the_staff_line() -> None:
    at = datetime(2026, 12, 2, 14, 2, tzinfo=UTC)
    hhmm = at.astimezone().strftime("%H:%M")
    assert SyncState("synced", 0, at).line() == f"synced {hhmm}, 0 waiting"
    failing = SyncState(
        "failing", 12, at, "cannot reach postgresql://u:***@h/db (gave up after 1 attempt, 0 s "
        "of waiting): connection refused"
    )
    assert failing.line() == "sync failing: server unreachable, 12 waiting"
    wrong = SyncState(
        "failing", 3, None, 'cannot sync to postgresql://u:***@h/db: password authentication '
        'failed for user "u"'
    )
    assert wrong.line() == 'sync failing: password authentication failed for user "u", 3 waiting'
    assert SyncState().line() == "sync not done yet, counting"
    assert SyncState("syncing", 1_204).line() == "syncing… (1,204 waiting)"


# --- the worker ------------------------------------------------------------------------------


def test_a_kiosk_offline_for_a_week_catches_up_at_start(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "k.db"
    sim(db, 300, 3)  # a week of closed sessions never sent
    sync = fast(db, pg_url)
    sync.start()
    try:
        until(lambda: sync.state.phase == "synced" and sync.state.waiting == 0)
    finally:
        assert sync.stop()
    assert sync.attempts == 1  # all of it in one attempt
    assert server_bodies(pg_url) == closed_bodies(db)


def test_bounded_retries_then_a_slow_recheck_that_catches_up(
    tmp_path: Path, pg_url: str, pg_server: PgServer,  # noqa: F811
) -> None:
    db = tmp_path / "k.db"
    sim(db, 20, 4)
    pg_server.stop()
    try:
        sync = fast(db, pg_url, base_s=0.05, retries=2, recheck_s=3.0)
        sync.start()
        until(lambda: sync.attempts >= 3)  # the first and 2 retries, then the long wait
        time.sleep(0.5)
        assert sync.attempts == 3
        state = sync.state
        assert state.phase == "failing" and state.waiting == 20
        assert state.line() == "sync failing: server unreachable, 20 waiting"
        assert PASSWORD not in repr(state)
    finally:
        pg_server.start()
    try:
        until(lambda: sync.state.phase == "synced", timeout=20)  # nobody kicked: the recheck
        assert sync.state.waiting == 0
    finally:
        sync.stop()
    assert server_bodies(pg_url) == closed_bodies(db)


def test_a_wrong_password_is_shown_masked(tmp_path: Path, pg_server: PgServer) -> None:  # noqa: F811
    db = tmp_path / "k.db"
    sim(db, 2, 5)
    url = pg_server.url("postgres", password="not-the-password")
    sync = fast(db, url, retries=0, recheck_s=60)
    sync.start()
    try:
        until(lambda: sync.state.phase == "failing")
    finally:
        sync.stop()
    line = sync.state.line()
    assert "password authentication failed" in line and "not-the-password" not in line
    assert line.endswith(", 2 waiting")


# --- through the kiosk's screens -----------------------------------------------------------


async def test_a_session_completed_at_the_kiosk_ends_up_on_the_server(
    tmp_path: Path, pg_url: str
) -> None:
    k = kiosk(tmp_path, device="till-1", site="lyon")
    sync = fast(k.db, pg_url)
    k.app.sync = sync
    sync.start()
    try:
        until(lambda: sync.state.phase == "synced")  # nothing yet: a first sync of nothing
        assert count(pg_url) == 0
        async with k.app.run_test(size=SIZE) as pilot:
            await k.start(pilot)
            await k.finish_survey(pilot)
            assert isinstance(k.app.screen, KioskThanksScreen)
            assert "sync" not in k.text().lower()  # never shown to the customer
            until(lambda: count(pg_url) == 1)
            until(lambda: sync.state.waiting == 0)
            await k.keys(pilot, "ctrl+q")
            await k.later(pilot, 0.1)
            assert isinstance(k.app.screen, KioskPinScreen)
            assert re.fullmatch(r"synced \d\d:\d\d, 0 waiting", staff_line(k.app))
            assert "synced " in k.text()
    finally:
        sync.stop()
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT status, device, site FROM sessions").fetchone()
    assert row == ("completed", "till-1", "lyon")
    assert server_bodies(pg_url) == closed_bodies(k.db)


async def test_server_down_the_kiosk_keeps_working_staff_see_it_then_it_catches_up(
    tmp_path: Path, pg_url: str, pg_server: PgServer,  # noqa: F811
) -> None:
    k = kiosk(tmp_path, device="till-1")
    sync = fast(k.db, pg_url, base_s=0.05, retries=1, recheck_s=1.0)
    k.app.sync = sync
    try:
        async with k.app.run_test(size=SIZE) as pilot:
            pg_server.stop()
            sync.start()
            for _ in range(2):  # two customers while the server is down
                await k.start(pilot)
                await k.finish_survey(pilot)
                assert "sync" not in k.text().lower()
                await k.later(pilot, 10)  # the thank-you screen goes, welcome again
                assert "sync" not in k.text().lower()
            assert [s["status"] for s in k.sessions()] == ["completed", "completed"]
            until(lambda: sync.state.phase == "failing" and sync.state.waiting == 2)
            await k.keys(pilot, "ctrl+q")
            await k.later(pilot, 0.1)
            assert isinstance(k.app.screen, KioskPinScreen)
            assert staff_line(k.app) == "sync failing: server unreachable, 2 waiting"
            assert "sync failing: server" in k.text() and PASSWORD not in k.text()
            await k.keys(pilot, "escape")
            pg_server.start()
            until(lambda: count(pg_url) == 2, timeout=30)  # by itself, nobody kicked it
            until(lambda: sync.state.phase == "synced" and sync.state.waiting == 0)
            await k.keys(pilot, "ctrl+q")
            await k.later(pilot, 0.1)
            assert re.fullmatch(r"synced \d\d:\d\d, 0 waiting", staff_line(k.app))
    finally:
        if not pg_server.running():
            pg_server.start()
        sync.stop()
    assert server_bodies(pg_url) == closed_bodies(k.db)


# --- the command ------------------------------------------------------------------------------


def test_kiosk_sync_option_runs_the_worker_and_reports_it_masked(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "k.db"
    sim(db, 5, 6)
    seen: dict[str, Any] = {}

    class App:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.update(kwargs)

        def use_theme(self, name: str | None) -> None:
            seen["theme"] = name

        def run(self) -> KioskResult:
            sync = seen["sync"]
            until(lambda: sync.state.phase == "synced")
            return KioskResult("pin", counts=Counter())

    monkeypatch.setattr(kiosk_app, "KioskApp", App)
    monkeypatch.setattr(kiosk_cli, "lock_environment", lambda: None)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    with pytest.raises(SystemExit) as stopped:
        main(["kiosk", str(FEEDBACK), "--db", str(db), "--pin-hash", "0" * 64, "--sync", pg_url])
    err = capsys.readouterr().err
    assert stopped.value.code in (0, None), err
    assert "sync to postgresql://" in err and ":***@" in err and "0 waiting" in err
    assert PASSWORD not in err
    assert server_bodies(pg_url) == closed_bodies(db)
    with Store(db) as store:  # the file is untouched but for what the server acknowledged
        assert len(store.sessions()) == 5
