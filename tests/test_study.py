"""The moderated-session domain (no UI): actions write through, resume rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveykit.definition.loader import Definition, load
from surveykit.scoring.stats import sus_grade, sus_respondent
from surveykit.session.participants import open_study, participants, suggest_participant
from surveykit.session.study import CHECKPOINT_MS, StudyError, StudySession
from surveykit.session.summary import study_summary
from surveykit.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent

TWO_TASKS = """\
surveykit: 1
id: two-tasks
title: Two-task study
questions:
  - {id: consent, type: note, text: Ready?}
tasks:
  order: fixed
  after_each: [seq]
  items:
    - {id: alpha, title: Alpha task, prompt: Do alpha., success: Alpha done, time_limit_s: 60}
    - {id: beta, title: Beta task, prompt: Do beta.}
  error_codes: [navigation, form]
after: [sus]
"""


@pytest.fixture
def definition(tmp_path: Path) -> Definition:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_TASKS)
    return load(path)


def kinds(store: Store, sid: int, task_id: str | None = None) -> list[str]:
    return [e["kind"] for e in store.events(sid) if task_id is None or e["task_id"] == task_id]


def run_of(store: Store, sid: int, task_id: str) -> dict:
    return next(r for r in store.task_runs(sid) if r["task_id"] == task_id)


def crash(store: Store, path: Path) -> Store:
    """The process dies: its Store is gone without finishing anything."""
    store.close()
    return Store(path)


def test_begin_stores_the_order_and_starts_on_the_questions(store, definition, clock):
    s = StudySession.begin(store, definition, "P2", now=clock)
    row = store.session(s.session_id)
    assert row.mode == "moderate" and row.participant == "P2"
    assert row.task_order == ["alpha", "beta"] == s.order
    assert s.phase == "questions"
    s.finish_block("questions")
    assert s.phase == "tasks" and s.current is not None and s.current.id == "alpha"


def test_latin_square_order_differs_by_participant(store):
    d = load(ROOT / "surveys" / "checkout-study.yaml")
    orders = {tuple(StudySession.begin(store, d, f"P{n}").order) for n in range(1, 7)}
    assert len(orders) == 6  # 3 tasks, odd: 6 rows of the Williams design


def test_a_task_is_timed_without_pauses_and_coded(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(10)
    s.pause()
    clock.advance(100)  # paused: not counted
    assert s.active_ms == 10_000
    s.resume_task()
    clock.advance(5)
    assert s.error("form") == 1
    assert s.hint() == 1
    s.note("looked at the footer", task_ms=14_000)
    clock.advance(1.5)
    s.end("success")
    run = run_of(store, s.session_id, "alpha")
    assert run["outcome"] == "success"
    assert run["active_ms"] == 16_500
    assert (run["errors"], run["hints"]) == (1, 1)
    events = [e for e in store.events(s.session_id) if e["task_id"] == "alpha"]
    assert [e["kind"] for e in events] == [
        "task_start", "pause", "resume", "error", "hint", "note", "task_end",
    ]  # fmt: skip
    assert events[3]["data"] == {"code": "form", "active_ms": 15_000}
    assert events[5]["data"] == {
        "text": "looked at the footer",
        "task_ms": 14_000,
        "active_ms": 15_000,
    }


def test_outcome_can_be_corrected_then_becomes_final(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(3)
    s.end("fail")
    clock.advance(20)  # the moderator thinks it over: the time is not the task's
    s.end("partial")
    run = run_of(store, s.session_id, "alpha")
    assert (run["outcome"], run["active_ms"]) == ("partial", 3000)
    corrected = [e for e in store.events(s.session_id) if e["kind"] == "outcome_corrected"]
    assert corrected[0]["data"] == {"from": "fail", "to": "partial", "active_ms": 3000}
    assert s.next() == "after_each"
    assert s.after_each_pending is not None and s.after_each_pending.id == "alpha"
    with pytest.raises(StudyError):
        s.end("success")  # moved on: no task is open while the SEQ is asked


def test_undo_the_end_of_a_running_task_counts_the_time_since(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(4)
    s.end("success")
    clock.advance(2)
    t = s.reopen()
    assert t.status == "running" and s.active_ms == 6000
    # until it is ended again, the database shows no outcome for the run
    assert run_of(store, s.session_id, "alpha")["outcome"] is None
    assert run_of(store, s.session_id, "alpha")["ended_at"] is None
    clock.advance(1)
    s.end("success")
    assert run_of(store, s.session_id, "alpha")["active_ms"] == 7000


def test_undo_a_skip_before_start_goes_back_to_pending(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    s.skip()
    assert run_of(store, s.session_id, "alpha")["outcome"] == "skipped"
    with pytest.raises(StudyError):
        s.end("success")  # never started: cannot become a success
    assert s.reopen().status == "pending"
    s.start()
    assert run_of(store, s.session_id, "alpha")["outcome"] is None


def test_skipped_task_has_no_after_each(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    s.skip()
    assert s.next() == "tasks"
    assert s.current is not None and s.current.id == "beta"


def test_restart_resets_time_and_counts_but_keeps_the_log(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(8)
    s.error()
    s.hint()
    s.restart()
    clock.advance(2)
    assert s.active_ms == 2000
    run = run_of(store, s.session_id, "alpha")
    assert (run["errors"], run["hints"], run["outcome"]) == (0, 0, None)
    restart = next(e for e in store.events(s.session_id) if e["kind"] == "restart")
    assert restart["data"]["previous_active_ms"] == 8000
    assert restart["data"]["previous_errors"] == 1


def test_wrong_actions_are_refused_without_writing(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    with pytest.raises(StudyError):
        s.start()  # the questions come first
    s.finish_block("questions")
    before = len(store.events(s.session_id))
    for action in (s.pause, s.resume_task, s.error, s.hint, s.restart, s.reopen, s.next):
        with pytest.raises(StudyError):
            action()
    with pytest.raises(StudyError):
        s.end("success")
    with pytest.raises(StudyError):
        s.note("   ")
    assert len(store.events(s.session_id)) == before
    s.start()
    with pytest.raises(StudyError):
        s.start()


def test_time_limit_is_logged_once_and_checkpoints_save_time(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(CHECKPOINT_MS / 1000)
    assert s.tick() is False
    assert run_of(store, s.session_id, "alpha")["active_ms"] == CHECKPOINT_MS
    clock.advance(50)
    assert s.tick() is True
    assert s.tick() is False
    assert kinds(store, s.session_id).count("time_limit") == 1
    assert s.clock.over_limit


def test_resume_rebuilds_a_running_task_with_its_counts(db_path, definition, clock):
    path = db_path
    store = Store(path)
    s = StudySession.begin(store, definition, "P3", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(3)
    s.error("navigation")
    s.hint()
    s.note("first note")
    clock.advance(2)  # lost: no action after it before the crash
    store = crash(store, path)

    r, resumed = open_study(store, definition, "P3", now=clock)
    assert resumed and r.session_id == s.session_id
    t = r.current
    assert t is not None and t.id == "alpha"
    assert (t.status, t.errors, t.hints, t.notes) == ("running", 1, 1, 1)
    assert r.phase == "tasks" and r.clock.state == "running"
    assert r.active_ms == 3000
    clock.advance(1)
    r.end("success")
    run = run_of(store, r.session_id, "alpha")
    assert (run["outcome"], run["active_ms"], run["errors"]) == ("success", 4000, 1)
    assert store.session(r.session_id).status == "in_progress"
    store.close()


def test_resume_keeps_a_paused_task_paused_and_the_limit_alert_logged(db_path, definition, clock):
    path = db_path
    store = Store(path)
    s = StudySession.begin(store, definition, "P3", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(61)
    assert s.tick()
    s.pause()
    store = crash(store, path)
    r, _ = open_study(store, definition, "P3", now=clock)
    assert r.clock.state == "paused" and r.active_ms == 61_000
    assert r.current is not None and r.current.limit_logged
    r.resume_task()
    clock.advance(1)
    assert r.tick() is False
    assert kinds(store, r.session_id).count("time_limit") == 1
    store.close()


def test_resume_between_tasks_asks_the_pending_after_each(db_path, definition, clock):
    path = db_path
    store = Store(path)
    s = StudySession.begin(store, definition, "P4", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(2)
    s.end("fail")
    s.next()
    store = crash(store, path)
    r, _ = open_study(store, definition, "P4", now=clock)
    assert r.phase == "after_each"
    run = r.question_run("after_each")
    assert run.task_id == "alpha"
    run.start()
    run.submit(6)
    assert run.finished
    assert r.finish_block("after_each") == "tasks"
    assert r.current is not None and r.current.id == "beta" and r.current.status == "pending"
    assert store.answers(r.session_id)[("alpha", "seq")].value == 6
    store.close()


def test_resume_an_ended_task_lets_the_outcome_be_corrected(db_path, definition, clock):
    path = db_path
    store = Store(path)
    s = StudySession.begin(store, definition, "P5", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(7)
    s.end("timeout")
    store = crash(store, path)
    r, _ = open_study(store, definition, "P5", now=clock)
    t = r.current
    assert t is not None and (t.status, t.outcome, r.active_ms) == ("ended", "timeout", 7000)
    r.end("fail")
    assert run_of(store, r.session_id, "alpha")["active_ms"] == 7000
    # undoing after a restart of the program comes back paused, not counting the gap
    assert r.reopen().status == "paused"
    store.close()


def test_resume_after_a_reopened_skip(db_path, definition, clock):
    path = db_path
    store = Store(path)
    s = StudySession.begin(store, definition, "P6", now=clock)
    s.finish_block("questions")
    s.skip()
    s.reopen()
    store = crash(store, path)
    r, _ = open_study(store, definition, "P6", now=clock)
    assert r.current is not None and r.current.status == "pending"
    store.close()


def test_a_whole_session_and_its_summary(store, definition, clock):
    s = StudySession.begin(store, definition, "P1", now=clock)
    s.finish_block("questions")
    for outcome, seconds, seq in (("success", 12, 6), ("partial", 30, 3)):
        s.start()
        clock.advance(seconds)
        s.error()
        s.end(outcome)
        s.next()
        run = s.question_run("after_each")
        run.start()
        run.submit(seq)
        s.finish_block("after_each")
    assert s.phase == "after"
    run = s.question_run("after")
    run.start()
    for value in (4, 2, 4, 2, 4, 2, 4, 2, 4, 2):
        assert run.submit(value) is None
    assert run.finished
    assert s.finish_block("after") == "done"
    s.complete()
    assert store.session(s.session_id).status == "completed"
    summary = study_summary(
        store, s.session_id, definition.survey, sus_score=sus_respondent, sus_grade=sus_grade
    )
    assert [(t.task_id, t.outcome, t.active_ms, t.errors, t.seq) for t in summary.tasks] == [
        ("alpha", "success", 12_000, 1, 6),
        ("beta", "partial", 30_000, 1, 3),
    ]
    assert summary.sus == 75.0 and summary.sus_grade == "B"
    # the session layer does no scoring itself: without a scorer, the items only
    bare = study_summary(store, s.session_id, definition.survey)
    assert (bare.sus, bare.sus_grade) == (None, None)
    assert bare.sus_items == (4, 2, 4, 2, 4, 2, 4, 2, 4, 2)


def test_open_study_refuses_completed_and_live_sessions(store, definition, clock):
    s, resumed = open_study(store, definition, "P1", now=clock)
    assert not resumed
    with pytest.raises(StudyError, match="open in another"):
        open_study(store, definition, "P1")  # this very process still has it open
    store.finish_session(s.session_id, "completed")
    with pytest.raises(StudyError, match="already completed"):
        open_study(store, definition, "P1")
    with pytest.raises(StudyError, match="participant id"):
        open_study(store, definition, "  ")


def test_open_study_refuses_a_survey_without_tasks(store):
    d = load(ROOT / "surveys" / "store-feedback.yaml")
    with pytest.raises(StudyError, match="has no tasks"):
        open_study(store, d, "P1")


def test_participants_and_the_next_id(db_path, definition, clock):
    path = db_path
    store = Store(path)
    a = StudySession.begin(store, definition, "P1", now=clock)
    store.finish_session(a.session_id, "completed")
    StudySession.begin(store, definition, "P2", now=clock)
    store = crash(store, path)
    rows = participants(store, definition.survey)
    assert [(r.participant, r.status, r.resumable) for r in rows] == [
        ("P1", "completed", False),
        ("P2", "in_progress", True),
    ]
    assert rows[1].label == "unfinished - resume"
    assert suggest_participant(rows) == "P3"
    assert suggest_participant([]) == "P1"
    store.close()


def test_task_log_is_the_same_after_a_resume(db_path, definition, clock):
    path = db_path
    store = Store(path)
    s = StudySession.begin(store, definition, "P8", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(2)
    s.error("form")
    s.restart()
    clock.advance(1.5)
    s.hint()
    s.pause()
    s.note("lost the cart", task_ms=1200)
    s.resume_task()
    clock.advance(CHECKPOINT_MS / 1000)
    s.tick()  # a checkpoint: not in the log
    s.end("fail")
    s.end("partial")
    s.reopen()
    live = list(s.current.log)
    assert [line.strip().split("  ", 1)[-1] for line in live] == [
        "restarted from zero",
        "hint",
        "paused",
        "note: lost the cart",
        "resumed",
        "ended: fail",
        "corrected: fail → partial",
        "end undone",
    ]
    assert live[1].strip().startswith("0:01.5") and live[3].strip().startswith("0:01.2")
    store = crash(store, path)
    r, _ = open_study(store, definition, "P8", now=clock)
    assert r.current is not None and r.current.log == live
    store.close()


def test_suspend_pauses_and_saves_the_session_as_interrupted_then_resumes(
    db_path, definition, clock
):
    path = db_path
    store = Store(path)
    s = StudySession.begin(store, definition, "P9", now=clock)
    s.finish_block("questions")
    s.start()
    clock.advance(4)
    s.suspend()
    assert store.session(s.session_id).status == "interrupted"
    store.close()
    store = Store(path)
    rows = participants(store, definition.survey)
    assert [(r.participant, r.resumable, r.label) for r in rows] == [
        ("P9", True, "unfinished - resume")
    ]
    clock.advance(100)  # closed: not counted
    r, resumed = open_study(store, definition, "P9", now=clock)
    assert resumed and r.clock.state == "paused" and r.active_ms == 4000
    assert store.session(r.session_id).status == "in_progress"
    store.close()


def test_the_session_layer_imports_neither_scoring_nor_the_tui() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import surveykit.session.study, surveykit.session.participants, surveykit.session.run\n"
        "import surveykit.session.survey, surveykit.session.kiosk, surveykit.session.actions\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('surveykit.scoring', "
        "'surveykit.tui', 'textual', 'scipy')))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_allowed_actions_follow_the_task_and_refusals_name_actions_not_keys(
    store, definition, clock
):
    from surveykit.session.actions import ModeratorAction as A

    s = StudySession.begin(store, definition, "P1", now=clock)
    assert s.allowed() == {A.NEXT, A.NOTE, A.QUIT}  # the opening questions come first
    s.finish_block("questions")
    assert s.allowed() == {A.START, A.SKIP, A.NOTE, A.QUIT}
    refusals = []
    for action in (s.hint, s.error, s.next, s.toggle_pause, lambda: s.end("success")):
        with pytest.raises(StudyError) as refused:
            action()
        refusals.append(refused.value)
    assert all(A.START in e.actions for e in refusals)
    for e in refusals:  # no key names in the domain's words
        words = str(e).replace("(", " ").replace(")", " ").split()
        assert not {"s", "k", "y", "u", "r", "Enter", "enter"} & set(words), str(e)
    s.start()
    assert A.PAUSE in s.allowed() and A.NEXT not in s.allowed() and A.START not in s.allowed()
    with pytest.raises(StudyError) as refused:
        s.next()
    assert set(refused.value.actions) == {A.END, A.SKIP}
    s.end("success")
    assert {A.UNDO, A.NEXT, A.END} <= s.allowed()
    s.next()
    assert s.phase == "after_each" and s.allowed() == {A.NEXT, A.NOTE, A.QUIT}
    s.finish_block("after_each")
    s.end("skipped")  # the second task skipped before it started
    assert s.allowed() == {A.UNDO, A.NEXT, A.NOTE, A.QUIT}
