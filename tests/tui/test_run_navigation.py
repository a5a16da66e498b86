"""Navigation in `surveykit run`: intro/outro, back and next, changes, skip logic, piping, quitting."""

from __future__ import annotations

from pathlib import Path

from surveykit.session.questions import QuestionRun, flow_for
from surveykit.tui.app import SurveykitApp
from surveykit.tui.screens import ConfirmQuitScreen, IntroScreen, OutroScreen, QuestionsScreen
from surveykit.tui.widgets import ScaleInput

try:
    from .test_run_support import (
        SIZE,
        current_key,
        harness,
        keys,
        questions_screen,
        screen_text,
        survey,
        type_text,
    )
except ImportError:
    from test_run_support import (  # type: ignore[no-redef]
        SIZE,
        current_key,
        harness,
        keys,
        questions_screen,
        screen_text,
        survey,
        type_text,
    )

REPO = Path(__file__).resolve().parents[2]

FEEDBACK = survey(
    """
    - {id: nps, type: nps, text: How likely are you to recommend Corner Books?}
    - id: nps_reason
      type: text
      text: "You chose {nps}. What is the main reason for your score?"
      required: false
      show_if: nps <= 6
    - {id: csat, type: csat, text: How satisfied were you with your visit today?}
    """,
    extra="intro: Three quick questions.\noutro: Thank you! Your answers help us improve.\n",
)


async def test_whole_survey_with_intro_and_outro(tmp_path) -> None:
    h = harness(tmp_path, FEEDBACK)
    app = h.app(participant="P7", device="till-2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, IntroScreen)
        text = screen_text(app)
        assert "Three quick questions." in text and "Start" in text
        await keys(pilot, "enter")
        assert current_key(app) == "nps"
        await keys(pilot, "9", "enter")
        assert current_key(app) == "csat"  # 9 > 6: the reason is skipped
        await keys(pilot, "5", "enter")
        assert isinstance(app.screen, OutroScreen)
        assert "Thank you! Your answers help us improve." in screen_text(app)
        # the session is complete before the thank-you screen is even shown
        assert h.last_session()["status"] == "completed"
        await keys(pilot, "enter")
    assert app.return_value is not None and app.return_value.status == "completed"
    assert app.return_value.answers == 2
    session = h.last_session()
    assert (session["mode"], session["participant"], session["device"]) == ("run", "P7", "till-2")
    assert session["ended_at"] is not None
    assert h.answers() == {"nps": 9, "csat": 5}
    kinds = [e["kind"] for e in h.events()]
    assert kinds == [
        "session_start", "intro_shown", "shown", "answered", "shown", "answered",
        "outro_shown", "session_end",
    ]  # fmt: skip


async def test_skip_logic_and_piping(tmp_path) -> None:
    h = harness(tmp_path, FEEDBACK)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter", "4", "enter")
        assert current_key(app) == "nps_reason"
        assert "You chose 4. What is the main reason for your score?" in screen_text(app)
        assert "Question 2 of 3" in screen_text(app)
        await type_text(pilot, "Too few chairs")
        await keys(pilot, "enter", "3", "enter", "enter")
    assert h.answers() == {"nps": 4, "nps_reason": "Too few chairs", "csat": 3}


async def test_back_shows_the_answer_and_a_change_keeps_the_old_one_in_events(tmp_path) -> None:
    h = harness(tmp_path, FEEDBACK)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter", "4", "enter")
        await type_text(pilot, "Too few chairs")
        await keys(pilot, "enter")
        assert current_key(app) == "csat"
        await keys(pilot, "pageup")
        assert current_key(app) == "nps_reason"
        assert "Too few chairs" in screen_text(app)
        await pilot.click("#sk-back")
        await pilot.pause()
        assert current_key(app) == "nps"
        assert app.screen.query_one(ScaleInput).selected == 4
        assert "Your answer: 4" in screen_text(app)
        # the first step has no way back
        assert app.screen.query_one("#sk-back").disabled
        await keys(pilot, "pageup")
        assert current_key(app) == "nps"
        # now a promoter: the reason no longer applies and is cleared
        await keys(pilot, "9", "enter")
        assert current_key(app) == "csat"
        assert "Question 2 of 2" in screen_text(app)
        await keys(pilot, "2", "enter", "enter")
    assert h.answers() == {"nps": 9, "csat": 2}
    changed = h.events("changed")
    assert [
        (e["question_id"], e["data"]["from"]["value"], e["data"]["to"]["value"]) for e in changed
    ] == [("nps", 4, 9)]
    cleared = h.events("cleared")
    assert [(e["question_id"], e["data"]["value"]) for e in cleared] == [
        ("nps_reason", "Too few chairs")
    ]
    assert [e["question_id"] for e in h.events("back")] == ["csat", "nps_reason"]


async def test_going_back_and_on_without_a_change_keeps_one_answer(tmp_path) -> None:
    h = harness(tmp_path, FEEDBACK)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter", "8", "enter", "pageup", "enter")
        assert current_key(app) == "csat"
    assert h.answers() == {"nps": 8}
    assert h.events("changed") == []


async def test_timings_are_recorded_with_a_frozen_clock(tmp_path) -> None:
    h = harness(tmp_path, FEEDBACK)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        h.clock.advance(1.0)
        await keys(pilot, "enter")  # shown at t+1 s
        h.clock.advance(3.5)
        await keys(pilot, "9", "enter")  # answered at t+4.5 s
        h.clock.advance(0.75)
        await keys(pilot, "5")
        h.clock.advance(0.25)
        await keys(pilot, "enter")
    nps, csat = h.answer_row("nps"), h.answer_row("csat")
    assert (nps["shown_at"], nps["answered_at"], nps["response_ms"]) == (
        "2026-11-22T10:15:04.123Z",
        "2026-11-22T10:15:07.623Z",
        3500,
    )
    assert (csat["shown_at"], csat["answered_at"], csat["response_ms"]) == (
        "2026-11-22T10:15:07.623Z",
        "2026-11-22T10:15:08.623Z",
        1000,
    )
    answered = h.events("answered")
    assert [e["elapsed_ms"] for e in answered] == [4500, 5500]


async def test_quit_asks_and_leaving_marks_the_session_abandoned(tmp_path) -> None:
    h = harness(tmp_path, FEEDBACK)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter", "9", "enter")
        await keys(pilot, "ctrl+q")
        assert isinstance(app.screen, ConfirmQuitScreen)
        assert "Leave the survey?" in screen_text(app)
        await keys(pilot, "escape")  # stay
        assert current_key(app) == "csat"
        await keys(pilot, "ctrl+q")
        await pilot.click("#sk-leave")
        await pilot.pause()
    assert app.return_value is not None
    assert (app.return_value.status, app.return_value.answers) == ("abandoned", 1)
    assert h.last_session()["status"] == "abandoned"
    assert h.answers() == {"nps": 9}


async def test_preview_mode_is_stored_and_shown(tmp_path) -> None:
    h = harness(tmp_path, FEEDBACK)
    app = h.app(mode="preview")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")
        assert "Test survey · preview (not scored)" in screen_text(app)
    assert h.last_session()["mode"] == "preview"


async def test_definition_text_is_never_markup(tmp_path) -> None:
    body = survey(
        """
        - id: q
          type: choice
          text: "Is [bold]this[/bold] \\x1b[31mred\\x1b[0m?"
          help: "[link=https://example.com]help[/link]"
          options: ["[i]yes[/i]", "no"]
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Is [bold]this[/bold] ␛[31mred␛[0m?" in text
        assert "[link=https://example.com]help[/link]" in text
        assert "( ) [i]yes[/i]" in text


async def test_questions_screen_alone_dismisses_true_when_done(tmp_path) -> None:
    """The shared contract: kiosk and moderator push QuestionsScreen in their own app."""
    h = harness(tmp_path, survey("- {id: q, type: seq}"))
    session_id = h.store.start_session(h.definition, "kiosk")
    run = QuestionRun(
        h.store, session_id, flow_for(h.definition.survey.questions, seed="s"), mono=h.clock
    )
    results: list[bool | None] = []

    class Host(SurveykitApp[None]):
        def on_mount(self) -> None:
            self.push_screen(QuestionsScreen(run, heading="Kiosk", big=True), results.append)

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = questions_screen(app)
        assert screen.has_class("-big")
        assert "Kiosk" in screen_text(app)
        await keys(pilot, "6", "enter")
        await pilot.pause()
        assert results == [True]
    assert h.answers(session_id) == {"q": 6}


async def test_block_with_nothing_to_show_dismisses_at_once(tmp_path) -> None:
    body = survey(
        """
        - {id: a, type: nps}
        - {id: b, type: text, text: Why?, show_if: a <= 6}
        """
    )
    h = harness(tmp_path, body)
    session_id = h.store.start_session(h.definition, "kiosk")
    h.store.record_answer(session_id, "a", 10)
    flow = flow_for(h.definition.survey.questions[1:], seed="s", context={"a": 10})
    run = QuestionRun(h.store, session_id, flow, mono=h.clock)
    results: list[bool | None] = []

    class Host(SurveykitApp[None]):
        def on_mount(self) -> None:
            self.push_screen(QuestionsScreen(run), results.append)

    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert results == [True]


async def test_tab_order_follows_the_screen(tmp_path) -> None:
    body = survey(
        """
        - {id: a, type: csat}
        - {id: n, type: number, text: How many?, na: true}
        """
    )
    h = harness(tmp_path, body)
    app = h.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [w.id for w in app.screen.focus_chain] == ["scale", "sk-next"]  # Back is disabled
        await keys(pilot, "3", "enter")
        assert [w.id for w in app.screen.focus_chain] == ["number", "na", "sk-back", "sk-next"]
        assert app.focused is not None and app.focused.id == "number"
        await keys(pilot, "tab")
        assert app.focused.id == "na"
        await keys(pilot, "tab", "tab")
        assert app.focused.id == "sk-next"
        await keys(pilot, "shift+tab")
        assert app.focused.id == "sk-back"


async def test_study_preview_runs_questions_after_each_once_and_after(tmp_path) -> None:
    body = (REPO / "surveys" / "checkout-study.yaml").read_text().replace(
        "title: Checkout usability study, round 2", "title: Checkout study"
    )
    h = harness(tmp_path, body)
    app = h.app(mode="preview")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot, "enter")  # intro
        await keys(pilot, "enter")  # consent note
        await keys(pilot, "2", "enter", "end", "enter")  # shop_online, age_band: N/A
        assert "after each task" in screen_text(app)
        await keys(pilot, "6", "enter")  # SEQ
        for _ in range(10):
            await keys(pilot, "4", "enter")
        await type_text(pilot, "Fine")
        await keys(pilot, "ctrl+n")
    assert app.return_value is not None and app.return_value.status == "completed"
    rows = h.rows("SELECT task_id, question_id FROM answers ORDER BY rowid")
    assert [(r["task_id"], r["question_id"]) for r in rows] == [
        ("", "shop_online"),
        ("", "age_band"),
        ("find-shoes", "seq"),
        *[("", f"sus.{n}") for n in range(1, 11)],
        ("", "comments"),
    ]
    assert h.last_session()["mode"] == "preview"
