"""The UI's own words come from a gettext catalogue: every shipped language has
every message, with the same placeholders, and each `.mo` is its `.po` compiled."""

from __future__ import annotations

import ast
import io
import string
from pathlib import Path

import pytest

from surveykit.definition.loader import in_language, load
from surveykit.i18n import LANGUAGES, LOCALE_DIR, translator
from surveykit.i18n.compile import catalogue_files, compile_po, parse_po
from surveykit.plain.runner import PlainRunner
from surveykit.storage.store import Store

REPO = Path(__file__).resolve().parents[1]
#: the modules that say things to participants through the catalogue
SOURCES = [
    REPO / "surveykit" / "plain" / "runner.py",
    REPO / "surveykit" / "tui" / "screens" / "questions.py",
    REPO / "surveykit" / "session" / "steps.py",  # the answer checks' messages
    REPO / "surveykit" / "tui" / "screens" / "kiosk_still_there.py",
    REPO / "surveykit" / "tui" / "screens" / "kiosk_thanks.py",
]
#: module constants that are message ids (translated where they are used)
MESSAGE_CONSTANTS = {
    "NEXT_LABEL", "FINISH_LABEL", "BACK_LABEL", "NA_DEFAULT", "OTHER_DEFAULT", "DEFAULT_THANKS"
}


def message_ids() -> list[str]:
    """Every `t("…")` and `say("…")` literal and message constant in the sources."""
    found: list[str] = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in ("t", "say"):
                    found.append(node.args[0].value)
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in MESSAGE_CONSTANTS
                and isinstance(node.value, ast.Constant)
            ):
                found.append(str(node.value.value))
    return sorted(set(found))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_sources_use_the_catalogue() -> None:
    ids = message_ids()
    assert "Question {position} of {total}." in ids and "Next →" in ids and "Not applicable" in ids
    assert len(ids) > 40


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_catalogue_has_every_message_with_its_placeholders(language: str) -> None:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "surveykit.po"
    messages = parse_po(po.read_text(encoding="utf-8"))
    missing = [m for m in message_ids() if not messages.get(m, "").strip()]
    assert missing == [], f"{po}: no translation of {missing}"
    for msgid, msgstr in messages.items():
        if msgid:
            assert placeholders(msgstr) == placeholders(msgid), (language, msgid, msgstr)
    assert f"Language: {language}" in messages[""]


def test_the_kiosk_screens_speak_the_session_language() -> None:
    from surveykit.tui.screens.kiosk_still_there import countdown_text
    from surveykit.tui.screens.kiosk_thanks import KioskThanksScreen

    assert "Still there?" in message_ids() and "Thank you! Your answers have been saved." in message_ids()
    assert countdown_text(1.0) == "This survey will start over in 1 second."
    assert countdown_text(9.2, translator("fr")) == "Ce questionnaire recommencera dans 10 secondes."
    assert countdown_text(0.5, translator("de")) == "Diese Umfrage beginnt in 1 Sekunde von vorn."
    assert KioskThanksScreen("T", None, language="es").text == "¡Gracias! Sus respuestas se han guardado."
    assert KioskThanksScreen("T", None, language="fr").text == "Merci ! Vos réponses ont été enregistrées."
    assert KioskThanksScreen("T", "À bientôt", language="fr").text == "À bientôt"  # the file's outro


def test_each_mo_is_its_po_compiled() -> None:
    files = catalogue_files()
    assert {f.parts[-3] for f in files} == set(LANGUAGES) - {"en"}
    for po in files:
        assert po.with_suffix(".mo").read_bytes() == compile_po(po.read_text(encoding="utf-8")), (
            f"{po}: run python -m surveykit.i18n.compile"
        )


def test_the_translator() -> None:
    assert translator("de")("Question {position} of {total}.", position=2, total=5) == "Frage 2 von 5."
    assert translator("fr-CA")("Next →") == "Suivant →"  # a regional tag falls back to its language
    assert translator("it")("Next →") == "Next →"  # no catalogue: English
    assert translator(None)("Answer:") == "Answer:"


GERMAN = """\
surveykit: 1
id: de-check
languages: [en, de]
title: {en: Visit, de: Besuch}
questions:
  - id: age
    type: number
    text: {en: How old are you?, de: Wie alt sind Sie?}
    integer: true
    min: 18
    na: true
  - id: visit
    type: choice
    text: {en: Why?, de: Warum?}
    options: [{en: Browsing, de: Stöbern}]
    other: true
"""


def test_a_german_plain_run_speaks_german_and_takes_german_words(tmp_path: Path) -> None:
    path = tmp_path / "de.yaml"
    path.write_text(GERMAN)
    definition = in_language(load(str(path)), "de")
    out = io.StringIO()
    typed = "abc\n12\nnz\nnein\n41\n\nzurück\n\n2\nEin Fest\n\n"
    with Store(str(tmp_path / "x.db")) as store:
        result = PlainRunner(definition, store, stdin=io.StringIO(typed), stdout=out).run()
        answers = {k: (a.value, a.is_na) for k, a in store.answers(result.session_id or 0).items()}
    text = out.getvalue()
    assert result.status == "completed"
    assert answers == {("", "age"): (41, False), ("", "visit"): ({"other": "Ein Fest"}, False)}
    for line in (
        "Frage 1 von 2.",
        "Wie alt sind Sie?",
        "Geben Sie eine ganze Zahl ein. Geben Sie nz ein für: Nicht zutreffend.",
        "Bitte geben Sie eine Zahl ein, etwa 12 oder 2,5.",
        "Bitte geben Sie eine Zahl von mindestens 18 ein.",  # the answer check's message
        "Ihre Antwort: Nicht zutreffend.",
        "  2. Sonstiges (bitte angeben)",
        "Ihre bisherige Antwort: 41. Drücken Sie die Eingabetaste, um sie zu behalten.",
    ):
        assert line in text, line
