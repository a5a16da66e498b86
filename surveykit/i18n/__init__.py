"""The words of surveykit's own screens and prompts, in the participant's language.

The survey's texts come from its definition file (in as many languages as it
gives); everything surveykit itself says to a participant (Next, Back, "Question
2 of 5", the plain mode's prompts, the standard "Not applicable") comes from a
gettext message catalogue: `locale/<lang>/LC_MESSAGES/surveykit.po` holds the
source, and the `.mo` file beside it is what Python's `gettext` reads. The `.mo`
files are compiled from the `.po` files by `python -m surveykit.i18n.compile`
(standard library only) and shipped in the package, so an editable install and a
wheel work alike without a build step and without Babel at run time; a test
fails when a `.mo` is not the compilation of its `.po`, when a catalogue lacks a
message, or when placeholders differ.

Message ids are the English text; placeholders are `{name}`, filled after
translation with `str.format`.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

__all__ = ["LANGUAGES", "LOCALE_DIR", "Translator", "language_name", "translator"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "surveykit"

#: the languages of the catalogue (English is the source)
LANGUAGES = ("en", "de", "fr", "es")


#: each language's name in itself, for a language picker (other tags show as written)
LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "pl": "Polski",
    "sv": "Svenska",
    "da": "Dansk",
    "fi": "Suomi",
    "tr": "Türkçe",
    "el": "Ελληνικά",
    "ru": "Русский",
    "uk": "Українська",
    "ar": "العربية",
    "zh": "中文",
    "ja": "日本語",
    "ko": "한국어",
}


def language_name(tag: str) -> str:
    """`de` → `Deutsch`; a regional tag keeps its region (`pt-BR` → `Português (BR)`)."""
    base, _, region = tag.partition("-")
    name = LANGUAGE_NAMES.get(base.lower())
    if name is None:
        return tag
    return f"{name} ({region})" if region else name


class Translator:
    """`t("Question {position} of {total}.", position=2, total=5)`."""

    def __init__(self, language: str | None, catalogue: gettext.NullTranslations) -> None:
        self.language = language
        self._catalogue = catalogue

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._catalogue.gettext(message)
        return text.format(**values) if values else text


@functools.cache
def translator(language: str | None) -> Translator:
    """The UI words in `language` (`de`, `pt-BR` falls back to `pt`); English when the
    catalogue does not have it."""
    if not language:
        return Translator(None, gettext.NullTranslations())
    tags = [language.replace("-", "_"), language.split("-")[0]]
    catalogue = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=tags, fallback=True)
    return Translator(language, catalogue)
