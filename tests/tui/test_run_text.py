"""Text, number and note questions in `surveykit run`, and how typed text is shown."""

from __future__ import annotations

from textual import events

from surveykit.tui.widgets import SafeInput, SafeTextArea

try:
    from .test_run_support import SIZE, current_key, harness, keys, screen_text, survey, type_text
except ImportError:
    from test_run_support import (  # type: ignore[no-redef]
        SIZE,
        current_key,
        harness,
        keys,
        screen_text,
        survey,
        type_text,
    )

TEXT = survey(
    """
    - {id: why, type: text, text: What is the main reason?}
    - {id: end, type: note, text: Thanks.}
    """
)

MULTILINE = survey(
    """
    - {id: more, type: text, text: Anything else?, multiline: true, max_length: 20}
    - {id: end, type: note, text: Thanks.}
    """
)

NUMBER = survey(
    """
    - id: contacts
      type: number
      text: How many times did you contact us?
      min: 1
      max: 50
      integer: true
      na: true
      na_label: Don't remember
    - id: spend
      type: number
      text: How much did you spend?
      unit: EUR
      required: false
    - {id: end, type: note, text: Thanks.}
    """
)


async def test_single_line_text(tmp_path) -> None:
    h = harness(tmp_path, TEXT)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, SafeInput)
        await type_text(pilot, "Friendly staff")
        h.clock.advance(12.5)
        await keys(pilot, "enter")
        assert current_key(app) == "end"
    assert h.answers() == {"why": "Friendly staff"}
    assert h.answer_row("why")["response_ms"] == 12500


async def test_optional_text_left_empty_stores_nothing_but_is_logged(tmp_path) -> None:
    h = harness(tmp_path, TEXT)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")
        assert current_key(app) == "end"
    assert h.answers() == {}
    assert [e["question_id"] for e in h.events("skipped")] == ["why"]


async def test_pasted_escape_sequences_are_stored_raw_and_shown_safely(tmp_path) -> None:
    h = harness(tmp_path, TEXT)
    app = h.app()
    nasty = "\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x9b2J [bold]x[/bold]"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.screen.query_one(SafeInput)
        app.post_message(events.Paste(nasty))  # as the terminal driver does
        await pilot.pause()
        assert field.value == nasty
        text = screen_text(app)
        assert "␛[31mred␛[0m ␛]0;owned␇ �2J [bold]x[/bold]" in text
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        await keys(pilot, "enter")
    assert h.answers() == {"why": nasty}


async def test_multiline_paste_into_one_line_is_joined(tmp_path) -> None:
    h = harness(tmp_path, TEXT)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.post_message(events.Paste("first line\nsecond line"))
        await pilot.pause()
        await keys(pilot, "enter")
    assert h.answers() == {"why": "first line second line"}


async def test_multiline_text_with_ctrl_n_and_the_length_limit(tmp_path) -> None:
    h = harness(tmp_path, MULTILINE)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, SafeTextArea)
        await type_text(pilot, "line one")
        await keys(pilot, "enter")  # a new line, not Next
        await type_text(pilot, "and two more")
        assert current_key(app) == "more"
        assert "21 / 20 characters" in screen_text(app)
        await keys(pilot, "ctrl+n")
        assert "Please keep it under 20 characters (now 21)." in screen_text(app)
        await keys(pilot, "backspace", "backspace", "backspace", "backspace", "backspace")
        await keys(pilot, "ctrl+n")
        assert current_key(app) == "end"
    assert h.answers() == {"more": "line one\nand two"}


async def test_multiline_control_characters_are_shown_safely(tmp_path) -> None:
    h = harness(tmp_path, MULTILINE.replace("max_length: 20", "max_length: 200"))
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.post_message(events.Paste("\x1b[2Jgone?\nok"))
        await pilot.pause()
        text = screen_text(app)
        assert "␛[2Jgone?" in text and "\x1b" not in text
        await keys(pilot, "ctrl+n")
    assert h.answers() == {"more": "\x1b[2Jgone?\nok"}


async def test_number_integer_range_and_unreadable_input(tmp_path) -> None:
    h = harness(tmp_path, NUMBER)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "A whole number from 1 to 50" in text and "[ ] Don't remember" in text
        await type_text(pilot, "abc")  # letters are refused by the field itself
        assert app.screen.query_one(SafeInput).value == ""
        await type_text(pilot, "2.5")
        await keys(pilot, "enter")
        assert "Please enter a whole number." in screen_text(app)
        await keys(pilot, "backspace", "backspace", "backspace")
        await type_text(pilot, "99")
        await keys(pilot, "enter")
        assert "Please enter a number of at most 50." in screen_text(app)
        await keys(pilot, "backspace", "backspace")
        await type_text(pilot, "1..2")
        await keys(pilot, "enter")
        assert "Please enter a number, like 3 or 2.5." in screen_text(app)
        await keys(pilot, "backspace", "backspace", "backspace")
        await type_text(pilot, "2")
        await keys(pilot, "enter")
        assert current_key(app) == "spend"
        text = screen_text(app)
        assert "EUR" in text
        await type_text(pilot, "12,50")
        await keys(pilot, "enter")
        assert current_key(app) == "end"
    assert h.answers() == {"contacts": 12, "spend": 12.5}


async def test_number_not_applicable(tmp_path) -> None:
    h = harness(tmp_path, NUMBER)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "tab", "space")  # from the field to the N/A box
        assert "[x] Don't remember" in screen_text(app)
        await keys(pilot, "enter")
        assert current_key(app) == "spend"
        await pilot.click("#sk-back")
        await pilot.pause()
        assert "[x] Don't remember" in screen_text(app)  # the earlier answer is shown
        await type_text(pilot, "4")  # typing a number unticks N/A
        assert "[ ] Don't remember" in screen_text(app)
        await keys(pilot, "enter")
    assert h.answers() == {"contacts": 4}
    changed = h.events("changed")
    assert changed[0]["data"]["from"] == {"value": None, "na": True}
    assert changed[0]["data"]["to"]["value"] == 4


async def test_note_is_logged_as_shown_and_stores_nothing(tmp_path) -> None:
    body = survey(
        """
        - {id: consent, type: note, text: "This session is recorded. Press Next when ready."}
        - {id: q, type: csat}
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "This session is recorded." in screen_text(app)
        assert app.focused is not None and app.focused.id == "sk-next"
        await keys(pilot, "enter")
        assert current_key(app) == "q"
        await keys(pilot, "4", "enter")
    assert h.answers() == {"q": 4}
    assert [e["question_id"] for e in h.events("shown")] == ["consent", "q"]
