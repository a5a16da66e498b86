"""The database fails mid-session: staff see a banner, customers carry on, nothing is lost."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from surveykit.tui.screens.kiosk_fault import BANNER_ID, FaultBanner
from surveykit.tui.screens.kiosk_thanks import KioskThanksScreen
from surveykit.tui.screens.kiosk_welcome import KioskWelcomeScreen
from surveykit.tui.screens.questions import QuestionsScreen

try:
    from .test_kiosk_support import SIZE, kiosk
except ImportError:
    from test_kiosk_support import SIZE, kiosk  # type: ignore[no-redef]

BANNER = "STAFF: answers cannot be saved right now"


def banner_text(app: object) -> str | None:
    found = list(app.screen.query(f"#{BANNER_ID}").results(FaultBanner))  # type: ignore[attr-defined]
    return found[0].text if found else None


async def test_database_turns_read_only_mid_session_then_every_answer_lands(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "9", "enter")
        sid = k.sessions()[0]["id"]
        assert k.answers(sid) == {"nps": 9}

        k.read_only(True)
        await k.keys(pilot, "2", "enter")  # csat 2: cannot be written...
        screen = k.app.screen
        assert isinstance(screen, QuestionsScreen) and k.app.is_running
        # ...but the person is not stopped or told to find staff: the survey goes on
        assert screen.message == ""
        await k.later(pilot, 0.25)
        text = banner_text(k.app)
        assert text is not None and BANNER in text and "read-only" in text
        assert "writes waiting" in text
        assert BANNER in k.text()
        assert "Last one: you gave 9." in k.text()
        await k.keys(pilot, "enter")  # the after-block note; finished
        assert isinstance(k.app.screen, KioskThanksScreen)
        await k.later(pilot, 0.25)
        assert BANNER in k.text()  # the banner follows every screen
        await k.later(pilot, 6)
        assert isinstance(k.app.screen, KioskWelcomeScreen) and BANNER in k.text()

        # the next person can still answer while the file is read-only
        await k.start(pilot)
        assert k.app.session_id is not None and k.app.session_id < 0  # provisional
        await k.finish_survey(pilot, nps="10", csat="5")
        assert len(k.sessions()) == 1
        assert k.sessions()[0]["status"] == "in_progress"
        assert k.answers(sid) == {"nps": 9}
        for _ in range(5):
            await k.later(pilot, 10)  # retries fail quietly; nothing crashes
        assert BANNER in k.text() and k.app.is_running

        k.read_only(False)
        await k.later(pilot, 10)
        assert k.writer.healthy
        assert BANNER not in k.text()
        assert "Saving works again" in (banner_text(k.app) or "")  # a note for staff...
        await k.later(pilot, 10)
        assert banner_text(k.app) is None  # ...for a while

    first, second = k.sessions()
    assert (first["status"], second["status"]) == ("completed", "completed")
    assert k.answers(first["id"]) == {"nps": 9, "csat": 2}
    assert k.answers(second["id"]) == {"nps": 10, "csat": 5}
    assert second["device"] == "till-1"
    assert [e["kind"] for e in k.events(second["id"])] == [
        "session_start",
        "shown",
        "answered",
        "shown",
        "answered",
        "shown",
        "session_end",
    ]
    # stamped when they were given, not when they could be written (50 s later)
    assert k.events(second["id"])[0]["at"] == second["started_at"]
    assert first["ended_at"] <= second["started_at"]
    written_at = k.clock.wall() - timedelta(seconds=50)
    assert second["ended_at"] < written_at.strftime("%Y-%m-%dT%H:%M:%S")


async def test_a_lock_held_by_another_program_is_waited_out_in_the_background(
    tmp_path: Path,
) -> None:
    k = kiosk(tmp_path, flush_in_thread=True)
    other = sqlite3.connect(k.db, isolation_level=None, timeout=5)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        sid = k.sessions()[0]["id"]
        other.execute("BEGIN IMMEDIATE")  # e.g. someone's long sqlite3 session
        try:
            t0 = time.monotonic()
            await k.keys(pilot, "5", "enter", "enter")  # nps 5, no reason
            assert time.monotonic() - t0 < 3
            assert "How satisfied" in k.text()
            await k.later(pilot, 1)
            assert "another process holds the database locked" in (banner_text(k.app) or "")
        finally:
            other.execute("ROLLBACK")
            other.close()
        for _ in range(50):
            await k.later(pilot, 1)  # retries run in a worker thread
            if k.writer.healthy:
                break
            await pilot.pause(0.05)
        assert k.writer.healthy
        await k.later(pilot, 0)
        assert "Saving works again" in (banner_text(k.app) or "")
        await k.later(pilot, 10)
        assert banner_text(k.app) is None
        await k.keys(pilot, "3", "enter")
    assert k.answers(sid) == {"nps": 5, "csat": 3}
