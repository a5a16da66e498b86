"""Scales in `surveykit run`: NPS, CSAT, CES, SEQ, rating, SUS and UMUX-Lite, checked in the database."""

from __future__ import annotations

import pytest

from surveykit.tui.widgets import DigitKeys, ScaleInput

try:
    from .test_run_support import (
        SIZE,
        FakeClock,
        click_point,
        current_key,
        harness,
        keys,
        screen_text,
        survey,
    )
except ImportError:
    from test_run_support import (  # type: ignore[no-redef]
        SIZE,
        FakeClock,
        click_point,
        current_key,
        harness,
        keys,
        screen_text,
        survey,
    )

NPS = survey(
    """
    - {id: nps, type: nps, text: How likely are you to recommend us?}
    - {id: after, type: note, text: Done.}
    """
)


# --- the digit keys on their own --------------------------------------------------------------


def test_digits_choose_at_once_and_1_then_0_makes_10() -> None:
    clock = FakeClock()
    keys_ = DigitKeys(0, 10, window=0.8, clock=clock)
    assert keys_.press(7) == 7
    assert keys_.press(1) == 1
    clock.advance(0.3)
    assert keys_.press(0) == 10
    # the pair is used up: another 0 is 0
    assert keys_.press(0) == 0


def test_second_digit_after_the_window_is_a_new_choice() -> None:
    clock = FakeClock()
    keys_ = DigitKeys(0, 10, window=0.8, clock=clock)
    assert keys_.press(1) == 1
    clock.advance(0.81)
    assert keys_.press(0) == 0


def test_lone_zero_is_ten_on_a_one_to_ten_scale_and_out_of_range_digits_choose_nothing() -> None:
    keys_ = DigitKeys(1, 10, clock=FakeClock())
    assert keys_.press(0) == 10
    five = DigitKeys(1, 5, clock=FakeClock())
    assert five.press(6) is None
    assert five.press(0) is None
    assert five.press(5) == 5


def test_eleven_point_rating_reaches_eleven() -> None:
    keys_ = DigitKeys(1, 11, clock=FakeClock())
    assert keys_.press(1) == 1
    assert keys_.press(1) == 11


# --- NPS ----------------------------------------------------------------------------------------


async def test_nps_row_with_end_labels_and_digit_answer(tmp_path) -> None:
    h = harness(tmp_path, NPS)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "How likely are you to recommend us?" in text
        row = next(line for line in text.splitlines() if "│ 0 │" in line)
        for n in range(10):
            assert f"│ {n} │" in row
        assert "10" in row
        assert "Not at all likely" in text and "Extremely likely" in text
        assert "Question 1 of 2" in text
        await keys(pilot, "8")
        assert "Your answer: 8" in screen_text(app)
        h.clock.advance(4.25)
        await keys(pilot, "enter")
        assert current_key(app) == "after"
    assert h.answers() == {"nps": 8}
    row = h.answer_row("nps")
    assert row["value_num"] == 8 and row["is_na"] == 0
    assert row["response_ms"] == 4250
    assert row["shown_at"] == "2026-11-22T10:15:03.123Z"
    assert row["answered_at"] == "2026-11-22T10:15:07.373Z"


async def test_nps_ten_from_the_keyboard(tmp_path, monkeypatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(ScaleInput, "clock", staticmethod(clock))
    h = harness(tmp_path, NPS)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "1")
        assert app.screen.query_one(ScaleInput).selected == 1
        clock.advance(0.2)
        await keys(pilot, "0")
        assert app.screen.query_one(ScaleInput).selected == 10
        assert "Your answer: 10" in screen_text(app)
        await keys(pilot, "enter")
    assert h.answers() == {"nps": 10}


async def test_nps_zero_after_a_pause_is_zero(tmp_path, monkeypatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(ScaleInput, "clock", staticmethod(clock))
    h = harness(tmp_path, NPS)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "1")
        clock.advance(2.0)
        await keys(pilot, "0", "enter")
    assert h.answers() == {"nps": 0}


async def test_nps_end_key_reaches_ten_and_arrows_move(tmp_path) -> None:
    h = harness(tmp_path, NPS)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        scale = app.screen.query_one(ScaleInput)
        await keys(pilot, "right")  # nothing chosen yet: the first arrow chooses the low end
        assert scale.selected == 0
        await keys(pilot, "end")
        assert scale.selected == 10
        await keys(pilot, "left", "left")
        assert scale.selected == 8
        await keys(pilot, "home")
        assert scale.selected == 0
        await keys(pilot, "end", "enter")
    assert h.answers() == {"nps": 10}


async def test_nps_by_mouse(tmp_path) -> None:
    h = harness(tmp_path, NPS)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await click_point(pilot, 10)
        assert app.screen.query_one(ScaleInput).selected == 10
        await click_point(pilot, 3)
        assert app.screen.query_one(ScaleInput).selected == 3
        await pilot.click("#sk-next")
        await pilot.pause()
        assert current_key(app) == "after"
    assert h.answers() == {"nps": 3}


async def test_required_scale_says_so_and_stores_nothing(tmp_path) -> None:
    h = harness(tmp_path, NPS)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")
        assert "Please answer this question to continue." in screen_text(app)
        assert current_key(app) == "nps"
        await keys(pilot, "5")  # a change clears the message
        assert "Please answer" not in screen_text(app)
    assert h.answers() == {}


# --- labelled scales ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qtype", "low", "high", "labels"),
    [
        ("csat", 1, 5, ["Very dissatisfied", "Very satisfied"]),
        ("ces", 1, 7, ["Strongly disagree", "Strongly agree"]),
        ("seq", 1, 7, ["Very difficult", "Very easy"]),
    ],
)
async def test_labelled_scales(tmp_path, qtype, low, high, labels) -> None:
    h = harness(tmp_path, survey(f"- {{id: q, type: {qtype}}}"))
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for label in labels:  # labels are wrapped under their boxes: every word is there
            assert all(word in text for word in label.split())
        row = next(line for line in text.splitlines() if "│" in line)
        assert [int(t) for t in row.replace("│", " ").replace("▌", " ").split()] == list(
            range(low, high + 1)
        )
        await keys(pilot, str(high + 1))  # out of range: nothing chosen
        assert app.screen.query_one(ScaleInput).selected is None
        await keys(pilot, str(high), "enter")
    assert h.answers() == {"q": high}
    assert h.last_session()["status"] == "completed"


async def test_csat_label_of_the_choice_is_shown(tmp_path) -> None:
    h = harness(tmp_path, survey("- {id: q, type: csat}"))
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "3")
        assert "Your answer: 3 · Neither satisfied nor dissatisfied" in screen_text(app)


async def test_rating_with_labels_and_na(tmp_path) -> None:
    body = survey(
        """
        - id: agent
          type: rating
          text: Rate the agent
          min: 1
          max: 10
          labels: {1: Poor, 10: Excellent}
          na: true
          na_label: Prefer not to say
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Poor" in text and "Excellent" in text and "Prefer not to say" in text
        await keys(pilot, "end", "right")  # past the highest point: N/A
        assert "Your answer: Prefer not to say" in screen_text(app)
        await keys(pilot, "enter")
    row = h.answer_row("agent")
    assert row["is_na"] == 1 and row["value_json"] is None and row["value_num"] is None


async def test_na_by_mouse(tmp_path) -> None:
    body = survey("- {id: q, type: ces, na: true}")
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await click_point(pilot, 7)  # the N/A box after 1..7
        await pilot.click("#sk-next")
        await pilot.pause()
    assert h.answers() == {"q": "N/A"}


# --- batteries -----------------------------------------------------------------------------------


async def test_sus_item_by_item(tmp_path) -> None:
    h = harness(tmp_path, survey("- {id: sus, type: sus, product: the website}"))
    app = h.app()
    chosen = [5, 1, 4, 2, 5, 1, 4, 2, 5, 3]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Please rate your agreement with each statement about the website." in text
        assert "Statement 1 of 10" in text
        assert "I think that I would like to use the website frequently." in text
        assert "Strongly agree" in text and "Neutral" in text
        for n, value in enumerate(chosen, 1):
            assert f"Statement {n} of 10" in screen_text(app)
            await keys(pilot, str(value), "enter")
    assert h.answers() == {f"sus.{n}": v for n, v in enumerate(chosen, 1)}


async def test_umux_lite(tmp_path) -> None:
    h = harness(tmp_path, survey("- {id: umux_lite, type: umux_lite, product: the app}"))
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "The app's capabilities meet my requirements." in screen_text(app)
        await keys(pilot, "6", "enter")
        assert "The app is easy to use." in screen_text(app)
        await keys(pilot, "7", "enter")
    assert h.answers() == {"umux_lite.1": 6, "umux_lite.2": 7}


async def test_narrow_terminal_draws_a_vertical_scale(tmp_path) -> None:
    h = harness(tmp_path, survey("- {id: q, type: ces}"))
    app = h.app()
    async with app.run_test(size=(44, 30)) as pilot:
        await pilot.pause()
        scale = app.screen.query_one(ScaleInput)
        assert scale.vertical
        assert "( ) 4  Neither agree nor disagree" in screen_text(app)
        await keys(pilot, "down", "down", "enter")
    assert h.answers() == {"q": 2}
