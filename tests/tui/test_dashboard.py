"""`surveykit dashboard`: the numbers on screen, keys, and a refresh while another
process writes to the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from surveykit.cli.dashboard import make_fetch
from surveykit.scoring.metrics import ScoreOptions
from surveykit.scoring.report import format_interval, format_value
from surveykit.tui.dashboard_app import DashboardApp, bar
from tests.fixtures_data import run_cli

ROOT = Path(__file__).resolve().parents[2]
SIZE = (80, 24)


def _simulate(db: Path, survey: str, n: int, seed: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "surveykit", "simulate", str(ROOT / "surveys" / survey),
         "-n", str(n), "--db", str(db), "--seed", str(seed)],
        check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
    )


def _screen(app: DashboardApp) -> str:
    from textual.widgets import DataTable, Static

    table = app.query_one(DataTable)
    rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
    statics = [str(w.render()) for w in app.query(Static)]
    return "\n".join(statics + rows)


async def _until(pilot, condition, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("timed out")


@pytest.fixture
def db(db_path: Path) -> Path:
    path = db_path
    _simulate(path, "store-feedback.yaml", 40, 1)
    _simulate(path, "checkout-study.yaml", 6, 2)
    return path


async def test_shows_the_headline_and_switches_survey(db: Path) -> None:
    app = DashboardApp(make_fetch(str(db), ScoreOptions()), every=60,
                       formats=(format_value, format_interval))
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.refreshes >= 1)
        first = app.current()
        assert first is not None
        text = _screen(app)
        assert "sessions" in text and first.survey_id in text
        shown = {"checkout-study": "find-shoes: Completion", "store-feedback": "NPS"}
        assert shown[first.survey_id] in text
        await pilot.press("right")
        other = app.current()
        assert other is not None and other.survey_id != first.survey_id
        assert shown[other.survey_id] in _screen(app)
        await pilot.press("left")
        assert app.current() is first


async def test_updates_while_another_process_writes(db: Path) -> None:
    app = DashboardApp(make_fetch(str(db), ScoreOptions(survey="store-feedback")), every=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.refreshes >= 1)
        assert "40 sessions" in _screen(app)
        writer = subprocess.Popen(
            [sys.executable, "-m", "surveykit", "simulate", str(ROOT / "surveys/store-feedback.yaml"),
             "-n", "25", "--db", str(db), "--seed", "9"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )
        try:
            await _until(pilot, lambda: writer.poll() is not None, 120)
        finally:
            if writer.poll() is None:
                writer.kill()
        assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
        await _until(pilot, lambda: "65 sessions" in _screen(app))
        assert not app.error


async def test_a_failing_read_keeps_the_last_numbers(db: Path, tmp_path: Path) -> None:
    fetch = make_fetch(str(db), ScoreOptions())
    calls = {"n": 0}

    def flaky():  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database is locked")
        return fetch()

    app = DashboardApp(flaky, every=60)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.refreshes >= 1)
        await pilot.press("r")
        await _until(pilot, lambda: bool(app.error))
        text = _screen(app)
        assert "not updated (database is locked)" in text and "sessions" in text


def test_bar() -> None:
    from surveykit.scoring.results import Metric
    from surveykit.scoring.stats import Estimate

    m = Metric("completion", "Completion", Estimate(50.0, 30.0, 70.0, 10, 0.95), "%", "adjusted-wald")
    assert bar(m) == "█" * 6 + "░" * 6
    nps = Metric("nps", "NPS", Estimate(-100.0, None, None, 3, 0.95), "points", "adjusted-wald")
    assert bar(nps) == "░" * 12


def test_a_wrong_survey_is_said_before_the_screen_opens(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run_cli(["dashboard", str(db), "--survey", "nope"], capsys)
    assert code == 1 and "no survey 'nope'" in err


def test_the_tui_imports_no_scoring_at_run_time() -> None:
    from tui.test_layers import _runtime_imports

    found = [m for m, _ in _runtime_imports(ROOT / "surveykit/tui/dashboard_app.py")]
    assert not [m for m in found if m.startswith(("surveykit.scoring", "surveykit.storage"))]
