"""`surveykit kiosk` on the command line: refusals before any screen, the locked-down
environment, restarting after a crash, and keeping what could not be written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from surveykit.cli import cli
from surveykit.cli import kiosk as kiosk_cli
from surveykit.definition.loader import load
from surveykit.pin import hash_pin
from surveykit.session.kiosk import pin_sha256
from surveykit.session.survey import SurveySession
from surveykit.storage.kiosk_writer import KioskWriter, find_spills
from surveykit.tui import kiosk_app
from surveykit.tui.kiosk_app import KioskResult

ROOT = Path(__file__).resolve().parents[2]
NO_PIN = """\
surveykit: 1
id: nopin
title: No PIN
questions:
  - {id: nps, type: nps, text: Recommend us?}
"""


def surveykit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "surveykit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_refuses_to_start_without_a_pin(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(NO_PIN)
    r = surveykit("kiosk", "s.yaml", "--db", "k.db", cwd=tmp_path)
    assert r.returncode == 1
    assert "no staff PIN" in r.stderr and "surveykit hash-pin" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "k.db").exists()


def test_refuses_a_malformed_pin_hash_a_study_and_no_terminal(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(NO_PIN)
    r = surveykit("kiosk", "s.yaml", "--exit-pin-sha256", "1234", cwd=tmp_path)
    assert r.returncode == 1 and "64 hex digits" in r.stderr
    r = surveykit("kiosk", str(ROOT / "surveys" / "checkout-study.yaml"), cwd=tmp_path)
    assert r.returncode == 1 and "usability study" in r.stderr
    r = surveykit("kiosk", str(ROOT / "surveys" / "store-feedback.yaml"), cwd=tmp_path)
    assert r.returncode == 1 and "interactive terminal" in r.stderr


def test_pin_from_the_command_line_overrides_the_file() -> None:
    good = pin_sha256("123456")
    assert kiosk_cli._pin_hash(good.upper(), None) == good
    assert kiosk_cli._pin_hash(good, pin_sha256("2468")) == good
    assert kiosk_cli._pin_hash(None, good) == good
    salted = hash_pin("123456", n=2**10)  # the new form is kept exactly (base64 is case-sensitive)
    assert kiosk_cli._pin_hash(salted, pin_sha256("2468")) == salted
    assert kiosk_cli._pin_hash(None, salted) == salted


def test_pin_hash_option_and_its_old_name(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(NO_PIN)
    for flag in ("--pin-hash", "--exit-pin-sha256"):
        r = surveykit("kiosk", "s.yaml", flag, "scrypt$1$2", cwd=tmp_path)
        assert r.returncode == 1 and "64 hex digits" in r.stderr and "scrypt" in r.stderr
        # a good hash gets past the check (and stops at the missing terminal)
        r = surveykit("kiosk", "s.yaml", flag, hash_pin("1", n=2**10), cwd=tmp_path)
        assert r.returncode == 1 and "interactive terminal" in r.stderr, r.stderr
    r = surveykit("kiosk", "--help", cwd=tmp_path)
    assert "--pin-hash" in r.stdout and "--exit-pin-sha256" not in r.stdout


def test_textual_ways_out_are_dropped_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import textual.constants as constants

    for name in kiosk_cli.UNSAFE_ENV:
        monkeypatch.setenv(name, "1")
    monkeypatch.setattr(constants, "SCREENSHOT_DELAY", 3)
    monkeypatch.setattr(constants, "PRESS", "ctrl+q")
    monkeypatch.setattr(constants, "DRIVER", "evil:Driver")
    kiosk_cli.lock_environment()
    assert not [name for name in kiosk_cli.UNSAFE_ENV if name in os.environ]
    assert (constants.SCREENSHOT_DELAY, constants.PRESS, constants.DRIVER) == (-1, "", None)


class FakeApp:
    """Stands in for KioskApp: crashes (returns None) a given number of times."""

    crashes = 0
    made: ClassVar[list[FakeApp]] = []

    def __init__(self, definition: Any, writer: KioskWriter, **kwargs: Any) -> None:
        self.writer = writer
        self.definition = definition
        self.phase = "welcome"
        self.session: SurveySession | None = None
        self.theme: str | None = None
        FakeApp.made.append(self)

    def use_theme(self, name: str | None) -> None:
        self.theme = name

    def run(self) -> KioskResult | None:
        if FakeApp.crashes:
            FakeApp.crashes -= 1
            self.session = SurveySession.begin(self.writer, self.definition, "kiosk")
            self.writer.record_answer(self.session.session_id, "nps", 9)
            self.phase = "survey"
            return None
        return KioskResult("pin", counts=Counter(completed=3))


@pytest.fixture
def store_feedback(tmp_path: Path) -> Any:
    return load(ROOT / "surveys" / "store-feedback.yaml")


def test_a_crash_saves_the_session_as_interrupted_and_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_feedback: Any
) -> None:
    monkeypatch.setattr(kiosk_app, "KioskApp", FakeApp)
    monkeypatch.setattr(kiosk_cli.time, "sleep", lambda s: None)
    FakeApp.made, FakeApp.crashes = [], 2
    writer = KioskWriter(tmp_path / "k.db")
    result = kiosk_cli._run(store_feedback, writer, device="d", pin=pin_sha256("2468"))
    assert isinstance(result, KioskResult) and result.reason == "pin"
    assert len(FakeApp.made) == 3
    sessions = writer.store.sessions()
    assert [s.status for s in sessions] == ["interrupted", "interrupted"]
    assert writer.store.events(sessions[0].id)[-2]["data"] == {"by": "crash"}
    assert writer.store.answers(sessions[0].id)[("", "nps")].value == 9


def test_a_kiosk_that_keeps_crashing_gives_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_feedback: Any
) -> None:
    monkeypatch.setattr(kiosk_app, "KioskApp", FakeApp)
    monkeypatch.setattr(kiosk_cli.time, "sleep", lambda s: None)
    FakeApp.made, FakeApp.crashes = [], 100
    writer = KioskWriter(tmp_path / "k.db")
    assert kiosk_cli._run(store_feedback, writer, device="d", pin="x") is None
    assert len(FakeApp.made) == kiosk_cli.CRASHES_ALLOWED + 1


def test_a_restarted_kiosk_keeps_its_theme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_feedback: Any
) -> None:
    monkeypatch.setattr(kiosk_app, "KioskApp", FakeApp)
    monkeypatch.setattr(kiosk_cli.time, "sleep", lambda s: None)
    FakeApp.made, FakeApp.crashes = [], 1
    writer = KioskWriter(tmp_path / "k.db")
    kiosk_cli._run(store_feedback, writer, device="d", pin="x", theme="light")
    assert [app.theme for app in FakeApp.made] == ["light", "light"]


@pytest.mark.parametrize(("option", "expected"), [([], "high-contrast"), (["--theme", "light"], "light")])
def test_the_theme_comes_from_the_kiosk_section_unless_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: list[str], expected: str
) -> None:
    path = tmp_path / "k.yaml"
    path.write_text(
        "surveykit: 1\nid: s\ntitle: S\nquestions: [nps]\n"
        f"kiosk:\n  theme: high-contrast\n  exit_pin_sha256: {pin_sha256('2468')}\n"
    )
    seen: dict[str, Any] = {}

    def fake_run(definition: Any, writer: Any, **kwargs: Any) -> KioskResult:
        seen.update(kwargs)
        return KioskResult("pin", counts=Counter())

    monkeypatch.setattr(kiosk_cli, "screen_preamble", lambda command, db: str(tmp_path / "k.db"))
    monkeypatch.setattr(kiosk_cli, "_run", fake_run)
    result = CliRunner().invoke(cli, ["kiosk", str(path), *option])
    assert result.exit_code == 0, result.output
    assert seen["theme"] == expected


def test_closing_with_writes_waiting_keeps_them_in_a_file_that_the_next_start_writes(
    tmp_path: Path, store_feedback: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "k.db"
    writer = KioskWriter(db)
    sid = writer.start_session(store_feedback, "kiosk", device="d")
    writer.store.conn.execute("PRAGMA query_only = 1")
    writer.record_answer(sid, "nps", 4)
    writer.finish_session(sid, "interrupted")
    assert kiosk_cli._close(writer, wait_s=0) == 0  # nothing lost: kept in a file
    err = capsys.readouterr().err
    assert "could not be saved yet" in err and "surveykit-pending-" in err
    (kept,) = find_spills(db)

    again = KioskWriter(db)
    kiosk_cli._recover(again, str(db))
    assert "wrote 2 kept answers and events" in capsys.readouterr().err
    assert not kept.exists()
    s = again.store.session(sid)
    assert s.status == "interrupted"
    assert again.store.answers(sid)[("", "nps")].value == 4


def test_when_not_even_a_file_can_be_written_the_answers_go_to_stderr(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store_feedback: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    writer = KioskWriter(tmp_path / "k.db")
    sid = writer.start_session(store_feedback, "kiosk")
    writer.store.conn.execute("PRAGMA query_only = 1")
    writer.record_answer(sid, "csat", 5)

    def no_room(*a: Any, **k: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "spill", no_room)
    assert kiosk_cli._close(writer, wait_s=0) == 1
    err = capsys.readouterr().err
    doc = json.loads(err.strip().splitlines()[-1])
    assert [w["kind"] for w in doc["writes"]] == ["record_answer"]
    assert doc["writes"][0]["args"]["value"] == 5


def test_help_names_the_staff_key() -> None:
    text = textwrap.dedent(kiosk_cli.kiosk_command.help or "")
    assert "ctrl+q" in text and "PIN" in text
