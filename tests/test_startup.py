"""Start-up: what the real CLI loads for `--version`, `--help`, `score` and `export`.

Each check runs the real command in a fresh interpreter (`python -c`) and lists
the modules in `sys.modules` afterwards: a heavy import added anywhere on the
way (the CLI package, storage, export, scoring) fails it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from surveykit.cli import COMMANDS, cli, load_all

ROOT = Path(__file__).resolve().parents[1]
STORE_FEEDBACK = ROOT / "surveys" / "store-feedback.yaml"
CHECKOUT = ROOT / "surveys" / "checkout-study.yaml"

HEAVY = ("pydantic", "ruamel", "scipy", "textual")
COLUMNS = "100"

PROBE = """
import io, json, sys, contextlib
from surveykit.cli import main
out = io.StringIO()
code = None
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(json.loads(sys.argv[1]))
    except SystemExit as e:
        code = e.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def loaded(args: list[str], cwd: Path) -> tuple[int, str, set[str]]:
    """Run `surveykit ARGS` in a fresh interpreter: (exit code, stdout, loaded modules)."""
    env = {k: v for k, v in os.environ.items() if k != "SURVEYKIT_DB"}
    env["COLUMNS"] = COLUMNS  # help is wrapped to the terminal's width
    r = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout.splitlines()[-1])
    return data["code"], data["out"], set(data["modules"])


def top(modules: set[str], names: tuple[str, ...]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in names}


@pytest.fixture(scope="module")
def study_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten simulated sessions (written by a subprocess, so that this one stays clean)."""
    folder = tmp_path_factory.mktemp("startup")
    db = folder / "study.db"
    r = subprocess.run(
        [sys.executable, "-m", "surveykit", "simulate", str(CHECKOUT), "-n", "10",
         "--db", str(db), "--seed", "3", "--start", "2026-11-02"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 0, r.stderr
    return db


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_load_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    code, out, modules = loaded(args, tmp_path)
    assert code == 0
    assert out.startswith("surveykit, version" if args == ["--version"] else "Usage: surveykit")
    assert top(modules, HEAVY) == set()
    # nor any command module, storage, or the definition package
    assert {m for m in modules if m.startswith("surveykit.")} <= {"surveykit.cli",
                                                                   "surveykit.cli.base"}


def test_help_lists_every_command_with_its_own_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", COLUMNS)
    _code, lazy, _ = loaded(["--help"], tmp_path)
    for name in COMMANDS:
        assert any(line.split()[:1] == [name] for line in lazy.splitlines()), name
    # the same listing click draws from the loaded commands themselves
    commands = load_all()
    ctx = click.Context(cli, info_name="surveykit", max_content_width=100)
    formatter = ctx.make_formatter()
    rows = [(n, c.get_short_help_str(formatter.width - 6 - max(map(len, commands))))
            for n, c in sorted(commands.items())]
    with formatter.section("Commands"):
        formatter.write_dl(rows)
    assert formatter.getvalue() in lazy


def test_the_command_table_matches_the_commands() -> None:
    commands = load_all()
    assert set(commands) == set(COMMANDS)
    for name, (module, help_text) in COMMANDS.items():
        cmd = commands[name]
        assert cmd.callback is not None and cmd.callback.__module__ == module, name
        assert help_text == cmd.get_short_help_str(limit=10_000), name


def test_score_loads_neither_the_loader_nor_textual(study_db: Path) -> None:
    code, out, modules = loaded(["score", str(study_db)], study_db.parent)
    assert code == 0
    assert "SUS" in out
    assert top(modules, ("pydantic", "ruamel", "textual")) == set()
    assert "surveykit.definition.loader" not in modules
    assert not any(m.startswith(("surveykit.tui", "surveykit.flow", "surveykit.session"))
                   for m in modules)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_loads_neither_the_loader_nor_pydantic(study_db: Path, fmt: str) -> None:
    out_dir = study_db.parent / f"out-{fmt}"
    code, _out, modules = loaded(
        ["export", str(study_db), "--out", str(out_dir), "--format", fmt], study_db.parent
    )
    assert code == 0
    assert (out_dir / f"responses_checkout_study.{fmt}").stat().st_size > 0
    assert top(modules, ("pydantic", "ruamel", "textual")) == set()
    assert "surveykit.definition.loader" not in modules
    assert not any(m.startswith(("surveykit.tui", "surveykit.flow", "surveykit.session"))
                   for m in modules)


def test_storage_does_not_load_the_loader(tmp_path: Path) -> None:
    code = (
        "import sys, surveykit.storage.store, surveykit.storage.queries, "
        "surveykit.storage.bulk, surveykit.storage.migrations, surveykit.storage.views\n"
        "print(sorted(m for m in sys.modules if m.startswith(('surveykit.definition', "
        "'pydantic', 'ruamel'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
