"""Choice and multi questions in `surveykit run`: keys, mouse, Other, N/A, limits, shuffling."""

from __future__ import annotations

from surveykit.tui.widgets import OptionPicker

try:
    from .test_run_support import (
        SIZE,
        click_option,
        current_key,
        harness,
        keys,
        screen_text,
        survey,
        type_text,
    )
except ImportError:
    from test_run_support import (  # type: ignore[no-redef]
        SIZE,
        click_option,
        current_key,
        harness,
        keys,
        screen_text,
        survey,
        type_text,
    )

CHOICE = survey(
    """
    - id: resolved
      type: choice
      text: Was your issue resolved?
      options:
        - {text: "Yes, completely", value: "yes"}
        - {text: "Partly", value: "partly"}
        - {text: "No", value: "no"}
    - {id: end, type: note, text: Thanks.}
    """
)

OTHER = survey(
    """
    - id: visit
      type: choice
      text: What brought you in today?
      options: [Browsing, A specific book, A gift, An event]
      other: true
    - {id: end, type: note, text: Thanks.}
    """
)

MULTI = survey(
    """
    - id: channels
      type: multi
      text: Which channels did you use?
      options: [Email, Chat, Phone, Help centre articles]
      other: true
      min_selected: 1
      max_selected: 3
    - {id: end, type: note, text: Thanks.}
    """
)


async def test_choice_by_digit_stores_the_value(tmp_path) -> None:
    h = harness(tmp_path, CHOICE)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "1 ( ) Yes, completely" in text and "3 ( ) No" in text
        await keys(pilot, "2")
        assert "2 (●) Partly" in screen_text(app)
        await keys(pilot, "enter")
        assert current_key(app) == "end"
    assert h.answers() == {"resolved": "partly"}


async def test_choice_by_arrows_and_by_mouse(tmp_path) -> None:
    h = harness(tmp_path, CHOICE)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "down", "down", "down", "up")
        assert app.screen.query_one(OptionPicker).selected == {1}
        await click_option(pilot, 2)
        assert app.screen.query_one(OptionPicker).selected == {2}
        await pilot.click("#sk-next")
        await pilot.pause()
    assert h.answers() == {"resolved": "no"}


async def test_choice_other_by_typing(tmp_path) -> None:
    h = harness(tmp_path, OTHER)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "5 ( ) Other (please say)" in screen_text(app)
        await keys(pilot, "5")
        # typing while "Other" is chosen goes into its field
        await type_text(pilot, "a [bold]reading[/bold]")
        text = screen_text(app)
        assert "a [bold]reading[/bold]" in text  # shown literally, never as markup
        await keys(pilot, "enter")
        assert current_key(app) == "end"
    assert h.answers() == {"visit": {"other": "a [bold]reading[/bold]"}}


async def test_choice_other_needs_its_text(tmp_path) -> None:
    h = harness(tmp_path, OTHER)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "5", "enter")
        assert "Please say what 'Other' is." in screen_text(app)
        assert current_key(app) == "visit"
        await keys(pilot, "1", "enter")  # changing one's mind away from Other works
    assert h.answers() == {"visit": "Browsing"}


async def test_choice_with_na(tmp_path) -> None:
    body = survey(
        """
        - id: age
          type: choice
          text: Your age group
          options: [18-24, 25-34, 35-44]
          na: true
          na_label: Prefer not to say
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Prefer not to say" in screen_text(app)
        await keys(pilot, "end", "enter")
    assert h.answers() == {"age": "N/A"}


async def test_shuffled_options_are_shown_in_the_stored_order(tmp_path) -> None:
    body = survey(
        """
        - id: fruit
          type: choice
          text: Pick one
          options: [Apple, Banana, Cherry, Damson, Elderberry, Fig, Grape, Honeydew]
          shuffle: true
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = app.screen.query_one(OptionPicker)
        on_screen = [item.text for item in picker.items]
        lines = screen_text(app).splitlines()
        drawn = [
            next(line for line in lines if f"{n} ( ) " in line).split(") ", 1)[1]
            for n in range(1, 9)
        ]
        assert drawn == on_screen
        await keys(pilot, "1", "enter")
    shown = h.events("shown")
    assert shown[0]["question_id"] == "fruit"
    assert shown[0]["data"] == {"options": on_screen}
    assert sorted(on_screen) == [
        "Apple",
        "Banana",
        "Cherry",
        "Damson",
        "Elderberry",
        "Fig",
        "Grape",
        "Honeydew",
    ]
    assert h.answers() == {"fruit": on_screen[0]}


async def test_multi_ticks_in_option_order_with_other(tmp_path) -> None:
    h = harness(tmp_path, MULTI)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Choose 1 to 3." in screen_text(app)
        await keys(pilot, "3", "down", "space")  # Phone, then the cursor moves from 3 to 4
        await keys(pilot, "1")
        text = screen_text(app)
        assert "[x] Email" in text and "[x] Phone" in text and "[x] Help centre articles" in text
        assert "(3 chosen)" in text
        await keys(pilot, "2")  # a fourth is refused
        assert "You can choose at most 3: untick one first." in screen_text(app)
        assert "[ ] Chat" in screen_text(app)
        await keys(pilot, "4", "5")  # untick Help centre, tick Other
        await type_text(pilot, "Post")
        await keys(pilot, "enter")
        assert current_key(app) == "end"
    assert h.answers() == {"channels": ["Email", "Phone", {"other": "Post"}]}


async def test_multi_minimum_and_mouse(tmp_path) -> None:
    h = harness(tmp_path, MULTI)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")
        assert "Please answer this question to continue." in screen_text(app)
        await click_option(pilot, 1)
        await click_option(pilot, 3)
        await click_option(pilot, 1)  # a second click unticks
        await pilot.click("#sk-next")
        await pilot.pause()
    assert h.answers() == {"channels": ["Help centre articles"]}


async def test_multi_na_is_exclusive(tmp_path) -> None:
    body = survey(
        """
        - id: pets
          type: multi
          text: Which pets?
          options: [Cat, Dog]
          na: true
          na_label: None of these
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "1", "2", "end", "space")
        text = screen_text(app)
        assert "[x] None of these" in text and "[ ] Cat" in text and "[ ] Dog" in text
        await keys(pilot, "enter")
    assert h.answers() == {"pets": "N/A"}


async def test_multi_minimum_message(tmp_path) -> None:
    body = survey(
        """
        - id: two
          type: multi
          text: Pick two
          options: [A, B, C]
          min_selected: 2
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "1", "enter")
        assert "Choose at least 2." in screen_text(app)
        await keys(pilot, "3", "enter")
    assert h.answers() == {"two": ["A", "C"]}
