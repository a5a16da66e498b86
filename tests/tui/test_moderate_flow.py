"""Pilot tests around the console: choosing a participant, resuming after a crash, the summary."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from surveykit.session.study import StudySession
from surveykit.storage.store import Store
from surveykit.tui.screens.moderator_console import ModeratorConsole
from surveykit.tui.screens.moderator_participants import ParticipantsScreen
from surveykit.tui.screens.moderator_summary import SummaryScreen

from .test_moderate_console import moderating


def two_earlier_participants(store, definition, clock):
    """P1 completed; P2's process died mid-task 1 (3 s in, one error)."""
    other = Store(store.path)  # another process, long gone
    p1 = StudySession.begin(other, definition, "P1", now=clock)
    other.finish_session(p1.session_id, "completed")
    p2 = StudySession.begin(other, definition, "P2", now=clock)
    p2.start()
    clock.advance(3)
    p2.error("navigation")
    other.close()


async def test_participants_screen_lists_them_and_starts_the_next(tmp_path):
    async with moderating(tmp_path, participant=None, prepare=two_earlier_participants) as h:
        assert isinstance(h.app.screen, ParticipantsScreen)
        table = h.app.screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [(str(r[0]), str(r[1])) for r in rows] == [
            ("P2", "unfinished - resume"),
            ("P1", "completed"),
        ]
        assert h.app.screen.query_one(Input).value == "P3"
        await h.press("enter")
        assert isinstance(h.app.screen, ModeratorConsole)
        assert "Participant P3" in h.text("#mod-header")
        row = h.store.session(h.sid)
        assert (row.participant, row.mode, row.status) == ("P3", "moderate", "in_progress")


async def test_a_completed_participant_is_refused_on_the_list(tmp_path):
    async with moderating(tmp_path, participant=None, prepare=two_earlier_participants) as h:
        field = h.app.screen.query_one(Input)
        field.value = "P1"
        await h.press("enter")
        assert isinstance(h.app.screen, ParticipantsScreen)
        assert "already completed" in h.text("#mod-participant-error")
        assert len(h.store.sessions("console-only")) == 2


async def test_picking_an_unfinished_participant_from_the_list_resumes(tmp_path):
    async with moderating(tmp_path, participant=None, prepare=two_earlier_participants) as h:
        await h.press("tab", "enter")  # the list, its first row: P2
        assert isinstance(h.app.screen, ModeratorConsole)
        assert h.study.participant == "P2"
        assert "Resumed" in h.text("#mod-message")
        assert h.digits() == "0:03.0"


async def test_resume_after_a_crash_mid_task(tmp_path):
    async with moderating(tmp_path, participant="P2", prepare=two_earlier_participants) as h:
        message = h.text("#mod-message")
        assert "Alpha task was running" in message and "0:03.0" in message
        assert "errors 1" in h.text("#mod-timer-counts")
        await h.advance(2)
        assert h.digits() == "0:05.0"
        await h.press("h", "y")
        run = h.run("alpha")
        assert (run["outcome"], run["active_ms"], run["errors"], run["hints"]) == (
            "success",
            5000,
            1,
            1,
        )
        alpha = [e["kind"] for e in h.events() if e["task_id"] == "alpha"]
        assert alpha == ["task_start", "error", "hint", "task_end"]
        assert [e["kind"] for e in h.events() if e["task_id"] is None][-1] == "resume"


async def test_summary_after_the_last_task(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(9)
        await h.press("e", "1", "h", "y", "enter")
        await h.press("k", "enter")
        assert isinstance(h.app.screen, SummaryScreen)
        assert h.store.session(h.sid).status == "completed"
        table = h.screen()
        assert "Alpha task" in table and "success" in table and "0:09.0" in table
        assert "skipped" in table
        assert "SUS: not answered" in table
        await h.press("q")
        assert h.app.return_code == 0
