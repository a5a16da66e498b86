"""The tmux harness in tests/terminal.py, proven on a tiny Textual app and on plain sh."""

from __future__ import annotations

import os
import re
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest

if __package__:  # tests/ is a package (tests/__init__.py)
    from . import terminal as terminal_module
    from .terminal import Terminal, require_tmux
else:  # pytest's default rootdir/"prepend" import puts tests/ on sys.path
    import terminal as terminal_module
    from terminal import Terminal, require_tmux

pytestmark = pytest.mark.e2e

# modes: "input" shows an Input; Enter writes its value to OUT and exits with CODE.
#        "keys" has nothing focusable; every key is appended to OUT and shown as "key #N: name".
# Both show their own terminal size as "size=WxH" (set on mount and on resize).
HARNESS_APP = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets import Input, Static


    class HarnessApp(App[int]):
        def __init__(self, mode: str, out: Path, code: int) -> None:
            super().__init__()
            self.mode, self.out, self.code = mode, out, code
            self.count = 0

        def compose(self) -> ComposeResult:
            yield Static("harness app", id="title")
            yield Static("size=?", id="size")
            yield Static("no keys yet", id="keys")
            if self.mode == "input":
                yield Input(placeholder="type here", id="answer")

        def on_mount(self) -> None:
            self.show_size(self.size)

        def on_resize(self, event: events.Resize) -> None:
            self.show_size(event.size)  # runs before App._on_resize updates self.size

        def show_size(self, size) -> None:
            self.query_one("#size", Static).update(f"size={size.width}x{size.height}")

        def on_key(self, event: events.Key) -> None:
            if self.mode != "keys":
                return
            self.count += 1
            with self.out.open("a", encoding="utf-8") as f:
                f.write(event.key + "\\n")
            self.query_one("#keys", Static).update(f"key #{self.count}: {event.key}")

        def on_input_submitted(self, event: Input.Submitted) -> None:
            self.out.write_text(event.value, encoding="utf-8")
            self.exit(return_code=self.code)


    if __name__ == "__main__":
        app = HarnessApp(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
        app.run()
        sys.exit(app.return_code)
    """
)


def harness_app(
    tmp_path: Path, mode: str, *, code: int = 0, width: int = 80, height: int = 24
) -> tuple[Terminal, Path]:
    script = tmp_path / "harness_app.py"
    script.write_text(HARNESS_APP, encoding="utf-8")
    out = tmp_path / f"{mode}.out"
    command = [sys.executable, str(script), mode, str(out), str(code)]
    return Terminal(command, width=width, height=height, cwd=tmp_path), out


def test_type_text_and_enter_writes_file_and_exit_status(tmp_path: Path) -> None:
    term, out = harness_app(tmp_path, "input", code=3)
    with term:
        assert term.alive
        term.wait_for("size=80x24")  # first frame: the app has the tty in raw mode now
        term.wait_for("type here")
        text = "hello; survey — ünïcode ✓ -l #{pane_pid} $HOME;"  # nothing tmux/sh-special
        term.type(text)
        screen = term.wait_for(text)
        assert "harness app" in screen
        term.send("Enter")
        assert term.wait_exit() == 3
        assert not term.alive
        assert term.pid() is None
        assert out.read_text(encoding="utf-8") == text
        # Textual left the alternate screen on exit: the final screen is not its last frame.
        assert "harness app" not in term.screen()


# (tmux key name, Textual key name)
KEYS = [
    ("Up", "up"),
    ("Down", "down"),
    ("Left", "left"),
    ("Right", "right"),
    ("Tab", "tab"),
    ("BTab", "shift+tab"),
    ("Escape", "escape"),
    ("7", "7"),
    ("Space", "space"),
    ("BSpace", "backspace"),
    ("Enter", "enter"),
    ("C-a", "ctrl+a"),
    ("C-c", "ctrl+c"),  # a key in raw mode, not SIGINT; Textual only shows a notification
    ("F1", "f1"),
    ("Home", "home"),
    ("NPage", "pagedown"),
    ("DC", "delete"),
    ("S-Up", "shift+up"),
    ("M-x", "alt+x"),
    ("q", "q"),
]


def test_keys_arrive_as_textual_keys(tmp_path: Path) -> None:
    term, out = harness_app(tmp_path, "keys")
    with term:
        term.wait_for("size=80x24")
        for n, (tmux_key, textual_key) in enumerate(KEYS, start=1):
            term.send(tmux_key)
            # One key at a time, waiting for its effect: Escape followed at once by another
            # key would be read as alt+<key> by Textual.
            term.wait_for(re.compile(rf"key #{n}: {re.escape(textual_key)}$", re.M), timeout=5)
        # several keys in one send arrive in order
        term.send("1", "2", "3", "Down")
        term.wait_for(f"key #{len(KEYS) + 4}: down", timeout=5)
        term.type("ab")
        term.wait_for(f"key #{len(KEYS) + 6}: b", timeout=5)
        term.send("C-q")  # Textual's built-in quit binding
        assert term.wait_exit() == 0
    expected = [k for _, k in KEYS] + ["1", "2", "3", "down", "a", "b"]
    assert out.read_text(encoding="utf-8").split() == expected


def test_wait_for_timeout_raises_with_screen(tmp_path: Path) -> None:
    term, _ = harness_app(tmp_path, "input")
    with term:
        term.wait_for(re.compile(r"size=\d+x\d+"))
        start = time.monotonic()
        with pytest.raises(AssertionError) as excinfo:
            term.wait_for("no such text", timeout=0.5)
        assert 0.5 <= time.monotonic() - start < 3
        message = str(excinfo.value)
        assert "'no such text'" in message
        assert "harness app" in message and "size=80x24" in message
        assert message.count("\n|") == 24  # the whole 80x24 screen, framed

        with pytest.raises(AssertionError, match=r"(?s)re\.compile\('size=\\\\d\+'\).*harness app"):
            term.wait_gone(re.compile(r"size=\d+"), timeout=0.3)
        assert "harness app" in term.wait_gone("no such text", timeout=0.3)
        assert term.alive  # waiting does not disturb the program


def test_wait_for_fails_fast_when_program_exits(tmp_path: Path) -> None:
    with Terminal(["sh", "-c", "echo goodbye; exit 2"], cwd=tmp_path) as term:
        start = time.monotonic()
        with pytest.raises(AssertionError, match=r"(?s)exited \(status 2\).*goodbye"):
            term.wait_for("never printed", timeout=10)
        assert time.monotonic() - start < 5
        # the pane remains after exit: status and final screen are still there
        assert term.wait_exit() == 2
        assert term.screen().startswith("goodbye\n")
        assert "goodbye" in term.wait_for("goodbye")


def test_kill_sigkill_ends_program(tmp_path: Path) -> None:
    term, _ = harness_app(tmp_path, "keys")
    with term:
        term.wait_for("size=80x24")
        pid = term.pid()
        assert isinstance(pid, int) and pid > 0
        assert term.alive
        term.kill(signal.SIGKILL)
        assert term.wait_exit(timeout=5) == -signal.SIGKILL
        assert not term.alive
        assert term.pid() is None
        with pytest.raises(ProcessLookupError):
            term.kill(signal.SIGTERM)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (100, 30)])
def test_pane_has_requested_size(tmp_path: Path, width: int, height: int) -> None:
    term, _ = harness_app(tmp_path, "keys", width=width, height=height)
    with term:
        assert term.size == (width, height)
        screen = term.wait_for(f"size={width}x{height}")
        assert len(screen.splitlines()) == height
        term.resize(60, 20)
        term.wait_for("size=60x20")
        assert term.size == (60, 20)


def test_env_cwd_term_and_no_inherited_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "132")  # would override the pane size in Textual
    monkeypatch.setenv("SK_INHERITED", "from-os-environ")
    script = 'echo "term=$TERM var=$SK_VAR inherited=$SK_INHERITED cols=$COLUMNS"; pwd; stty size'
    with Terminal(["sh", "-c", script], env={"SK_VAR": "x y"}, cwd=tmp_path) as term:
        assert term.wait_exit() == 0
        lines = term.screen().splitlines()
    assert lines[0] == "term=xterm-256color var=x y inherited=from-os-environ cols="
    assert Path(lines[1]).resolve() == tmp_path.resolve()
    assert lines[2] == "24 80"


def test_close_ends_program_and_server(tmp_path: Path) -> None:
    term, _ = harness_app(tmp_path, "keys")
    with term:
        term.wait_for("size=80x24")
        pid = term.pid()
        socket_path = term._socket_path
    assert pid is not None and socket_path is not None
    assert not term.alive
    assert not os.path.exists(socket_path)
    deadline = time.monotonic() + 5
    while not terminal_module._process_gone(pid):
        assert time.monotonic() < deadline, f"program {pid} survived close()"
        time.sleep(0.05)
    term.close()  # idempotent
    Terminal(["true"]).close()  # never started: nothing to do


def test_require_tmux_fails_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    require_tmux()  # tmux is installed here (CI installs it)
    monkeypatch.setattr(terminal_module, "tmux_available", lambda: False)
    with pytest.raises(pytest.fail.Exception, match=r"tmux is not installed: apt-get install tmux"):
        require_tmux()
