"""Observers: Pilot tests with the console and an observer app on one file, and
notes written at once by several observer processes and the moderator."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from surveykit.definition.loader import load
from surveykit.session.participants import open_study
from surveykit.session.team import ObserverLink, live_sessions
from surveykit.storage.store import Store
from surveykit.tui.moderate_app import ModerateApp
from surveykit.tui.observe_app import ObserveApp
from surveykit.tui.screens.moderator_console import ModeratorConsole
from surveykit.tui.screens.moderator_note import NoteScreen
from surveykit.tui.screens.observer import ObserverScreen
from tests.tui.test_participant_screen import screen_text, until

STUDY = """\
surveykit: 1
id: obs-study
title: Observed study
tasks:
  order: fixed
  after_each: []
  items:
    - {id: alpha, title: Alpha task, prompt: Find the teapot., success: Teapot in cart, time_limit_s: 90}
    - {id: beta, title: Beta task, prompt: Apply the coupon.}
  error_codes: [navigation]
"""


async def test_observer_follows_the_console_and_its_tagged_note_reaches_it(tmp_path: Path) -> None:
    (tmp_path / "obs.yaml").write_text(STUDY)
    definition = load(tmp_path / "obs.yaml")
    db = tmp_path / "obs.db"
    console_store, obs_store = Store(db), Store(db)
    study, _ = open_study(console_store, definition, "P4")
    console_app = ModerateApp(console_store, definition, study=study)
    async with console_app.run_test(size=(100, 30)) as con:
        await until(lambda: console_app.link is not None, "the console's link")
        observer_app = ObserveApp(
            "Observed study",
            rows=lambda: live_sessions(obs_store, "obs-study"),
            join=lambda sid: ObserverLink(obs_store, sid, name="Dana"),
        )
        async with observer_app.run_test(size=(100, 30)) as obs:
            await until(lambda: "P4" in screen_text(observer_app), "the live session listed")
            await obs.press("enter")
            await until(lambda: isinstance(observer_app.screen, ObserverScreen), "observer screen")
            assert "observing as Dana" in screen_text(observer_app)
            await con.press("s")
            await until(lambda: "RUNNING" in screen_text(observer_app), "the task running")
            assert "Teapot in cart" in screen_text(observer_app)
            await con.press("e")
            await con.press("1")
            await until(lambda: "error (navigation)" in screen_text(observer_app), "the error")
            await obs.press("n")
            await until(lambda: isinstance(observer_app.screen, NoteScreen)
                        and "What happened?" in screen_text(observer_app), "note box")
            await obs.press(*"Missed the menu #nav #Pain")
            await obs.press("enter")
            await until(lambda: "tags: #nav, #pain" in screen_text(observer_app), "saved")
            # the console shows the observer's note in the task's log, counted
            await until(lambda: "note (Dana): Missed the menu" in screen_text(console_app),
                        "the note on the console")
            assert isinstance(console_app.screen, ModeratorConsole)
            assert study.task("alpha").notes == 1
            await obs.press("m")
            await con.press("y")
            await until(lambda: "SUCCESS" in screen_text(observer_app), "the outcome")
            await obs.press("ctrl+q")
        await con.pause()
    notes = console_store.notes(study.session_id)
    assert len(notes) == 1
    data = notes[0]["data"]
    assert data["by"] == "Dana" and data["tags"] == ["nav", "pain"] and data["role"] == "observer"
    assert notes[0]["task_id"] == "alpha" and isinstance(data["task_ms"], int)
    kinds = [e["kind"] for e in console_store.events(study.session_id)]
    assert "recording_start" in kinds and "screen_join" in kinds
    console_store.close()
    obs_store.close()


def _observer(db: str, session_id: int, name: str, n: int, barrier: object) -> None:
    with Store(db) as store:
        link = ObserverLink(store, session_id, name=name)
        barrier.wait()  # type: ignore[attr-defined]
        for i in range(n):
            link.note(f"{name} note {i} #load #{name.lower()}")
        link.leave()


def test_several_observer_processes_and_the_moderator_write_notes_at_once(tmp_path: Path) -> None:
    (tmp_path / "obs.yaml").write_text(STUDY)
    definition = load(tmp_path / "obs.yaml")
    db = str(tmp_path / "obs.db")
    names = ["Dana", "Eli", "Fay"]
    per = 25
    with Store(db) as store:
        study, _ = open_study(store, definition, "P5")
        study.start()
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(len(names) + 1)
        procs = [ctx.Process(target=_observer, args=(db, study.session_id, n, per, barrier))
                 for n in names]
        for p in procs:
            p.start()
        barrier.wait()
        for i in range(per):
            study.note(f"moderator note {i} #load")
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        notes = store.notes(study.session_id)
    assert len(notes) == per * (len(names) + 1)
    by = sorted({n["data"].get("by", "moderator") for n in notes})
    assert by == ["Dana", "Eli", "Fay", "moderator"]
    assert all("load" in n["data"]["tags"] for n in notes)
    assert all(n["task_id"] == "alpha" for n in notes)


async def test_m_on_the_console_marks_the_recording_start(tmp_path: Path) -> None:
    (tmp_path / "obs.yaml").write_text(STUDY)
    definition = load(tmp_path / "obs.yaml")
    with Store(tmp_path / "obs.db") as store:
        study, _ = open_study(store, definition, "P6")
        app = ModerateApp(store, definition, study=study)
        async with app.run_test(size=(100, 30)) as con:
            await until(lambda: isinstance(app.screen, ModeratorConsole), "console")
            await con.press("m")
            await until(lambda: "Recording start marked" in screen_text(app), "the mark")
        marks = [e for e in store.events(study.session_id) if e["kind"] == "recording_start"]
        assert [m["data"] for m in marks] == [{"by": "moderator"}]
