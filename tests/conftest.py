"""Fixtures shared by the whole suite: one hand-moved clock, one fresh database.

* `clock` — a `FakeClock` (from `tests/fakes.py`, importable anywhere): call it
  for monotonic seconds, `clock.wall()` for the wall time (UTC); `advance(s)`
  moves both, `set_wall(moment)` pins the wall.
  Pass it to anything that takes the two clocks: `Store(path, wall=clock.wall,
  mono=clock)`, `KioskWriter(..., wall=clock.wall, mono=clock)`, `TaskClock(clock)`.
* `db_path` — where a test's database goes (nothing exists there yet).
* `store` — a `Store` open on `db_path` with `clock`, closed after the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeClock

from surveykit.cli import load_all
from surveykit.storage.store import Store

__all__ = ["FakeClock", "clock", "db_path", "store"]

# Commands are imported on demand by the CLI; tests that list `cli.commands`
# (parametrised at collection time) need every one of them registered.
load_all()


@pytest.fixture(autouse=True)
def _full_screen_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` picks the plain mode by itself under TERM=dumb or SURVEYKIT_PLAIN;
    tests choose it explicitly, whatever the shell that started them says."""
    monkeypatch.delenv("SURVEYKIT_PLAIN", raising=False)
    if os.environ.get("TERM") == "dumb":
        monkeypatch.setenv("TERM", "xterm-256color")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "survey.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[Store]:
    s = Store(db_path, wall=clock.wall, mono=clock)
    yield s
    s.close()
