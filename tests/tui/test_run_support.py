"""Helpers for the `surveykit run` Pilot tests (no tests here).

Clocks are frozen: one `FakeClock` (tests/fakes.py, wall clock from `EPOCH`) drives both the monotonic clock (response
times) and the wall clock (timestamps), and only moves when a test says so.
The database is read back with plain `sqlite3` on a separate connection, so a
test sees exactly what a crash would leave on disk.
"""

from __future__ import annotations

import json
import sqlite3
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fakes import FakeClock
from textual.pilot import Pilot

from surveykit.definition.loader import Definition, load
from surveykit.storage.store import Store
from surveykit.tui.run_app import RunApp
from surveykit.tui.screens.questions import QuestionsScreen
from surveykit.tui.widgets import OptionPicker, ScaleInput

EPOCH = datetime(2026, 11, 22, 10, 15, 3, 123000, tzinfo=UTC)
SIZE = (80, 24)


def write_definition(tmp_path: Path, body: str, name: str = "survey.yaml") -> Definition:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip())
    return load(path)


def survey(questions: str, *, extra: str = "", survey_id: str = "t") -> str:
    """A minimal definition with the given `questions:` YAML (indented by 2)."""
    return (
        f"surveykit: 1\nid: {survey_id}\ntitle: Test survey\n{extra}questions:\n"
        + textwrap.indent(textwrap.dedent(questions).strip("\n"), "  ")
        + "\n"
    )


@dataclass
class Harness:
    definition: Definition
    store: Store
    clock: FakeClock
    db: Path

    def app(self, **kwargs: Any) -> RunApp:
        return RunApp(self.definition, self.store, mono=self.clock, **kwargs)

    def reopen(self) -> Harness:
        """A new Store on the same file: what a new process would see."""
        store = Store(self.db, wall=self.clock.wall, mono=self.clock)
        return Harness(self.definition, store, self.clock, self.db)

    # --- reading the file back ---------------------------------------------------------

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def answers(self, session_id: int | None = None) -> dict[str, Any]:
        """question_id -> stored value (N/A as the string 'N/A'), task '' only."""
        sid = session_id if session_id is not None else self.last_session()["id"]
        out: dict[str, Any] = {}
        for r in self.rows(
            "SELECT * FROM answers WHERE session_id = ? AND task_id = '' ORDER BY rowid", sid
        ):
            out[r["question_id"]] = "N/A" if r["is_na"] else json.loads(r["value_json"])
        return out

    def answer_row(self, question_id: str, session_id: int | None = None) -> sqlite3.Row:
        sid = session_id if session_id is not None else self.last_session()["id"]
        rows = self.rows(
            "SELECT * FROM answers WHERE session_id = ? AND question_id = ?", sid, question_id
        )
        assert rows, f"no answer for {question_id}"
        return rows[0]

    def events(
        self, kind: str | None = None, session_id: int | None = None
    ) -> list[dict[str, Any]]:
        sid = session_id if session_id is not None else self.last_session()["id"]
        rows = self.rows("SELECT * FROM events WHERE session_id = ? ORDER BY id", sid)
        out = [
            {**dict(r), "data": json.loads(r["data_json"]) if r["data_json"] else None}
            for r in rows
        ]
        return [e for e in out if kind is None or e["kind"] == kind]

    def sessions(self) -> list[sqlite3.Row]:
        return self.rows("SELECT * FROM sessions ORDER BY id")

    def last_session(self) -> sqlite3.Row:
        sessions = self.sessions()
        assert sessions, "no session in the database"
        return sessions[-1]


def harness(tmp_path: Path, body: str) -> Harness:
    clock = FakeClock(start=EPOCH)
    definition = write_definition(tmp_path, body)
    db = tmp_path / "test.db"
    return Harness(definition, Store(db, wall=clock.wall, mono=clock), clock, db)


def screen_text(app: Any) -> str:
    """The screen as plain text, one line per row (trailing blanks trimmed)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


async def keys(pilot: Pilot[Any], *names: str) -> None:
    """Press keys one at a time (Pilot waits for the app after each), then settle."""
    await pilot.press(*names)
    await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*[c if c != " " else "space" for c in text])
    await pilot.pause()


def questions_screen(app: Any) -> QuestionsScreen:
    screen = app.screen
    assert isinstance(screen, QuestionsScreen), f"expected the questions screen, got {screen!r}"
    return screen


def current_key(app: Any) -> str | None:
    step = questions_screen(app).run.current
    return step.key if step else None


async def click_point(pilot: Pilot[Any], index: int) -> None:
    """Click the scale point at `index` (N/A is the last point when allowed)."""
    scale = pilot.app.screen.query_one(ScaleInput)
    hit = next(h for h in scale._hits if h.index == index)
    dx = scale.content_region.x - scale.region.x
    dy = scale.content_region.y - scale.region.y
    await pilot.click(ScaleInput, offset=(dx + hit.x0 + 1, dy + hit.y0 + (hit.y1 - hit.y0) // 2))
    await pilot.pause()


async def click_option(pilot: Pilot[Any], index: int) -> None:
    """Click the option at `index` in the option list."""
    picker = pilot.app.screen.query_one(OptionPicker)
    y0, _, _ = next(r for r in picker._rows if r[2] == index)
    dx = picker.content_region.x - picker.region.x
    dy = picker.content_region.y - picker.region.y
    await pilot.click(OptionPicker, offset=(dx + 6, dy + y0))
    await pilot.pause()
