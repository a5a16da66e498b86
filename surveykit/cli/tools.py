"""`surveykit validate`, `surveykit schema` and `surveykit hash-pin`.

The loader, pydantic and ruamel are imported inside the commands, so that
`surveykit --version` and `--help` do not pay for them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError

if TYPE_CHECKING:
    from surveykit.definition.problems import Problem


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, not the files that pass.")
@click.option("--strict", is_flag=True, help="Count warnings as problems: a file with one fails.")
def validate(files: tuple[str, ...], quiet: bool, strict: bool) -> None:
    """Check definition FILES without running them.

    Every problem in every file is printed as path:line:col: message, and every
    warning as path:line:col: warning: message. Exit code 0 when all files are
    valid (warnings allowed, unless --strict), 1 otherwise. A folder stands for
    the .yaml, .yml, .json and .toml files in it.
    """
    from surveykit.definition.loader import load_many
    from surveykit.textsafe import safe_display

    paths = _expand(files)
    good, problems, warnings = load_many(paths)
    if strict:
        problems = [*problems, *warnings]
        for p in warnings:
            good.pop(p.path, None)
    warned = {p.path: 0 for p in warnings}
    for p in warnings:
        warned[p.path] += 1
    for path, definition in good.items():
        if not quiet:
            s = definition.survey
            parts = [f"{len(s.all_questions())} questions"]
            if s.tasks:
                parts.append(f"{len(s.tasks.items)} tasks ({s.tasks.order})")
            if s.kiosk:
                parts.append("kiosk settings")
            n = warned.get(path, 0)
            note = f" ({n} warning{'s' if n != 1 else ''})" if n else ""
            # the path as given may hold control characters: shown as symbols
            click.echo(safe_display(f"{path}: ok — {s.id}: {', '.join(parts)}{note}", multiline=False))
    order = {path: i for i, path in enumerate(paths)}
    shown = problems if strict else [*problems, *warnings]
    for p in sorted(shown, key=lambda p: (order.get(p.path, len(order)), p.line, p.col, p.message)):
        click.echo(str(p), err=True)
    if problems:
        _summary(problems, len(paths))
        sys.exit(1)


def _summary(problems: list[Problem], n_files: int) -> None:
    bad = len({p.path for p in problems})
    click.echo(
        f"{bad} of {n_files} file{'s' if n_files != 1 else ''} "
        f"{'has' if bad == 1 else 'have'} problems ({len(problems)} in all)",
        err=True,
    )


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
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the schema to this file instead of printing it.",
)
def schema(indent: int, out: str | None) -> None:
    """Print the JSON Schema of the definition format.

    Save it once at the root of your project and point your editor at it, for
    example with the YAML language server (the path is relative to the file):

    \b
      surveykit schema --out .surveykit.schema.json
      # yaml-language-server: $schema=../.surveykit.schema.json

    JSON definitions may name it in a top-level "$schema" key instead.
    """
    from surveykit.definition.schema import json_schema

    text = json.dumps(json_schema(), indent=indent, ensure_ascii=False)
    if out is None:
        click.echo(text)
        return
    try:
        Path(out).write_text(text + "\n", encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot write {out}: {e.strerror or e}") from None
    click.echo(f"wrote {out}", err=True)


@cli.command("hash-pin")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read the PIN from standard input (for scripts) instead of asking.",
)
def hash_pin(from_stdin: bool) -> None:
    """Read a staff PIN without echo and print its `exit_pin_hash:` line.

    Paste the line under `kiosk:` in the definition file. The hash is salted
    scrypt (about half a second of work to check one PIN), so a copy of the
    file does not give the PIN away. The PIN itself is never written anywhere.
    """
    from surveykit.pin import hash_pin as make_hash

    if from_stdin:
        pin = sys.stdin.readline().rstrip("\r\n")
    else:
        pin = click.prompt("Staff PIN", hide_input=True, confirmation_prompt="Repeat the PIN", err=True)
    if not (pin.isascii() and pin.isdigit()) or not 4 <= len(pin) <= 12:
        raise UserError("a PIN is 4 to 12 digits")
    click.echo(f"exit_pin_hash: {make_hash(pin)}")
