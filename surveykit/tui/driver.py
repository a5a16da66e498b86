"""Terminal input for every surveykit app: nothing a person types, pastes or plugs in raises.

`SurveykitDriver` is Textual's Linux/macOS driver with one input policy, used by the
runner, the moderator console and the kiosk alike (`SurveykitApp.get_driver_class`):

**Decoding.** Textual's input thread (`LinuxDriver.run_input_thread`) decodes stdin with
a strict incremental UTF-8 decoder, so a single byte that is not UTF-8 — a stray `0xFF`,
a Latin-1 `é` (`0xE9`) from a keyboard or terminal set to another encoding, a barcode
scanner in the wrong mode — raises `UnicodeDecodeError` in that thread, and Textual
treats it as a crash of the whole app. Here undecodable bytes become U+FFFD (`�`), a
visible replacement character, and input carries on. A multi-byte character split
across two reads still decodes whole (the decoder stays incremental); so a lone byte
that could start one (Latin-1 `é`, `0xE9`) shows as `�` with the next key.

**Bracketed paste.** After `ESC [ 2 0 0 ~` (paste start) Textual's parser
(`XTermParser.parse`) collects everything into the paste until `ESC [ 2 0 1 ~` (paste
end), however long that takes: a start without an end (a hostile device, a cut-off
paste, a terminal that died mid-paste) swallows every later key, ctrl+q included.
`SurveykitParser` bounds a paste: when no byte has arrived for `PASTE_IDLE_S` (0.5 s),
when it started `PASTE_MAX_S` (1 s) ago, or when it has reached `PASTE_MAX_CHARS`
characters, it ends the paste itself — what was collected is delivered as an ordinary
`Paste` event — and the parser reads keys again. Keys pressed within that second are
part of the paste (a person pressing ctrl+q again and again gets the PIN screen within
about a second). A terminal writes a whole paste at once, so a real paste is not cut.

**Sequences Textual cannot parse.** A few well-formed-looking sequences raise inside
Textual's parser (a kitty key `ESC [ 9999999 u` is `chr()` of an impossible code point;
an in-band resize to 0×0 makes the next mouse event divide by zero). The parser drops
the sequence and starts afresh instead of ending input for good. In-band resize reports
are only taken when the terminal has agreed to send them, and only with a plausible
size; the terminal's agreement is only taken as the one prompt answer to Textual's
query at start (a device sending it later would make the app ignore SIGWINCH).

**Where this hooks in, and why there.** The decoder and the parser are both created
inside `LinuxDriver.run_input_thread`, as the module globals `getincrementaldecoder` and
`XTermParser` of `textual.drivers.linux_driver`; there is no attribute or hook to swap
either. Rather than copying that input loop (and silently drifting from Textual's fixes
to it), `SurveykitDriver.run_input_thread` is Textual's own function object rebuilt with
those two names bound to ours (`_rebind_globals`). `SurveykitParser` reuses Textual's
parser generator unchanged and only wraps it: it reads the generator's
`bracketed_paste` local to know when a paste is open, lengthens the parser's "wait for
the next character" into a paste-idle timeout through the parser's own timeout
mechanism (`Read1(timeout)` then `ParseTimeout` from `tick()`), and ends a paste by
feeding the generator the paste-end sequence. Every one of these assumptions about
Textual's internals is checked by `tests/test_driver.py`, which fails loudly if an
upgrade of Textual breaks one (`textual_internals_problems()` names the broken ones).

Upstream: the strict decoding is Textual issue #6456 ("UnicodeDecodeError in input
thread crashes application when invalid UTF-8 bytes are received",
https://github.com/Textualize/textual/issues/6456), open when this was written (Textual
8.2.8 still decodes strictly); the fix proposed there is the same `errors="replace"`.
Drop the rebound decoder once a Textual release decodes that way itself. No upstream
report was found for the endless paste or for the parser exceptions.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import time
import types
from collections.abc import Callable, Generator
from typing import Any, Final

import textual._parser as _textual_parser
import textual.drivers.linux_driver as _linux_driver
from textual import events
from textual._parser import ParseEOF, ParseTimeout, Peek1, Read1, TokenCallback
from textual._xterm_parser import BRACKETED_PASTE_END, XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message
from textual.messages import InBandWindowResize

__all__ = [
    "PASTE_IDLE_S",
    "PASTE_MAX_CHARS",
    "PASTE_MAX_S",
    "SurveykitDriver",
    "SurveykitParser",
    "replacing_decoder",
    "textual_internals_problems",
]

#: A paste with no new byte for this long is over, end sequence or not.
PASTE_IDLE_S: Final = 0.5
#: A paste still open this long after it started is over: keys pressed again and again
#: must not keep it open.
PASTE_MAX_S: Final = 1.0
#: A paste this long is delivered and ended (the rest reads as typed keys).
PASTE_MAX_CHARS: Final = 65_536
#: The terminal's answer to "do you send in-band resize reports?" comes within this long.
IN_BAND_REPLY_S: Final = 5.0
#: In-band resize reports beyond this many cells a side are not a real terminal.
MAX_TERMINAL_CELLS: Final = 1_000

#: The local of `XTermParser.parse` that is true while a bracketed paste is open.
_PASTE_FLAG: Final = "bracketed_paste"
#: The attribute of `LinuxDriver` that is true once the terminal sends in-band resizes.
_IN_BAND_FLAG: Final = "_in_band_window_resize"
#: The globals of `LinuxDriver.run_input_thread` that `SurveykitDriver` rebinds.
_REBOUND: Final = ("getincrementaldecoder", "XTermParser")


def _now() -> float:
    """The clock of Textual's parser timeouts (looked up at each call: tests replace it)."""
    return _textual_parser.get_time()


def replacing_decoder(encoding: str) -> Callable[[], codecs.IncrementalDecoder]:
    """Like `codecs.getincrementaldecoder`, but its decoders replace bad bytes with U+FFFD."""
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def _plausible(size: Any) -> bool:
    width, height = size
    return 1 <= width <= MAX_TERMINAL_CELLS and 1 <= height <= MAX_TERMINAL_CELLS


class SurveykitParser(XTermParser):
    """Textual's xterm input parser with a bounded bracketed paste and no fatal sequences."""

    def parse(self, token_callback: TokenCallback[Message]) -> Generator[Read1 | Peek1, str, None]:
        def on_token(token: Message) -> None:
            if isinstance(token, events.Resize) and not (
                _plausible(token.size) and _plausible(token.pixel_size or (1, 1))
            ):
                # An in-band resize report Textual's parser has already taken: undo it.
                self.terminal_size, self.terminal_pixel_size, self.mouse_pixels = sizes
                return
            token_callback(token)

        sizes = (self.terminal_size, self.terminal_pixel_size, self.mouse_pixels)
        inner = super().parse(on_token)
        request = next(inner)
        pasted = 0  # characters read since the paste started
        paste_started = wait = 0.0
        while True:
            pasting = self._pasting(inner)
            if pasting and pasted == 0:
                paste_started = _now()
            pasted = pasted + 1 if pasting else 0
            # Textual's parser waits for a paste's next character with no time limit: give
            # that wait one (the parser's own timeout mechanism then throws ParseTimeout).
            paste_timeout = pasting and isinstance(request, Read1) and request.timeout is None
            step: Callable[[], Read1 | Peek1]
            if paste_timeout:
                left = paste_started + PASTE_MAX_S - _now()
                wait = min(PASTE_IDLE_S, left)
            if paste_timeout and (pasted > PASTE_MAX_CHARS or left <= 0):
                step = functools.partial(self._end_paste, inner)
            else:
                try:
                    character = yield Read1(wait) if paste_timeout else request
                except ParseTimeout:
                    if paste_timeout:
                        step = functools.partial(self._end_paste, inner)
                    else:
                        step = functools.partial(inner.throw, ParseTimeout())
                except ParseEOF:
                    with contextlib.suppress(Exception):  # StopIteration: the parser is done
                        inner.throw(ParseEOF())
                    inner.close()
                    return
                else:
                    sizes = (self.terminal_size, self.terminal_pixel_size, self.mouse_pixels)
                    step = functools.partial(inner.send, character)
            try:
                request = step()
            except StopIteration:
                return
            except Exception as error:  # a sequence Textual's parser cannot take
                self.debug_log(f"dropped a sequence: {error!r}")
                inner = super().parse(on_token)
                request = next(inner)
                pasted = 0

    @staticmethod
    def _pasting(inner: Generator[Read1 | Peek1, str, None]) -> bool:
        frame = getattr(inner, "gi_frame", None)  # None once the generator has finished
        return frame is not None and bool(frame.f_locals.get(_PASTE_FLAG, False))

    def _end_paste(self, inner: Generator[Read1 | Peek1, str, None]) -> Read1 | Peek1:
        """Feed the paste-end sequence: Textual's parser then delivers the paste."""
        self.debug_log("paste not ended by the terminal: ending it")
        request: Read1 | Peek1 | None = None
        for character in BRACKETED_PASTE_END:
            request = inner.send(character)
        assert request is not None
        return request


def _rebind_globals(function: Any, **names: Any) -> Any:
    """A copy of `function` that sees `names` instead of its module's globals of that name."""
    namespace = dict(function.__globals__)
    namespace.update(names)
    clone = types.FunctionType(
        function.__code__,
        namespace,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    clone.__kwdefaults__ = function.__kwdefaults__
    clone.__qualname__ = function.__qualname__
    clone.__doc__ = function.__doc__
    clone.__module__ = __name__
    return clone


def textual_internals_problems() -> list[str]:
    """What this module assumes of Textual's internals and no longer holds (empty: all good)."""
    problems = []
    thread = LinuxDriver.run_input_thread
    for name in _REBOUND:
        if name not in thread.__code__.co_names:
            problems.append(f"LinuxDriver.run_input_thread no longer uses the global {name}")
        elif not hasattr(_linux_driver, name):
            problems.append(f"textual.drivers.linux_driver has no global {name}")
    code = XTermParser.parse.__code__
    if _PASTE_FLAG not in code.co_varnames + code.co_cellvars:
        problems.append(f"XTermParser.parse has no local {_PASTE_FLAG!r} any more")
    if _IN_BAND_FLAG not in LinuxDriver.__init__.__code__.co_names:
        problems.append(f"LinuxDriver no longer sets {_IN_BAND_FLAG}")
    return problems


class SurveykitDriver(LinuxDriver):
    """Textual's Linux/macOS driver with surveykit's input policy (see the module notes)."""

    run_input_thread = _rebind_globals(
        LinuxDriver.run_input_thread,
        getincrementaldecoder=replacing_decoder,
        XTermParser=SurveykitParser,
    )

    _started_at = 0.0
    _in_band_answered = False

    def start_application_mode(self) -> None:
        self._started_at = time.monotonic()
        super().start_application_mode()

    def process_message(self, message: Message) -> None:
        if isinstance(message, InBandWindowResize):
            # The answer to the query Textual sends at start: one, right away. A later one is
            # some device's doing, and would make the app stop following SIGWINCH.
            if self._in_band_answered or time.monotonic() - self._started_at > IN_BAND_REPLY_S:
                return
            self._in_band_answered = True
        elif isinstance(message, events.Resize) and not self._in_band_window_resize:
            return  # a size report the terminal was never asked for (SIGWINCH gives sizes)
        super().process_message(message)
