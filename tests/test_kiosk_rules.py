"""The kiosk's PIN gate and idle timer, with a hand-moved clock."""

from __future__ import annotations

import pytest
from fakes import FakeClock

from surveykit.session.kiosk import IdleTimer, PinGate, pin_sha256


def test_pin_hash_matches_hash_pin_output() -> None:
    # `echo 2468 | surveykit hash-pin --stdin` prints this hash (see surveys/store-feedback.yaml)
    assert pin_sha256("2468") == "a1fb4e703a9ef1fa4936801721ff285a97ac85330856674412e054892afe6972"


def test_right_pin_opens() -> None:
    gate = PinGate(pin_sha256("2468"), now=FakeClock())
    assert gate.check("2468").ok


def test_wrong_tries_lock_out_with_growing_delay() -> None:
    clock = FakeClock()
    gate = PinGate(pin_sha256("2468"), now=clock, free_tries=2, base_delay_s=2)
    first, second = gate.check("0000"), gate.check("1111")
    assert (first.ok, first.wait_s, first.message) == (False, 0.0, "Wrong PIN.")
    assert (second.ok, second.wait_s) == (False, 0.0)
    third = gate.check("2222")
    assert not third.ok and third.wait_s == 2
    # while locked, even the right PIN is refused and does not count as a try
    locked = gate.check("2468")
    assert not locked.ok and locked.wait_s == pytest.approx(2)
    assert gate.failures == 3
    clock.t += 2
    fourth = gate.check("3333")
    assert fourth.wait_s == 4
    clock.t += 4
    assert gate.check("5555").wait_s == 8
    clock.t += 8
    assert gate.check("2468").ok
    assert gate.failures == 0 and gate.locked_for() == 0


def test_delay_is_capped() -> None:
    clock = FakeClock()
    gate = PinGate(pin_sha256("1234"), now=clock, free_tries=0, base_delay_s=100, max_delay_s=300)
    waits = []
    for _ in range(5):
        waits.append(gate.check("9999").wait_s)
        clock.t += 1000
    assert waits == [100, 200, 300, 300, 300]


def test_no_pin_configured_never_opens() -> None:
    gate = PinGate(None, now=FakeClock())
    assert not gate.configured
    assert not gate.check("").ok
    assert not gate.check("1234").ok


def test_idle_timer_warns_then_expires() -> None:
    clock = FakeClock()
    idle = IdleTimer(45, warn_s=15, now=clock)
    assert idle.state() == "active"
    clock.t += 29.9
    assert idle.state() == "active"
    clock.t += 0.2
    assert idle.state() == "warning"
    assert idle.remaining_s == pytest.approx(14.9)
    clock.t += 15
    assert idle.state() == "expired"
    idle.touch()
    assert idle.state() == "active" and idle.remaining_s == 45


def test_idle_default_warning_is_a_third_up_to_15s() -> None:
    assert IdleTimer(45, now=FakeClock()).warn_s == 15
    assert IdleTimer(12, now=FakeClock()).warn_s == 4
