"""A study on several screens (no UI): who answers which block, following the
console through the events log, observers' notes with tags and task times."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FakeClock

from surveykit.definition.loader import Definition, load
from surveykit.session.errors import StudyError
from surveykit.session.study import StudySession
from surveykit.session.tags import parse_tags
from surveykit.session.team import (
    ConsoleLink,
    ObserverLink,
    ParticipantLink,
    find_session,
    live_sessions,
)
from surveykit.storage.store import Store

STUDY = """\
surveykit: 1
id: team-study
title: Team study
intro: Thank you for coming.
questions:
  - {id: consent, type: note, text: Ready?}
tasks:
  order: fixed
  after_each: [seq]
  items:
    - {id: alpha, title: Alpha task, prompt: Do alpha., success: Alpha done, time_limit_s: 60}
    - {id: beta, title: Beta task, prompt: Do beta.}
after:
  - {id: overall, type: csat}
"""


@pytest.fixture
def definition(tmp_path: Path) -> Definition:
    path = tmp_path / "team.yaml"
    path.write_text(STUDY)
    return load(path)


@pytest.fixture
def stores(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Store, Store, Store]]:
    """Three connections to one file: the console, the participant screen, an observer."""
    made = [Store(tmp_path / "team.db", wall=clock.wall, mono=clock) for _ in range(3)]
    yield made[0], made[1], made[2]
    for s in made:
        s.close()


def answer_block(link: ParticipantLink, *values: object) -> None:
    view = link.view()
    assert view.kind == "questions"
    assert link.claim(view)
    run = link.question_run(view)
    run.start()
    for v in values:
        assert run.submit(v) is None
    assert run.finished
    link.finish_block(view)


def test_tags_are_free_words_lower_cased_once() -> None:
    assert parse_tags("#Nav clicked the logo #pain-point, (#checkout/coupon) #nav") == [
        "nav",
        "pain-point",
        "checkout/coupon",
    ]
    assert parse_tags("issue#12 in C# is not a tag; # alone neither") == []


def test_participant_screen_follows_and_answers_every_block(
    definition: Definition, stores: tuple[Store, Store, Store], clock: FakeClock
) -> None:
    console_store, part_store, _ = stores
    study = StudySession.begin(console_store, definition, "P7", now=clock)
    console = ConsoleLink(console_store, study, mono=clock)
    assert len(console.code) == 4
    assert find_session(part_store, code=console.code.lower()).id == study.session_id
    assert find_session(part_store, participant="P7").id == study.session_id

    part = ParticipantLink(part_store, study.session_id, mono=clock)
    console.poll()
    assert console.participant_joined
    # the opening questions are the participant screen's, never the console's
    assert console.decide() == "participant"
    view = part.view()
    assert (view.kind, view.block) == ("questions", "questions")
    assert part.intro_due(view)
    answer_block(part, None)
    assert console.poll()  # the block_end the participant screen logged
    assert study.phase == "tasks"

    # a task running: the participant sees its prompt (the view carries the Task)
    assert not part.poll() or part.view().kind == "wait"
    study.start()
    assert part.poll()
    view = part.view()
    assert view.kind == "task" and view.task is not None and view.position == 1
    study.end("success")
    study.next()
    assert part.poll()
    view = part.view()
    assert (view.kind, view.block, view.key) == ("questions", "after_each", "after_each:alpha")
    answer_block(part, 6)
    assert console.poll() and study.phase == "tasks"
    answers = console_store.answers(study.session_id)
    assert answers[("alpha", "seq")].value == 6

    study.skip()
    study.next()
    assert study.phase == "after"
    assert part.poll() and part.view().block == "after"
    answer_block(part, 4)
    assert console.poll() and study.phase == "done"
    study.complete()
    assert part.poll() and part.view().kind == "done"


def test_without_a_participant_screen_the_console_asks_itself(
    definition: Definition, stores: tuple[Store, Store, Store], clock: FakeClock
) -> None:
    console_store, part_store, _ = stores
    study = StudySession.begin(console_store, definition, "P1", now=clock)
    console = ConsoleLink(console_store, study, mono=clock)
    assert console.decide() == "console"
    kinds = [e["kind"] for e in console_store.events(study.session_id)]
    assert "block_claim" not in kinds  # the one-terminal flow logs what it always did
    # a participant screen joining now waits: the console holds the block
    part = ParticipantLink(part_store, study.session_id, mono=clock)
    view = part.view()
    assert view.kind == "elsewhere"
    assert not part.claim(part.view().__class__("questions", "questions", "questions"))


def test_a_participant_screen_that_is_gone_can_be_taken_over_and_rejoin_resumes(
    definition: Definition, stores: tuple[Store, Store, Store], clock: FakeClock
) -> None:
    console_store, part_store, _ = stores
    study = StudySession.begin(console_store, definition, "P2", now=clock)
    console = ConsoleLink(console_store, study, mono=clock)
    part = ParticipantLink(part_store, study.session_id, mono=clock)
    answer_block(part, None)
    console.poll()
    study.start()
    study.end("fail")
    study.next()
    part.poll()
    view = part.view()
    assert part.claim(view)
    run = part.question_run(view)
    run.start()  # SEQ shown, not answered: the screen "crashes"
    part.leave()

    # it comes back: same block, same question
    again = ParticipantLink(part_store, study.session_id, mono=clock)
    view = again.view()
    assert view.key == "after_each:alpha" and again.claim(view)
    run = again.question_run(view)
    assert run.start() is not None and run.current is not None and run.current.key == "seq"
    again.leave()

    # gone again: the console sees no participant screen; Enter takes the block over
    console.poll()
    assert console.decide() == "participant"  # still held by the screen that left
    assert console.decide(take_over=True) == "console"
    claims = [e["data"] for e in console_store.events(study.session_id) if e["kind"] == "block_claim"]
    assert claims[-1] == {"key": "after_each:alpha", "by": "console", "taken_over": True}


def test_observers_follow_and_note_with_tags_task_time_and_name(
    definition: Definition, stores: tuple[Store, Store, Store], clock: FakeClock
) -> None:
    console_store, _, obs_store = stores
    study = StudySession.begin(console_store, definition, "P3", now=clock)
    console = ConsoleLink(console_store, study, mono=clock)
    assert [s.id for s in live_sessions(obs_store, "team-study")] == [study.session_id]
    dana = ObserverLink(obs_store, study.session_id, name="Dana", mono=clock)
    dana.note("Arrived late #logistics")
    study.finish_block("questions")
    study.start()
    clock.advance(12.5)
    assert dana.poll()
    assert dana.task_ms() == 12_500
    assert dana.note("Missed the #nav menu #Pain") == ["nav", "pain"]
    console.poll()
    alpha = study.task("alpha")
    assert alpha.notes == 1 and alpha.log[-1].endswith("note (Dana): Missed the #nav menu #Pain")
    study.note("She hesitated #nav")
    notes = [e for e in console_store.notes(study.session_id)]
    assert [n["data"].get("tags") for n in notes] == [["logistics"], ["nav", "pain"], ["nav"]]
    assert notes[1]["task_id"] == "alpha" and notes[1]["data"]["task_ms"] == 12_500
    assert notes[1]["data"]["by"] == "Dana" and notes[0]["task_id"] is None
    with pytest.raises(StudyError):
        dana.note("   ")
    # the console's own note is not counted twice when it reads the log back
    console.poll()
    assert alpha.notes == 2


def test_a_block_the_console_left_unfinished_goes_to_a_participant_screen_that_joins(
    definition: Definition, stores: tuple[Store, Store, Store], clock: FakeClock
) -> None:
    console_store, part_store, _ = stores
    study = StudySession.begin(console_store, definition, "P4", now=clock)
    console = ConsoleLink(console_store, study, mono=clock)
    assert console.decide() == "console"
    console.asked()  # the first block asked here
    study.finish_block("questions")
    study.start()
    study.end("success")
    study.next()
    assert console.decide() == "console"  # the SEQ, here too, then left unfinished
    console.asked()
    part = ParticipantLink(part_store, study.session_id, mono=clock)
    view = part.view()
    assert view.kind == "questions" and part.claim(view)
    assert console.decide() == "participant"
