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

QUESTION_TEXT_KEYS = ("text", "help", "na_label", "other_label", "unit")
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


def _questions(data: dict[str, Any]) -> Iterator[tuple[Loc, dict[str, Any]]]:
    for key in ("questions", "after"):
        items = data.get(key)
        if isinstance(items, list):
            for i, q in enumerate(items):
                if isinstance(q, dict):
                    yield (key, i), q
    tasks = data.get("tasks")
    if isinstance(tasks, dict) and isinstance(tasks.get("after_each"), list):
        for i, q in enumerate(tasks["after_each"]):
            if isinstance(q, dict):
                yield ("tasks", "after_each", i), q


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
    for _loc, container, key in list(text_positions(out)):
        value = container[key]  # type: ignore[index]
        if not is_language_map(value):
            continue
        chosen = _pick(value, language, default)
        if isinstance(container, list):  # a whole option as a map
            container[key] = {"text": chosen, "value": _pick(value, default, default)}
        else:
            if key == "text" and "value" not in container and _is_option(container):
                container["value"] = _pick(value, default, default)
            container[key] = chosen
    return out


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
