"""Start-up: the commands against bare Python, and `surveykit run` against a bare Textual app.

Part 1, commands (`--only commands`): wall time of a whole command, spawned
without a terminal, against a bare interpreter doing the least the command
must do; programs interleaved round by round, medians compared in the same run:

* `surveykit --version` against `python -c pass` — target ≤ 3×;
* `surveykit score` on a 10-session file (simulated, checkout study) against
  `python -c "import scipy.special, sqlite3"` — target ≤ 1.5×. For reference
  the same score is also set against `import scipy.stats, sqlite3` (what
  scoring imported before its quantiles came from scipy.special), and the
  bench says which of the two the score run actually loaded.

Part 2, `surveykit run` (`--only run`):

Each program runs in its own pseudo-terminal (80×24, TERM=xterm-256color), as
a participant would start it; the clock runs from spawning the process to the
moment the first question's text has been written to the terminal (escape
sequences stripped). Three programs, interleaved round by round so that load
on the machine hits them alike:

* `cli`    — `python -m surveykit run FILE --db TMP` (the real command);
* `runner` — the same runner without the command-line layer: load the file,
             open the Store, `RunApp(...).run()` (what `surveykit run` costs
             once the CLI imports only what it needs);
* `widgets` — a bare Textual app showing the same widgets (the NPS scale
             widget, plain texts, progress, Back/Next, keys, the same styles)
             built in code: no definition file, no database, no RunApp;
* `bare`   — a bare Textual app that draws the same first screen with
             Textual's built-in widgets only and no surveykit code at all.

The survey is surveys/store-feedback.yaml without its intro, so that the first
screen is the first question (the heavier screen). Target: runner/widgets ≤ 1.2.

    python bench/bench_startup.py [--runs 15] [--only commands|run]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MARKER = "How likely are you to recommend Corner Books"
ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)

BARE_APP = textwrap.dedent(
    '''
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, Vertical, VerticalScroll
    from textual.widgets import Button, Static

    ROW = [" ".join("╭───╮" for _ in range(11)),
           " ".join(f"│{n:^3}│" for n in range(11)),
           " ".join("╰───╯" for _ in range(11)),
           "Not at all likely" + " " * 32 + "Extremely likely",
           "No answer chosen yet"]

    class Bare(App):
        CSS = """
        #heading { height: 1; padding: 0 2; background: $primary; text-style: bold; }
        #progress { height: 1; padding: 0 2; }
        #body { height: 1fr; padding: 1 2 0 2; }
        #question { text-style: bold; margin-bottom: 1; }
        #scale { border-left: outer $accent; padding-left: 1; }
        #nav { height: 3; padding: 0 1; }
        #gap { width: 1fr; }
        #keys { height: 1; padding: 0 2; color: $text-muted; }
        """

        def compose(self) -> ComposeResult:
            with Vertical():
                yield Static("How was your visit?", id="heading")
                yield Static("Question 1 of 4  " + "─" * 59, id="progress")
                with VerticalScroll(id="body"):
                    yield Static("How likely are you to recommend Corner Books to a friend or colleague?", id="question")
                    yield Static("\\n".join(ROW), id="scale")
                with Horizontal(id="nav"):
                    yield Button("← Back", disabled=True)
                    yield Static(id="gap")
                    yield Button("Next →", variant="primary")
                yield Static("←→ or 0–9 choose · 10 = 1 then 0 · Enter next · ctrl+q quit", id="keys")

        def on_mount(self) -> None:
            self.query_one("#scale").focus()

    Bare().run()
    '''
)

SAME_WIDGETS = textwrap.dedent(
    """
    from textual.app import ComposeResult
    from textual.containers import Horizontal, Vertical, VerticalScroll
    from textual.widgets import Button, Static

    from surveykit.definition.models import NPSQuestion
    from surveykit.session.steps import Step
    from surveykit.tui.app import SurveykitApp
    from surveykit.tui.widgets import PlainText, ProgressIndicator, answer_widget_for

    TEXT = "How likely are you to recommend Corner Books to a friend or colleague?"
    STEP = Step("nps", NPSQuestion(id="nps", type="nps", text=TEXT))

    class SameWidgets(SurveykitApp):
        def compose(self) -> ComposeResult:
            with Vertical(id="sk-frame"):
                yield PlainText("How was your visit?", id="sk-heading")
                yield ProgressIndicator(id="sk-progress")
                with VerticalScroll(id="sk-body"):
                    yield PlainText(TEXT, id="sk-question")
                    yield answer_widget_for(STEP)
                with Horizontal(id="sk-nav"):
                    yield Button("← Back", id="sk-back", disabled=True)
                    yield Static(id="sk-nav-gap")
                    yield Button("Next →", id="sk-next", variant="primary")
                yield PlainText("←→ or 0–9 choose · 10 = 1 then 0 · Enter next", id="sk-keys")

        def on_mount(self) -> None:
            self.query_one(ProgressIndicator).update_progress(1, 4)
            self.query_one("#answer-widget").focus_answer()

    SameWidgets().run()
    """
)

RUNNER = textwrap.dedent(
    """
    import sys
    from surveykit.definition.loader import load
    from surveykit.storage.store import Store
    from surveykit.tui.run_app import RunApp

    definition = load(sys.argv[1])
    store = Store(sys.argv[2])
    RunApp(definition, store).run()
    """
)


def survey_without_intro(folder: Path) -> Path:
    text = (REPO / "surveys" / "store-feedback.yaml").read_text()
    text = re.sub(r"^intro:.*\n", "", text, flags=re.M)
    path = folder / "store-feedback-no-intro.yaml"
    path.write_text(text)
    return path


def time_to_marker(command: list[str], *, timeout: float = 60.0) -> float:
    """Seconds from spawning `command` in an 80×24 pty until MARKER is on its screen."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}
    env.update(
        TERM="xterm-256color", LANG=env.get("LANG") or "C.UTF-8", PYTHONDONTWRITEBYTECODE="0"
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO, start_new_session=True
    )
    os.close(slave)
    seen = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - started)
            if left <= 0:
                raise TimeoutError(
                    f"{command[:3]}…: no first screen after {timeout}s:\n{seen[-2000:]!r}"
                )
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                raise RuntimeError(f"{command[:3]}… exited early:\n{seen[-2000:]!r}") from None
            seen += chunk
            if MARKER.encode() in ANSI.sub(b"", seen):
                return time.perf_counter() - started
    finally:
        with_suppressed(os.killpg, proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)


def with_suppressed(fn, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        fn(*args)
    except OSError:
        pass


def surveykit_command() -> list[str]:
    """The installed `surveykit` script beside this interpreter (as a user runs it)."""
    script = Path(sys.executable).with_name("surveykit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "surveykit"]


def wall_time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, cwd=REPO)
    return time.perf_counter() - started


def bench_commands(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ten.db"
        subprocess.run(
            [*surveykit_command(), "simulate", str(REPO / "surveys" / "checkout-study.yaml"),
             "-n", "10", "--db", str(db), "--seed", "1", "--start", "2026-11-02"],
            check=True, stdout=subprocess.DEVNULL,
        )
        probe = subprocess.run(
            [sys.executable, "-c",
             "import sys, io, contextlib; from surveykit.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    try: main(['score', sys.argv[1]])\n"
             "    except SystemExit: pass\n"
             "print('scipy.stats' in sys.modules)", str(db)],
            capture_output=True, text=True, check=True,
        )
        loads_stats = probe.stdout.strip() == "True"
        programs = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "surveykit --version": [*surveykit_command(), "--version"],
            "import scipy.special, sqlite3": [sys.executable, "-c",
                                              "import scipy.special, sqlite3"],
            "import scipy.stats, sqlite3": [sys.executable, "-c", "import scipy.stats, sqlite3"],
            "surveykit score (10 sessions)": [*surveykit_command(), "score", str(db)],
        }
        for command in programs.values():  # warm caches and .pyc files
            wall_time(command)
        results: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(runs):
            for name, command in programs.items():
                results[name].append(wall_time(command))
    median = {name: statistics.median(times) for name, times in results.items()}
    print(f"command wall time, {runs} runs each, interleaved (seconds)")
    print(f"{'program':<32} {'median':>8} {'min':>8} {'max':>8}")
    for name, times in results.items():
        print(f"{name:<32} {median[name]:8.3f} {min(times):8.3f} {max(times):8.3f}")
    version = median["surveykit --version"] / median["python -c pass"]
    score = median["surveykit score (10 sessions)"] / median["import scipy.special, sqlite3"]
    score_stats = median["surveykit score (10 sessions)"] / median["import scipy.stats, sqlite3"]
    print(f"ratio --version / python -c pass:                {version:.2f}  (target <= 3)")
    print(f"ratio score / import scipy.special, sqlite3:     {score:.2f}  (target <= 1.5)")
    print(f"ratio score / import scipy.stats, sqlite3:       {score_stats:.2f}  (reference)")
    print(f"the score run loaded scipy.stats: {'yes' if loads_stats else 'no'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", choices=("commands", "run"), default=None,
                        help="Run one part of the bench (default: both).")
    args = parser.parse_args()
    if args.only in (None, "commands"):
        bench_commands(args.runs)
    if args.only in (None, "run"):
        if args.only is None:
            print()
        bench_run(args.runs)


def bench_run(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        survey = survey_without_intro(folder)
        bare = folder / "bare_app.py"
        bare.write_text(BARE_APP)
        runner = folder / "runner.py"
        runner.write_text(RUNNER)
        same = folder / "same_widgets.py"
        same.write_text(SAME_WIDGETS)
        programs = {
            "bare": lambda i: [sys.executable, str(bare)],
            "widgets": lambda i: [sys.executable, str(same)],
            "runner": lambda i: [
                sys.executable,
                str(runner),
                str(survey),
                str(folder / f"r{i}.db"),
            ],
            "cli": lambda i: [
                sys.executable,
                "-m",
                "surveykit",
                "run",
                str(survey),
                "--db",
                str(folder / f"c{i}.db"),
            ],
        }
        # warm the OS caches and .pyc files, and create the databases: a runner is started
        # again and again on one file (each run here is killed, so the next one also marks
        # the previous session `interrupted`, as after a crash)
        for command in programs.values():
            time_to_marker(command(-1))
        results: dict[str, list[float]] = {name: [] for name in programs}
        for i in range(runs):
            for name, command in programs.items():
                results[name].append(time_to_marker(command(i)))
    print(f"start-up to the first question at 80x24, {runs} runs each (seconds)")
    print(f"{'program':<8} {'median':>8} {'min':>8} {'max':>8}")
    for name, times in results.items():
        print(f"{name:<8} {statistics.median(times):8.3f} {min(times):8.3f} {max(times):8.3f}")
    median = {name: statistics.median(times) for name, times in results.items()}
    for name, base in (
        ("runner", "widgets"),
        ("runner", "bare"),
        ("cli", "widgets"),
        ("cli", "bare"),
    ):
        print(f"ratio {name}/{base} (medians): {median[name] / median[base]:.2f}")
    print("target: runner/widgets <= 1.2")


if __name__ == "__main__":
    main()
