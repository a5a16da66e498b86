"""The colour themes of the full-screen apps: `dark` (the look surveykit always had),
`light` and `high-contrast`, chosen with `--theme NAME` or `theme:` in a file's
`kiosk:` section.

Plain data (no Textual import), so that the commands can check a name before any
screen opens; `surveykit.tui.app` turns each into a `textual.theme.Theme`.
Every text/background pair the styles use is at least 4.5:1 (WCAG 2 AA) in
every theme: `tests/tui/test_contrast.py` computes it.
"""

from __future__ import annotations

from typing import Any

from surveykit.vocabulary import DEFAULT_THEME, THEME_NAMES

__all__ = ["DEFAULT_THEME", "THEMES", "check_theme", "theme_names"]

#: name → the keyword arguments of `textual.theme.Theme` (its name aside)
THEMES: dict[str, dict[str, Any]] = {
    # Textual's own dark theme, with the error red lightened and the primary
    # blue darkened so that text on them (and red text) reads at 4.5:1
    "dark": {
        "primary": "#0067B8",
        "secondary": "#004578",
        "accent": "#FFA62B",
        "warning": "#FFA62B",
        "error": "#E0607E",
        "success": "#4EBF71",
        "foreground": "#E0E0E0",
        "dark": True,
    },
    "light": {
        "primary": "#0050A0",
        "secondary": "#004578",
        "accent": "#8A4B00",
        "warning": "#8A4B00",
        "error": "#B00020",
        "success": "#1B6E33",
        "foreground": "#1A1A1A",
        "background": "#F5F5F5",
        "surface": "#FFFFFF",
        "panel": "#ECECEC",
        "dark": False,
    },
    "high-contrast": {
        "primary": "#003C8F",
        "secondary": "#002060",
        "accent": "#FFE100",
        "warning": "#FFE100",
        "error": "#FF8A8A",
        "success": "#5CFF8A",
        "foreground": "#FFFFFF",
        "background": "#000000",
        "surface": "#000000",
        "panel": "#000000",
        "boost": "#FFFFFF26",
        "dark": True,
    },
}


def theme_names() -> list[str]:
    """The themes' names, as the commands list them."""
    return list(THEME_NAMES)


def check_theme(name: str) -> str:
    """`name` if it is a theme; a ValueError naming the themes otherwise."""
    if name not in THEME_NAMES:
        raise ValueError(f"unknown theme {name!r}: choose one of {', '.join(THEME_NAMES)}")
    return name

