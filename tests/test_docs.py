"""Every CLI command is documented in the README, with help text of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveykit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_is_in_readme_table(name: str) -> None:
    assert f"| `surveykit {name}" in README, f"add `surveykit {name}` to the README's command table"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_has_help_text(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help.strip()) > 20
    for param in command.params:
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            assert getattr(param, "help", None), f"option {param.name} of {name} has no help"


def test_docs_linked_from_readme_exist() -> None:
    for line in README.splitlines():
        if "](docs/" in line:
            target = line.split("](", 1)[1].split(")", 1)[0]
            assert (ROOT / target).exists(), f"README links to missing {target}"
