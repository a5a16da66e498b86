"""Pilot tests of the moderator console: every key, asserted on the database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeClock
from textual.widgets import Digits, Static

from surveykit.definition.loader import Definition, load
from surveykit.session.participants import open_study
from surveykit.session.study import StudySession
from surveykit.storage.store import StorageError, Store
from surveykit.tui.moderate_app import ModerateApp
from surveykit.tui.screens.moderator_confirm import ConfirmScreen
from surveykit.tui.screens.moderator_console import ModeratorConsole
from surveykit.tui.screens.moderator_error import ErrorCodeScreen
from surveykit.tui.screens.moderator_note import NoteScreen
from surveykit.tui.widgets.task_timer import TaskTimer

# No question blocks: the console alone, no participant screens in between.
CONSOLE_ONLY = """\
surveykit: 1
id: console-only
title: Console study
tasks:
  order: fixed
  after_each: []
  items:
    - {id: alpha, title: Alpha task, prompt: Do the alpha thing., success: Alpha done, time_limit_s: 60}
    - {id: beta, title: Beta task, prompt: Do the beta thing.}
  error_codes: [navigation, form, misread]
"""


@dataclass
class Harness:
    app: ModerateApp
    pilot: Any
    store: Store
    clock: FakeClock
    definition: Definition

    @property
    def study(self) -> StudySession:
        assert self.app.study is not None
        return self.app.study

    @property
    def sid(self) -> int:
        return self.study.session_id

    def run(self, task_id: str) -> dict[str, Any]:
        return next(r for r in self.store.task_runs(self.sid) if r["task_id"] == task_id)

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.store.events(self.sid) if kind is None or e["kind"] == kind]

    def text(self, selector: str) -> str:
        widget = self.app.screen.query_one(selector, Static)
        return str(widget.render())

    def screen(self) -> str:
        """The whole screen as text, one line per row (what a moderator sees)."""
        strips = self.app.screen._compositor.render_strips()
        return "\n".join(strip.text.rstrip() for strip in strips)

    def digits(self) -> str:
        return self.app.screen.query_one("#mod-timer-digits", Digits).value

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.pilot.pause()

    async def advance(self, seconds: float) -> None:
        """Let `seconds` pass on the task clock, and the console redraw."""
        self.clock.advance(seconds)
        await self.pilot.pause(0.15)


def write_definition(tmp_path: Path, text: str, name: str = "study.yaml") -> Definition:
    path = tmp_path / name
    path.write_text(text)
    return load(path)


@asynccontextmanager
async def moderating(
    tmp_path: Path,
    text: str = CONSOLE_ONLY,
    *,
    participant: str | None = "P1",
    size: tuple[int, int] = (80, 24),
    prepare: Callable[[Store, Definition, FakeClock], None] | None = None,
) -> AsyncIterator[Harness]:
    definition = write_definition(tmp_path, text)
    store = Store(tmp_path / "moderate.db")
    clock = FakeClock(t=500.0)
    if prepare is not None:
        prepare(store, definition, clock)
    study = resumed = None
    if participant is not None:
        study, resumed = open_study(store, definition, participant, now=clock)
    app = ModerateApp(store, definition, study=study, resumed=bool(resumed), now=clock)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            yield Harness(app, pilot, store, clock, definition)
    finally:
        store.close()


async def test_console_shows_participant_task_prompt_and_criterion(tmp_path):
    async with moderating(tmp_path) as h:
        assert isinstance(h.app.screen, ModeratorConsole)
        assert "Participant P1" in h.text("#mod-header")
        assert "Do the alpha thing." in h.text("#mod-prompt")
        assert "Alpha done" in h.text("#mod-prompt")
        tasks = h.text("#mod-task-list")
        assert "1 Alpha task" in tasks and "2 Beta task" in tasks
        assert h.digits() == "0:00.0"
        assert h.store.session(h.sid).task_order == ["alpha", "beta"]


async def test_start_times_with_the_injected_clock(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        assert h.run("alpha")["started_at"] is not None
        await h.advance(3.25)
        assert h.digits() == "0:03.2"
        assert "RUNNING" in h.text("#mod-timer-state")


@pytest.mark.parametrize(
    ("key", "outcome"),
    [
        ("y", "success"), ("p", "partial"), ("f", "fail"), ("a", "abandoned"), ("t", "timeout"),
        ("1", "success"), ("2", "partial"), ("3", "fail"), ("4", "abandoned"), ("5", "timeout"),
    ],
)  # fmt: skip
async def test_outcome_keys_end_the_task(tmp_path, key, outcome):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(4)
        await h.press(key)
        run = h.run("alpha")
        assert (run["outcome"], run["active_ms"]) == (outcome, 4000)
        assert run["ended_at"] is not None
        assert h.digits() == "0:04.0"  # frozen once ended
        await h.advance(10)
        assert h.digits() == "0:04.0"


async def test_outcome_is_corrected_and_undone_before_moving_on(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(2)
        await h.press("f")
        await h.press("y")  # correct fail -> success
        assert h.run("alpha")["outcome"] == "success"
        assert h.events("outcome_corrected")[0]["data"] == {
            "from": "fail",
            "to": "success",
            "active_ms": 2000,
        }
        assert "corrected" in h.text("#mod-message")
        await h.press("u")  # undo: the task runs on
        assert h.study.current is not None and h.study.current.status == "running"
        await h.advance(1)
        await h.press("p")
        assert (h.run("alpha")["outcome"], h.run("alpha")["active_ms"]) == ("partial", 3000)
        await h.press("enter")  # moved on: final
        assert h.study.current is not None and h.study.current.id == "beta"
        await h.press("y")  # beta has not started: nothing happens to alpha
        assert h.run("alpha")["outcome"] == "partial"
        assert [r["task_id"] for r in h.store.task_runs(h.sid)] == ["alpha"]


async def test_skip_then_enter_moves_to_the_next_task(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("k")
        assert h.run("alpha")["outcome"] == "skipped"
        await h.press("enter")
        assert "Do the beta thing." in h.text("#mod-prompt")
        assert [e["task_id"] for e in h.events("task_done")] == ["alpha"]


async def test_error_with_a_code_without_and_cancelled(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(1)
        await h.press("e")
        assert isinstance(h.app.screen, ErrorCodeScreen)
        await h.advance(2)  # the code is picked a moment later: the error keeps its time
        await h.press("2")
        await h.press("e", "enter")  # no code
        await h.press("e", "escape")  # cancelled: nothing logged
        await h.press("e", "9")  # no 9th code: nothing, the picker stays
        assert isinstance(h.app.screen, ErrorCodeScreen)
        await h.press("escape")
        errors = h.events("error")
        assert [e["data"]["code"] for e in errors] == ["form", None]
        assert errors[0]["data"]["task_ms"] == 1000
        assert errors[0]["data"]["active_ms"] == 3000
        assert h.run("alpha")["errors"] == 2
        assert "errors 2" in h.text("#mod-timer-counts")


async def test_hint_counts(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s", "h", "h")
        assert h.run("alpha")["hints"] == 2
        assert len(h.events("hint")) == 2
        assert "Hint 2 counted" in h.text("#mod-message")


async def test_pause_and_resume_exclude_the_pause(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(5)
        await h.press("space")
        assert "PAUSED" in h.text("#mod-timer-state")
        await h.advance(30)
        assert h.digits() == "0:05.0"
        await h.press("space")
        await h.advance(2)
        await h.press("y")
        assert h.run("alpha")["active_ms"] == 7000
        pause, resume = h.events("pause")[0], h.events("resume")
        assert pause["data"]["active_ms"] == 5000
        assert [e["task_id"] for e in resume] == ["alpha"]


async def test_restart_asks_first(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(6)
        await h.press("h", "r")
        assert isinstance(h.app.screen, ConfirmScreen)
        await h.press("escape")
        assert h.run("alpha")["hints"] == 1 and not h.events("restart")
        await h.press("r", "r")  # the same key again confirms
        assert h.run("alpha")["hints"] == 0
        assert h.events("restart")[0]["data"]["previous_active_ms"] == 6000
        assert len(h.events("task_start")) == 2
        await h.advance(1)
        assert h.digits() == "0:01.0"


async def test_note_is_saved_with_its_time(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(12)
        await h.press("n")
        assert isinstance(h.app.screen, NoteScreen)
        await h.pilot.press(*"Looked for [coupon] box")
        await h.press("enter")
        await h.press("n", "x", "escape")  # cancelled
        notes = h.events("note")
        assert len(notes) == 1
        assert notes[0]["data"]["text"] == "Looked for [coupon] box"
        assert notes[0]["data"]["task_ms"] == 12_000
        assert notes[0]["task_id"] == "alpha" and notes[0]["at"].endswith("Z")
        assert "notes 1" in h.text("#mod-timer-counts")


async def test_note_before_a_task_belongs_to_the_session(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("n")
        await h.pilot.press(*"late")
        await h.press("enter")
        (note,) = h.events("note")
        assert note["task_id"] is None and note["data"] == {"text": "late"}


async def test_wrong_keys_write_nothing(tmp_path):
    async with moderating(tmp_path) as h:
        before = len(h.events())
        # not started yet: none of these may do anything
        await h.press("x", "q", "z", "enter", "e", "h", "space", "r", "u", "y", "t", "6", "tab")
        assert isinstance(h.app.screen, ModeratorConsole)
        assert len(h.events()) == before
        assert "✗" in h.text("#mod-message")
        await h.press("e")  # the refusal names the key of what would help
        assert "start the task before you log an error (s start)" in h.text("#mod-message")
        await h.press("s")
        before = len(h.events())
        await h.press("enter", "s", "u", "x")  # running: enter needs an outcome first
        assert len(h.events()) == before
        assert h.study.current is not None and h.study.current.status == "running"


async def test_time_limit_alert_is_visible_and_logged_once(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(59)
        timer = h.app.screen.query_one(TaskTimer)
        assert not timer.has_class("-over")
        assert "0:01 left" in h.text("#mod-timer-limit")
        await h.advance(1.5)
        assert timer.has_class("-over")
        assert "TIME LIMIT 1:00 REACHED" in h.text("#mod-timer-limit")
        assert "Time limit reached" in h.text("#mod-message")
        await h.advance(5)
        (event,) = h.events("time_limit")
        assert event["task_id"] == "alpha" and event["data"]["active_ms"] >= 60_000
        await h.press("t")
        assert h.run("alpha")["outcome"] == "timeout"


async def test_active_time_is_checkpointed_while_running(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(11)
        assert h.run("alpha")["active_ms"] >= 10_000
        assert h.events("checkpoint")


async def test_quit_asks_then_pauses_and_leaves_the_session_resumable(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(4)
        await h.press("ctrl+q")
        assert isinstance(h.app.screen, ConfirmScreen)
        await h.press("n")
        assert isinstance(h.app.screen, ModeratorConsole)
        await h.press("ctrl+q", "y")
        assert h.app.return_code == 0
        (pause,) = h.events("pause")
        assert pause["data"] == {"reason": "console closed", "active_ms": 4000}
        assert h.store.session(h.sid).status == "interrupted"


async def test_everything_fits_at_80x24(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        screen = h.screen()
        assert len(screen.splitlines()) == 24
        for line in h.text("#mod-keys").splitlines():
            assert len(line) <= 78, line
            assert line in screen  # not cut off
        for text in ("Participant P1", "Do the alpha thing.", "Alpha done", "RUNNING",
                     "limit 1:00", "errors 0  hints 0  notes 0", "2 Beta task"):  # fmt: skip
            assert text in screen, text
        keys = h.text("#mod-keys")
        for label in ("success", "partial", "fail", "abandoned", "timeout", "skip", "undo",
                      "start", "pause", "error", "hint", "note", "restart", "next", "quit"):  # fmt: skip
            assert label in keys


async def test_the_task_log_shows_what_was_recorded(tmp_path):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(2)
        await h.press("e", "3", "h")
        await h.advance(1)
        await h.press("n")
        await h.pilot.press(*"typo in [b]zip[/b]")
        await h.press("enter")
        log = h.text("#mod-log-lines")
        assert "0:02.0  error (misread)" in log
        assert "0:02.0  hint" in log
        assert "0:03.0  note: typo in [b]zip[/b]" in log  # shown literally, never as markup


async def test_a_failed_write_says_so_and_changes_nothing(tmp_path, monkeypatch):
    async with moderating(tmp_path) as h:
        await h.press("s")
        await h.advance(2)

        def disk_full(*args: object, **kwargs: object) -> None:
            raise StorageError("cannot write to database: the disk is full")

        monkeypatch.setattr(h.store, "task_event", disk_full)
        monkeypatch.setattr(h.store, "finish_task", disk_full)
        await h.press("h", "space", "y")
        assert h.app.is_running and isinstance(h.app.screen, ModeratorConsole)
        assert "NOT SAVED" in h.text("#mod-message") and "disk is full" in h.text("#mod-message")
        t = h.study.current
        assert t is not None and (t.status, t.hints) == ("running", 0)
        await h.advance(1)
        assert h.digits() == "0:03.0"  # the timer never stopped
        monkeypatch.undo()
        await h.press("y")
        assert (h.run("alpha")["outcome"], h.run("alpha")["active_ms"]) == ("success", 3000)
