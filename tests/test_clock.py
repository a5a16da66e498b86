from __future__ import annotations

import pytest
from fakes import FakeClock

from surveykit.session.clock import TaskClock, format_ms


@pytest.fixture
def fake() -> FakeClock:
    return FakeClock()


# -- basic lifecycle ------------------------------------------------------------


def test_new_clock_is_idle_with_zero_time(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    fake.advance(5)
    assert clock.state == "idle"
    assert clock.active_ms == 0
    assert clock.over_limit is False
    assert clock.remaining_ms is None


def test_running_time_accumulates(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    clock.start()
    assert clock.state == "running"
    assert clock.active_ms == 0
    fake.advance(1.5)
    assert clock.active_ms == 1500
    fake.advance(0.25)
    assert clock.active_ms == 1750


def test_pause_excludes_paused_time(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    clock.start()
    fake.advance(2.0)
    clock.pause()
    assert clock.state == "paused"
    fake.advance(100.0)  # a long pause is not counted
    assert clock.active_ms == 2000
    clock.resume()
    assert clock.state == "running"
    fake.advance(3.0)
    assert clock.active_ms == 5000
    clock.pause()
    fake.advance(7.0)
    clock.resume()
    fake.advance(0.5)
    assert clock.active_ms == 5500


def test_stop_returns_and_freezes_active_ms(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    clock.start()
    fake.advance(4.2)
    assert clock.stop() == 4200
    assert clock.state == "stopped"
    fake.advance(60)
    assert clock.active_ms == 4200


def test_stop_from_paused_does_not_count_pause(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    clock.start()
    fake.advance(3)
    clock.pause()
    fake.advance(30)
    assert clock.stop() == 3000
    fake.advance(30)
    assert clock.active_ms == 3000


def test_active_ms_is_whole_ms_without_float_drift(fake: FakeClock) -> None:
    # With t0 = 1000.0, (1000.3 - 1000.0) * 1000 == 299.99999999995 in floats:
    # naive truncation would report 299 ms for a 300 ms segment.
    clock = TaskClock(now=fake)
    clock.start()
    fake.advance(0.3)
    assert clock.active_ms == 300
    for k in range(2, 11):
        clock.pause()
        fake.advance(5)
        clock.resume()
        fake.advance(0.3)
        assert clock.active_ms == 300 * k
    assert isinstance(clock.active_ms, int)
    fake.advance(0.0009)  # a sub-millisecond remainder is truncated, not rounded
    assert clock.active_ms == 3000


def test_backwards_clock_never_produces_negative_time(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    clock.start()
    fake.advance(-5)
    assert clock.active_ms == 0


def test_durations_come_only_from_injected_clock(
    fake: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    def boom() -> float:
        raise AssertionError("wall/real clock must not be used")

    monkeypatch.setattr(time, "time", boom)
    monkeypatch.setattr(time, "monotonic", boom)
    monkeypatch.setattr(time, "perf_counter", boom)
    clock = TaskClock(now=fake)
    clock.start()
    fake.advance(1)
    clock.pause()
    clock.resume()
    fake.advance(1)
    assert clock.stop() == 2000
    assert fake.calls > 0


# -- restart --------------------------------------------------------------------


@pytest.mark.parametrize("before", ["idle", "running", "paused", "stopped"])
def test_restart_from_any_state_zeroes_and_runs(fake: FakeClock, before: str) -> None:
    clock = TaskClock(now=fake, time_limit_s=10)
    if before != "idle":
        clock.start()
        fake.advance(12)
        if before == "paused":
            clock.pause()
        elif before == "stopped":
            clock.stop()
    assert clock.state == before
    clock.restart()
    assert clock.state == "running"
    assert clock.active_ms == 0
    assert clock.over_limit is False
    fake.advance(1.25)
    assert clock.active_ms == 1250
    assert clock.remaining_ms == 8750


def test_restart_discards_restored_time(fake: FakeClock) -> None:
    clock = TaskClock.restore(90_000, "paused", now=fake)
    clock.restart()
    fake.advance(1)
    assert clock.active_ms == 1000


# -- time limit -----------------------------------------------------------------


def test_time_limit_and_remaining(fake: FakeClock) -> None:
    clock = TaskClock(now=fake, time_limit_s=60)
    assert clock.remaining_ms == 60_000
    clock.start()
    fake.advance(59.999)
    assert clock.over_limit is False
    assert clock.remaining_ms == 1
    fake.advance(0.001)
    assert clock.active_ms == 60_000
    assert clock.over_limit is True
    assert clock.remaining_ms == 0
    fake.advance(30)
    assert clock.over_limit is True
    assert clock.remaining_ms == 0  # never negative


def test_time_limit_ignores_paused_time(fake: FakeClock) -> None:
    clock = TaskClock(now=fake, time_limit_s=10)
    clock.start()
    fake.advance(6)
    clock.pause()
    fake.advance(600)
    assert clock.over_limit is False
    assert clock.remaining_ms == 4000


def test_fractional_time_limit_has_no_float_error(fake: FakeClock) -> None:
    # 2.007 * 1000 == 2007.0000000000002 in floats; the limit must still be 2007 ms.
    clock = TaskClock(now=fake, time_limit_s=2.007)
    assert clock.remaining_ms == 2007
    clock.start()
    fake.advance(2.006)
    assert clock.over_limit is False
    assert clock.remaining_ms == 1
    fake.advance(0.001)
    assert clock.active_ms == 2007
    assert clock.over_limit is True
    assert clock.remaining_ms == 0


def test_no_limit_is_never_over(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    clock.start()
    fake.advance(10**6)
    assert clock.over_limit is False
    assert clock.remaining_ms is None


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_invalid_time_limit_rejected(fake: FakeClock, bad: float) -> None:
    with pytest.raises(ValueError, match="time_limit_s must be a positive number"):
        TaskClock(now=fake, time_limit_s=bad)


def test_non_numeric_time_limit_rejected(fake: FakeClock) -> None:
    with pytest.raises(TypeError, match="time_limit_s"):
        TaskClock(now=fake, time_limit_s="60")  # type: ignore[arg-type]


# -- invalid transitions ----------------------------------------------------------


def _clock_in(state: str, fake: FakeClock) -> TaskClock:
    clock = TaskClock(now=fake)
    if state == "idle":
        return clock
    clock.start()
    fake.advance(1)
    if state == "paused":
        clock.pause()
    elif state == "stopped":
        clock.stop()
    return clock


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        ("running", "start", "cannot start the task clock: it is running.*restart"),
        ("paused", "start", "cannot start the task clock: it is paused"),
        ("stopped", "start", "cannot start the task clock: it is stopped"),
        ("idle", "pause", "cannot pause the task clock: it is idle.*only allowed when running"),
        ("paused", "pause", "cannot pause the task clock: it is paused"),
        ("stopped", "pause", "cannot pause the task clock: it is stopped"),
        ("idle", "resume", "cannot resume the task clock: it is idle.*only allowed when paused"),
        ("running", "resume", "cannot resume the task clock: it is running"),
        ("stopped", "resume", "cannot resume the task clock: it is stopped"),
        ("idle", "stop", "cannot stop the task clock: it is idle.*running or paused"),
        ("stopped", "stop", "cannot stop the task clock: it is stopped"),
    ],
)
def test_invalid_transitions_raise_and_leave_state_alone(
    fake: FakeClock, state: str, action: str, message: str
) -> None:
    clock = _clock_in(state, fake)
    before_ms = clock.active_ms
    with pytest.raises(ValueError, match=message):
        getattr(clock, action)()
    assert clock.state == state
    assert clock.active_ms == before_ms


def test_state_is_read_only(fake: FakeClock) -> None:
    clock = TaskClock(now=fake)
    with pytest.raises(AttributeError):
        clock.state = "running"  # type: ignore[misc]


# -- restore ----------------------------------------------------------------------


def test_restore_running_resumes_counting_from_now(fake: FakeClock) -> None:
    clock = TaskClock.restore(12_345, "running", now=fake, time_limit_s=20)
    assert clock.state == "running"
    assert clock.active_ms == 12_345  # downtime before restore is not counted
    fake.advance(2.5)
    assert clock.active_ms == 14_845
    assert clock.remaining_ms == 5_155
    clock.pause()
    fake.advance(10)
    assert clock.stop() == 14_845


def test_restore_paused_stays_paused(fake: FakeClock) -> None:
    clock = TaskClock.restore(8_000, "paused", now=fake, time_limit_s=10)
    assert clock.state == "paused"
    fake.advance(50)
    assert clock.active_ms == 8_000
    assert clock.over_limit is False
    clock.resume()
    fake.advance(2)
    assert clock.active_ms == 10_000
    assert clock.over_limit is True


def test_restore_stopped_is_frozen(fake: FakeClock) -> None:
    clock = TaskClock.restore(5_000, "stopped", now=fake)
    fake.advance(5)
    assert clock.state == "stopped"
    assert clock.active_ms == 5_000
    with pytest.raises(ValueError, match="cannot resume"):
        clock.resume()


def test_restore_idle(fake: FakeClock) -> None:
    clock = TaskClock.restore(0, "idle", now=fake)
    assert clock.state == "idle"
    clock.start()
    fake.advance(1)
    assert clock.active_ms == 1000
    with pytest.raises(ValueError, match="idle task clock has no active time"):
        TaskClock.restore(10, "idle", now=fake)


def test_restore_rejects_bad_input(fake: FakeClock) -> None:
    with pytest.raises(ValueError, match="unknown state 'finished'"):
        TaskClock.restore(0, "finished", now=fake)
    with pytest.raises(ValueError, match="active_ms must be >= 0"):
        TaskClock.restore(-1, "paused", now=fake)
    with pytest.raises(TypeError, match="active_ms must be an int"):
        TaskClock.restore(1.5, "paused", now=fake)  # type: ignore[arg-type]


# -- format_ms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0:00.0"),
        (99, "0:00.0"),
        (100, "0:00.1"),
        (7_300, "0:07.3"),
        (7_399, "0:07.3"),  # truncated, not rounded
        (59_999, "0:59.9"),
        (60_000, "1:00.0"),
        (725_000, "12:05.0"),
        (3_599_999, "59:59.9"),
        (3_600_000, "1:00:00.0"),
        (3_723_400, "1:02:03.4"),
        (36_000_000, "10:00:00.0"),
        (-1, "0:00.0"),
        (-5_000, "0:00.0"),
    ],
)
def test_format_ms(ms: int, text: str) -> None:
    assert format_ms(ms) == text
