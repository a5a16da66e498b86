"""The kiosk loop: welcome → questions → thank-you → welcome, one session per person."""

from __future__ import annotations

from pathlib import Path

from surveykit.tui.screens.kiosk_thanks import KioskThanksScreen
from surveykit.tui.screens.kiosk_welcome import KioskWelcomeScreen
from surveykit.tui.screens.questions import QuestionsScreen

try:
    from .test_kiosk_support import SIZE, kiosk
except ImportError:
    from test_kiosk_support import SIZE, kiosk  # type: ignore[no-redef]


async def test_welcome_shows_the_survey_and_any_key_starts_a_session(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = k.text()
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        for part in (
            "How was your visit?",
            "Three quick questions.",
            "Tap or press any key to start",
        ):
            assert part in text
        assert k.sessions() == []  # nobody has started yet
        await k.later(pilot, 1)
        await k.keys(pilot, "x")
        assert isinstance(k.app.screen, QuestionsScreen)
        assert "How likely are you to recommend us?" in k.text()
        (s,) = k.sessions()
        assert (s["mode"], s["device"], s["status"]) == ("kiosk", "till-1", "in_progress")
        # the key that started the session answered nothing
        assert k.answers(s["id"]) == {}


async def test_a_tap_anywhere_starts_but_not_the_previous_persons_last_taps(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click(offset=(2, 1))  # within the arming delay: ignored
        await pilot.pause()
        assert k.app.phase == "welcome" and k.sessions() == []
        await k.later(pilot, 1)
        await pilot.click(offset=(2, 1))  # far from the button: a tap anywhere counts
        await pilot.pause()
        assert k.app.phase == "survey"


async def test_whole_loop_twice_with_separate_sessions(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "1", "0", "enter", "5", "enter")
        # the after-block note is piped from the main answers (kept in memory, not re-read)
        assert "Last one: you gave 10." in k.text()
        await k.keys(pilot, "enter")
        assert isinstance(k.app.screen, KioskThanksScreen)
        assert "Thank you, come again!" in k.text()
        first = k.sessions()[0]
        assert first["status"] == "completed"
        assert k.answers(first["id"]) == {"nps": 10, "csat": 5}
        # the thank-you screen ignores input: it neither goes back nor starts someone new
        await k.keys(pilot, "space", "enter", "pageup", "1")
        await pilot.click(offset=(10, 10))
        await k.later(pilot, 5.9)
        assert isinstance(k.app.screen, KioskThanksScreen) and len(k.sessions()) == 1
        await k.later(pilot, 0.1)
        assert isinstance(k.app.screen, KioskWelcomeScreen)

        await k.start(pilot)
        screen = k.app.screen
        assert isinstance(screen, QuestionsScreen)
        # a new person starts blank and cannot go back into the previous answers
        assert "No answer chosen yet" in k.text()
        assert screen.query_one("#sk-back").disabled
        await k.keys(pilot, "pageup")
        assert "How likely are you to recommend us?" in k.text()
        await k.finish_survey(pilot, nps="3", csat="2")
        second = k.sessions()[1]
        assert second["id"] != first["id"]
        assert k.answers(second["id"]) == {"nps": 3, "csat": 2}
        assert [s["status"] for s in k.sessions()] == ["completed", "completed"]
        assert k.app.counts["completed"] == 2


async def test_piping_and_skip_logic_across_blocks_come_from_this_session_only(
    tmp_path: Path,
) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "2", "enter")
        assert "You chose 2. Why?" in k.text()
        await k.keys(pilot, "enter", "3", "enter")
        # nps 2: the after-block note (nps >= 9) is skipped, straight to thank-you
        assert k.app.phase == "thanks"
        await k.later(pilot, 6)
        await k.start(pilot)
        await k.finish_survey(pilot, nps="9")
        sid = k.sessions()[1]["id"]
        shown = [e["question_id"] for e in k.events(sid, "shown")]
        assert shown == ["nps", "csat", "thanks_note"]


async def test_welcome_and_thank_you_never_time_out_into_anything_else(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        for _ in range(10):
            await k.later(pilot, 3600)  # a quiet day
        assert isinstance(k.app.screen, KioskWelcomeScreen) and k.sessions() == []
        await k.start(pilot)
        await k.finish_survey(pilot)
        await k.later(pilot, 6)
        for _ in range(10):
            await k.later(pilot, 3600)
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        assert [s["status"] for s in k.sessions()] == ["completed"]


async def test_big_targets_at_80x24(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = k.app.screen.query_one("#kiosk-start")
        assert start.region.height >= 7 and start.region.width >= 60
        await k.start(pilot)
        screen = k.app.screen
        assert isinstance(screen, QuestionsScreen) and screen.big
        nxt = screen.query_one("#sk-next")
        assert nxt.region.height >= 5
        assert nxt.region.bottom <= SIZE[1]
