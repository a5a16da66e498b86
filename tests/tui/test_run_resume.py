"""Continuing an unfinished session (after a crash) and marking the rest `interrupted`."""

from __future__ import annotations

from surveykit.session.run import resumable_session
from surveykit.tui.screens import IntroScreen, ResumeScreen
from surveykit.tui.widgets import OptionPicker, ScaleInput

try:
    from .test_run_support import SIZE, current_key, harness, keys, screen_text, survey
except ImportError:
    from test_run_support import (  # type: ignore[no-redef]
        SIZE,
        current_key,
        harness,
        keys,
        screen_text,
        survey,
    )

BODY = survey(
    """
    - {id: nps, type: nps}
    - {id: csat, type: csat}
    - id: visit
      type: choice
      text: What brought you in?
      options: [Browsing, A specific book, A gift, An event, A coffee, The toilets]
      shuffle: true
    - {id: ces, type: ces}
    """,
    extra="intro: Welcome.\n",
)


async def _crash_after_two_answers(h, participant="P7"):
    """Answer nps and csat, see `visit`, then stop without closing the session (a crash)."""
    app = h.app(participant=participant)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter", "7", "enter", "5", "enter")
        assert current_key(app) == "visit"
        order = [item.text for item in app.screen.query_one(OptionPicker).items]
    return order


async def test_resume_offer_continues_with_every_answer_in_place(tmp_path) -> None:
    h = harness(tmp_path, BODY)
    order = await _crash_after_two_answers(h)
    first = h.last_session()
    assert first["status"] == "in_progress"

    h2 = h.reopen()  # a new process: the old owner is gone
    candidate = resumable_session(h2.store, "t", participant="P7", mode="run")
    assert candidate is not None and candidate.id == first["id"]
    app = h2.app(participant="P7", resume=candidate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        text = " ".join(screen_text(app).split())
        assert "P7 has an unfinished session (#1)" in text and "with 2 answers saved" in text
        await keys(pilot, "enter")  # Continue is the default
        assert current_key(app) == "visit"  # the first step still to answer; no intro again
        # the same shuffled order as before the crash
        assert [item.text for item in app.screen.query_one(OptionPicker).items] == order
        await keys(pilot, "pageup")
        assert app.screen.query_one(ScaleInput).selected == 5
        await keys(pilot, "enter", "1", "enter", "6", "enter")
    assert app.return_value is not None and app.return_value.resumed
    sessions = h2.sessions()
    assert len(sessions) == 1 and sessions[0]["status"] == "completed"
    assert h2.answers() == {"nps": 7, "csat": 5, "visit": order[0], "ces": 6}
    assert [e["kind"] for e in h2.events("resume")] == ["resume"]


async def test_start_again_keeps_the_old_session_as_interrupted(tmp_path) -> None:
    h = harness(tmp_path, BODY)
    await _crash_after_two_answers(h)
    h2 = h.reopen()
    candidate = resumable_session(h2.store, "t", participant="P7", mode="run")
    app = h2.app(participant="P7", resume=candidate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#sk-restart")
        await pilot.pause()
        assert isinstance(app.screen, IntroScreen)
    old, new = h2.sessions()
    assert old["status"] == "interrupted" and old["ended_at"] is not None
    assert new["status"] == "in_progress" and new["participant"] == "P7"
    assert h2.answers(old["id"]) == {"nps": 7, "csat": 5}
    assert h2.answers(new["id"]) == {}


async def test_direct_resume_and_an_interrupted_session_can_still_be_continued(tmp_path) -> None:
    h = harness(tmp_path, BODY)
    await _crash_after_two_answers(h, participant=None)
    h2 = h.reopen()
    # someone else starts meanwhile: the dead session becomes `interrupted`
    other = h2.app(participant="P8")
    async with other.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert h2.sessions()[0]["status"] == "interrupted"
    h3 = h2.reopen()
    candidate = resumable_session(h3.store, "t", participant=None, mode="run")
    assert candidate is not None and candidate.id == 1
    app = h3.app(resume=candidate, ask_resume=False)  # --resume: no question
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_key(app) == "visit"
        await keys(pilot, "2", "enter", "3", "enter")
    first = h3.sessions()[0]
    assert first["status"] == "completed"
    assert set(h3.answers(1)) == {"nps", "csat", "visit", "ces"}


async def test_nothing_to_resume_when_the_latest_session_is_finished_or_alive(tmp_path) -> None:
    h = harness(tmp_path, BODY)
    app = h.app(participant="P9")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # alive: this process owns it
        assert resumable_session(h.store, "t", participant="P9", mode="run") is None
        await keys(pilot, "enter", "1", "enter", "1", "enter", "1", "enter", "1", "enter")
    h2 = h.reopen()
    assert h2.last_session()["status"] == "completed"
    assert resumable_session(h2.store, "t", participant="P9", mode="run") is None
    # another mode's unfinished session is not the runner's to continue
    assert resumable_session(h2.store, "t", participant="P9", mode="preview") is None
