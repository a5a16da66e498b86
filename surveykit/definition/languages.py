"""Definitions in several languages: any text may be a map of language tags.

```yaml
languages: [en, de, fr]
default_language: en
title: {en: How was your visit?, de: Wie war Ihr Besuch?, fr: Comment s'est passée votre visite ?}
questions:
  - id: visit
    type: choice
    text: {en: What brought you in?, de: Was führte Sie zu uns?}
    options:
      - {text: {en: Browsing, de: Stöbern}, value: browsing}
      - {en: A gift, de: Ein Geschenk}          # stored as "A gift" in every language
```

Text positions (and only they) may hold a map: the survey's `title`, `intro`,
`outro`; a question's `text`, `help`, `na_label`, `other_label`, `unit`, the
values of `labels`, each option (or its `text`), a task's `title`, `prompt` and
`success`; the kiosk's `welcome`. `localize` turns the raw data of a file into
the raw data of one language (a missing translation falls back to the default
language), which the models then validate as a one-language file: the models
and everything above them only ever see strings. Stored values never depend on
the language: an option given as a map stores its `value:`, or the default
language's text.

Pure functions over the raw data (no pydantic): the loader uses `missing` and
`problems` for its located warnings and errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = [
    "LANGUAGE_TAG",
    "declared",
    "is_language_map",
    "language_problems",
    "localize",
    "text_positions",
]

#: a BCP 47 language tag, as files write them: `en`, `de`, `pt-BR`, `zh-Hant`
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

Loc = tuple[str | int, ...]

QUESTION_TEXT_KEYS = ("text", "help", "na_label", "other_label", "unit", "product")
TASK_TEXT_KEYS = ("title", "prompt", "success")
OPTION_KEYS = frozenset({"text", "value"})


def declared(data: Any) -> tuple[list[str], str | None]:
    """(`languages:`, `default_language:`) as the file gives them (the default is
    the first language when only `languages` is given)."""
    if not isinstance(data, dict):
        return [], None
    langs = data.get("languages")
    languages = [x for x in langs if isinstance(x, str)] if isinstance(langs, list) else []
    default = data.get("default_language")
    if not isinstance(default, str):
        default = languages[0] if languages else None
    return languages, default


def is_language_map(value: Any) -> bool:
    """A map of language tags to text (an option's `{text:, value:}` is not one)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and not (set(value) & OPTION_KEYS)
        and all(isinstance(k, str) for k in value)
    )


def _questions(
    data: dict[str, Any], *, bare: bool = False
) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """The questions of a file; with `bare`, a bare name (`sus`) too, as {type: sus}."""
    lists: list[tuple[Loc, Any]] = [(("questions",), data.get("questions")), (("after",), data.get("after"))]
    tasks = data.get("tasks")
    if isinstance(tasks, dict):
        lists.append((("tasks", "after_each"), tasks.get("after_each", ["seq"] if bare else None)))
    for loc, items in lists:
        if isinstance(items, list):
            for i, q in enumerate(items):
                if isinstance(q, dict):
                    yield (*loc, i), q
                elif bare and isinstance(q, str):
                    yield (*loc, i), {"id": q, "type": q}


def text_positions(data: Any) -> Iterator[tuple[Loc, dict[Any, Any] | list[Any], Any]]:
    """Every place in the raw data that holds a text: (loc, container, key)."""
    if not isinstance(data, dict):
        return
    for key in ("title", "intro", "outro"):
        if key in data:
            yield (key,), data, key
    for loc, q in _questions(data):
        for key in QUESTION_TEXT_KEYS:
            if key in q:
                yield (*loc, key), q, key
        labels = q.get("labels")
        if isinstance(labels, dict):
            for point in labels:
                yield (*loc, "labels", point), labels, point
        statements = q.get("statements")
        if isinstance(statements, list):
            for j in range(len(statements)):
                yield (*loc, "statements", j), statements, j
        options = q.get("options")
        if isinstance(options, list):
            for j, opt in enumerate(options):
                if isinstance(opt, dict) and "text" in opt:
                    yield (*loc, "options", j, "text"), opt, "text"
                elif is_language_map(opt):
                    yield (*loc, "options", j), options, j
    tasks = data.get("tasks")
    if isinstance(tasks, dict) and isinstance(tasks.get("items"), list):
        for i, task in enumerate(tasks["items"]):
            if isinstance(task, dict):
                for key in TASK_TEXT_KEYS:
                    if key in task:
                        yield ("tasks", "items", i, key), task, key
    kiosk = data.get("kiosk")
    if isinstance(kiosk, dict) and "welcome" in kiosk:
        yield ("kiosk", "welcome"), kiosk, "welcome"


def _pick(value: dict[str, Any], language: str | None, default: str | None) -> Any:
    for tag in (language, default):
        if tag is not None and tag in value:
            return value[tag]
    return next(iter(value.values()))


def localize(data: Any, language: str | None = None) -> Any:
    """A copy of the raw data with every language map replaced by its text in
    `language` (or the default language where it has none). An option given as a
    map becomes `{text: …, value: <default language's text>}`; an option whose
    `text` is a map and has no `value` keeps the default language's text as value."""
    if not isinstance(data, dict):
        return data
    out = _copy(data)
    languages, default = declared(out)
    if not languages:
        return out  # one language: a map in a text is a mistake the models report
    for loc, container, key in list(text_positions(out)):
        value = container[key]  # type: ignore[index]
        if not is_language_map(value):
            continue
        chosen = _pick(value, language, default)
        if isinstance(container, list):
            if loc[-2] == "options":  # a whole option as a map
                container[key] = {"text": chosen, "value": _pick(value, default, default)}
            else:
                container[key] = chosen
            continue
        if key == "text" and "value" not in container and _is_option(container):
            container["value"] = _pick(value, default, default)
        container[key] = chosen
    return out


#: the models' default wordings that surveykit's catalogue gives in other languages
UI_DEFAULTS = {"na_label": "Not applicable", "other_label": "Other (please say)"}
CHOICE_TYPES = ("choice", "multi")


def fill_ui_defaults(data: Any, say: Any) -> Any:
    """Raw data (of one language) whose questions that keep the default N/A and
    "other" wordings get them from `say` (the UI catalogue of that language)."""
    if not isinstance(data, dict):
        return data
    for _loc, q in _questions(data):
        for key, english in UI_DEFAULTS.items():
            if key == "other_label" and q.get("type") not in CHOICE_TYPES:
                continue
            if key not in q and say(english) != english:
                q[key] = say(english)
    return data


def _is_option(container: dict[Any, Any]) -> bool:
    return set(container) <= OPTION_KEYS


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def language_problems(data: Any) -> Iterator[tuple[Loc, str, bool, bool]]:
    """Problems of the language parts of a file: (loc, message, is_warning, at_key).

    Errors: a malformed `languages`/`default_language`, a tag the file does not declare, a translation that
    is not text or is empty. Warnings: a text that lacks a declared language."""
    if not isinstance(data, dict):
        return
    languages, default = declared(data)
    raw_langs = data.get("languages")
    if "languages" in data:
        if not isinstance(raw_langs, list) or not raw_langs:
            yield ("languages",), "languages is a list of language tags, like [en, de, fr]", False, False
        else:
            seen: set[str] = set()
            for i, tag in enumerate(raw_langs):
                if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag):
                    yield ("languages", i), f"{tag!r} is not a language tag (like en, de, pt-BR)", False, False
                elif tag in seen:
                    yield ("languages", i), f"language '{tag}' is listed twice", False, False
                seen.add(str(tag))
    if "default_language" in data:
        d = data.get("default_language")
        if not languages:
            yield ("default_language",), "default_language needs a languages list, like languages: [en, de]", False, True
        elif d not in languages:
            yield ("default_language",), f"default_language {d!r} is not one of languages: {', '.join(languages)}", False, False
    for loc, container, key in text_positions(data):
        value = container[key]  # type: ignore[index]
        if not is_language_map(value):
            continue
        if not languages:
            continue  # (the models say: must be text, not a mapping)
        for tag, text in value.items():
            if tag not in languages:
                yield (*loc, tag), f"language '{tag}' is not in languages ({', '.join(languages)})", False, True
            elif not isinstance(text, str) or not text.strip():
                yield (*loc, tag), f"the '{tag}' text must be non-empty text", False, False
        absent = [tag for tag in languages if tag not in value]
        if absent:
            fallback = default if default in value else next(iter(value))
            yield loc, (
                f"no {', '.join(repr(a) for a in absent)} translation: "
                f"the '{fallback}' text is shown instead"
            ), True, False


#: the standard instruments, their names in messages, and the points with a
#: standard label (the labels a translation must give)
INSTRUMENTS: dict[str, tuple[str, tuple[int, ...]]] = {
    "nps": ("NPS", (0, 10)),
    "csat": ("CSAT", (1, 2, 3, 4, 5)),
    "ces": ("CES", (1, 2, 3, 4, 5, 6, 7)),
    "seq": ("SEQ", (1, 7)),
    "sus": ("SUS", (1, 2, 3, 4, 5)),
    "umux_lite": ("UMUX-Lite", (1, 2, 3, 4, 5, 6, 7)),
}
ITEM_COUNTS = {"sus": 10, "umux_lite": 2}

#: Validated translations bundled with surveykit, by instrument and language. None
#: yet: a translation is bundled only with its published, validated wording
#: reproduced verbatim and its source cited; until then the author gives it.
BUNDLED_TRANSLATIONS: dict[str, dict[str, Any]] = {}

ENGLISH = re.compile(r"^en(-|$)")


def _given_in(value: Any, language: str) -> bool:
    """A text shown in `language` by the author's own words: plain text (the
    same in every language) or a map with that language."""
    if isinstance(value, str):
        return True
    return is_language_map(value) and language in value


def instrument_problems(data: Any) -> Iterator[tuple[Loc, str, bool, bool]]:
    """Standard instruments in a multi-language file: their wording is English; for
    every other language the author gives the question, its labels and (SUS,
    UMUX-Lite) its statements, or is warned that no validated translation is
    bundled. Also: `statements` must have one entry per item."""
    if not isinstance(data, dict):
        return
    languages, _ = declared(data)
    for loc, q in _questions(data, bare=True):
        qtype = q.get("type")
        if not isinstance(qtype, str) or qtype not in INSTRUMENTS:
            continue
        statements = q.get("statements")
        if "statements" in q and qtype not in ITEM_COUNTS:
            continue  # (the models say: unknown key)
        if isinstance(statements, list) and len(statements) != ITEM_COUNTS.get(str(qtype)):
            n = ITEM_COUNTS[str(qtype)]
            yield (*loc, "statements"), (
                f"statements of {INSTRUMENTS[str(qtype)][0]} has {n} entries, one per item "
                f"(this one has {len(statements)})"
            ), False, True
        name, points = INSTRUMENTS[str(qtype)]
        for language in languages:
            if ENGLISH.match(language) or language in BUNDLED_TRANSLATIONS.get(str(qtype), {}):
                continue
            missing: list[str] = []
            if not _given_in(q.get("text"), language):
                missing.append(f"text: {{{language}: …}}")
            raw_labels = q.get("labels")
            labels: dict[Any, Any] = raw_labels if isinstance(raw_labels, dict) else {}
            if not all(_given_in(labels.get(p), language) for p in points):
                missing.append(f"labels: {{{points[0]}: {{{language}: …}}, …}}")
            if qtype in ITEM_COUNTS and not (
                isinstance(statements, list) and all(_given_in(s, language) for s in statements)
            ):
                missing.append(f"statements: [{{{language}: …}}, …]")
            if missing:
                yield loc, (
                    f"no validated translation of the {name} wording is bundled for '{language}'; "
                    f"give the published wording you use in the file ({', '.join(missing)})"
                ), True, False
