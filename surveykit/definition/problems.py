"""Problems found in a definition file, and the error that carries them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from surveykit.textsafe import safe_display

#: A location inside the parsed file: keys and list indexes from the top.
Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str
    #: a warning is printed but does not make the file invalid
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        # A key or a value quoted in a message may hold control characters:
        # shown as visible symbols, never sent raw to the terminal.
        return safe_display(f"{self.path}:{self.line}:{self.col}: {kind}{self.message}", multiline=False)


class DefinitionError(Exception):
    """A definition file has one or more problems; `problems` lists them all,
    `warnings` what would only have been warned about in a valid file."""

    def __init__(self, problems: Sequence[Problem], warnings: Sequence[Problem] = ()) -> None:
        self.problems = sorted(set(problems))
        self.warnings = sorted(set(warnings))
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' did you mean 'x'?' for the closest choice, or ''."""
    options = list(choices)
    close = [c for c in options if c.casefold() == str(word).casefold() and c != word][:1]
    close = close or difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not close and len(str(word)) >= 3:
        close = [c for c in options if c.startswith(str(word)) or str(word).startswith(c)][:1]
    return f"; did you mean '{close[0]}'?" if close else ""


class Suggester:
    """`did_you_mean` with a bound on the work spent in one file.

    Each suggestion compares a word with every choice; a file with thousands of
    unknown keys or misspelled references would make that slow or quadratic.
    Answers for short lists of choices (the keys a mapping allows) are
    remembered; once `budget` comparisons are spent, problems are still
    reported, only without a suggestion. A normal file never comes near it.
    """

    def __init__(self, budget: int = 300_000) -> None:
        self.left = budget
        self._known: dict[tuple[str, tuple[str, ...]], str] = {}

    def __call__(self, word: str, choices: Iterable[str]) -> str:
        options = tuple(choices)
        key = (str(word), options) if len(options) <= 64 else None
        if key is not None and key in self._known:
            return self._known[key]
        if len(options) > self.left:
            self.left = 0
            return ""
        self.left -= len(options)
        hint = did_you_mean(word, options)
        if key is not None:
            self._known[key] = hint
        return hint


def clip(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters with an ellipsis: a value quoted in a
    message must not make the message as long as the value."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(choices)
