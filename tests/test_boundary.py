"""Layering: the domain (definition, session, storage, scoring) and the CLI's import never
pull in Textual; the TUI never talks SQL. A kiosk's logic stays testable without a
terminal, and every write goes through the Store."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "surveykit"
TUI = PACKAGE / "tui"
DOMAIN = ("definition", "session", "storage", "scoring", "cli")

IMPORT_ALL = """
import importlib, json, pkgutil, sys
import surveykit
names = []
for sub in %r:
    pkg = importlib.import_module("surveykit." + sub)
    names.append(pkg.__name__)
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
print(json.dumps({"modules": names, "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual"),
                  "tui": sorted(m for m in sys.modules if m.startswith("surveykit.tui"))}))
"""


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module an import statement in the file names (any depth, lazy ones too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def test_importing_the_domain_and_cli_does_not_load_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL % (DOMAIN,)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    modules = set(report["modules"])
    # every module file of the domain was imported
    for sub in DOMAIN:
        for path in _python_files(PACKAGE / sub):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts).removesuffix(".__init__")
            assert name in modules, name
    assert report["textual"] == []
    assert report["tui"] == []


def test_only_the_tui_imports_textual() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _python_files(PACKAGE)
        if TUI not in path.parents
        for module, line in _imports(path)
        if module.split(".")[0] == "textual"
    ]
    assert offenders == []


SQL = re.compile(r"\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|VIEW|INDEX)|PRAGMA\s)")


def test_the_tui_does_not_talk_sql() -> None:
    offenders = []
    for path in _python_files(TUI):
        for module, line in _imports(path):
            if module.split(".")[0] in ("sqlite3", "sqlite_utils", "apsw"):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL.search(text):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: SQL: {text.strip()}")
    assert offenders == []


def test_the_checks_can_fail() -> None:
    """The scanners above find what they look for (so an empty result means something)."""
    sample = ROOT / "surveykit" / "definition" / "loader.py"
    assert any(m == "pydantic" for m, _ in _imports(sample))
    assert SQL.search('conn.execute("SELECT * FROM answers")')
    assert SQL.search("INSERT INTO events VALUES (?)")
    assert not SQL.search("Select the options that apply")
    store = ROOT / "surveykit" / "storage" / "store.py"
    assert any(SQL.search(line) for line in store.read_text(encoding="utf-8").splitlines())
    assert any(m == "sqlite3" for m, _ in _imports(store))
