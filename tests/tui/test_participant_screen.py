"""Pilot tests: the moderator console and the participant screen, two apps on one
database file, asserted on both screens and on the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App

from surveykit.definition.loader import load
from surveykit.session.participants import open_study
from surveykit.session.team import ConsoleLink, ParticipantLink, find_session
from surveykit.storage.store import Store
from surveykit.tui.moderate_app import ModerateApp
from surveykit.tui.participant_app import ParticipantApp
from surveykit.tui.screens.moderator_console import ModeratorConsole
from surveykit.tui.screens.participant_wait import ParticipantWaitScreen
from surveykit.tui.screens.questions import QuestionsScreen

STUDY = """\
surveykit: 1
id: pair-study
title: Pair study
intro: Thanks for helping us today.
questions:
  - {id: consent, type: note, text: "We test the site, not you."}
tasks:
  order: fixed
  after_each: [seq]
  items:
    - {id: alpha, title: Alpha task, prompt: Find the blue teapot., success: SECRET-CRITERION, time_limit_s: 90}
    - {id: beta, title: Beta task, prompt: Apply the coupon.}
  error_codes: [navigation]
after:
  - {id: overall, type: csat}
outro: Bye for now.
"""


def screen_text(app: App[Any]) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


async def until(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> float:
    """Wait (letting both apps run) until `condition`; returns the seconds it took."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not condition():
        if loop.time() - start > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return loop.time() - start


async def test_participant_screen_answers_while_the_console_waits(tmp_path: Path) -> None:
    (tmp_path / "pair.yaml").write_text(STUDY)
    definition = load(tmp_path / "pair.yaml")
    db = tmp_path / "pair.db"
    console_store, part_store = Store(db), Store(db)
    study, _ = open_study(console_store, definition, "P7")
    # the participant screen joins first: the console hands the opening questions over
    link = ParticipantLink(part_store, study.session_id)
    console_app = ModerateApp(console_store, definition, study=study)
    async with console_app.run_test(size=(100, 30)) as con:
        part_app = ParticipantApp(link)
        async with part_app.run_test(size=(80, 24)) as par:
            await until(lambda: "Thanks for helping" in screen_text(part_app), "the intro")
            assert isinstance(console_app.screen, ModeratorConsole)
            await until(lambda: console_app.link is not None
                        and console_app.link.code in screen_text(console_app), "the join code")
            await par.press("enter")
            await until(lambda: isinstance(part_app.screen, QuestionsScreen)
                        and "We test the site" in screen_text(part_app), "questions")
            await until(lambda: "answering consent" in screen_text(console_app), "console state")
            await par.press("enter")  # the consent note
            await until(lambda: study.phase == "tasks", "the opening block done")
            await until(lambda: "Please wait" in screen_text(part_app), "please wait")
            await until(lambda: isinstance(console_app.screen, ModeratorConsole), "console")

            # the task starts on the console: its prompt, never its criterion, on the participant's
            await con.press("s")
            lag = await until(lambda: "Find the blue teapot." in screen_text(part_app), "prompt")
            assert lag < 1.0
            shown = screen_text(part_app)
            assert "SECRET-CRITERION" not in shown and "navigation" not in shown
            assert "RUNNING" not in shown and "0:0" not in shown
            await con.press("y")
            await con.press("enter")
            # the SEQ comes up on the participant screen; the console shows what it is doing
            await until(lambda: isinstance(part_app.screen, QuestionsScreen)
                        and "how difficult or easy" in screen_text(part_app), "the SEQ")
            await until(
                lambda: "answering SEQ for task 1" in screen_text(console_app), "console state"
            )
            assert isinstance(console_app.screen, ModeratorConsole)  # the console asked nothing
            await par.press("6")
            await par.press("enter")
            await until(lambda: study.phase == "tasks" and study.current is not None
                        and study.current.id == "beta", "the console moved on")
            answers = console_store.answers(study.session_id)
            assert answers[("alpha", "seq")].value == 6
            claims = [e["data"]["by"] for e in console_store.events(study.session_id)
                      if e["kind"] == "block_claim"]
            assert "participant" in claims
            await until(lambda: "Please wait" in screen_text(part_app), "please wait again")

            # skip beta; the closing questions on the participant screen, then thank you
            await con.press("k")
            await con.press("enter")
            await until(lambda: isinstance(part_app.screen, QuestionsScreen)
                        and "how satisfied" in screen_text(part_app), "the closing questions")
            await par.press("4")
            await par.press("enter")
            await until(lambda: study.completed, "the session completed")
            await until(lambda: "Bye for now." in screen_text(part_app), "thank you")
            assert isinstance(part_app.screen, ParticipantWaitScreen)
            assert console_store.answers(study.session_id)[("", "overall")].value == 4
            await par.press("ctrl+q")
        await con.pause()
    console_store.close()
    part_store.close()


async def test_console_takes_over_the_questions_of_a_participant_screen_that_left(
    tmp_path: Path,
) -> None:
    (tmp_path / "pair.yaml").write_text(STUDY)
    definition = load(tmp_path / "pair.yaml")
    db = tmp_path / "pair.db"
    console_store, part_store = Store(db), Store(db)
    study, _ = open_study(console_store, definition, "P8")
    study.finish_block("questions")  # the opening questions were answered before
    study.start()
    study.end("fail")
    link = ParticipantLink(part_store, study.session_id)
    console_app = ModerateApp(console_store, definition, study=study)
    async with console_app.run_test(size=(100, 30)) as con:
        part_app = ParticipantApp(link)
        async with part_app.run_test(size=(80, 24)) as par:
            await until(lambda: "Find the blue teapot." in screen_text(part_app), "the prompt")
            await until(lambda: isinstance(console_app.screen, ModeratorConsole), "console")
            await con.press("enter")  # moves on: the SEQ is the participant screen's
            await until(lambda: isinstance(part_app.screen, QuestionsScreen)
                        and "how difficult or easy" in screen_text(part_app), "the SEQ")
            await par.press("ctrl+q")  # the participant screen is closed mid-SEQ
        await until(lambda: console_app.link is not None
                    and not console_app.link.participant_joined, "the screen gone")
        assert isinstance(console_app.screen, ModeratorConsole)
        await con.press("enter")  # take the block over on the console
        await until(lambda: isinstance(console_app.screen, QuestionsScreen)
                    and "how difficult or easy" in screen_text(console_app), "SEQ on the console")
        await con.press("2")
        await con.press("enter")
        await until(lambda: isinstance(console_app.screen, ModeratorConsole)
                    and study.current is not None and study.current.id == "beta", "moved on")
    events = console_store.events(study.session_id)
    claims = [e["data"] for e in events if e["kind"] == "block_claim"]
    assert claims == [
        {"key": "after_each:alpha", "by": "participant"},
        {"key": "after_each:alpha", "by": "console", "taken_over": True},
    ]
    assert console_store.answers(study.session_id)[("alpha", "seq")].value == 2
    console_store.close()
    part_store.close()


async def test_the_join_screen_takes_the_console_code(tmp_path: Path) -> None:
    (tmp_path / "pair.yaml").write_text(STUDY)
    definition = load(tmp_path / "pair.yaml")
    db = tmp_path / "pair.db"
    console_store, part_store = Store(db), Store(db)
    study, _ = open_study(console_store, definition, "P9")
    console = ConsoleLink(console_store, study)
    app = ParticipantApp(
        join=lambda code: ParticipantLink(part_store, find_session(part_store, code=code).id)
    )
    async with app.run_test(size=(80, 24)) as par:
        await until(lambda: "Type the join code" in screen_text(app), "the join screen")
        await par.press(*"ZZZZ", "enter")
        await until(lambda: "no open session has the join code ZZZZ" in screen_text(app), "refused")
        await par.press(*console.code.lower(), "enter")
        await until(lambda: "Thanks for helping" in screen_text(app), "the intro")
        assert app.link.session_id == study.session_id
        await par.press("ctrl+q")
    rows = [r for r in console_store.screens(study.session_id) if r["role"] == "participant"]
    assert len(rows) == 1 and rows[0]["left_at"] is not None
    console_store.close()
    part_store.close()
