"""A loaded definition as the rest of the program holds it.

Kept apart from `loader` (which brings pydantic, ruamel and the checks) so that
storage, scoring and export can name a `Definition` without loading any of it.
`surveykit.definition.loader.Definition` is this same class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveykit.definition.models import Survey
    from surveykit.definition.problems import Problem


@dataclass(frozen=True)
class Definition:
    """A valid definition and what identifies it in the database."""

    survey: Survey
    sha256: str
    source_path: str
    body_json: str
    #: what `validate` warns about (`path:line:col: warning: …`); the file is valid
    warnings: tuple[Problem, ...] = ()
    #: `languages:` of the file (empty: one language), its default language, and
    #: the language `survey`'s texts are in (see `loader.in_language`)
    languages: tuple[str, ...] = ()
    default_language: str | None = None
    language: str | None = None
    #: for a definition in another language: the one in the default language, which
    #: the database's question catalogue and codebook describe
    original: Definition | None = None

    @property
    def in_default_language(self) -> Definition:
        return self.original if self.original is not None else self
