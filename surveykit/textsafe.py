"""Text that is safe to put on a terminal screen.

Everything a definition file says and everything a participant types or pastes
ends up on someone's terminal. A control character or an escape sequence
written raw could move the cursor, recolour the screen, retitle the window or,
on some terminals, answer back with keystrokes. `safe_display` turns every such
character into a visible placeholder, one character for one character, so that
what is shown lines up with what is stored (cursor positions in an editor stay
right) and the database keeps exactly what was typed.

| character | shown as |
|---|---|
| C0 controls U+0000–U+001F (ESC, BEL, CR, …) | the Control Pictures ␀ … ␟ (ESC is ␛) |
| newline, tab | kept in multiline text; ␤ and ␉ otherwise |
| DEL U+007F | ␡ |
| C1 controls U+0080–U+009F (8-bit CSI, OSC, …) | � |
| line / paragraph separators U+2028, U+2029 | a newline in multiline text; ␤ otherwise |
| bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) | � |
| lone surrogates (undecodable input) | � |

So `"\\x1b[31mred"` is shown as `␛[31mred`. Markup is another matter: the
UI renders these strings as plain text, never as Rich or Textual markup, so
`[bold]` in a question or an answer shows literally.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

__all__ = [
    "FORMULA_STARTS",
    "REPLACEMENT",
    "is_safe",
    "safe_cell",
    "safe_display",
    "starts_like_formula",
]

REPLACEMENT = "\ufffd"
NEWLINE_SYMBOL = "\u2424"  # ␤
_TAB_SYMBOL = "\u2409"  # ␉
_DEL_SYMBOL = "\u2421"  # ␡

_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))


def _table(multiline: bool) -> dict[int, str]:
    table: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20)}
    table[0x7F] = _DEL_SYMBOL
    for c in range(0x80, 0xA0):
        table[c] = REPLACEMENT
    for c in _BIDI_CONTROLS:
        table[c] = REPLACEMENT
    if multiline:
        table[0x0A] = "\n"
        table[0x09] = "\t"
        table[0x2028] = "\n"
        table[0x2029] = "\n"
    else:
        table[0x0A] = NEWLINE_SYMBOL
        table[0x09] = _TAB_SYMBOL
        table[0x2028] = NEWLINE_SYMBOL
        table[0x2029] = NEWLINE_SYMBOL
    return table


_MULTILINE = _table(True)
_SINGLE_LINE = _table(False)
_SURROGATES = re.compile("[\ud800-\udfff]")


def safe_display(text: str, *, multiline: bool = True) -> str:
    """`text` with every control character made visible (one character each).

    With `multiline` (the default) newlines and tabs are kept; without it they
    become ␤ and ␉ so that the text stays on one line. The result always has
    the same length as `text`.
    """
    if not isinstance(text, str):
        text = str(text)
    out = text.translate(_MULTILINE if multiline else _SINGLE_LINE)
    return _SURROGATES.sub(REPLACEMENT, out)


def is_safe(text: str, *, multiline: bool = True) -> bool:
    """True if `safe_display` would leave `text` unchanged."""
    return safe_display(text, multiline=multiline) == text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SET = frozenset(FORMULA_STARTS)


@functools.lru_cache(maxsize=1024)
def _nfkc_first(char: str) -> str:
    return unicodedata.normalize("NFKC", char)[:1]


def starts_like_formula(text: str) -> bool:
    """True if a spreadsheet could read `text` as a formula: its first character,
    or the NFKC form of it, is `=`, `+`, `-`, `@`, tab or CR. So fullwidth `＝`
    and `＋`, small `﹦`, superscript `⁺` and the like count too (software that
    normalises text would turn them into the ASCII characters)."""
    first = text[:1]
    return first in _FORMULA_SET or (first > "\x7f" and _nfkc_first(first) in _FORMULA_SET)


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet cannot run as a formula.

    Text that `starts_like_formula` gets a leading single quote; numbers stay
    numbers (a negative number is not text); None is empty.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    if starts_like_formula(text):
        return "'" + text
    return text
