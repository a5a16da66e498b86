"""`safe_display`: nothing typed, pasted or written in a definition reaches the terminal raw."""

from __future__ import annotations

import pytest

from surveykit.textsafe import REPLACEMENT, is_safe, safe_display


def test_plain_text_is_unchanged() -> None:
    text = "Très bien — 10/10 👍 [bold]not markup[/bold] 日本語"
    assert safe_display(text) == text
    assert is_safe(text)


def test_ansi_colour_sequence_is_visible() -> None:
    assert safe_display("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"


def test_osc_title_and_bell_are_visible() -> None:
    assert safe_display("\x1b]0;owned\x07") == "␛]0;owned␇"


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (0x09, 0x0A)])
def test_every_c0_control_becomes_its_control_picture(code: int) -> None:
    out = safe_display(f"a{chr(code)}b")
    assert out == f"a{chr(0x2400 + code)}b"


def test_del_and_c1_controls() -> None:
    assert safe_display("x\x7fy") == "x␡y"
    for code in range(0x80, 0xA0):
        assert safe_display(chr(code)) == REPLACEMENT
    assert safe_display("\x9b2J") == f"{REPLACEMENT}2J"  # 8-bit CSI


def test_newline_and_tab_kept_in_multiline_made_visible_in_single_line() -> None:
    assert safe_display("a\nb\tc") == "a\nb\tc"
    assert safe_display("a\nb\tc", multiline=False) == "a␤b␉c"
    assert safe_display("a\u2028b") == "a\nb"
    assert safe_display("a\u2029b", multiline=False) == "a␤b"


def test_carriage_return_never_passes() -> None:
    assert safe_display("over\rwrite") == "over␍write"
    assert safe_display("over\rwrite", multiline=False) == "over␍write"


def test_bidi_overrides_and_lone_surrogates_are_replaced() -> None:
    assert (
        safe_display("abc\u202edef\u2066x\u2069")
        == f"abc{REPLACEMENT}def{REPLACEMENT}x{REPLACEMENT}"
    )
    assert safe_display("bad \udcff byte") == f"bad {REPLACEMENT} byte"
    safe_display("\ud800").encode("utf-8")  # always encodable


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "\x1b[2J\x1b[H",
        "\x00\x01\x7f\x85\x9f",
        "a\nb\r\n\tc",
        "\u202e\ud800",
        "日本\x1b",
    ],
)
@pytest.mark.parametrize("multiline", [True, False])
def test_one_character_for_one_and_nothing_dangerous_left(text: str, multiline: bool) -> None:
    out = safe_display(text, multiline=multiline)
    assert len(out) == len(text)
    allowed = {"\n", "\t"} if multiline else set()
    for ch in out:
        code = ord(ch)
        assert ch in allowed or not (code < 0x20 or 0x7F <= code < 0xA0), repr(out)
        assert not 0xD800 <= code < 0xE000
        assert not 0x202A <= code <= 0x202E and not 0x2066 <= code <= 0x2069
    assert is_safe(out, multiline=multiline)


def test_non_strings_are_shown_as_text() -> None:
    assert safe_display(12) == "12"  # type: ignore[arg-type]
