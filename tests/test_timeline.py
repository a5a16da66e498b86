"""`surveykit timeline`: events in order with session time, lined up with a recording;
captions parsed back and checked against the events table."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FakeClock

from surveykit.cli import cli
from surveykit.definition.loader import load
from surveykit.session.study import StudySession
from surveykit.session.team import ConsoleLink, ObserverLink
from surveykit.session.timeline import entries, fmt_clock, recording_zero
from surveykit.storage.store import Store

STUDY = """\
surveykit: 1
id: tl-study
title: Timeline study
tasks:
  order: fixed
  after_each: []
  items:
    - {id: alpha, title: Alpha task, prompt: Do alpha.}
    - {id: beta, title: Beta task, prompt: Do beta.}
  error_codes: [navigation]
"""


@pytest.fixture
def session_db(tmp_path: Path, clock: FakeClock) -> tuple[Path, int]:
    """A two-task session: moderator and observer notes with tags, a recording mark."""
    (tmp_path / "tl.yaml").write_text(STUDY)
    definition = load(tmp_path / "tl.yaml")
    db = tmp_path / "tl.db"
    with Store(db, wall=clock.wall, mono=clock) as store, \
            Store(db, wall=clock.wall, mono=clock) as obs_store:
        study = StudySession.begin(store, definition, "P7", now=clock)
        ConsoleLink(store, study, mono=clock)
        dana = ObserverLink(obs_store, study.session_id, name="Dana", mono=clock)
        clock.advance(3.0)
        dana.mark_recording()  # session time 3.0 s
        clock.advance(2.0)
        study.start()  # 5.0
        clock.advance(4.0)
        study.error("navigation")  # 9.0
        dana.poll()
        dana.note("Lost in the #Nav menu")  # 9.0, task time 4.0
        clock.advance(1.5)
        study.note("Asked for help #nav #help", task_ms=study.active_ms)  # 10.5
        study.hint()
        clock.advance(2.0)
        study.end("success")  # 12.5
        study.next()
        study.skip()
        study.next()
        study.complete()
        return db, study.session_id


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_times_are_session_times_from_the_recording_mark(session_db: tuple[Path, int]) -> None:
    db, sid = session_db
    with Store(db) as store:
        assert recording_zero(store, sid) == 3000
        assert recording_zero(store, sid, offset_s=-2.5) == -2500
        items = entries(store, sid)
    assert [round(e.ms) for e in items if e.kind == "task_start"] == [5000]
    assert fmt_clock(2000) == "00:02.0" and fmt_clock(-1500) == "-00:01.5"
    assert fmt_clock(61 * 60_000 + 4_560) == "61:04.5"


def test_table_lists_events_in_order_with_recording_time(session_db: tuple[Path, int]) -> None:
    db, _ = session_db
    out = run("timeline", str(db), "--participant", "P7")
    lines = out.splitlines()
    start = next(line for line in lines if "Task 1 (Alpha task) start" in line)
    assert start.split()[0] == "00:02.0"  # 5.0 s of session, 3.0 s after the recording started
    note = next(line for line in lines if "Note (Dana)" in line)
    assert note.split()[:2] == ["00:06.0", "0:04.0"]
    assert lines.index(start) < lines.index(note)
    assert "Recording started" in out and "Error (navigation)" in out


def test_vtt_cues_are_ascending_within_the_session_and_match_events(
    session_db: tuple[Path, int], tmp_path: Path
) -> None:
    db, sid = session_db
    out = tmp_path / "P7.vtt"
    run("timeline", str(db), "--session", str(sid), "--vtt", "--out", str(out))
    text = out.read_text()
    assert text.startswith("WEBVTT\n\n")
    cues = re.findall(
        r"^(\d+)\n(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)$",
        text, flags=re.M,
    )
    assert cues
    starts = [((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms) for _, h, m, s, ms, *_ in cues]
    assert starts == sorted(starts)
    with Store(db) as store:
        events = {e["id"]: e for e in store.events(sid)}
        length = max(e["elapsed_ms"] for e in events.values())
    for (event_id, *_rest), start in zip(cues, starts, strict=True):
        assert 0 <= start <= length
        assert start == events[int(event_id)]["elapsed_ms"] - 3000
    captions = [c[-1] for c in cues]
    assert "Note (Dana): Lost in the #Nav menu" in captions
    assert any(c.startswith("Task 1 (Alpha task) end: success") for c in captions)


def test_srt_and_offset(session_db: tuple[Path, int]) -> None:
    db, _ = session_db
    out = run("timeline", str(db), "-p", "P7", "--srt", "--offset", "0")
    blocks = out.strip().split("\n\n")
    assert blocks[0].splitlines()[0] == "1"
    assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", blocks[0].splitlines()[1])
    first_task = next(b for b in blocks if "Alpha task) start" in b)
    assert first_task.splitlines()[1].startswith("00:00:05,000")


def test_recording_start_as_wall_time(session_db: tuple[Path, int], clock: FakeClock) -> None:
    db, _ = session_db
    # the session started at FakeClock.START; the recording one second later
    start = FakeClock.START.replace(microsecond=123000).timestamp() + 1.0
    from datetime import UTC, datetime

    iso = datetime.fromtimestamp(start, UTC).isoformat().replace("+00:00", "Z")
    out = run("timeline", str(db), "-p", "P7", "--recording-start", iso)
    start_line = next(line for line in out.splitlines() if "Alpha task) start" in line)
    assert start_line.split()[0] == "00:04.0"


def test_tag_filters_notes_here_and_across_sessions(session_db: tuple[Path, int]) -> None:
    db, _ = session_db
    out = run("timeline", str(db), "-p", "P7", "--tag", "help")
    assert out.splitlines() == [line for line in out.splitlines() if "Asked for help" in line]
    assert len(out.splitlines()) == 1
    everywhere = run("timeline", str(db), "--tag", "#NAV", "--csv")
    rows = list(csv.DictReader(io.StringIO(everywhere)))
    assert [r["by"] for r in rows] == ["Dana", ""]
    assert rows[0]["tags"] == "nav" and rows[1]["tags"] == "nav help"
    assert rows[0]["participant"] == "P7" and rows[0]["task_id"] == "alpha"
    assert rows[0]["task_ms"] == "4000"


def test_usage_errors() -> None:
    result = CliRunner().invoke(cli, ["timeline", "/nonexistent.db"])
    assert result.exit_code == 2
