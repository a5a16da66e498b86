"""The TUI goes through the session layer: it never imports storage at run time
(types only), and `surveykit run` decides nothing by importing the TUI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUI = ROOT / "surveykit" / "tui"


def _runtime_imports(path: Path) -> list[tuple[str, int]]:
    """Imports outside `if TYPE_CHECKING:` blocks, at any depth (lazy ones too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
    return found


def test_the_tui_imports_storage_for_types_only() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted(TUI.rglob("*.py"))
        for module, line in _runtime_imports(path)
        if module.startswith("surveykit.storage")
    ]
    assert offenders == []


def test_the_run_command_imports_the_tui_only_to_run_the_app() -> None:
    run = ROOT / "surveykit" / "cli" / "run.py"
    tui = [(m, n) for m, n in _runtime_imports(run) if m.startswith("surveykit.tui")]
    assert [m for m, _ in tui] == ["surveykit.tui.run_app"]
    source = run.read_text(encoding="utf-8").splitlines()
    assert "import RunApp" in source[tui[0][1] - 1]


def test_the_scanner_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "from surveykit.storage.store import Store\n"
        "if TYPE_CHECKING:\n    from surveykit.storage.writer import SessionWriter\n"
    )
    assert [m for m, _ in _runtime_imports(sample)] == ["typing", "surveykit.storage.store"]
