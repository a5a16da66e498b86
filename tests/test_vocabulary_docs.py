"""The words stored in the database are the ones the analysts' guide lists."""

from __future__ import annotations

import re
from pathlib import Path

from surveykit.vocabulary import EVENT_KINDS, MODES, OUTCOMES, STATUSES

ROOT = Path(__file__).resolve().parent.parent
ANALYSTS = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = ANALYSTS.index(title)
    end = ANALYSTS.find("\n#", start + len(title))
    return ANALYSTS[start:end if end != -1 else None]


def test_every_event_kind_is_documented_and_no_other() -> None:
    events = section("### `events`")
    rows = [line for line in events.splitlines() if line.startswith("| `")]
    documented = [k for row in rows for k in re.findall(r"`([a-z_]+)`", row.split("|")[1])]
    assert sorted(documented) == sorted(EVENT_KINDS)
    assert len(documented) == len(set(documented))


def test_modes_statuses_and_outcomes_are_documented() -> None:
    for word in (*MODES, *STATUSES, *OUTCOMES):
        assert f"`{word}`" in ANALYSTS, word
