"""Idle reset mid-survey, on a hand-moved clock: "Still there?", then `abandoned` and welcome."""

from __future__ import annotations

from pathlib import Path

from surveykit.tui.screens.kiosk_pin import KioskPinScreen
from surveykit.tui.screens.kiosk_still_there import StillThereScreen
from surveykit.tui.screens.kiosk_welcome import KioskWelcomeScreen
from surveykit.tui.screens.questions import QuestionsScreen

try:
    from .test_kiosk_support import SIZE, kiosk
except ImportError:
    from test_kiosk_support import SIZE, kiosk  # type: ignore[no-redef]

# idle_reset_s 45 → the warning shows for the last 15 s (IdleTimer's default)


async def test_still_there_counts_down_and_a_key_carries_on_where_it_was(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "7", "enter")  # nps 7 → csat next
        assert "How satisfied" in k.text()
        await k.later(pilot, 29.9)
        assert isinstance(k.app.screen, QuestionsScreen)
        await k.later(pilot, 0.2)  # 30.1 s idle
        overlay = k.app.screen
        assert isinstance(overlay, StillThereScreen)
        text = k.text()
        assert "Still there?" in text and "start over in 15 seconds" in text
        assert "Tap to continue" in text
        await k.later(pilot, 10)
        assert "start over in 5 seconds" in k.text()
        await k.later(pilot, 4)
        assert "start over in 1 second." in k.text()
        await k.keys(pilot, "4")  # closes the overlay; does not answer the question
        assert isinstance(k.app.screen, QuestionsScreen)
        assert "How satisfied" in k.text() and "No answer chosen yet" in k.text()
        # the timer starts again from that key
        await k.later(pilot, 29)
        assert isinstance(k.app.screen, QuestionsScreen)
        sid = k.sessions()[0]["id"]
        assert k.sessions()[0]["status"] == "in_progress"
        await k.keys(pilot, "4", "enter")
        assert k.answers(sid) == {"nps": 7, "csat": 4}


async def test_a_tap_on_the_overlay_carries_on(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.later(pilot, 35)
        assert isinstance(k.app.screen, StillThereScreen)
        await pilot.click("#kiosk-continue")
        await pilot.pause()
        assert isinstance(k.app.screen, QuestionsScreen)
        await k.later(pilot, 20)
        assert isinstance(k.app.screen, QuestionsScreen)  # the tap reset the timer


async def test_idle_expiry_saves_abandoned_with_answers_kept_and_returns_to_welcome(
    tmp_path: Path,
) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "3", "enter")  # nps 3 → the optional reason
        await k.keys(pilot, *"slow", "enter")
        assert "How satisfied" in k.text()
        await k.later(pilot, 40)
        assert isinstance(k.app.screen, StillThereScreen)
        await k.later(pilot, 5)
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        assert "Tap or press any key to start" in k.text()
        (s,) = k.sessions()
        assert s["status"] == "abandoned" and s["ended_at"] is not None
        assert k.answers(s["id"]) == {"nps": 3, "why": "slow"}  # kept, and scored
        (reset,) = k.events(s["id"], "idle_reset")
        assert reset["question_id"] == "csat"
        assert reset["data"]["idle_reset_s"] == 45
        assert [e["kind"] for e in k.events(s["id"])][-2:] == ["idle_reset", "session_end"]
        assert k.app.counts["abandoned"] == 1 and k.app.session_id is None
        # the next person starts a fresh session
        await k.start(pilot)
        assert "No answer chosen yet" in k.text()
        assert len(k.sessions()) == 2


async def test_expiry_also_clears_a_forgotten_pin_screen(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "ctrl+q")
        assert isinstance(k.app.screen, KioskPinScreen)
        await k.later(pilot, 31)  # the PIN screen closes itself after 30 s without input
        assert isinstance(k.app.screen, QuestionsScreen)
        await k.later(pilot, 14.5)
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        assert k.sessions()[0]["status"] == "abandoned"


async def test_no_overlay_over_the_pin_screen_and_staff_typing_counts_as_activity(
    tmp_path: Path,
) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.later(pilot, 20)
        await k.keys(pilot, "ctrl+q")
        await k.later(pilot, 25)
        await k.keys(pilot, "1")  # staff typing
        await k.later(pilot, 25)
        assert isinstance(k.app.screen, KioskPinScreen)
        await k.later(pilot, 10)  # 35 s since the last key: no "Still there?" over the PIN
        assert isinstance(k.app.screen, QuestionsScreen)  # the PIN screen closed itself (30 s)
        assert k.sessions()[0]["status"] == "in_progress"


async def test_a_custom_idle_time(tmp_path: Path) -> None:
    k = kiosk(tmp_path, idle_reset_s=10, warn_s=4)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.later(pilot, 5.9)
        assert isinstance(k.app.screen, QuestionsScreen)
        await k.later(pilot, 0.2)
        assert isinstance(k.app.screen, StillThereScreen)
        assert "start over in 4 seconds" in k.text()
        await k.later(pilot, 4)
        assert isinstance(k.app.screen, KioskWelcomeScreen)
