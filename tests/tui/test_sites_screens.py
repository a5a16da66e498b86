"""Sites on screen: a kiosk stores its site with each session; the moderator's
participant list keeps the same code at two sites apart and shows the site."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from surveykit.session.participants import open_study
from surveykit.storage.store import Store
from surveykit.tui.moderate_app import ModerateApp
from surveykit.tui.screens.moderator_console import ModeratorConsole
from surveykit.tui.screens.moderator_participants import ParticipantsScreen

from .test_kiosk_support import SIZE, kiosk
from .test_moderate_console import CONSOLE_ONLY, FakeClock, write_definition


async def test_a_kiosk_session_is_stored_with_the_kiosk_site(tmp_path: Path) -> None:
    k = kiosk(tmp_path, device="till-1", site="lyon")
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.finish_survey(pilot)
    (s,) = k.sessions()
    assert (s["status"], s["device"], s["site"]) == ("completed", "till-1", "lyon")


async def test_the_participant_list_shows_sites_and_starts_at_its_own(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, CONSOLE_ONLY)
    path = tmp_path / "moderate.db"
    other = Store(path)  # earlier consoles, long gone
    for site in ("lyon", "oslo"):
        s, _ = open_study(other, definition, "P1", site=site)
        other.finish_session(s.session_id, "completed")
    s, _ = open_study(other, definition, "P2", site="oslo")
    other.finish_session(s.session_id, "completed")
    other.close()

    store = Store(path)
    app = ModerateApp(store, definition, now=FakeClock(), site="lyon")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ParticipantsScreen)
            table = screen.query_one(DataTable)
            rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            assert [r[:3] for r in rows] == [["lyon", "P1", "completed"]]
            assert "at lyon" in str(table.border_title)
            # lyon has had P1 only: the next is P2 (oslo's P2 is someone else)
            assert screen.query_one(Input).value == "P2"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ModeratorConsole)
            assert app.study is not None
            row = store.session(app.study.session_id)
            assert (row.participant, row.site) == ("P2", "lyon")
    finally:
        store.close()


async def test_without_a_site_every_site_is_listed_and_theirs_are_not_opened(
    tmp_path: Path,
) -> None:
    definition = write_definition(tmp_path, CONSOLE_ONLY)
    path = tmp_path / "moderate.db"
    other = Store(path)
    open_study(other, definition, "P1", site="oslo")
    other.close()  # unfinished: resumable, but only at oslo

    store = Store(path)
    app = ModerateApp(store, definition, now=FakeClock())
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ParticipantsScreen)
            table = screen.query_one(DataTable)
            assert [str(c) for c in table.get_row_at(0)][:2] == ["oslo", "P1"]
            assert screen.query_one(Input).value == "P1"  # nobody without a site yet
            await pilot.press("tab", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ParticipantsScreen)
            error = str(screen.query_one("#mod-participant-error").render())
            assert "P1 is at another site" in error and "--site oslo" in error
            assert len(store.sessions()) == 1
    finally:
        store.close()
