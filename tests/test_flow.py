"""The session flow (skip logic, piping, batteries, shuffling, validation) and
QuestionRun, which commits every step through the Store."""

from __future__ import annotations

import itertools
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeClock

from surveykit.definition.loader import Definition, load
from surveykit.session.questions import QuestionRun, block_context, flow_for
from surveykit.session.steps import Flow, Step, display_value, parse_number, validate_answer
from surveykit.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
STORE_FEEDBACK = load(ROOT / "surveys/store-feedback.yaml")
POST_SUPPORT = load(ROOT / "surveys/post-support.yaml")
CHECKOUT = load(ROOT / "surveys/checkout-study.yaml")

KINDS = """\
surveykit: 1
id: kinds
title: Every kind
questions:
  - {id: intro_note, type: note, text: Welcome}
  - {id: score, type: nps, text: "Score?"}
  - {id: stars, type: rating, text: Stars, min: 1, max: 4, na: true, na_label: Prefer not to say}
  - {id: pick, type: choice, text: Pick, options: [{text: Red one, value: red}, Blue], other: true}
  - {id: strict_pick, type: choice, text: Pick, options: [A, B]}
  - id: many
    type: multi
    text: Many
    options: [{text: Email us, value: email}, Chat, Phone]
    other: true
    min_selected: 1
    max_selected: 2
  - {id: words, type: text, text: Words, max_length: 10}
  - {id: must_say, type: text, text: Say it, required: true}
  - {id: count, type: number, text: Count, min: 1, max: 50, integer: true}
  - {id: amount, type: number, text: Amount, min: 0.5}
  - id: echo
    type: note
    text: "score {score}, stars {stars}, pick {pick}, many {many}"
"""


def define(text: str) -> Definition:
    return load("inline.yaml", text)


def keys(steps: list[Step]) -> list[str]:
    return [s.key for s in steps]


# --- skip logic --------------------------------------------------------------------------


def test_show_if_hides_and_unhides() -> None:
    flow = Flow(STORE_FEEDBACK.survey.questions, seed="s")
    assert keys(flow.steps()) == ["nps", "csat", "ces", "visit"]  # nps unanswered: hidden
    flow.set_answer("nps", 3)
    assert keys(flow.steps()) == ["nps", "nps_reason", "csat", "ces", "visit"]
    flow.set_answer("nps", 9)
    assert "nps_reason" not in keys(flow.steps())
    flow.set_answer("nps", None, is_na=True)
    assert "nps_reason" not in keys(flow.steps())  # N/A is a missing value


def test_stale_answers_are_listed_after_a_change() -> None:
    flow = Flow(STORE_FEEDBACK.survey.questions, seed="s")
    flow.set_answer("nps", 2)
    flow.set_answer("nps_reason", "too slow")
    assert flow.stale() == []
    flow.set_answer("nps", 10)
    assert flow.stale() == ["nps_reason"]


def test_show_if_sees_only_visible_answers() -> None:
    d = define(
        "surveykit: 1\nid: chain\ntitle: Chain\nquestions:\n"
        "  - {id: a, type: nps, text: A}\n"
        "  - {id: b, type: nps, text: B, show_if: a <= 6}\n"
        "  - {id: c, type: note, text: C, show_if: answered(b)}\n"
    )
    flow = Flow(d.survey.questions)
    flow.set_answer("a", 1)
    flow.set_answer("b", 5)
    assert keys(flow.steps()) == ["a", "b", "c"]
    flow.set_answer("a", 9)  # b hidden: its stale answer must not keep c visible
    assert keys(flow.steps()) == ["a"]
    assert flow.stale() == ["b"]


def test_next_previous_and_progress() -> None:
    flow = Flow(STORE_FEEDBACK.survey.questions, seed="s")
    assert flow.first().key == "nps"
    assert flow.next_after("nps").key == "csat"
    assert flow.progress("csat") == (2, 4)
    flow.set_answer("nps", 4)
    assert flow.next_after("nps").key == "nps_reason"
    assert flow.progress("csat") == (3, 5)
    assert flow.previous_before("csat").key == "nps_reason"
    assert flow.previous_before("nps") is None
    assert flow.next_after("visit") is None
    flow.set_answer("nps", 10)
    # from a step that just became hidden, go on in file order
    assert flow.next_after("nps_reason").key == "csat"


def test_resume_point_skips_answered_questions_and_shown_notes() -> None:
    flow = Flow(CHECKOUT.survey.questions, seed="P1")
    assert flow.resume_point().key == "consent"
    assert flow.resume_point(shown={"consent"}).key == "shop_online"
    flow.set_answer("shop_online", "Monthly")
    assert flow.resume_point(shown={"consent", "shop_online"}).key == "age_band"
    flow.set_answer("age_band", None, is_na=True)
    assert flow.resume_point(shown={"consent"}) is None


# --- piping ------------------------------------------------------------------------------


def test_piping_fills_earlier_answers() -> None:
    flow = Flow(define(KINDS).survey.questions, seed="s")
    echo = flow.step("echo")
    assert flow.text(echo) == "score …, stars …, pick …, many …"  # not answered yet
    flow.set_answer("score", 7)
    flow.set_answer("stars", None, is_na=True)
    flow.set_answer("pick", "red")
    flow.set_answer("many", ["email", "Phone", {"other": "Fax"}])
    assert flow.text(echo) == (
        "score 7, stars Prefer not to say, pick Red one, many Email us, Phone, Fax"
    )
    flow.set_answer("pick", {"other": "Green"})
    assert "pick Green," in flow.text(echo)
    assert flow.pipe("{nobody} {score}") == "… 7"


def test_piping_a_choice_value_shows_its_text() -> None:
    flow = Flow(POST_SUPPORT.survey.questions, seed="s")
    flow.set_answer("resolved", "partly")
    step = flow.step("unresolved_why")
    assert step in flow.steps()
    assert flow.text(step) == "You said 'Partly'. What is still missing?"


def test_piping_from_an_earlier_block_uses_its_questions() -> None:
    d = define(
        "surveykit: 1\nid: s\ntitle: S\n"
        "questions:\n"
        "  - {id: role, type: choice, text: Role, options: [{text: Designer, value: d}]}\n"
        "  - {id: years, type: number, text: Years, na: true, na_label: Rather not say}\n"
        "tasks:\n"
        "  after_each:\n"
        "    - seq\n"
        "    - {id: why, type: text, text: 'As {role} ({years}), why {seq}?', show_if: seq <= 3}\n"
        "  items:\n"
        "    - {id: t1, title: T, prompt: Do it}\n"
    )
    s = d.survey
    flow = flow_for(
        s.tasks.after_each,
        seed="P1",
        task_id="t1",
        context={"role": "d", "years": None},
        context_na={"years"},
        context_questions=s.questions,
    )
    assert keys(flow.steps()) == ["seq"]
    flow.set_answer("seq", 2)
    why = flow.step("why")
    assert why.task_id == "t1"
    assert flow.text(why) == "As Designer (Rather not say), why 2?"


def test_display_value() -> None:
    q = define(KINDS).survey.question("pick")
    assert display_value(q, "red") == "Red one"
    assert display_value(q, "Blue") == "Blue"
    assert display_value(q, None, True) == "Not applicable"
    assert display_value(None, None, True) == "N/A"
    assert display_value(None, 4.0) == "4"
    assert display_value(None, 4.5) == "4.5"
    assert display_value(None, ["a", "b"]) == "a, b"


# --- batteries and shuffling -------------------------------------------------------------


def test_battery_items_are_steps() -> None:
    flow = Flow(CHECKOUT.survey.after, seed="P1")
    steps = flow.steps()
    assert keys(steps) == [f"sus.{n}" for n in range(1, 11)] + ["comments"]
    first = steps[0]
    assert (first.item, first.item_count, first.kind, first.low, first.high) == (1, 10, "scale", 1, 5)
    assert first.labels[1] == "Strongly disagree" and first.labels[5] == "Strongly agree"
    assert flow.text(first) == "I think that I would like to use the website frequently."
    assert flow.title(first) == "Please rate your agreement with each statement about the website."
    assert flow.title(steps[-1]) is None
    assert flow.progress("sus.3") == (3, 11)


def test_after_each_steps_carry_the_task_id() -> None:
    flow = Flow(CHECKOUT.survey.tasks.after_each, task_id="find-shoes", seed="P1")
    (step,) = flow.steps()
    assert (step.key, step.task_id, step.low, step.high) == ("seq", "find-shoes", 1, 7)
    assert flow.text(step) == "Overall, how difficult or easy was the task to complete?"


def _visit_order(seed: str, task_id: str = "") -> list[Any]:
    flow = Flow(STORE_FEEDBACK.survey.questions, seed=seed, task_id=task_id)
    return [o.stored for o in flow.step("visit").options]


def test_option_shuffle_is_reproducible_per_seed() -> None:
    original = [o.stored for o in STORE_FEEDBACK.survey.question("visit").option_list()]
    orders = {tuple(_visit_order(f"session-{n}")) for n in range(30)}
    assert len(orders) > 5  # really shuffled
    for order in orders:
        assert sorted(order) == sorted(original)
    for n in range(5):
        assert _visit_order(f"session-{n}") == _visit_order(f"session-{n}")
    # options that do not shuffle keep their order
    flow = Flow(POST_SUPPORT.survey.questions, seed="x")
    assert [o.stored for o in flow.step("resolved").options] == ["yes", "partly", "no"]


# --- validate_answer ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def kinds_flow() -> Flow:
    return Flow(define(KINDS).survey.questions, seed="s")


@pytest.mark.parametrize(
    ("key", "value", "is_na", "message"),
    [
        # scales
        ("score", 0, False, None),
        ("score", 10, False, None),
        ("score", 11, False, "Choose a number from 0 to 10."),
        ("score", -1, False, "Choose a number from 0 to 10."),
        ("score", "5", False, "Choose a number from 0 to 10."),
        ("score", True, False, "Choose a number from 0 to 10."),
        ("score", 5.5, False, "Choose a number from 0 to 10."),
        ("score", None, False, "Please answer this question to continue."),
        ("score", None, True, "This question has no 'not applicable' choice."),
        ("stars", 4, False, None),
        ("stars", 5, False, "Choose a number from 1 to 4."),
        ("stars", None, True, None),
        # choice
        ("pick", "red", False, None),
        ("pick", "Blue", False, None),
        ("pick", "Red one", False, "Choose one of the options."),  # the stored value is 'red'
        ("pick", {"other": "Green"}, False, None),
        ("pick", {"other": "  "}, False, "Please say what 'Other' is."),
        ("strict_pick", {"other": "C"}, False, "Choose one of the options."),
        ("strict_pick", "", False, "Please answer this question to continue."),
        # multi
        ("many", ["email"], False, None),
        ("many", ["email", {"other": "Fax"}], False, None),
        ("many", ["email", {"other": ""}], False, "Please say what 'Other' is."),
        ("many", ["Email us"], False, "Choose the options that apply."),
        ("many", "email", False, "Choose the options that apply."),
        ("many", [], False, "Please answer this question to continue."),
        ("many", ["email", "Chat", "Phone"], False, "Choose at most 2."),
        # text
        ("words", "", False, None),  # text is optional by default
        ("words", None, False, None),
        ("words", "0123456789", False, None),
        ("words", "0123456789x", False, "Please keep it under 10 characters (now 11)."),
        ("words", 5, False, "Please type your answer."),
        ("must_say", "   ", False, "Please answer this question to continue."),
        ("must_say", "ok", False, None),
        # number
        ("count", 1, False, None),
        ("count", 50, False, None),
        ("count", 0, False, "Please enter a number of at least 1."),
        ("count", 51, False, "Please enter a number of at most 50."),
        ("count", 2.5, False, "Please enter a whole number."),
        ("count", 3.0, False, None),
        ("count", "3", False, "Please enter a number."),
        ("count", math.nan, False, "Please enter a number."),
        ("count", math.inf, False, "Please enter a number."),
        ("amount", 0.4, False, "Please enter a number of at least 0.5."),
        ("amount", 0.5, False, None),
        ("amount", 1e9, False, None),
    ],
)
def test_validate_answer(kinds_flow: Flow, key: str, value: Any, is_na: bool, message: str | None) -> None:
    assert validate_answer(kinds_flow.step(key), value, is_na=is_na) == message


def test_multi_min_selected(kinds_flow: Flow) -> None:
    d = define(
        "surveykit: 1\nid: m\ntitle: M\nquestions:\n"
        "  - {id: m, type: multi, text: M, options: [a, b, c], min_selected: 2, required: false}\n"
    )
    step = Flow(d.survey.questions).step("m")
    assert validate_answer(step, ["a"]) == "Choose at least 2."
    assert validate_answer(step, ["a", "b"]) is None
    assert validate_answer(step, []) is None  # optional: may be left empty


def test_step_kinds(kinds_flow: Flow) -> None:
    kinds = {s.key: s.kind for s in kinds_flow.steps()}
    assert kinds["score"] == kinds["stars"] == "scale"
    assert kinds["pick"] == "choice" and kinds["many"] == "multi"
    assert kinds["words"] == "text" and kinds["count"] == "number"
    assert kinds["intro_note"] == "note"
    note = kinds_flow.step("intro_note")
    assert not note.stores_answer and not note.required


@pytest.mark.parametrize(
    ("text", "integer", "expected"),
    [
        ("3", False, 3),
        ("  42 ", False, 42),
        ("-3", False, -3),
        ("+7", False, 7),
        ("2.5", False, 2.5),
        ("2,5", False, 2.5),
        (".5", False, 0.5),
        ("3.", False, 3.0),
        ("3.0", False, 3.0),
        ("3.0", True, 3),
        ("1 000", False, 1000),
        ("1\u00a0000", False, 1000),
        ("", False, None),
        ("abc", False, None),
        ("1e5", False, None),
        ("inf", False, None),
        ("nan", False, None),
        ("1.2.3", False, None),
        ("1,2,3", False, None),
        ("--1", False, None),
    ],
)
def test_parse_number(text: str, integer: bool, expected: int | float | None) -> None:
    got = parse_number(text, integer=integer)
    assert got == expected
    assert type(got) is type(expected)


# --- QuestionRun: committing through the Store -------------------------------------------


def _run(store: Store, definition: Definition, mono: FakeClock | None = None, seed: str = "S1"):
    sid = store.start_session(definition, "run")
    flow = flow_for(list(definition.survey.questions), seed=seed)
    return sid, QuestionRun(store, sid, flow, mono=mono or FakeClock(t=100.0))


def _kinds(store: Store, sid: int) -> list[tuple[str, str | None]]:
    return [(e["kind"], e["question_id"]) for e in store.events(sid)]


def test_question_run_commits_each_answer(store: Store) -> None:
    mono = FakeClock(t=100.0)
    sid, run = _run(store, STORE_FEEDBACK, mono)
    assert run.start().key == "nps"
    assert run.progress() == (1, 4)
    assert not run.can_go_back
    mono.advance(2.5)
    assert run.submit(3) is None
    ans = store.answers(sid)[("", "nps")]
    assert (ans.value, ans.is_na, ans.response_ms) == (3, False, 2500)
    assert ans.shown_at is not None
    assert run.current.key == "nps_reason"
    assert run.text() == "You chose 3. What is the main reason for your score?"
    assert run.progress() == (2, 5)
    assert run.can_go_back
    assert run.value(run.flow.step("nps")) == (3, False)


def test_invalid_answer_is_not_stored(store: Store) -> None:
    sid, run = _run(store, STORE_FEEDBACK)
    run.start()
    assert run.submit(11) == "Choose a number from 0 to 10."
    assert run.submit(None) == "Please answer this question to continue."
    assert run.current.key == "nps"
    assert store.answers(sid) == {}
    assert [k for k, _ in _kinds(store, sid)] == ["session_start", "shown"]


def test_change_hides_a_question_and_clears_its_answer(store: Store) -> None:
    sid, run = _run(store, STORE_FEEDBACK)
    run.start()
    run.submit(3)
    run.submit("too slow")
    assert ("", "nps_reason") in store.answers(sid)
    assert run.back().key == "nps_reason"
    assert run.back().key == "nps"
    assert run.back() is None  # nothing before the first question
    run.submit(9)
    assert run.current.key == "csat"  # the reason is no longer asked
    answers = store.answers(sid)
    assert answers[("", "nps")].value == 9
    assert ("", "nps_reason") not in answers
    events = store.events(sid)
    changed = [e for e in events if e["kind"] == "changed"]
    assert [(e["question_id"], e["data"]["from"]["value"], e["data"]["to"]["value"]) for e in changed] == [
        ("nps", 3, 9)
    ]
    cleared = [e for e in events if e["kind"] == "cleared"]
    assert len(cleared) == 1
    assert cleared[0]["question_id"] == "nps_reason"
    assert cleared[0]["data"]["value"] == "too slow"
    assert "skip logic" in cleared[0]["data"]["reason"]
    assert sum(e["kind"] == "back" for e in events) == 2
    assert run.flow.answers.keys() == {"nps"}


def test_optional_question_left_empty_and_emptied(store: Store) -> None:
    sid, run = _run(store, STORE_FEEDBACK)
    run.start()
    run.submit(2)
    run.submit("")  # nps_reason is optional
    assert ("", "nps_reason") not in store.answers(sid)
    assert ("skipped", "nps_reason") in _kinds(store, sid)
    run.back()
    run.submit("now I know")
    run.back()
    run.submit("")
    assert ("", "nps_reason") not in store.answers(sid)
    cleared = [e for e in store.events(sid) if e["kind"] == "cleared"]
    assert cleared[-1]["data"]["reason"] == "emptied"


def test_na_answer_is_stored_as_na(store: Store) -> None:
    sid, run = _run(store, STORE_FEEDBACK)
    run.start()
    run.submit(8)
    run.submit(5)  # csat
    assert run.current.key == "ces"
    assert run.submit(None, is_na=True) is None
    ans = store.answers(sid)[("", "ces")]
    assert (ans.value, ans.is_na) == (None, True)
    assert run.value(run.flow.step("ces")) == (None, True)


def test_shuffled_options_are_stored_in_the_shown_event(store: Store) -> None:
    sid, run = _run(store, STORE_FEEDBACK, seed="kiosk-17")
    run.start()
    for value in (10, 5, 7):
        run.submit(value)
    step = run.current
    assert step.key == "visit"
    shown = [e for e in store.events(sid) if e["kind"] == "shown" and e["question_id"] == "visit"]
    assert shown[-1]["data"] == {"options": [o.stored for o in step.options]}
    assert [o.stored for o in step.options] == _visit_order("kiosk-17")
    # unshuffled questions log no order
    assert all(e["data"] is None for e in store.events(sid) if e["kind"] == "shown" and e["question_id"] != "visit")
    run.submit({"other": "Coffee"})
    assert run.finished and run.current is None
    assert store.answers(sid)[("", "visit")].value == {"other": "Coffee"}
    assert run.progress() == (4, 4)


def test_notes_are_shown_not_stored_and_resume_goes_past_them(store: Store) -> None:
    sid, run = _run(store, CHECKOUT, seed="P3")
    assert run.start().key == "consent"
    run.submit()
    assert store.answers(sid) == {}
    run.submit("Monthly")
    assert run.current.key == "age_band"

    # a new process picks the session up: the note is not shown again
    resumed = QuestionRun(store, sid, flow_for(list(CHECKOUT.survey.questions), seed="P3"))
    assert resumed.load_answers(store.answers(sid)) == 1
    assert resumed.start().key == "age_band"
    resumed.submit(None, is_na=True)
    assert resumed.finished
    assert resumed.start() is None


def test_resume_of_a_finished_block_and_back_from_the_end(store: Store) -> None:
    _sid, run = _run(store, POST_SUPPORT)
    run.start()
    for value in ("yes", 5, 2, 3, ["Chat"]):
        assert run.submit(value) is None, run.current
    assert run.current.key == "agent_rating"  # unresolved_why hidden: resolved is 'yes'
    run.submit(9)
    assert run.finished
    assert run.back().key == "agent_rating"


def test_after_each_block_is_stored_per_task(store: Store) -> None:
    sid = store.start_session(CHECKOUT, "moderate", participant="P1")
    store.record_answer(sid, "shop_online", "Weekly or more")
    opening = QuestionRun(store, sid, flow_for(list(CHECKOUT.survey.questions), seed="P1"))
    opening.load_answers(store.answers(sid))
    runs = [opening]
    context, na = block_context(runs)
    assert context == {"shop_online": "Weekly or more"} and na == set()
    for task_id, value in (("find-shoes", 6), ("apply-coupon", 2)):
        flow = flow_for(list(CHECKOUT.survey.tasks.after_each), seed="P1", task_id=task_id, context=context)
        run = QuestionRun(store, sid, flow)
        runs.append(run)
        assert run.start().key == "seq"
        run.submit(value)
        assert run.finished
    answers = store.answers(sid)
    assert answers[("find-shoes", "seq")].value == 6
    assert answers[("apply-coupon", "seq")].value == 2
    # block_context holds only the main questions
    assert block_context(runs)[0] == {"shop_online": "Weekly or more"}


def test_every_step_of_every_example_can_be_answered(store: Store) -> None:
    """Walk each example with valid answers: every visible step accepts one."""
    samples = {
        "scale": lambda s: s.high,
        "choice": lambda s: s.options[0].stored,
        "multi": lambda s: [s.options[0].stored],
        "text": lambda s: "fine",
        "number": lambda s: s.question.min if s.question.min is not None else 1,
        "note": lambda s: None,
    }
    for definition in (STORE_FEEDBACK, POST_SUPPORT, CHECKOUT):
        survey = definition.survey
        blocks = [list(survey.questions), list(survey.after)]
        sid = store.start_session(definition, "preview")
        for questions in blocks:
            run = QuestionRun(store, sid, flow_for(questions, seed="walk"))
            step = run.start()
            for _ in itertools.count():
                if step is None:
                    break
                assert run.submit(samples[step.kind](step)) is None, step.key
                step = run.current
            assert run.finished
        stored = {k for _, k in store.answers(sid)}
        expected = {
            s.key
            for qs in blocks
            for s in Flow(qs, answers={}).steps()
            if s.stores_answer
        }
        assert expected <= stored


@pytest.mark.parametrize("writer_kind", ["store", "kiosk_writer"])
def test_one_survey_session_runs_on_the_store_and_on_the_kiosk_writer(
    tmp_path: Path, db_path: Path, writer_kind: str
) -> None:
    """The one block loop (`SurveySession`) over a `SessionWriter`: the Store, or the
    kiosk's queued writer; later blocks see the main answers for skip logic."""
    from surveykit.session.survey import SurveySession
    from surveykit.storage.kiosk_writer import KioskWriter

    path = tmp_path / "two.yaml"
    path.write_text(
        textwrap.dedent(
            """\
        surveykit: 1
        id: two-blocks
        title: Two blocks
        questions:
          - {id: nps, type: nps, text: Recommend us?}
        after:
          - {id: fan, type: text, text: "You gave {nps}. Why?", show_if: nps >= 9, required: false}
          - {id: bye, type: csat, text: Satisfied?}
        """
        )
    )
    definition = load(path)
    db = db_path
    writer = Store(db) if writer_kind == "store" else KioskWriter(db)
    session = SurveySession.begin(writer, definition, "kiosk", seed="s")
    seen = []
    while (nxt := session.next_block()) is not None:
        _, run = nxt
        while run.current is not None:
            seen.append((run.current.key, run.text()))
            run.submit({"nps": 10, "fan": "great", "bye": 5}[run.current.key])
    session.complete()
    assert seen == [("nps", "Recommend us?"), ("fan", "You gave 10. Why?"), ("bye", "Satisfied?")]
    with Store(db) as check:
        (row,) = check.sessions("two-blocks")
        assert row.status == "completed"
        assert {k[1]: a.value for k, a in check.answers(row.id).items()} == {
            "nps": 10,
            "fan": "great",
            "bye": 5,
        }
