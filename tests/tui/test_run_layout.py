"""Every kind of step fits an 80×24 terminal without scrolling, and larger terminals get more room."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll

from surveykit.tui.widgets import ScaleInput

try:
    from .test_run_support import current_key, harness, keys, screen_text, survey
except ImportError:
    from test_run_support import (  # type: ignore[no-redef]
        current_key,
        harness,
        keys,
        screen_text,
        survey,
    )

ALL_TYPES = survey(
    """
    - {id: nps, type: nps, text: "How likely are you to recommend Corner Books to a friend or colleague?"}
    - {id: csat, type: csat, text: How satisfied were you with your visit today?, help: Think of today only.}
    - {id: ces, type: ces, text: Corner Books made it easy for me to find what I needed., na: true}
    - {id: seq, type: seq}
    - id: rating
      type: rating
      text: How would you rate the person who helped you?
      min: 1
      max: 10
      labels: {1: Poor, 10: Excellent}
      na: true
      na_label: Prefer not to say
    - {id: sus, type: sus, product: the website}
    - {id: umux, type: umux_lite}
    - id: choice
      type: choice
      text: What brought you in today?
      options: [Browsing, A specific book, A gift, An event, A coffee, A reading]
      other: true
      na: true
    - id: multi
      type: multi
      text: Which channels did you use? (choose all that apply)
      options: [Email, Chat, Phone, Help centre articles, Community forum, Social media]
      other: true
      min_selected: 1
    - {id: text, type: text, text: What is the main reason for your score?}
    - {id: long, type: text, text: Anything else you would like to tell us?, multiline: true}
    - {id: number, type: number, text: How many times did you contact us?, unit: times, min: 1, max: 50, na: true}
    - {id: note, type: note, text: "This session is recorded for research only. You may stop at any time."}
    """
)

ANSWERS = {
    "nps": ["9"],
    "csat": ["4"],
    "ces": ["5"],
    "seq": ["6"],
    "rating": ["8"],
    **{f"sus.{n}": ["3"] for n in range(1, 11)},
    "umux.1": ["5"],
    "umux.2": ["6"],
    "choice": ["2"],
    "multi": ["1", "3"],
    "text": ["o", "k"],
    "long": ["o", "k"],
    "number": ["3"],
    "note": [],
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_step_fits_without_scrolling(tmp_path, size) -> None:
    h = harness(tmp_path, ALL_TYPES)
    app = h.app()
    seen: list[str] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        while (key := current_key(app)) is not None and key not in seen:
            seen.append(key)
            body = app.screen.query_one("#sk-body", VerticalScroll)
            text = screen_text(app)
            assert body.max_scroll_y == 0, f"{key} needs scrolling at {size}:\n{text}"
            assert "Next →" in text or "Finish ✓" in text
            assert "Back" in text and "Question" in text
            await keys(pilot, *ANSWERS[key])
            if key == "long":
                await keys(pilot, "ctrl+n")
            else:
                await keys(pilot, "enter")
            if app.return_value is not None:
                break
    assert seen == list(ANSWERS)
    assert h.last_session()["status"] == "completed"
    stored = h.answers()
    assert stored["multi"] == ["Email", "Phone"] and stored["choice"] == "A specific book"
    assert stored["long"] == "ok" and stored["number"] == 3 and "note" not in stored


async def test_boxes_grow_on_a_tall_terminal(tmp_path) -> None:
    h = harness(tmp_path, survey("- {id: q, type: csat}"))
    for size, height in (((80, 24), 3), ((120, 40), 5)):
        app = h.app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            text = screen_text(app).splitlines()
            top = next(i for i, line in enumerate(text) if "╭" in line)
            bottom = next(i for i, line in enumerate(text) if "╰" in line)
            assert bottom - top + 1 == height
            scale = app.screen.query_one(ScaleInput)
            assert scale.size.width >= (size[0] - 10)
