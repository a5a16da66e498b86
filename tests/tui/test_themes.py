"""The themes (`--theme`, the kiosk's `theme:`) and NO_COLOR in the full-screen apps."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from textual.filter import Monochrome
from textual.widgets import Static

from surveykit.definition.loader import DefinitionError, load
from surveykit.tui.app import SurveykitApp
from surveykit.tui.themes import DEFAULT_THEME, THEMES
from tests.fixtures_data import run_cli


class Plain(SurveykitApp[None]):
    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("Question 1 of 3", id="text")


@pytest.mark.parametrize("name", list(THEMES))
async def test_each_theme_colours_the_screen(name: str) -> None:
    app = Plain()
    app.use_theme(name)
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        assert app.current_theme.name == name
        surface = app.get_css_variables()["surface"]
        assert app.screen.styles.background.hex.upper() == surface.upper()[:7]


async def test_no_theme_is_the_dark_one() -> None:
    app = Plain()
    app.use_theme(None)
    async with app.run_test(size=(40, 5)):
        assert app.current_theme.name == DEFAULT_THEME == "dark"


def test_an_unknown_theme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown theme 'pink': choose one of dark, light, high-contrast"):
        Plain().use_theme("pink")


@pytest.mark.parametrize("command", [["run", "x.yaml"], ["kiosk", "x.yaml"], ["moderate", "x.yaml"],
                                     ["participant"], ["observe", "x.yaml"]])
def test_an_unknown_theme_is_one_clear_error(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.yaml").write_text("surveykit: 1\nid: s\ntitle: S\nquestions: [nps]\n")
    code, _out, err = run_cli([*command, "--theme", "pink"], capsys)
    assert code == 1
    assert err.strip().splitlines() == [
        "Error: --theme: unknown theme 'pink': choose one of dark, light, high-contrast"
    ]
    assert not Path("surveykit.db").exists()


KIOSK = """\
    surveykit: 1
    id: s
    title: S
    questions: [nps]
    kiosk:
      theme: {theme}
"""


def test_the_kiosk_section_names_a_theme(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_text(textwrap.dedent(KIOSK.format(theme="high-contrast")))
    kiosk = load(path).survey.kiosk
    assert kiosk is not None and kiosk.theme == "high-contrast"
    path.write_text(textwrap.dedent(KIOSK.format(theme="pink")))
    with pytest.raises(DefinitionError) as info:
        load(path)
    assert "k.yaml:6" in str(info.value) and "high-contrast" in str(info.value)


async def test_no_color_draws_in_greys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual reads NO_COLOR when the app is made: it then draws every line
    through its Monochrome filter (greys of the same lightness, no hue)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = Plain()
    app.use_theme("dark")
    async with app.run_test(size=(40, 5)):
        assert app.no_color
        assert any(isinstance(f, Monochrome) for f in app._filters)
    monkeypatch.delenv("NO_COLOR")
    assert not Plain().no_color


def test_every_theme_of_the_vocabulary_has_its_colours_and_no_other() -> None:
    from typing import get_args

    from surveykit.definition.models import KioskSettings
    from surveykit.tui.themes import THEMES
    from surveykit.vocabulary import THEME_NAMES

    assert tuple(THEMES) == THEME_NAMES
    # the definition format offers the same names
    field = KioskSettings.model_fields["theme"].annotation
    offered = {a for arg in get_args(field) for a in get_args(arg)}
    assert offered == set(THEME_NAMES)
