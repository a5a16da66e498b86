"""A whole session of surveys/checkout-study.yaml in Pilot, keys only: the participant's
questions between the moderator's tasks, and resuming in the middle of them."""

from __future__ import annotations

from pathlib import Path

from surveykit.session.study import StudySession
from surveykit.storage.store import Store
from surveykit.tui.screens.intro import IntroScreen
from surveykit.tui.screens.moderator_console import ModeratorConsole
from surveykit.tui.screens.moderator_summary import SummaryScreen
from surveykit.tui.screens.questions import QuestionsScreen

from .test_moderate_console import Harness, moderating

CHECKOUT = (Path(__file__).resolve().parents[2] / "surveys" / "checkout-study.yaml").read_text()
SUS = (5, 1, 5, 1, 5, 1, 5, 1, 5, 1)  # 100.0


async def answer(h: Harness, *keys: str) -> None:
    assert isinstance(h.app.screen, QuestionsScreen), h.app.screen
    for key in keys:
        await h.press(key)
    await h.pilot.pause(0.05)


async def test_whole_checkout_study_by_keys(tmp_path):
    async with moderating(tmp_path, CHECKOUT, participant="P2") as h:
        assert isinstance(h.app.screen, IntroScreen)
        await h.press("enter")
        await answer(h, "enter")  # consent note
        await answer(h, "1", "enter")  # shop online: weekly
        await answer(h, "2", "enter")  # age band
        assert isinstance(h.app.screen, ModeratorConsole)
        order = h.store.session(h.sid).task_order
        assert order is not None and sorted(order) == [
            "apply-coupon",
            "find-shoes",
            "guest-checkout",
        ]
        assert order != ["find-shoes", "apply-coupon", "guest-checkout"]  # P2: row 2 of the square
        for n, (outcome_key, seq) in enumerate((("y", "6"), ("f", "2"), ("a", "1")), 1):
            assert f"Task {n} of 3" in h.screen()
            await h.press("s")
            await h.advance(10 * n)
            await h.press("h", outcome_key, "enter")
            assert isinstance(h.app.screen, QuestionsScreen)
            assert "how difficult or easy" in h.screen()
            await answer(h, seq, "enter")
        for value in SUS:
            await answer(h, str(value), "enter")
        await h.pilot.press(*"Fine")
        await answer(h, "ctrl+n")
        assert isinstance(h.app.screen, SummaryScreen)
        screen = h.screen()
        assert "SUS score 100.0" in screen and "(grade A+)" in screen
        runs = {r["task_id"]: r for r in h.store.task_runs(h.sid)}
        assert [runs[t]["outcome"] for t in order] == ["success", "fail", "abandoned"]
        assert [runs[t]["active_ms"] for t in order] == [10_000, 20_000, 30_000]
        assert all(runs[t]["hints"] == 1 for t in order)
        answers = h.store.answers(h.sid)
        assert [answers[(t, "seq")].value for t in order] == [6, 2, 1]
        assert answers[("", "shop_online")].value == "Weekly or more"
        assert answers[("", "comments")].value == "Fine"
        assert h.store.session(h.sid).status == "completed"


def crashed_after_first_task(store: Store, definition, clock) -> None:
    """P5 answered the opening questions, did task 1, the SEQ screen was up: crash."""
    other = Store(store.path)
    s = StudySession.begin(other, definition, "P5", now=clock)
    for step in ("questions",):
        run = s.question_run(step)
        run.start()
        run.submit(None)  # the consent note
        run.submit("Monthly")
        run.submit(None, is_na=True)
        assert run.finished
        s.finish_block(step)
    s.start()
    clock.advance(42)
    s.end("success")
    s.next()
    s.question_run("after_each").start()  # shown, not answered
    other.close()


async def test_resume_asks_the_pending_seq_first(tmp_path):
    async with moderating(
        tmp_path, CHECKOUT, participant="P5", prepare=crashed_after_first_task
    ) as h:
        assert isinstance(h.app.screen, QuestionsScreen)
        assert "how difficult or easy" in h.screen()
        first = h.study.order[0]
        assert first in h.screen() or h.study.task(first).title in h.screen()
        await answer(h, "7", "enter")
        assert isinstance(h.app.screen, ModeratorConsole)
        assert "Task 2 of 3" in h.screen()
        assert h.store.answers(h.sid)[(first, "seq")].value == 7
        assert h.store.answers(h.sid)[("", "age_band")].is_na
