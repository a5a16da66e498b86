"""The input policy of surveykit's terminal driver, without a terminal: bytes in, events out.

A failure here names the byte sequence; the end-to-end versions are in
tests/e2e/test_hostile_input.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import textual._parser
from fakes import FakeClock
from textual import constants, events
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message
from textual.messages import InBandWindowResize

from surveykit.tui.app import SurveykitApp
from surveykit.tui.driver import (
    PASTE_IDLE_S,
    PASTE_MAX_CHARS,
    PASTE_MAX_S,
    SurveykitDriver,
    SurveykitParser,
    replacing_decoder,
    textual_internals_problems,
)

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock Textual's parser times its escape and paste timeouts with."""
    fake = FakeClock()
    monkeypatch.setattr(textual._parser, "get_time", fake)
    return fake


def keys(messages: list[Message]) -> list[str]:
    return [m.key for m in messages if isinstance(m, events.Key)]


def feed(parser: SurveykitParser, data: str) -> list[Message]:
    return list(parser.feed(data))


def tick(parser: SurveykitParser, clock: FakeClock, seconds: float) -> list[Message]:
    clock.advance(seconds)
    return list(parser.tick())


# ------------------------------------------------------------------ Textual's internals


def test_the_textual_internals_this_relies_on_are_still_there() -> None:
    # If this fails after upgrading Textual, surveykit/tui/driver.py needs updating: its
    # input policy would silently stop applying.
    assert textual_internals_problems() == []


def test_every_surveykit_app_uses_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SurveykitApp().get_driver_class() is SurveykitDriver
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.linux_driver:LinuxDriver")
    assert SurveykitApp().get_driver_class() is LinuxDriver  # TEXTUAL_DRIVER still honoured


def test_the_input_thread_is_textuals_own_loop() -> None:
    ours, theirs = SurveykitDriver.run_input_thread, LinuxDriver.run_input_thread
    assert ours is not theirs and ours.__code__ is theirs.__code__  # type: ignore[attr-defined]


# ------------------------------------------------------------------ decoding


@pytest.mark.parametrize(
    ("chunks", "text"),
    [
        ([b"\xff"], "\ufffd"),
        ([b"caf\xe9!"], "caf\ufffd!"),  # Latin-1 é
        ([b"\xe2\x82x"], "\ufffdx"),  # a truncated three-byte sequence, then a key
        ([b"\xf0\x9f\x98"], ""),  # may still be completed: wait for more
        ([b"\xe2\x82", b"\xac"], "€"),  # split across two reads: decoded whole
        ([b"\xc0\xaf\xed\xa0\x80"], "\ufffd" * 5),  # overlong, surrogate: never decoded
        ([b"\x00\x1b\x7f"], "\x00\x1b\x7f"),
    ],
)
def test_undecodable_bytes_become_the_replacement_character(chunks: list[bytes], text: str) -> None:
    decode = replacing_decoder("utf-8")().decode
    assert "".join(decode(chunk) for chunk in chunks) == text


def test_a_replacement_character_is_a_key_like_any_other(clock: FakeClock) -> None:
    parser = SurveykitParser()
    decode = replacing_decoder("utf-8")().decode
    got = feed(parser, decode(b"a\xff\x11"))
    assert keys(got) == ["a", "replacement_character", "ctrl+q"]
    assert [m.character for m in got if isinstance(m, events.Key)][1] == "\ufffd"


# ------------------------------------------------------------------ bracketed paste


def test_a_terminated_paste_is_one_paste_event(clock: FakeClock) -> None:
    parser = SurveykitParser()
    got = feed(parser, f"{PASTE_START}hello\x00 world{PASTE_END}x")
    assert [m.text for m in got if isinstance(m, events.Paste)] == ["hello world"]
    assert keys(got) == ["x"]


def test_a_paste_arriving_in_pieces_is_still_one_paste(clock: FakeClock) -> None:
    parser = SurveykitParser()
    assert feed(parser, f"{PASTE_START}one ") == []
    assert tick(parser, clock, PASTE_IDLE_S * 0.8) == []
    assert feed(parser, "two ") == []
    assert tick(parser, clock, PASTE_IDLE_S * 0.8) == []
    got = feed(parser, f"three{PASTE_END}")
    assert [m.text for m in got if isinstance(m, events.Paste)] == ["one two three"]


def test_an_unterminated_paste_ends_after_a_pause_and_keys_work_again(clock: FakeClock) -> None:
    parser = SurveykitParser()
    assert feed(parser, f"{PASTE_START}1234") == []
    assert feed(parser, "\x11") == []  # ctrl+q inside the paste: part of the paste
    got = tick(parser, clock, PASTE_IDLE_S + 0.01)
    assert [m.text for m in got if isinstance(m, events.Paste)] == ["1234\x11"]
    assert keys(feed(parser, "\x11")) == ["ctrl+q"]
    assert keys(feed(parser, "5\r")) == ["5", "enter"]
    # the terminal's late end sequence does no harm
    assert [m for m in feed(parser, PASTE_END) if isinstance(m, events.Paste)] == []
    assert keys(feed(parser, "6")) == ["6"]


def test_an_unterminated_paste_start_alone_ends_too(clock: FakeClock) -> None:
    parser = SurveykitParser()
    assert feed(parser, PASTE_START) == []
    got = tick(parser, clock, PASTE_IDLE_S + 0.01)
    assert [m.text for m in got if isinstance(m, events.Paste)] == [""]
    assert keys(feed(parser, "\x11")) == ["ctrl+q"]


def test_keys_pressed_again_and_again_do_not_keep_a_paste_open(clock: FakeClock) -> None:
    parser = SurveykitParser()
    got = feed(parser, PASTE_START)
    presses = 0
    while "ctrl+q" not in keys(got):  # staff press ctrl+q every 0.3 s
        presses += 1
        assert presses < 10, got
        got = tick(parser, clock, 0.3) + feed(parser, "\x11")
    assert presses * 0.3 <= PASTE_MAX_S + 0.3
    assert keys(feed(parser, "1")) == ["1"]


def test_an_endless_paste_is_cut_at_the_maximum_size(clock: FakeClock) -> None:
    parser = SurveykitParser()
    got = feed(parser, PASTE_START + "a" * (PASTE_MAX_CHARS + 10))
    pastes = [m.text for m in got if isinstance(m, events.Paste)]
    assert len(pastes) == 1 and len(pastes[0]) >= PASTE_MAX_CHARS - 1
    assert len(keys(got)) <= 12  # the rest reads as typed keys
    assert keys(feed(parser, "\x11")) == ["ctrl+q"]


def test_the_escape_key_still_works_after_a_cut_paste(clock: FakeClock) -> None:
    parser = SurveykitParser()
    feed(parser, f"{PASTE_START}xy")
    tick(parser, clock, PASTE_IDLE_S + 0.01)
    assert feed(parser, "\x1b") == []
    assert keys(tick(parser, clock, 0.2)) == ["escape"]  # Textual's ESC delay


# ------------------------------------------------------------------ sequences Textual chokes on


@pytest.mark.parametrize(
    "sequence",
    [
        "\x1b[9999999u",  # kitty key with an impossible code point: chr() raises
        "\x1b[97;1;99999999u",  # same, in the associated-text field
        "\x1b[48;0;0;0;0t",  # in-band resize to 0x0: the next mouse event divides by 0
        "\x1b[48;99999;99999;1;1t",  # in-band resize to an absurd size
    ],
)
def test_a_sequence_textual_cannot_take_is_dropped_and_input_goes_on(
    clock: FakeClock, sequence: str
) -> None:
    parser = SurveykitParser()
    got = feed(parser, f"a{sequence}b")
    assert keys(got) == ["a", "b"]
    assert not [m for m in got if isinstance(m, events.Resize)]
    got = feed(parser, "\x1b[<0;3;4Mc")  # a click, then a key
    assert keys(got) == ["c"]
    (click,) = [m for m in got if isinstance(m, events.MouseDown)]
    assert (click.x, click.y) == (2, 3)


def test_a_plausible_in_band_resize_still_passes(clock: FakeClock) -> None:
    parser = SurveykitParser()
    (resize,) = feed(parser, "\x1b[48;30;100;600;1000t")
    assert isinstance(resize, events.Resize) and tuple(resize.size) == (100, 30)


# ------------------------------------------------------------------ the real input loop


class Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    def __call__(self, message: Message) -> None:
        with self.lock:
            self.messages.append(message)

    def wait(self, predicate: Any, timeout: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                got = list(self.messages)
            if predicate(got):
                return got
            time.sleep(0.02)
        raise AssertionError(f"timed out; got {got!r}")


@pytest.fixture
def input_loop(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, Recorder, SurveykitDriver]]:
    """SurveykitDriver's input thread reading a pipe; yields (write end, recorder, driver)."""
    recorder = Recorder()
    monkeypatch.setattr(Driver, "process_message", lambda _driver, message: recorder(message))
    read_end, write_end = os.pipe()
    driver = object.__new__(SurveykitDriver)  # no app, no terminal: only the input loop
    driver.fileno = read_end
    driver.exit_event = threading.Event()
    driver._debug = False
    driver._in_band_window_resize = False
    failures: list[BaseException] = []

    def run() -> None:
        try:
            driver.run_input_thread()
        except BaseException as error:  # what Textual would turn into a crash of the app
            failures.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield write_end, recorder, driver
    finally:
        driver.exit_event.set()
        thread.join(5)
        os.close(write_end)
        os.close(read_end)
    assert not failures, failures


def test_the_input_loop_survives_invalid_utf8(
    input_loop: tuple[int, Recorder, SurveykitDriver],
) -> None:
    fd, recorder, _driver = input_loop
    os.write(fd, b"\xff")
    os.write(fd, b"caf\xe9")
    os.write(fd, b"\xe2\x82")
    os.write(fd, b"!")
    got = recorder.wait(lambda m: "exclamation_mark" in keys(m))
    chars = "".join(m.character or "" for m in got if isinstance(m, events.Key))
    assert chars == "\ufffdcaf\ufffd\ufffd!"


def test_the_input_loop_ends_an_unterminated_paste(
    input_loop: tuple[int, Recorder, SurveykitDriver],
) -> None:
    fd, recorder, _driver = input_loop
    started = time.monotonic()
    os.write(fd, b"\x1b[200~12")
    got = recorder.wait(lambda m: any(isinstance(x, events.Paste) for x in m))
    assert PASTE_IDLE_S <= time.monotonic() - started < PASTE_IDLE_S + 1.5
    os.write(fd, b"\x11")
    got = recorder.wait(lambda m: "ctrl+q" in keys(m))
    assert [m.text for m in got if isinstance(m, events.Paste)] == ["12"]


def test_the_input_loop_ignores_resize_reports_it_never_asked_for(
    input_loop: tuple[int, Recorder, SurveykitDriver],
) -> None:
    fd, recorder, _driver = input_loop
    os.write(fd, b"\x1b[48;10;20;100;200tz")
    got = recorder.wait(lambda m: "z" in keys(m))
    assert not [m for m in got if isinstance(m, events.Resize)]


def test_the_input_loop_takes_no_late_in_band_resize_agreement(
    input_loop: tuple[int, Recorder, SurveykitDriver],
) -> None:
    # Long after start, a device "agrees" to in-band resizes: taken, it would make the app
    # ignore SIGWINCH (real resizes) from then on.
    fd, recorder, driver = input_loop
    os.write(fd, b"\x1b[?2048;2$yz")
    got = recorder.wait(lambda m: "z" in keys(m))
    assert not [m for m in got if isinstance(m, InBandWindowResize)]
    assert driver._in_band_window_resize is False
