"""Shared test data for scoring, export and simulate tests: a definition that uses
every scored type, and a helper that writes sessions through the real `Store` API."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeClock

from surveykit.cli import main
from surveykit.definition.loader import Definition, load
from surveykit.storage.store import Store

SINK_YAML = """\
surveykit: 1
id: sink
title: Kitchen sink
questions:
  - {id: nps, type: nps, text: How likely are you to recommend us?}
  - {id: why, type: text, text: Why?, show_if: nps <= 6}
  - {id: csat, type: csat, text: How satisfied are you?, na: true}
  - {id: ces, type: ces, text: It was easy.}
  - {id: rate, type: rating, text: Rate the staff, min: 1, max: 10, labels: {1: Poor, 10: Great}}
  - id: visit
    type: choice
    text: Why did you come?
    options: [Browsing, {text: A gift, value: gift}]
    other: true
  - {id: channels, type: multi, text: Which channels?, options: [Email, Chat], other: true}
  - {id: temp, type: number, text: Temperature outside?, min: -40, max: 50}
tasks:
  order: fixed
  after_each: [seq]
  error_codes: [navigation]
  items:
    - {id: t1, title: Task one, prompt: Do the first thing.}
    - {id: t2, title: Task two, prompt: Do the second thing., time_limit_s: 60}
    - {id: t3, title: Never tried, prompt: Nobody gets here.}
after: [sus, umux_lite]
"""

OTHER_YAML = """\
surveykit: 1
id: other
title: Another survey
questions:
  - {id: nps, type: nps, text: Recommend?}
"""

MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

SURVEYS = Path(__file__).resolve().parent.parent / "surveys"


def write_definition(tmp_path: Path, text: str = SINK_YAML, name: str = "sink.yaml") -> Definition:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load(path)


@dataclass
class Run:
    task_id: str
    outcome: str | None  # None: started, never finished
    active_ms: int = 60_000
    errors: int = 0
    hints: int = 0


@dataclass
class S:
    """One session to write: answers by key (task answers as `t1/seq`)."""

    answers: dict[str, Any] = field(default_factory=dict)
    na: Iterable[str] = ()
    runs: list[Run] = field(default_factory=list)
    status: str = "completed"
    mode: str = "run"
    device: str | None = None
    participant: str | None = None
    meta: dict[str, Any] | None = None
    started: datetime | None = None


def fill(db: Path, definition: Definition, sessions: Iterable[S]) -> list[int]:
    """Write sessions through the Store API; returns their ids."""
    # the wall clock starts on a Monday and moves 5 ms at each read
    clock = FakeClock(start=MONDAY, wall_tick=timedelta(milliseconds=5))
    ids = []
    with Store(db, wall=clock.wall) as store:
        for s in sessions:
            if s.started is not None:
                clock.set_wall(s.started)
            sid = store.start_session(
                definition, s.mode, participant=s.participant, device=s.device, meta=s.meta,
                task_order=[r.task_id for r in s.runs] or None,
            )
            for key, value in s.answers.items():
                task_id, _, qid = key.rpartition("/")
                store.record_answer(sid, qid, value, task_id=task_id, response_ms=1000)
            for key in s.na:
                task_id, _, qid = key.rpartition("/")
                store.record_answer(sid, qid, None, task_id=task_id, is_na=True)
            for pos, run in enumerate(s.runs, 1):
                if run.outcome == "skipped":
                    store.skip_task(sid, run.task_id, pos)
                    continue
                store.start_task(sid, run.task_id, pos)
                for _ in range(run.errors):
                    store.task_event(sid, run.task_id, "error", data={"code": "navigation"})
                for _ in range(run.hints):
                    store.task_event(sid, run.task_id, "hint")
                if run.outcome is not None:
                    store.finish_task(sid, run.task_id, run.outcome, run.active_ms)
            if s.status != "in_progress":
                store.finish_session(sid, s.status)
            ids.append(sid)
    return ids


def sus_answers(items: list[int | None], task: str = "") -> dict[str, int]:
    prefix = f"{task}/" if task else ""
    return {f"{prefix}sus.{i}": v for i, v in enumerate(items, 1) if v is not None}


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `surveykit ARGS` as the console entry point does: (exit code, stdout, stderr)."""
    old_stdin = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        sys.stdin = old_stdin
    out, err = capsys.readouterr()
    return code, out, err
