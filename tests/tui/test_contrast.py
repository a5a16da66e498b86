"""Every text/background pair of every theme reads at 4.5:1 or more (WCAG 2 AA).

The pairs come from the stylesheets (`surveykit/tui/styles/*.tcss`): each rule's
`color:` against its own `background:`, or, when it sets none, against the
backgrounds a text can stand on (`$surface`, `$panel`, `$background`, `$boost`
over the first two) and the background of any rule whose selector it extends
(`TaskTimer.-over` for `TaskTimer.-over #mod-timer-digits`); a rule with only a
`background:` against the colour it inherits (from a rule it extends, else
`$foreground`); `$text` and `$foreground` against the page backgrounds. Colours are theme variables
(`$error`, `$text-muted`, `$primary 15%`) or literals (`#ffaa00`, `white 50%`),
resolved against each theme: a translucent colour blended over what is under it,
Textual's `auto N%` as the contrasting text colour.
"""

from __future__ import annotations

import re

import pytest
from textual.color import Color
from textual.theme import Theme

from surveykit.tui.app import style_paths
from surveykit.tui.themes import THEMES

AA = 4.5
PAGE_BACKGROUNDS = ("$surface", "$panel", "$background", "$boost/$surface", "$boost/$panel")
TEXTS_ON_A_BACKGROUND = ("$text", "$foreground")

RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def rules() -> list[tuple[str, str, dict[str, str]]]:
    """(file, selector, {property: value}) of every rule of every stylesheet."""
    found = []
    for path in style_paths():
        text = COMMENT.sub("", path.read_text(encoding="utf-8"))
        for selectors, body in RULE.findall(text):
            props = {}
            for line in body.split(";"):
                if ":" in line:
                    key, value = line.split(":", 1)
                    props[key.strip()] = value.strip()
            for selector in selectors.split(","):
                found.append((path.name, " ".join(selector.split()), props))
    return found


def variables(name: str) -> dict[str, str]:
    theme = Theme(name=name, **THEMES[name])
    return {**theme.to_color_system().generate(), **theme.variables}


def resolve(value: str, under: Color, env: dict[str, str]) -> Color:
    """The colour `value` (a variable, a literal, either with an alpha %) shows over `under`."""
    if "/" in value:  # a translucent colour over another: "$boost/$surface"
        top, bottom = value.split("/", 1)
        return resolve(top, resolve(bottom, under, env), env)
    parts = value.split()
    alpha = 1.0
    if len(parts) == 2 and parts[1].endswith("%"):
        alpha = float(parts[1][:-1]) / 100
    head = parts[0]
    if head.startswith("$"):
        inner = env[head[1:]]
        colour = resolve(inner, under, env)
    elif head == "auto":
        colour = under.get_contrast_text(1.0)
    else:
        colour = Color.parse(head)
    return under.blend(colour, colour.a * alpha, alpha=1.0) if colour.a * alpha < 1 else colour


def luminance(c: Color) -> float:
    """WCAG 2 relative luminance."""

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def ratio(a: Color, b: Color) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def translucent_over_surface(background: str) -> str:
    return f"{background}/$surface" if len(background.split()) == 2 else background


def extends(selector: str, other: str) -> bool:
    """`selector` styles part of what `other` does: a descendant (`A B` of `A`) or
    a narrower match (`A.-x` of `A`)."""
    return selector != other and selector.startswith(other) and selector[len(other)] in " .:>"


def pairs() -> list[tuple[str, str, str]]:
    """(where, text colour, background) of every pair the stylesheets make."""
    all_rules = rules()
    found = []
    backgrounds = {sel: props["background"] for _, sel, props in all_rules if "background" in props}
    colours = {sel: props["color"] for _, sel, props in all_rules if "color" in props}
    for file, selector, props in all_rules:
        where = f"{file} {selector}"
        colour = props.get("color")
        own = props.get("background")
        if own is not None:
            inherited = [c for other, c in colours.items() if extends(selector, other)]
            text = colour or (inherited[-1] if inherited else "$foreground")
            found.append((where, text, translucent_over_surface(own)))
            continue
        if colour is None:
            continue
        under = [translucent_over_surface(b) for o, b in backgrounds.items() if extends(selector, o)]
        for background in under or PAGE_BACKGROUNDS:
            found.append((where, colour, background))
    found += [("the theme", text, bg) for text in TEXTS_ON_A_BACKGROUND for bg in PAGE_BACKGROUNDS]
    return found


def test_the_stylesheets_give_pairs_to_check() -> None:
    assert len(pairs()) > 50
    assert any(bg.startswith("$error 15%") for _, _, bg in pairs())


@pytest.mark.parametrize("name", list(THEMES))
def test_every_pair_is_at_least_aa(name: str) -> None:
    env = variables(name)
    black = Color(0, 0, 0)
    failing = []
    for where, text, background in pairs():
        bg = resolve(background, resolve("$background", black, env), env)
        fg = resolve(text, bg, env)
        r = ratio(fg, bg)
        if r < AA:
            failing.append(f"{where}: {text} {fg.hex} on {background} {bg.hex} = {r:.2f}:1")
    assert not failing, f"theme {name}: below {AA}:1\n" + "\n".join(sorted(set(failing)))


def lowest(name: str) -> tuple[float, str]:
    env = variables(name)
    black = Color(0, 0, 0)
    worst = (99.0, "")
    for where, text, background in pairs():
        bg = resolve(background, resolve("$background", black, env), env)
        r = ratio(resolve(text, bg, env), bg)
        worst = min(worst, (r, f"{where}: {text} on {background}"))
    return worst


def test_resolve_and_ratio() -> None:
    white, black = Color.parse("#ffffff"), Color.parse("#000000")
    assert ratio(white, black) == pytest.approx(21.0)
    assert ratio(Color.parse("#777777"), white) == pytest.approx(4.48, abs=0.01)
    assert resolve("white 50%", black, {}).hex in ("#7F7F7F", "#808080")
    assert resolve("auto 100%", black, {}).hex == "#FFFFFF"


if __name__ == "__main__":  # the lowest pair of each theme
    for theme in THEMES:
        print(theme, *lowest(theme))
