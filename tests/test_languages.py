"""Definitions in several languages: maps of language tags in text fields, located
warnings for missing translations, one stored value per option in every language."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from surveykit.definition.loader import in_language, load
from surveykit.definition.problems import DefinitionError
from surveykit.definition.schema import json_schema
from surveykit.storage.store import Store

FILE = """\
surveykit: 1
id: ml
languages: [en, de, fr]
default_language: en
title: {en: How was your visit?, de: Wie war Ihr Besuch?, fr: "Comment s'est passée votre visite ?"}
intro: Corner Books
questions:
  - id: csat
    type: csat
    text: {en: How satisfied are you?, de: Wie zufrieden sind Sie?}
    labels: {1: {en: Very bad, de: Sehr schlecht, fr: Très mauvais}}
  - id: visit
    type: choice
    text: {en: What brought you in?, de: Was führte Sie zu uns?, fr: "Qu'est-ce qui vous amène ?"}
    options:
      - {text: {en: Browsing, de: Stöbern, fr: Flâner}, value: browsing}
      - {en: A gift, de: Ein Geschenk, fr: Un cadeau}
      - {text: {en: An event, de: Eine Lesung, fr: Une lecture}}
kiosk:
  welcome: {en: Press any key, de: Bitte eine Taste drücken, fr: Appuyez sur une touche}
"""


def write(tmp_path: Path, text: str, name: str = "ml.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_default_language_and_a_missing_translation_warned_where_it_is(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    d = load(path)
    assert d.languages == ("en", "de", "fr") and d.default_language == d.language == "en"
    assert d.survey.title == "How was your visit?"
    assert d.survey.intro == "Corner Books"  # plain text: the same in every language
    warnings = [str(w) for w in d.warnings]
    assert f"{path}:10:11: warning: no 'fr' translation: the 'en' text is shown instead" in warnings
    # the standard CSAT labels are English: the author is asked for theirs
    assert f"{path}:8:5: warning: no validated translation of the CSAT wording is bundled for 'de'; give the published wording you use in the file (labels: {{1: {{de: …}}, …}})" in warnings
    assert f"{path}:8:5: warning: no validated translation of the CSAT wording is bundled for 'fr'; give the published wording you use in the file (text: {{fr: …}}, labels: {{1: {{fr: …}}, …}})" in warnings
    assert len(warnings) == 3


def test_every_language_stores_the_same_values(tmp_path: Path) -> None:
    d = load(write(tmp_path, FILE))
    stored = [o.stored for o in d.survey.questions[1].options]
    assert stored == ["browsing", "A gift", "An event"]
    for lang in ("de", "fr"):
        other = in_language(d, lang)
        assert [o.stored for o in other.survey.questions[1].options] == stored
        assert other.sha256 == d.sha256 and other.language == lang
    de = in_language(d, "de")
    assert de.survey.title == "Wie war Ihr Besuch?"
    assert [o.text for o in de.survey.questions[1].options] == ["Stöbern", "Ein Geschenk", "Eine Lesung"]
    assert de.survey.questions[0].point_labels()[1] == "Sehr schlecht"
    assert de.survey.questions[0].point_labels()[5] == "Very satisfied"  # the standard label
    assert de.survey.kiosk is not None and de.survey.kiosk.welcome == "Bitte eine Taste drücken"
    fr = in_language(d, "fr")
    assert fr.survey.questions[0].text == "How satisfied are you?"  # falls back to en
    assert in_language(d, None) is d and in_language(d, "en") is d


def test_a_language_the_file_does_not_offer(tmp_path: Path) -> None:
    d = load(write(tmp_path, FILE))
    with pytest.raises(ValueError, match="language 'es' is not offered by this file; its languages: en, de, fr"):
        in_language(d, "es")


@pytest.mark.parametrize(
    "change,expected",
    [
        (("fr: Une lecture}}", "es: Una lectura}}"), "18:48: language 'es' is not in languages (en, de, fr)"),
        (("languages: [en, de, fr]", "languages: [en, de, English]"), "3:21: 'English' is not a language tag"),
        (("languages: [en, de, fr]", "languages: [en, de, de]"), "3:21: language 'de' is listed twice"),
        (("default_language: en", "default_language: es"), "4:19: default_language 'es' is not one of languages"),
        (("de: Wie war Ihr Besuch?", "de: ''"), "5:38: the 'de' text must be non-empty text"),
    ],
    ids=["unknown-tag", "bad-tag", "twice", "default", "empty"],
)
def test_language_mistakes_are_located(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, FILE.replace(*change))
    with pytest.raises(DefinitionError) as raised:
        load(path)
    printed = [str(p) for p in raised.value.problems]
    assert any(line.startswith(f"{path}:{expected}") for line in printed), printed


def test_a_map_without_languages_is_a_mistake(tmp_path: Path) -> None:
    text = "surveykit: 1\nid: x\ntitle: {en: A, de: B}\nquestions: [nps]\n"
    with pytest.raises(DefinitionError) as raised:
        load(write(tmp_path, text))
    assert "must be text, not a mapping" in str(raised.value.problems[0])


def test_the_schema_offers_language_maps() -> None:
    schema = json_schema()
    assert set(schema["properties"]) >= {"languages", "default_language"}
    title = schema["properties"]["title"]
    assert any(alt.get("type") == "object" for alt in title["anyOf"])
    question_text = schema["$defs"]["ChoiceQuestion"]["properties"]["text"]
    assert any(alt.get("type") == "object" for alt in question_text["anyOf"])
    assert any(alt.get("type") == "object" for alt in schema["$defs"]["Option"]["properties"]["text"]["anyOf"])
    assert any(alt.get("type") == "object" for alt in schema["$defs"]["Task"]["properties"]["prompt"]["anyOf"])


# --- a session in a language: stored with it, pooled in the scores ------------------------------


def run_plain(path: str, db: Path, *args: str, typed: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("SURVEYKIT_PLAIN", "TERM")}
    return subprocess.run(
        [sys.executable, "-m", "surveykit", "run", path, "--plain", "--db", str(db), *args],
        input=typed.encode(),
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_german_session_is_stored_with_its_language_and_pools(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    db = tmp_path / "x.db"
    german = run_plain(path, db, "--lang", "de", typed="\n1\n\n2\n\n")
    assert german.returncode == 0, german.stderr
    out = german.stdout.decode()
    assert "Wie war Ihr Besuch?" in out and "  1: Sehr schlecht" in out
    assert "  2. Ein Geschenk" in out
    english = run_plain(path, db, typed="\n5\n\n2\n\n")
    assert english.returncode == 0, english.stderr
    with Store(str(db)) as store:
        rows = store.sessions("ml")
        assert [s.language for s in rows] == ["de", "en"]
        assert store.answers(rows[0].id)[("", "visit")].value == "A gift"
        assert store.answers(rows[1].id)[("", "visit")].value == "A gift"
        (text,) = store.conn.execute(
            "SELECT text FROM questions WHERE question_id = 'visit'"
        ).fetchone()
    assert text == "What brought you in?"  # the catalogue is in the default language
    conn = sqlite3.connect(db)
    try:
        labeled = conn.execute(
            "SELECT session_id, language, question_text, value_label FROM answers_labeled "
            "WHERE question_id IN ('visit', 'csat') ORDER BY session_id, question_id"
        ).fetchall()
    finally:
        conn.close()
    # each answer labelled in its session's language
    assert labeled == [
        (1, "de", "Wie zufrieden sind Sie?", "Sehr schlecht"),
        (1, "de", "Was führte Sie zu uns?", "Ein Geschenk"),
        (2, "en", "How satisfied are you?", "Very satisfied"),
        (2, "en", "What brought you in?", "A gift"),
    ]
    scored = subprocess.run(
        [sys.executable, "-m", "surveykit", "score", str(db), "--by", "language", "--json"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert scored.returncode == 0, scored.stderr
    report = json.loads(scored.stdout)
    assert '"de"' in json.dumps(report) and '"en"' in json.dumps(report)


def test_an_unknown_language_is_refused_before_anything(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    db = tmp_path / "x.db"
    done = run_plain(path, db, "--lang", "es", typed="")
    assert done.returncode == 1
    assert b"language 'es' is not offered by this file; its languages: en, de, fr" in done.stderr
    assert not db.exists()


def test_a_continued_session_keeps_its_language(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    db = tmp_path / "x.db"
    run_plain(path, db, "--lang", "fr", "-p", "P1", typed="\n1\n\n")
    again = run_plain(path, db, "-p", "P1", typed="yes\n3\n\n")
    assert again.returncode == 0, again.stderr
    assert "  3. Une lecture" in again.stdout.decode()


# --- standard instruments in other languages ------------------------------------------------------

STUDY = """\
surveykit: 1
id: st
languages: [en, de]
title: {en: Study, de: Studie}
tasks:
  items:
    - {id: t1, title: T1, prompt: {en: Do it, de: Mach es}}
after:
  - sus
  - id: nps
    type: nps
    text: {en: Recommend?, de: Empfehlen?}
    labels: {0: {en: Not likely, de: Unwahrscheinlich}, 10: {en: Likely, de: Wahrscheinlich}}
"""


def test_no_bundled_translation_the_author_is_asked_for_the_wording(tmp_path: Path) -> None:
    path = write(tmp_path, STUDY)
    warnings = [str(w) for w in load(path).warnings]
    assert warnings == [
        f"{path}:6:3: warning: no validated translation of the SEQ wording is bundled for 'de'; "
        "give the published wording you use in the file (text: {de: …}, labels: {1: {de: …}, …})",
        f"{path}:9:5: warning: no validated translation of the SUS wording is bundled for 'de'; "
        "give the published wording you use in the file (text: {de: …}, labels: {1: {de: …}, …}, "
        "statements: [{de: …}, …])",
    ]


def test_the_author_gives_the_sus_wording(tmp_path: Path) -> None:
    statements = "".join(f"      - {{en: Item {n}, de: Aussage {n}}}\n" for n in range(1, 11))
    labels = ", ".join(f"{p}: {{en: E{p}, de: D{p}}}" for p in range(1, 6))
    text = STUDY.replace(
        "  - sus\n",
        "  - id: sus\n    type: sus\n    text: {en: Rate it, de: Bewerten Sie}\n"
        f"    labels: {{{labels}}}\n    statements:\n{statements}",
    ).replace("tasks:\n", "tasks:\n  after_each: []\n")
    d = load(write(tmp_path, text))
    assert d.warnings == ()
    sus = in_language(d, "de").survey.after[0]
    assert sus.items()[2] == "Aussage 3" and sus.point_labels()[5] == "D5"
    assert load(write(tmp_path, text, "b.yaml")).survey.after[0].items()[0] == "Item 1"


def test_statements_need_one_entry_per_item(tmp_path: Path) -> None:
    path = write(tmp_path, STUDY.replace("  - sus\n", "  - {id: sus, type: sus, statements: [a, b]}\n"))
    with pytest.raises(DefinitionError) as raised:
        load(path)
    assert any("statements of SUS has 10 entries, one per item (this one has 2)" in str(p)
               for p in raised.value.problems)


GOLDEN = Path(__file__).resolve().parent / "golden" / "languages"


@pytest.mark.parametrize("case", sorted(GOLDEN.glob("*.yaml")), ids=lambda p: p.name)
def test_golden_partly_translated(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `validate --strict` prints for a partly translated file (regenerate with
    SURVEYKIT_UPDATE_GOLDEN=1, then read every line)."""
    from click.testing import CliRunner

    from surveykit.cli import cli

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    rel = case.relative_to(root).as_posix()
    result = CliRunner().invoke(cli, ["validate", "--strict", rel])
    assert result.exit_code == 1
    printed = result.stderr
    expected = Path(f"{case}.expected")
    if os.environ.get("SURVEYKIT_UPDATE_GOLDEN") == "1":
        expected.write_text(printed, encoding="utf-8")
    assert printed == expected.read_text(encoding="utf-8")
    # the same file is valid without --strict
    assert CliRunner().invoke(cli, ["validate", rel]).exit_code == 0


def test_the_default_na_and_other_wordings_follow_the_language(tmp_path: Path) -> None:
    text = FILE.replace(
        "    labels: {1: {en: Very bad, de: Sehr schlecht, fr: Très mauvais}}\n",
        "    labels: {1: {en: Very bad, de: Sehr schlecht, fr: Très mauvais}}\n    na: true\n",
    ).replace("      - {text: {en: An event", "      - {text: {en: An event").replace(
        "    options:\n", "    other: true\n    options:\n"
    )
    d = load(write(tmp_path, text))
    de = in_language(d, "de").survey
    assert de.questions[0].na_label == "Nicht zutreffend"
    assert de.questions[1].other_label == "Sonstiges (bitte angeben)"
    assert d.survey.questions[0].na_label == "Not applicable"
    given = text.replace("    na: true\n", "    na: true\n    na_label: {en: Skip, de: Weiter}\n")
    assert in_language(load(write(tmp_path, given, "g.yaml")), "de").survey.questions[0].na_label == "Weiter"
