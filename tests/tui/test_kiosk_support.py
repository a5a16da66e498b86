"""Helpers for the kiosk Pilot tests (no tests here).

One `FakeClock` (tests/fakes.py, wall clock from `EPOCH`) drives the kiosk's monotonic clock (idle timer, thank-you
pause, PIN lock-out) and the writer's clocks (timestamps): time only moves when
a test says so, and `tick()` runs the kiosk's timing at once. The database is
read back through a separate plain `sqlite3` connection.
"""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

from fakes import FakeClock
from textual.pilot import Pilot

from surveykit.definition.loader import Definition, load
from surveykit.pin import hash_pin
from surveykit.storage.kiosk_writer import KioskWriter
from surveykit.tui.kiosk_app import KioskApp

try:
    from .test_run_support import EPOCH, screen_text
except ImportError:
    from test_run_support import EPOCH, screen_text  # type: ignore[no-redef]

__all__ = ["PIN", "PIN_HASH", "SIZE", "FakeClock", "Kiosk", "kiosk", "screen_text"]

SIZE = (80, 24)
PIN = "2468"
#: a fast scrypt hash of PIN (the real default is much slower on purpose)
PIN_HASH = hash_pin(PIN, n=2**10)

SHOP = f"""\
surveykit: 1
id: shop
title: How was your visit?
intro: Three quick questions.
outro: Thank you, come again!
questions:
  - {{id: nps, type: nps, text: How likely are you to recommend us?}}
  - {{id: why, type: text, text: "You chose {{nps}}. Why?", required: false, show_if: nps <= 6}}
  - {{id: csat, type: csat, text: How satisfied were you today?}}
after:
  - {{id: thanks_note, type: note, text: "Last one: you gave {{nps}}.", show_if: nps >= 9}}
kiosk:
  idle_reset_s: 45
  thank_you_s: 6
  exit_pin_hash: {PIN_HASH}
"""


class Kiosk:
    """A kiosk app on a temporary database, with a hand-moved clock."""

    def __init__(self, tmp_path: Path, body: str = SHOP, **app_kwargs: Any) -> None:
        self.clock = FakeClock(start=EPOCH)
        path = tmp_path / "shop.yaml"
        path.write_text(textwrap.dedent(body))
        self.definition: Definition = load(path)
        self.db = tmp_path / "kiosk.db"
        self.writer = KioskWriter(
            self.db, wall=self.clock.wall, mono=self.clock, busy_timeout_s=0.2
        )
        app_kwargs.setdefault("flush_in_thread", False)
        app_kwargs.setdefault("device", "till-1")
        self.app_kwargs = app_kwargs
        self.app = self.new_app()

    def new_app(self) -> KioskApp:
        """A new kiosk app on the same database and clock (a restart of the kiosk)."""
        return KioskApp(
            self.definition,
            self.writer,
            mono=self.clock,
            wall=self.clock.wall,
            tick_s=3600,
            **self.app_kwargs,
        )

    # --- driving ---------------------------------------------------------------------------

    async def later(self, pilot: Pilot[Any], seconds: float) -> None:
        """Let `seconds` pass on the kiosk's clock, then run its timing."""
        self.clock.advance(seconds)
        self.app.tick()
        await pilot.pause()

    async def keys(self, pilot: Pilot[Any], *names: str) -> None:
        for name in names:
            await pilot.press(name)
            await pilot.pause()

    async def start(self, pilot: Pilot[Any]) -> None:
        """From the welcome screen into the first question."""
        await self.later(pilot, 1)
        await self.keys(pilot, "space")
        assert self.app.phase == "survey", self.text()

    async def finish_survey(self, pilot: Pilot[Any], nps: str = "9", csat: str = "4") -> None:
        """Answer everything (nps >= 9 shows the after-note) and reach the thank-you screen."""
        await self.keys(pilot, *nps, "enter")
        if int(nps) <= 6:
            await self.keys(pilot, "enter")  # skip the optional reason
        await self.keys(pilot, csat, "enter")
        if int(nps) >= 9:
            await self.keys(pilot, "enter")  # the note
        assert self.app.phase == "thanks", self.text()

    def read_only(self, on: bool) -> None:
        """The database turns read-only for the kiosk (every write fails with SQLITE_READONLY)."""
        self.writer.store.conn.execute(f"PRAGMA query_only = {int(on)}")

    # --- reading -----------------------------------------------------------------------------

    def text(self) -> str:
        return screen_text(self.app)

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def sessions(self) -> list[sqlite3.Row]:
        return self.rows("SELECT * FROM sessions ORDER BY id")

    def answers(self, session_id: int) -> dict[str, Any]:
        return {
            r["question_id"]: json.loads(r["value_json"]) if r["value_json"] else None
            for r in self.rows(
                "SELECT * FROM answers WHERE session_id = ? ORDER BY rowid", session_id
            )
        }

    def events(self, session_id: int, kind: str | None = None) -> list[dict[str, Any]]:
        out = [
            {**dict(r), "data": json.loads(r["data_json"]) if r["data_json"] else None}
            for r in self.rows("SELECT * FROM events WHERE session_id = ? ORDER BY id", session_id)
        ]
        return [e for e in out if kind is None or e["kind"] == kind]


def kiosk(tmp_path: Path, body: str = SHOP, **app_kwargs: Any) -> Kiosk:
    return Kiosk(tmp_path, body, **app_kwargs)
