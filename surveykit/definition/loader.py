"""Load a definition file: every problem at once, as `path:line:col: message`.

`load(path)` returns a `Definition` or raises `DefinitionError` whose
`problems` list every mistake in the file, in plain language, with a
"did you mean …?" where a key, type or id looks misspelled.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from surveykit.definition import checks, languages
from surveykit.definition.instruments import STANDARD_NAMES
from surveykit.definition.models import (
    QUESTION_TYPES,
    KioskSettings,
    Option,
    Survey,
    Task,
    TaskSet,
    looks_like_plain_pin,
)
from surveykit.definition.problems import DefinitionError, Loc, Problem, clip, did_you_mean, one_of
from surveykit.definition.record import Definition
from surveykit.definition.source import Source, gc_paused, read_source
from surveykit.i18n import translator

FORMAT_VERSION = 1


def load(path: str | Path, text: str | None = None) -> Definition:
    """Read and validate one definition file (YAML, JSON or TOML)."""
    with gc_paused():
        return _load(path, text)


def _load(path: str | Path, text: str | None) -> Definition:
    src = read_source(path, text)
    data = src.data
    if not isinstance(data, dict):
        line, col = src.position(())
        raise DefinitionError([Problem(src.path, line, col, _not_a_mapping(data))])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for loc, message in src.problems.items():
        line, col = src.position(loc)
        problems.append(Problem(src.path, line, col, message))
    language_findings = [*languages.language_problems(data), *languages.instrument_problems(data)]
    for loc, message, warning, at_key in language_findings:
        line, col = src.position(loc, key=at_key)
        (warnings if warning else problems).append(
            Problem(src.path, line, col, message, warning=warning)
        )
    raw = data
    # The checks and the models see one language (the default): a map of
    # languages is a text like any other, and stored values never depend on it.
    data = languages.localize(raw)
    findings = checks.check(data)
    for f in findings:
        line, col = src.position(f.loc, key=f.key)
        if f.offset and (*f.loc,) in src.values:
            col += f.offset + _quote_width(src, line, col)
        message = f.message
        if f.related is not None:
            message = message.replace("{line}", str(src.position(f.related)[0]))
        if f.warning:
            warnings.append(Problem(src.path, line, col, message, warning=True))
        else:
            problems.append(Problem(src.path, line, col, message))
    quiet = checks.suppressed(findings) | set(src.problems)
    survey: Survey | None = None
    try:
        survey = Survey.model_validate(data)
    except ValidationError as e:
        errors = e.errors()
        quiet |= _explained_missing(errors, src)
        for err in errors:
            p = _translate(err, src, quiet)
            if p is not None:
                problems.append(p)
    if problems or survey is None:
        raise DefinitionError(problems or [Problem(src.path, 1, 1, "invalid definition")], warnings)
    body = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    declared, default = languages.declared(raw)
    return Definition(
        survey=survey,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        source_path=str(path),
        body_json=body,
        warnings=tuple(sorted(warnings)),
        languages=tuple(declared),
        default_language=default,
        language=default,
    )


def in_language(definition: Definition, language: str | None) -> Definition:
    """The same definition (same file, same sha256) with its texts in `language`
    (the default language where a text has no translation). ValueError for a
    language the file does not declare."""
    if language is None or language == definition.language:
        return definition
    definition = definition.in_default_language
    if language == definition.language:
        return definition
    if language not in definition.languages:
        offered = ", ".join(definition.languages) or "none (the file has one language)"
        raise ValueError(f"language '{language}' is not offered by this file; its languages: {offered}")
    raw = json.loads(definition.body_json)
    localized = languages.fill_ui_defaults(languages.localize(raw, language), translator(language))
    survey = Survey.model_validate(localized)
    return dataclasses.replace(definition, survey=survey, language=language, original=definition)


def _not_a_mapping(data: Any) -> str:
    start = "a definition file is a mapping that starts with 'surveykit: 1', then id, title and questions"
    if data is None:
        return f"the file is empty; {start}"
    if isinstance(data, list):
        return f"the file is a list ('- ' items) at the top; {start}"
    return f"the file is a single value ({_kind_of(data)}); {start}"


def load_many(paths: list[str]) -> tuple[dict[str, Definition], list[Problem], list[Problem]]:
    """Load several files; return the good ones, every problem of the bad ones
    and every warning of all of them, in the order of `paths`."""
    good: dict[str, Definition] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for p in paths:
        try:
            good[p] = load(p)
            warnings.extend(good[p].warnings)
        except DefinitionError as e:
            problems.extend(e.problems)
            warnings.extend(e.warnings)
    return good, problems, warnings


def _quote_width(src: Source, line: int, col: int) -> int:
    lines = src.lines
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return 1 if lines[line - 1][col - 1] in "'\"" else 0
    return 0


# --- pydantic errors to plain language -------------------------------------------------

_QUESTION_LISTS = {("questions",), ("after",), ("tasks", "after_each")}


def _walk(loc: tuple[Any, ...], src: Source) -> tuple[Loc, list[str], type[BaseModel] | None]:
    """Map a pydantic error location onto the file's data.

    Returns the location in the data, any trailing parts that are union member
    names rather than keys, and the model that owns the last key.
    """
    node: Any = src.data
    model: type[BaseModel] | None = Survey
    path: list[str | int] = []
    parts = list(loc)
    tag_skipped_at = -1
    i = 0
    while i < len(parts):
        part = parts[i]
        if (
            isinstance(node, dict)
            and tag_skipped_at != len(path)
            and len(path) >= 2
            and tuple(path[:-1]) in _QUESTION_LISTS
            and isinstance(path[-1], int)
            and node.get("type") == part
        ):
            # The discriminator tag pydantic puts right after a question's index
            # (`questions.0.text.id`); it must win over a key of the same name
            # (`text:`), or errors land on the question's text.
            tag_skipped_at = len(path)
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
            model = _child_model(tuple(path), node, model)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
            model = _child_model(tuple(path), node, model)
        elif isinstance(node, dict) and node.get("type") == part:
            pass  # the discriminator tag pydantic inserts into union locations
        else:
            return tuple(path), [str(p) for p in parts[i:]], model
        i += 1
    return tuple(path), [], model


def _child_model(path: Loc, node: Any, parent: type[BaseModel] | None) -> type[BaseModel] | None:
    if len(path) >= 2 and path[:-1] in _QUESTION_LISTS and isinstance(path[-1], int):
        kind = node.get("type") if isinstance(node, dict) else None
        return QUESTION_TYPES.get(kind) if isinstance(kind, str) else None
    if path == ("tasks",):
        return TaskSet
    if path == ("kiosk",):
        return KioskSettings
    if len(path) == 3 and path[:2] == ("tasks", "items"):
        return Task
    if len(path) >= 2 and path[-2] == "options" and isinstance(path[-1], int):
        return Option
    return None


def _field_names(model: type[BaseModel] | None) -> list[str]:
    """The keys a model takes, as written in a file (`$schema`, for editors only, left out)."""
    if model is None:
        return []
    names = [f.alias or name for name, f in model.model_fields.items()]
    return [name for name in names if name and not name.startswith("$")]


def _translate(err: ErrorDetails, src: Source, quiet: set[Loc]) -> Problem | None:
    kind = err["type"]
    data_loc, rest, _model = _walk(err["loc"], src)
    if kind == "missing" and rest:
        data_loc = (*data_loc, rest[0])
        rest = rest[1:]
    if data_loc in quiet:
        return None
    raw = src.get(data_loc)
    owner_loc = data_loc[:-1] if data_loc else ()
    who = checks.describe(src.get(owner_loc), owner_loc, src.data)
    field = clip(str(data_loc[-1])) if data_loc else ""
    ctx = err.get("ctx") or {}
    key_pos = False
    message: str

    if rest and rest[0] == "[key]":
        # a mapping key of the wrong kind: `labels: {a: Poor}`
        key_pos = True
        message = f"{who}: the key {field!r} must be a whole number (a point of the scale, like 1: Poor)"
    elif kind == "invalid_key":
        key_pos = True
        message = f"{who}: {field!r} is not a key here; keys are words like id, type and text"
    elif kind == "extra_forbidden":
        key_pos = True
        owner_model = _owner_model(owner_loc, src)
        allowed = _field_names(owner_model)
        hint = src.suggest(field, allowed)
        message = f"unknown key '{clip(field)}' in {who}{hint}"
        if not hint and allowed:
            message += f" (allowed: {one_of(allowed)})"
    elif kind == "missing":
        owner_desc = who
        if data_loc == ("surveykit",):
            message = f"the file is missing the format version: put 'surveykit: {FORMAT_VERSION}' at the top"
        elif field == "text":
            message = f"{owner_desc} has no 'text': write the question as the participant should read it"
        else:
            hint = _MISSING_HINTS.get(field, "")
            if field == "id":
                example = {0: "store-feedback", 3: "find-shoes"}.get(len(owner_loc), "nps_reason")
                hint = f" (a short name, like {example})"
            message = f"{owner_desc} is missing '{field}'{hint}"
    elif kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        types = list(QUESTION_TYPES)
        written = raw.get("type") if isinstance(raw, dict) else tag
        if isinstance(written, dict | list):
            message = f"'type' in {checks.describe(raw, data_loc, src.data)} must be one of {one_of(types)}, not {_kind_of(written)}"
        else:
            hint = did_you_mean(tag, types) or f" (types: {one_of(types)})"
            message = f"unknown question type '{clip(tag)}'{hint}"
        data_loc = (*data_loc, "type")
    elif kind == "union_tag_not_found":
        misspelled = _misspelled_type_key(raw)
        if misspelled:
            key_pos = True
            data_loc = (*data_loc, misspelled)
            message = f"unknown key '{misspelled}' in {checks.describe(raw, data_loc[:-1], src.data)}; did you mean 'type'?"
        else:
            message = (
                f"{checks.describe(raw, data_loc, src.data)} has no 'type' "
                f"(one of: {one_of(QUESTION_TYPES)})"
            )
    elif kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        if data_loc == ("surveykit",):
            message = (
                f"unsupported format version {_r(raw)}; this version of surveykit reads "
                f"'surveykit: {FORMAT_VERSION}'"
            )
        else:
            options = [x.strip().strip("'") for x in expected.replace(" or ", ",").split(",") if x.strip()]
            message = (
                f"'{field}' in {who} must be one of {one_of(options)}"
                f"{did_you_mean(clip(str(raw), 100), options)}"
            )
    elif kind == "string_pattern_mismatch":
        message = _pattern_message(data_loc, raw, who)
    elif kind == "too_short":
        message = f"{field} in {who} must not be empty" if field else "must not be empty"
        if field == "options":
            message = f"{who} needs at least one option"
        elif field == "items":
            message = "tasks needs at least one task in 'items'"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        if field == "" or isinstance(data_loc[-1], int):
            if len(data_loc) >= 2 and data_loc[:-1] in _QUESTION_LISTS:
                what = f"'{clip(raw)}'" if isinstance(raw, str) else _kind_of(raw)
                message = (
                    f"{what} is not a question: write a mapping with id, type and text"
                    f"{'' if not isinstance(raw, str) else did_you_mean(raw, STANDARD_NAMES)}"
                )
            elif len(data_loc) >= 2 and data_loc[-2] == "options":
                desc = checks.describe(raw, data_loc, src.data)
                if raw is None:
                    message = f"{desc} is empty; write the option's text"
                elif isinstance(raw, list | dict):
                    message = f"{desc} is {_kind_of(raw)}; an option is a text, or a mapping like {{text: …, value: …}}"
                else:
                    message = (
                        f"{desc} is {_kind_of(raw)}, not text; "
                        f"to offer it as an option, put it in quotes: '{_kind_of(raw)}'"
                    )
            else:
                message = f"expected a mapping (key: value) here, not {_kind_of(raw)}"
        else:
            message = f"'{field}' in {who} must be a mapping (key: value), not {_kind_of(raw)}"
    elif kind == "list_type":
        message = f"'{field}' in {who} must be a list (- item per line, or [a, b]), not {_kind_of(raw)}"
    elif kind in ("bool_type", "bool_parsing"):
        message = f"'{field}' in {who} must be true or false, not {_r(raw)}"
    elif rest and rest[0] in _SCALAR_MEMBERS and kind.split("_")[0] in _SCALAR_MEMBERS:
        # `value: [1, 2]` fails every member of `str | int | float`: one message
        message = f"'{field}' in {who} must be text or a number, not {_kind_of(raw)}"
    elif kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        message = f"'{field}' in {who} must be a whole number, not {_r(raw)}"
    elif kind in ("float_type", "float_parsing"):
        message = f"'{field}' in {who} must be a number, not {_r(raw)}"
    elif kind == "finite_number":
        message = f"'{field}' in {who} must be a finite number, not {_r(raw)}"
    elif kind == "string_type":
        message = f"'{field}' in {who} must be text, not {_kind_of(raw)}"
    elif kind == "string_too_short":
        message = f"'{field}' in {who} must not be empty"
    elif kind in ("string_too_long", "too_long"):
        most = ctx.get("max_length", "")
        unit = "characters" if kind == "string_too_long" else "items"
        message = f"'{field}' in {who} is too long (at most {most} {unit})"
    elif kind == "string_unicode":
        message = (
            f"'{field}' in {who} is not valid text: it holds a lone surrogate "
            "(\\ud800–\\udfff), which is half of a character"
        )
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        unit = " seconds" if field.endswith("_s") else ""
        message = f"'{field}' in {who} must be {sign} {bound}{unit} (it is {_r(raw)})"
    else:
        message = f"'{field}' in {who}: {err['msg']}" if field else err["msg"]
    if raw is None and kind != "missing":
        key_pos = True  # `product:` with nothing after it: point at the key
    line, col = src.position(data_loc, key=key_pos)
    return Problem(src.path, line, col, message)


_MISSING_HINTS = {
    "prompt": ": write the task as the participant should read it",
    "items": ": list the tasks under it",
}


def _misspelled_type_key(raw: Any) -> str | None:
    """A key of a question without 'type' that looks like 'type' misspelled."""
    if not isinstance(raw, dict):
        return None
    keys = [k for k in raw if isinstance(k, str) and k != "type"]
    close = difflib.get_close_matches("type", keys, n=1, cutoff=0.6)
    return close[0] if close else None


def _suggested_key(field: str, owner_loc: Loc, src: Source) -> str | None:
    """The allowed key an unknown key looks like a misspelling of."""
    hint = src.suggest(field, _field_names(_owner_model(owner_loc, src)))
    return hint.split("'")[1] if hint else None


def _explained_missing(errors: list[Any], src: Source) -> set[Loc]:
    """Missing keys that an unknown key nearby is a misspelling of (`titel:`):
    the 'unknown key … did you mean' message says it all, so no 'missing' too."""
    out: set[Loc] = set()
    for err in errors:
        if err["type"] != "extra_forbidden":
            continue
        data_loc, _rest, _model = _walk(err["loc"], src)
        if not data_loc:
            continue
        owner_loc = data_loc[:-1]
        suggestion = _suggested_key(str(data_loc[-1]), owner_loc, src)
        if suggestion is not None and suggestion not in (src.get(owner_loc) or {}):
            out.add((*owner_loc, suggestion))
    return out


def _owner_model(owner_loc: Loc, src: Source) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Survey
    for depth in range(1, len(owner_loc) + 1):
        model = _child_model(owner_loc[:depth], src.get(owner_loc[:depth]), model)
    return model if owner_loc else Survey


def _pattern_message(loc: Loc, raw: Any, who: str) -> str:
    if loc == ("id",):
        return (
            f"survey id '{clip(str(raw))}' must be lowercase letters, digits, '-' and '_', "
            "starting with a letter (like store-feedback)"
        )
    if loc == ("kiosk", "exit_pin_sha256"):
        if looks_like_plain_pin(raw):
            return checks.PLAIN_PIN_MESSAGE
        return (
            "exit_pin_sha256 must be 64 lowercase hex digits; better, run `surveykit hash-pin` "
            "and use the exit_pin_hash line it prints"
        )
    if loc == ("kiosk", "exit_pin_hash"):
        if looks_like_plain_pin(raw):
            return checks.PLAIN_PIN_MESSAGE
        return "exit_pin_hash must be the line `surveykit hash-pin` prints (scrypt$…), pasted whole"
    if len(loc) == 4 and loc[:2] == ("tasks", "items"):
        return f"task id '{clip(str(raw))}' must be letters, digits, '-' and '_' (like find-shoes)"
    return (
        f"question id '{clip(str(raw))}' is not an identifier: use letters, digits and '_', "
        "starting with a letter (like nps_reason)"
    )


#: Names pydantic gives the members of `str | int | float` in error locations.
_SCALAR_MEMBERS = ("str", "int", "float", "string")


def _r(v: Any) -> str:
    """A value quoted in a message, cut short if long."""
    return clip(repr(v))


def _kind_of(v: Any) -> str:
    if v is None:
        return "nothing (an empty value)"
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return f"the text {_r(v)}"
    if isinstance(v, datetime | date | time):
        return f"the date or time {v.isoformat()} (put it in quotes to make it text)"
    return _r(v)
