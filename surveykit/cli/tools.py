"""`surveykit validate`, `surveykit schema` and `surveykit hash-pin`."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import click

from surveykit.cli import cli
from surveykit.cli.common import UserError
from surveykit.definition.loader import load_many
from surveykit.definition.schema import json_schema


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, not the files that pass.")
def validate(files: tuple[str, ...], quiet: bool) -> None:
    """Check definition FILES without running them.

    Every problem in every file is printed as path:line:col: message. Exit code
    0 when all files are valid, 1 otherwise.
    """
    paths = _expand(files)
    good, problems = load_many(paths)
    for path, definition in good.items():
        if not quiet:
            s = definition.survey
            parts = [f"{len(s.all_questions())} questions"]
            if s.tasks:
                parts.append(f"{len(s.tasks.items)} tasks ({s.tasks.order})")
            if s.kiosk:
                parts.append("kiosk settings")
            click.echo(f"{path}: ok — {s.id}: {', '.join(parts)}")
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        bad = len({p.path for p in problems})
        click.echo(
            f"{bad} of {len(paths)} file{'s' if len(paths) != 1 else ''} "
            f"{'has' if bad == 1 else 'have'} problems ({len(problems)} in all)",
            err=True,
        )
        sys.exit(1)


DEFINITION_SUFFIXES = (".yaml", ".yml", ".json", ".toml")


def _expand(files: tuple[str, ...]) -> list[str]:
    """Folders stand for the definition files directly inside them."""
    out: list[str] = []
    for f in files:
        p = Path(f)
        if p.is_dir():
            found = sorted(str(c) for c in p.iterdir() if c.suffix.lower() in DEFINITION_SUFFIXES)
            out.extend(found or [f])
        else:
            out.append(f)
    return out


@cli.command()
@click.option("--indent", type=int, default=2, show_default=True, help="Indentation of the JSON.")
def schema(indent: int) -> None:
    """Print the JSON Schema of the definition format.

    Point your editor at it for completion and checks, for example with the
    YAML language server: `# yaml-language-server: $schema=surveykit.schema.json`.
    """
    click.echo(json.dumps(json_schema(), indent=indent, ensure_ascii=False))


@cli.command("hash-pin")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read the PIN from standard input (for scripts) instead of asking.",
)
def hash_pin(from_stdin: bool) -> None:
    """Read a staff PIN without echo and print its `exit_pin_sha256:` line.

    Paste the line under `kiosk:` in the definition file. The PIN itself is
    never written anywhere.
    """
    if from_stdin:
        pin = sys.stdin.readline().rstrip("\r\n")
    else:
        pin = click.prompt("Staff PIN", hide_input=True, confirmation_prompt="Repeat the PIN", err=True)
    if not (pin.isascii() and pin.isdigit()) or not 4 <= len(pin) <= 12:
        raise UserError("a PIN is 4 to 12 digits")
    click.echo(f"exit_pin_sha256: {hashlib.sha256(pin.encode()).hexdigest()}")
