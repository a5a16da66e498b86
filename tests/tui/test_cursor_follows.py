"""The terminal cursor sits on the focused option, for braille displays and
screen magnifiers that follow it (Textual keeps it hidden but moves it)."""

from __future__ import annotations

from pathlib import Path

from surveykit.storage.store import Store
from surveykit.tui.run_app import RunApp
from surveykit.tui.widgets import OptionPicker

try:
    from .test_run_support import FakeClock, survey, write_definition
except ImportError:
    from test_run_support import FakeClock, survey, write_definition  # type: ignore[no-redef]


async def test_the_cursor_follows_the_chosen_option(tmp_path: Path) -> None:
    definition = write_definition(
        tmp_path,
        survey("- {id: visit, type: choice, text: Why?, options: [Browsing, A gift, An event]}"),
    )
    clock = FakeClock()
    with Store(str(tmp_path / "x.db"), wall=clock.wall, mono=clock) as store:
        app = RunApp(definition, store, mono=clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            picker = app.screen.query_one(OptionPicker)
            assert picker.has_focus
            rows = {index: y0 for y0, _, index in picker._rows}
            for key, index in (("2", 1), ("3", 2), ("1", 0)):
                await pilot.press(key)
                await pilot.pause()
                region = picker.content_region
                assert app.cursor_position.y == region.y + rows[index], key
                assert region.x <= app.cursor_position.x < region.right
