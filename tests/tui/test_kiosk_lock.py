"""Locked: no key leaves the kiosk; only the staff PIN (ctrl+q) or a signal from outside does."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from surveykit.tui.kiosk_app import KioskApp, KioskResult, is_blocked
from surveykit.tui.screens.kiosk_pin import KioskPinScreen
from surveykit.tui.screens.kiosk_welcome import KioskWelcomeScreen
from surveykit.tui.screens.questions import QuestionsScreen

try:
    from .test_kiosk_support import PIN, SIZE, kiosk
except ImportError:
    from test_kiosk_support import PIN, SIZE, kiosk  # type: ignore[no-redef]

ESCAPE_KEYS = [
    "ctrl+c",
    "ctrl+z",
    "ctrl+backslash",
    "ctrl+q",  # opens the PIN screen, which Escape closes again (below)
    "ctrl+p",
    "escape",
    *[f"f{n}" for n in range(1, 13)],
    "shift+f5",
    "ctrl+f1",
]


def test_blocked_key_names() -> None:
    for key in [
        "ctrl+c",
        "ctrl+z",
        "ctrl+backslash",
        "ctrl+p",
        "f1",
        "f12",
        "shift+f3",
        "ctrl+f10",
    ]:
        assert is_blocked(key), key
    for key in [
        "a",
        "1",
        "enter",
        "escape",
        "space",
        "tab",
        "backspace",
        "up",
        "pagedown",
        "ctrl+n",
    ]:
        assert not is_blocked(key), key


def no_way_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every attempt to leave: exit, SIGTSTP, screenshots, palette."""
    tried: list[str] = []
    real_exit = KioskApp.exit

    def exit_(self: KioskApp, *args: Any, **kwargs: Any) -> None:
        tried.append("exit")
        real_exit(self, *args, **kwargs)

    monkeypatch.setattr(KioskApp, "exit", exit_)
    monkeypatch.setattr(os, "kill", lambda *a: tried.append(f"kill{a}"))
    monkeypatch.setattr(
        KioskApp, "save_screenshot", lambda *a, **k: tried.append("screenshot") or ""
    )
    return tried


@pytest.mark.parametrize("key", ESCAPE_KEYS)
async def test_escape_keys_on_the_welcome_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    k = kiosk(tmp_path)
    tried = no_way_out(monkeypatch)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.later(pilot, 1)
        await k.keys(pilot, key)
        if key == "ctrl+q":
            assert isinstance(k.app.screen, KioskPinScreen)
            await k.keys(pilot, "escape")
        assert isinstance(k.app.screen, KioskWelcomeScreen), k.text()
        assert k.app.is_running and k.app.phase == "welcome"
        assert "Tap or press any key to start" in k.text()
        assert k.sessions() == []  # no key that tries to leave starts a survey either
        assert not k.app.query("CommandPalette")
    assert tried == []


@pytest.mark.parametrize("key", ESCAPE_KEYS)
async def test_escape_keys_mid_survey(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    k = kiosk(tmp_path)
    tried = no_way_out(monkeypatch)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "8", "enter")
        before = k.text()
        await k.keys(pilot, key)
        if key == "ctrl+q":
            assert isinstance(k.app.screen, KioskPinScreen)
            await k.keys(pilot, "escape")
        assert isinstance(k.app.screen, QuestionsScreen)
        assert k.app.is_running and k.app.phase == "survey"
        assert k.text() == before
        assert "How satisfied" in k.text()
        assert k.sessions()[0]["status"] == "in_progress"
        await k.keys(pilot, "4", "enter")  # and the survey still works
        assert k.answers(k.sessions()[0]["id"]) == {"nps": 8, "csat": 4}
    assert tried == []


async def test_textual_actions_that_could_leave_are_neutralised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    k = kiosk(tmp_path)
    tried = no_way_out(monkeypatch)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        app = k.app
        for action in (
            "app.suspend_process",
            "app.command_palette",
            "app.screenshot",
            "app.help_quit",
            "app.show_help_panel",
            "app.change_theme",
            "app.toggle_dark",
        ):
            await app.run_action(action)
            await pilot.pause()
            assert isinstance(app.screen, QuestionsScreen), action
        assert app.ENABLE_COMMAND_PALETTE is False and not app.use_command_palette
        # a widget or binding that asks the app to quit gets the PIN screen
        await app.run_action("app.quit")
        await pilot.pause()
        assert isinstance(app.screen, KioskPinScreen)
        await k.keys(pilot, "escape")
        assert isinstance(app.screen, QuestionsScreen) and app.is_running
        assert "devtools" not in app.features and "debug" not in app.features
    assert tried == []


async def test_right_pin_closes_and_saves_the_session_as_interrupted(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "6", "enter")
        await k.keys(pilot, "ctrl+q")
        pin = k.app.screen
        assert isinstance(pin, KioskPinScreen)
        assert "Staff: enter the PIN" in k.text()
        await k.keys(pilot, *PIN[:3])
        assert pin.entered == 3 and "● ● ●" in k.text() and PIN[:3] not in k.text()
        await k.keys(pilot, PIN[3], "enter")
    result = k.app.return_value
    assert isinstance(result, KioskResult)
    assert result.reason == "pin" and result.signal is None
    (s,) = k.sessions()
    assert s["status"] == "interrupted" and result.interrupted == s["id"]
    assert k.answers(s["id"]) == {"nps": 6}
    (exit_,) = k.events(s["id"], "exit")
    assert exit_["data"] == {"by": "staff PIN"} and exit_["question_id"] == "why"
    # the PIN is nowhere in the file
    assert PIN.encode() not in k.db.read_bytes()


async def test_keypad_taps_enter_the_pin(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.later(pilot, 1)
        await k.keys(pilot, "ctrl+q")
        for digit in "24":
            await pilot.click(f"#kiosk-pin-{digit}")
        await pilot.click("#kiosk-pin-9")
        await pilot.click("#kiosk-pin-del")
        for digit in "68":
            await pilot.click(f"#kiosk-pin-{digit}")
        await pilot.click("#kiosk-pin-ok")
        await pilot.pause()
    assert isinstance(k.app.return_value, KioskResult) and k.app.return_value.reason == "pin"
    assert k.sessions() == []  # closed from the welcome screen: no session to save


async def test_wrong_pins_lock_out_with_a_growing_wait_kept_across_closing(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.later(pilot, 1)
        await k.keys(pilot, "ctrl+q")
        await k.keys(pilot, *"1111", "enter")
        assert "Wrong PIN." in k.text()
        await k.keys(pilot, *"2222", "enter")
        await k.keys(pilot, *"3333", "enter")
        assert "Wrong PIN. Wait 2 s before the next try." in k.text()
        pin = k.app.screen
        assert isinstance(pin, KioskPinScreen)
        # while locked out, digits are not taken and the right PIN is refused
        await k.keys(pilot, *PIN, "enter")
        assert pin.entered == 0 and k.app.is_running
        await k.later(pilot, 1)
        assert "Wrong PIN. Wait 1 s before the next try." in k.text()
        # closing and opening the PIN screen again does not reset the lock-out
        await k.keys(pilot, "escape")
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        await k.keys(pilot, "ctrl+q")
        assert "Too many wrong tries. Wait 1 s." in k.text(), k.text()
        await k.later(pilot, 1)
        assert "Wait" not in k.text()
        await k.keys(pilot, *"4444", "enter")
        assert "Wait 4 s" in k.text()
        await k.later(pilot, 4)
        await k.keys(pilot, *PIN, "enter")
    assert isinstance(k.app.return_value, KioskResult)


async def test_pin_screen_closes_itself_when_left_alone(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.later(pilot, 1)
        await k.keys(pilot, "ctrl+q", "1", "2")
        await k.later(pilot, 29)
        assert isinstance(k.app.screen, KioskPinScreen)
        await k.later(pilot, 1)
        assert isinstance(k.app.screen, KioskWelcomeScreen)
        # the digits typed are gone with it
        await k.keys(pilot, "ctrl+q")
        pin = k.app.screen
        assert isinstance(pin, KioskPinScreen) and pin.entered == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
async def test_signals_save_the_session_as_interrupted_and_exit(tmp_path: Path, sig: int) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.start(pilot)
        await k.keys(pilot, "9", "enter")
        k.app.on_signal(sig)
        await pilot.pause()
    result = k.app.return_value
    assert isinstance(result, KioskResult) and (result.reason, result.signal) == ("signal", sig)
    (s,) = k.sessions()
    assert s["status"] == "interrupted"
    assert k.answers(s["id"]) == {"nps": 9}
    assert k.events(s["id"], "exit")[0]["data"] == {"by": signal.Signals(sig).name}


async def test_a_signal_on_the_welcome_screen_saves_nothing(tmp_path: Path) -> None:
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        k.app.on_signal(signal.SIGTERM)
        await pilot.pause()
    assert isinstance(k.app.return_value, KioskResult) and k.sessions() == []


async def test_a_wrong_pin_wait_survives_a_restart_of_the_kiosk(tmp_path: Path) -> None:
    """The lock-out is kept in the database: a new kiosk process still makes staff wait."""
    k = kiosk(tmp_path)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.later(pilot, 1)
        await k.keys(pilot, "ctrl+q")
        for wrong in ("1111", "2222", "3333"):
            await k.keys(pilot, *wrong, "enter")
        assert "Wrong PIN. Wait 2 s before the next try." in k.text()
        k.app.on_signal(signal.SIGTERM)  # the kiosk goes down (a crash, a restart)
        await pilot.pause()
    (row,) = k.rows("SELECT * FROM kiosk_pin_lockout")
    assert (row["device"], row["failures"]) == ("till-1", 3) and row["locked_until"]

    k.app = k.new_app()  # the next start, half a second later
    k.clock.advance(0.5)
    async with k.app.run_test(size=SIZE) as pilot:
        await k.later(pilot, 0.25)
        await k.keys(pilot, "ctrl+q")
        assert "Too many wrong tries. Wait 2 s." in k.text(), k.text()  # 1.25 s left
        pin = k.app.screen
        assert isinstance(pin, KioskPinScreen)
        await k.keys(pilot, *PIN, "enter")  # refused while locked
        assert pin.entered == 0 and k.app.is_running
        await k.later(pilot, 1.25)
        await k.keys(pilot, *"4444", "enter")  # the count goes on: 4th wrong try waits 4 s
        assert "Wait 4 s" in k.text()
        await k.later(pilot, 4)
        await k.keys(pilot, *PIN, "enter")
    result = k.app.return_value
    assert isinstance(result, KioskResult) and result.reason == "pin"
    (row,) = k.rows("SELECT * FROM kiosk_pin_lockout")
    assert (row["failures"], row["locked_until"]) == (0, None)


def test_the_old_sha256_pin_form_still_opens(tmp_path: Path) -> None:
    from surveykit.pin import hash_pin
    from surveykit.session.kiosk import PinGate, pin_sha256

    assert PinGate(pin_sha256(PIN)).check(PIN).ok
    assert PinGate(pin_sha256(PIN).upper()).check(PIN).ok
    new = hash_pin(PIN, n=2**10)
    assert PinGate(new).check(PIN).ok and not PinGate(new).check("2469").ok


def test_a_saved_lock_is_never_longer_than_the_longest_wait(tmp_path: Path) -> None:
    """A wall clock set far ahead when the lock was saved cannot lock the kiosk for good;
    a lock-out that cannot be read or saved (the file failing) stays in memory."""
    from datetime import UTC, datetime, timedelta

    from surveykit.pin import hash_pin
    from surveykit.session.kiosk import PinGate
    from surveykit.storage.store import Store

    store = Store(tmp_path / "k.db")
    store.save_pin_lockout("till-1", 9, "2999-01-01T00:00:00.000Z")
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    gate = PinGate(
        hash_pin(PIN, n=2**10), now=lambda: 50.0, wall=lambda: now, lockout=store, device="till-1"
    )
    assert gate.failures == 9 and gate.locked_for() == gate.max_delay_s
    other = PinGate(hash_pin(PIN, n=2**10), lockout=store, device="till-2")  # per device
    assert other.failures == 0 and other.locked_for() == 0
    store.conn.execute("PRAGMA query_only = 1")  # saving fails: the try still counts
    t = [100.0]
    gate = PinGate(
        hash_pin(PIN, n=2**10),
        now=lambda: t[0],
        wall=lambda: now + timedelta(seconds=t[0]),
        lockout=store,
        device="till-2",
    )
    for _ in range(3):
        gate.check("0000")
    assert gate.failures == 3 and gate.locked_for() == 2
    store.close()
