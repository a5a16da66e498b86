"""The `surveykit` command line (SPEC §7).

Each command lives in its own module and registers itself on `cli`. Exit codes:
0 ok, 1 user error (bad file, bad data, unwritable database: one clear
message, no traceback), 2 usage error (click's own).

Start-up: a command's module is imported only when that command runs, so
`surveykit --version` and `--help` load none of pydantic, ruamel, scipy or
textual. `--help` lists the commands from `COMMANDS` below (their modules are
not imported for it); a test checks the table against the real commands.
"""

from __future__ import annotations

import importlib
import sys

import click

from surveykit import __version__
from surveykit.cli.base import UserError, echo

#: Every command: the module that defines it, and its one-line help as `--help` shows
#: it (the first paragraph of the command's docstring).
COMMANDS: dict[str, tuple[str, str]] = {
    "compare": (
        "surveykit.cli.compare",
        "Compare the groups of DB metric by metric: each group's value and n, the difference "
        "with its interval, a p-value and the test used.",
    ),
    "dashboard": (
        "surveykit.cli.dashboard",
        "Show the headline numbers of DB in the terminal (sessions, NPS, CSAT, SUS, task "
        "completion… with n and interval), refreshed while kiosks or a study write to it.",
    ),
    "export": (
        "surveykit.cli.export",
        "Write DB as files for analysts: sessions, answers (long, with question text and "
        "labels), responses_<survey> (wide, one row per session), task_runs, events and a "
        "codebook describing every variable.",
    ),
    "hash-pin": (
        "surveykit.cli.tools",
        "Read a staff PIN without echo and print its `exit_pin_hash:` line.",
    ),
    "kiosk": (
        "surveykit.cli.kiosk",
        "Run FILE as an unattended kiosk: welcome → questions → thank-you, forever.",
    ),
    "merge": (
        "surveykit.cli.merge",
        "Copy the closed sessions (completed, abandoned, interrupted) of each SRC into DEST, "
        "with their answers, task runs, events and definitions.",
    ),
    "metadata": (
        "surveykit.cli.metadata",
        "Print Datasette metadata for DB: a description of every table, view and column "
        "(question texts and scale labels), and default facets (survey, device, status, day).",
    ),
    "moderate": (
        "surveykit.cli.moderate",
        "Moderate a usability study: timed tasks with one-key outcome coding.",
    ),
    "observe": (
        "surveykit.cli.observe",
        "Follow a moderated session of FILE read-only and take notes with #tags.",
    ),
    "participant": (
        "surveykit.cli.participant",
        "Show a moderated session's participant screen on this terminal.",
    ),
    "report": (
        "surveykit.cli.report",
        "Write an HTML report of DB: every metric with n, its interval and a chart, and the "
        "text answers, in one file that opens offline and prints.",
    ),
    "run": ("surveykit.cli.run", "Run FILE for one participant in this terminal."),
    "schema": ("surveykit.cli.tools", "Print the JSON Schema of the definition format."),
    "score": (
        "surveykit.cli.score",
        "Score the sessions in DB: NPS, CSAT, CES, SEQ, ratings, SUS (with grade), UMUX-Lite, "
        "task completion, time on task, errors and abandonment, each with n and a confidence "
        "interval.",
    ),
    "simulate": (
        "surveykit.cli.simulate",
        "Fill a database with N plausible, random sessions of FILE, so that analysis "
        "pipelines and benchmarks have data before fieldwork.",
    ),
    "sync": (
        "surveykit.cli.sync",
        "Send the closed sessions of DB (completed, abandoned, interrupted) to a central "
        "PostgreSQL, creating its tables on first use.",
    ),
    "timeline": (
        "surveykit.cli.timeline",
        "Print a session's events in order with their session time, or write them as "
        "captions (WebVTT, SRT) lined up with a screen recording.",
    ),
    "validate": ("surveykit.cli.tools", "Check definition FILES without running them."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are used, not when it starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name][0])  # registers itself on `cli`
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list as click draws it, from `COMMANDS` (no command is imported)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name in COMMANDS:
                # shortened exactly as click shortens a loaded command's help
                text = click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)
            else:  # registered by hand (tests, plug-ins): ask the command itself
                text = self.commands[name].get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="surveykit")
def cli() -> None:
    """Run CSAT/NPS/CES surveys, feedback kiosks and moderated usability studies
    in the terminal, and score what lands in SQLite.

    \b
    Quick start:
      surveykit validate surveys/*.yaml
      surveykit run surveys/store-feedback.yaml
      surveykit score surveykit.db
    """


def load_all() -> dict[str, click.Command]:
    """Import every command (for tests and documentation); name → command."""
    ctx = click.Context(cli)
    out = {}
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        if cmd is not None:
            out[name] = cmd
    return out


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user errors become one message and exit code 1."""
    try:
        cli.main(args=argv, prog_name="surveykit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except UserError as e:
        echo(f"Error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:
        # Imported only now: a command that raised them has loaded them already.
        from surveykit.definition.problems import DefinitionError
        from surveykit.storage.store import StorageError

        if isinstance(e, DefinitionError):
            for p in e.problems:
                echo(str(p), err=True)
            sys.exit(1)
        if isinstance(e, StorageError):
            echo(f"Error: {e}", err=True)
            sys.exit(1)
        raise
    sys.exit(0)
