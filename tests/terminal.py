"""Drive a real program in a real terminal (a detached tmux session) for end-to-end tests.

Usage::

    from terminal import Terminal, require_tmux

    def test_something(tmp_path):
        require_tmux()
        with Terminal([sys.executable, "-m", "surveykit", ...], width=80, height=24) as term:
            term.wait_for("How satisfied")  # always wait for the first frame before sending keys
            term.send("Down", "Enter")
            term.type("free text")
            term.send("Enter")
            assert term.wait_exit() == 0

Every Terminal runs its own tmux server (``tmux -L <unique socket>``, no user config), so
tests never touch the user's tmux and can run in parallel. Server options:

* ``status off``: the program gets the whole ``width`` x ``height`` window;
* ``escape-time 0``: Escape reaches the program at once;
* ``remain-on-exit on`` (with an empty ``remain-on-exit-format``): after the program exits the
  pane stays, so its exit status and its last screen can still be read, and tmux does not
  scroll a "Pane is dead" line into it;
* ``window-size manual``: the window keeps its size even when a client attaches;
* ``default-terminal`` = ``$TERM`` from ``env`` or ``xterm-256color``.

The program runs as ``/bin/sh -c 'read <fifo>; exec <command>'``: ``start()`` releases it
only once tmux is fully set up (a program that printed and exited within the first
milliseconds could otherwise lose its output), and thanks to ``exec`` ``pid()`` is the
program itself, so ``kill()`` signals it, not a wrapper shell.

Quirks worth knowing (Textual inside tmux):

* Keys sent before the program has put the tty in raw mode go through the cooked tty: they
  are echoed, Enter becomes ctrl+j, ctrl+c becomes SIGINT. ``wait_for`` the first screen
  before ``send``/``type``.
* Textual waits ``ESCDELAY`` ms (default 100) after a lone ESC byte to tell the Escape key
  from an escape sequence. ``send("Escape", "x")`` arrives as ``alt+x``; send Escape on its
  own and wait for its effect (or ~0.2 s) before the next key.
* ``type()`` is literal: ``"\\n"`` arrives as ``ctrl+j``, not Enter. Use ``send("Enter")``.
* ``send()`` sends each argument that tmux knows as a key name ("Enter", "Up", "C-q", "F1",
  "BTab", "Space", "BSpace", "PPage", "NPage", "DC", "S-Up", "M-x", ...) as that key, anything
  else as literal text. ``C-h`` arrives as backspace, ``C-i`` as tab, ``C-m`` as enter,
  ``C-[`` as escape, ``C-Space`` as ``ctrl+@``. ctrl+Enter and the like need tmux's
  extended-keys and are not available.
* Textual's own bindings: ``ctrl+q`` quits (exit status 0), ``ctrl+c`` only shows "Do you
  want to quit? Press ctrl+q", ``ctrl+p`` opens the command palette. In raw mode ctrl+c and
  ctrl+z are keys, not signals.
* A Textual app draws on the alternate screen and leaves it when it exits, so the screen
  captured after a clean exit is the normal screen (usually blank, plus anything printed on
  exit), not the app's last frame. Check the last frame before it exits. SIGINT makes a
  Textual app exit cleanly with status 0; after SIGTERM/SIGKILL (status -15/-9) the last
  frame stays on the screen.
* An ``on_resize`` handler on the App runs before ``App._on_resize``: ``self.size`` is still
  the old size there, use ``event.size``.
* ``COLUMNS``/``LINES`` in the environment override the terminal size in Textual
  (``shutil.get_terminal_size``); they are removed from the inherited environment (pass them
  in ``env`` explicitly to force them).
* Debian/Ubuntu's tmux (libutempter) sometimes misses the SIGCHLD of the pane's program, so
  ``#{pane_dead_status}`` stays empty; ``wait_exit`` sends the tmux server a SIGCHLD to make
  it reap the program.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

__all__ = ["Terminal", "require_tmux", "tmux_available"]

POLL_INTERVAL = 0.05
_SESSION = "main"
_TARGET = "main"  # the session's current (only) pane
_TMUX_TIMEOUT = 10.0  # seconds for a single tmux command
# Variables that would make the program see another terminal than the tmux pane.
_DROPPED_ENV = ("TMUX", "TMUX_PANE", "COLUMNS", "LINES")


def tmux_available() -> bool:
    """True if a ``tmux`` executable is on PATH."""
    return shutil.which("tmux") is not None


def require_tmux() -> None:
    """Fail (not skip) the current test if tmux is missing: CI must run end-to-end tests."""
    if not tmux_available():
        pytest.fail("tmux is not installed: apt-get install tmux", pytrace=False)


Matcher = str | re.Pattern[str]


def _matcher(text: Matcher) -> Callable[[str], bool]:
    if isinstance(text, re.Pattern):
        return lambda screen: text.search(screen) is not None
    if isinstance(text, str):
        return lambda screen: text in screen
    raise TypeError(f"expected str or re.Pattern, got {type(text).__name__}")


def _describe(text: Matcher) -> str:
    return f"re.compile({text.pattern!r})" if isinstance(text, re.Pattern) else repr(text)


def _escape_arg(arg: str) -> str:
    """tmux takes an argument ending in ";" as a command separator, unless it ends in "\\;"."""
    return arg[:-1] + "\\;" if arg.endswith(";") else arg


def _process_gone(pid: int) -> bool:
    """True if ``pid`` no longer runs (or is a zombie nobody reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _open_gate(fifo: Path, pid: int, timeout: float = _TMUX_TIMEOUT) -> None:
    """Write a line to ``fifo`` once its reader (the pane's shell, ``pid``) has opened it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:  # ENXIO: no reader yet
            if _process_gone(pid):
                return  # the shell died (e.g. killed): nothing to release
            if time.monotonic() > deadline:
                raise RuntimeError(f"the pane's shell never opened {fifo}: {exc}") from exc
            time.sleep(0.002)
            continue
        try:
            os.write(fd, b"go\n")
        finally:
            os.close(fd)
        return


class Terminal:
    """A program running in a detached tmux session of a fixed size."""

    def __init__(
        self,
        command: Sequence[str | os.PathLike[str]],
        *,
        width: int = 80,
        height: int = 24,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        if isinstance(command, str | bytes) or not command:
            raise ValueError("command must be a non-empty list of arguments")
        if width < 2 or height < 2:
            raise ValueError(f"terminal too small: {width}x{height}")
        self.command = [os.fspath(arg) for arg in command]
        self.width = width
        self.height = height
        self.env = dict(env or {})
        self.cwd = Path(cwd) if cwd is not None else None
        self.socket_name = f"skt-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.term = self.env.get("TERM", "xterm-256color")
        self._client_env = self._build_env()
        self._tmpdir: Path | None = None
        self._socket_path: str | None = None
        self._config_path = os.devnull
        self._pid: int | None = None
        self._server_pid: int | None = None
        self._started = False
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> Terminal:
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<Terminal {shlex.join(self.command)!r} {self.width}x{self.height} "
            f"socket={self.socket_name}>"
        )

    def start(self) -> None:
        """Start the tmux server and the program in it."""
        if self._started:
            raise RuntimeError("Terminal already started")
        require_tmux()
        self._started = True
        _LIVE.add(self)
        try:
            self._tmpdir = Path(tempfile.mkdtemp(prefix="skterm-"))
            config = self._tmpdir / "tmux.conf"
            config.write_text(self._config())
            self._config_path = str(config)
            new_session = ["new-session", "-d", "-s", _SESSION]
            new_session += ["-x", str(self.width), "-y", str(self.height)]
            if self.cwd is not None:
                new_session += ["-c", str(self.cwd)]
            # One argument: tmux runs it with `default-shell -c` (/bin/sh); `exec` so that the
            # pane's pid is the program itself, not a shell waiting for it.
            # The shell waits on a FIFO until tmux is fully set up: a program that writes
            # and exits within the first milliseconds could otherwise lose its output.
            gate = self._tmpdir / "go"
            os.mkfifo(gate)
            script = (
                f"read -r skterm_go < {shlex.quote(str(gate))}; exec {shlex.join(self.command)}"
            )
            new_session += ["--", script]
            self._tmux(*new_session)
            # Not in the config file: tmux 3.3a's server crashes on `new-session -d -x -y`
            # when window-size is manual from the start.
            self._tmux("set-option", "-g", "window-size", "manual")
            info = self._tmux(
                "display-message", "-p", "-t", _TARGET, "#{pane_pid} #{pid} #{socket_path}"
            )  # fmt: skip
            pid, server_pid, self._socket_path = info.rstrip("\n").split(" ", 2)
            self._pid, self._server_pid = int(pid), int(server_pid)
            _open_gate(gate, self._pid)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Kill the tmux server and the program; safe to call more than once."""
        if self._closed:
            return
        _LIVE.discard(self)
        if not self._started:
            self._closed = True
            return
        pid = self._pid
        was_alive = pid is not None and self._pane_dead() is False
        self._closed = True
        self._tmux("kill-session", "-t", _SESSION, check=False)
        self._tmux("kill-server", check=False)
        if was_alive and pid is not None:
            # Closing the pty sends SIGHUP to the program's process group; make sure a
            # program that ignores it goes too (with the children in its group).
            deadline = time.monotonic() + 1.0
            while not _process_gone(pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if not _process_gone(pid):
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)  # tmux made it a session/group leader
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if self._socket_path:
            with contextlib.suppress(OSError):
                os.unlink(self._socket_path)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    # ------------------------------------------------------------------ input

    def send(self, *keys: str) -> None:
        """Send tmux key names ("Enter", "Up", "C-q", "F1", "BTab", "Space", ...), in order."""
        if keys:
            self._tmux("send-keys", "-t", _TARGET, "--", *map(_escape_arg, keys))

    def type(self, text: str) -> None:
        """Type ``text`` literally (``send-keys -l``); a newline arrives as ctrl+j, not Enter."""
        if text:
            self._tmux("send-keys", "-t", _TARGET, "-l", "--", _escape_arg(text))

    def resize(self, width: int, height: int) -> None:
        """Resize the terminal; the program gets SIGWINCH."""
        self._tmux("resize-window", "-t", _SESSION, "-x", str(width), "-y", str(height))
        self.width, self.height = width, height

    # ------------------------------------------------------------------ output

    def screen(self) -> str:
        """The visible text of the terminal, one line per row (trailing blanks trimmed)."""
        return self._tmux("capture-pane", "-p", "-t", _TARGET)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the pane as tmux sees it."""
        out = self._tmux("display-message", "-p", "-t", _TARGET, "#{pane_width} #{pane_height}")
        width, height = out.split()
        return int(width), int(height)

    def wait_for(self, text: Matcher, timeout: float = 10.0) -> str:
        """Wait until ``text`` (substring or regex ``search``) is on screen; return the screen."""
        return self._wait_screen(_matcher(text), f"{_describe(text)} to appear", timeout)

    def wait_gone(self, text: Matcher, timeout: float = 10.0) -> str:
        """Wait until ``text`` is no longer on screen; return the screen."""
        found = _matcher(text)
        return self._wait_screen(lambda s: not found(s), f"{_describe(text)} to go", timeout)

    # ------------------------------------------------------------------ process

    @property
    def alive(self) -> bool:
        """True while the program runs."""
        return self._pane_dead() is False

    def pid(self) -> int | None:
        """The program's pid, or None if it is not running."""
        if not self.alive:
            return None
        out = self._tmux("display-message", "-p", "-t", _TARGET, "#{pane_pid}", check=False)
        return int(out) if out.strip().isdigit() else None

    def kill(self, sig: int) -> None:
        """Send signal ``sig`` to the program; ProcessLookupError if it is not running."""
        pid = self.pid()
        if pid is None:
            raise ProcessLookupError(f"program is not running: {self!r}")
        os.kill(pid, sig)

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """Wait until the program has exited and return its exit status.

        A program killed by a signal gives ``-signum`` (like ``subprocess``); None if tmux
        cannot tell. Raises AssertionError (with the screen) if it still runs after
        ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        dead_since: float | None = None
        while True:
            state = self._pane_state()
            if state is None:
                raise AssertionError(f"terminal is not running (closed or never started): {self!r}")
            dead, status, sig = state
            if dead:
                if status:
                    return int(status)
                if sig:
                    return -int(sig)
                # tmux saw EOF on the pty but has not reaped the child yet. With libutempter
                # (Debian/Ubuntu builds) tmux can miss the SIGCHLD for good (tmux issue #311)
                # and the status never comes: a SIGCHLD makes the server call waitpid again.
                if self._server_pid is not None:
                    with contextlib.suppress(OSError):
                        os.kill(self._server_pid, signal.SIGCHLD)
                now = time.monotonic()
                dead_since = dead_since or now
                if now - dead_since > 2.0 or now > deadline:
                    return None
            elif time.monotonic() > deadline:
                raise AssertionError(
                    f"program still running after {timeout}s: {self!r}\n"
                    + self._framed(self.screen())
                )
            time.sleep(POLL_INTERVAL)

    # ------------------------------------------------------------------ internals

    def _build_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
        env.update(self.env)
        env["TERM"] = self.term  # for the tmux client; the pane's TERM is default-terminal
        if not any(env.get(name) for name in ("LC_ALL", "LC_CTYPE", "LANG")):
            env["LANG"] = "C.UTF-8"  # box-drawing characters need a UTF-8 locale
        return env

    def _config(self) -> str:
        return "\n".join(
            [
                "set-option -s escape-time 0",
                "set-option -s exit-empty on",
                "set-option -g status off",
                f"set-option -g default-terminal {shlex.quote(self.term)}",
                "set-option -g default-shell /bin/sh",
                f"set-option -g default-size {self.width}x{self.height}",
                "set-option -g remain-on-exit on",
                # tmux >= 3.3: otherwise a "Pane is dead" line scrolls the final screen up.
                'set-option -gq remain-on-exit-format ""',
                "set-option -g history-limit 1000",
                "set-option -g mouse off",
                "",
            ]
        )

    def _tmux(self, *args: str, check: bool = True) -> str:
        if not self._started or (self._closed and check):
            raise RuntimeError(f"terminal is not running (closed or never started): {self!r}")
        cmd = ["tmux", "-u", "-L", self.socket_name, "-f", self._config_path, *args]
        try:
            proc = subprocess.run(
                cmd,
                env=self._client_env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=_TMUX_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            if check:
                raise
            return ""
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}"
            )
        return proc.stdout

    def _pane_state(self) -> tuple[bool, str, str] | None:
        """(dead, exit status, signal) of the pane, or None if there is no tmux session."""
        if not self._started or self._closed:
            return None
        fmt = "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}"
        out = self._tmux("display-message", "-p", "-t", _TARGET, fmt, check=False).strip()
        if not out:
            return None
        dead, status, sig = [*out.split("|"), "", ""][:3]
        return dead == "1", status, sig

    def _pane_dead(self) -> bool | None:
        state = self._pane_state()
        return None if state is None else state[0]

    def _poll(self) -> tuple[bool, str]:
        """(program exited, screen), in one tmux call; exited is checked first."""
        out = self._tmux(
            "display-message", "-p", "-t", _TARGET, "#{pane_dead}", ";",
            "capture-pane", "-p", "-t", _TARGET,
        )  # fmt: skip
        dead, _, screen = out.partition("\n")
        return dead == "1", screen

    def _wait_screen(self, done: Callable[[str], bool], what: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            dead, screen = self._poll()
            if done(screen):
                return screen
            if dead:
                status = self.wait_exit(timeout=1.0)
                raise AssertionError(
                    f"program exited (status {status}) while waiting for {what}; "
                    f"final screen:\n{self._framed(screen)}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}; last screen:\n"
                    + self._framed(screen)
                )
            time.sleep(POLL_INTERVAL)

    def _framed(self, screen: str) -> str:
        lines = screen.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        border = "+" + "-" * self.width + "+"
        body = [f"|{line.ljust(self.width)}|" for line in lines]
        return "\n".join([border, *body, border])


_LIVE: set[Terminal] = set()


@atexit.register
def _close_leftovers() -> None:
    """Close terminals a test forgot to close, so no tmux server outlives the test run."""
    for term in list(_LIVE):
        term.close()


# ------------------------------------------------------------------ raw input and health checks
# Helpers for hostile-input tests: bytes no keyboard layout produces, and checks that the
# program is still the same healthy process.

#: What a Python or Rich traceback, or an app that gave up, leaves on a screen.
CRASH_MARKS = re.compile(r"Traceback|most recent call last|Error: |stopped unexpectedly")


def send_bytes(term: Terminal, data: bytes, chunk: int = 200) -> None:
    """Write raw bytes to the program's input, as a device would: any byte, UTF-8 or not.

    ``tmux send-keys -H`` passes each byte through unchanged (no key-name or UTF-8
    translation). Large inputs go in several tmux commands of ``chunk`` bytes.
    """
    for start in range(0, len(data), chunk):
        piece = data[start : start + chunk]
        term._tmux("send-keys", "-t", _TARGET, "-H", "--", *(f"{b:02x}" for b in piece))


def hidden_screen(term: Terminal) -> str:
    """While a full-screen program shows its alternate screen: the normal screen behind it.

    That is where a program that crashed and restarted printed its traceback. Empty when
    there is no alternate screen.
    """
    return term._tmux("capture-pane", "-p", "-q", "-a", "-t", _TARGET, check=False)


def crash_marks(term: Terminal) -> list[str]:
    """Traces of a crash on the visible or the hidden screen (empty: none)."""
    return [
        m.group(0) for s in (term.screen(), hidden_screen(term)) for m in CRASH_MARKS.finditer(s)
    ]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> float:
    """Poll ``condition`` until it is true; return the seconds it took. AssertionError if not."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(POLL_INTERVAL)
    return time.monotonic() - started


__all__ += ["crash_marks", "hidden_screen", "send_bytes", "wait_until"]
