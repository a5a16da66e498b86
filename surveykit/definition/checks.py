"""Checks that need the whole file: ids, references, options, ranges, PINs.

They run on the raw data (not the validated model) so that they can report
their problems even when other parts of the file do not validate.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

from surveykit.definition import instruments as std
from surveykit.definition.expressions import ExpressionError
from surveykit.definition.expressions import parse as parse_expression
from surveykit.definition.models import QUESTION_ID_PATTERN, looks_like_plain_pin
from surveykit.definition.problems import Loc, Suggester, clip, did_you_mean, one_of
from surveykit.pin import PIN_HASH_PATTERN, is_pin_hash, needs_rehash

PIPING = re.compile(r"\{([^{}]*)\}")
SCALE_SIZES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "seq": (1, 7)}
BARE_NAME_TAIL = " anything else needs id, type and text)"
RESERVED = frozenset({"answered", "true", "false", "null"})


@dataclass(frozen=True)
class Finding:
    """A problem at a location; `key` points at the key rather than the value."""

    loc: Loc
    message: str
    key: bool = False
    #: extra column offset inside the value (for expressions)
    offset: int = 0
    #: another location whose line replaces `{line}` in the message
    related: Loc | None = None
    #: this message explains the model's own errors at `loc` (they are not shown)
    explains: bool = False
    #: only a warning: printed by `validate`, the file stays valid
    warning: bool = False


@dataclass
class _Q:
    loc: Loc
    id: str | None
    type: str | None
    raw: dict[str, Any]
    scope: str  # "main" | "after_each" | "after"
    #: the default `after_each: [seq]` of a study that does not write one
    implicit: bool = False


QUESTION_LIST_LOCS = {("questions",), ("after",), ("tasks", "after_each")}


def describe(raw: Any, loc: Loc, root: Any = None) -> str:
    """What a location is, for messages: `question 'visit'`, `task 2`,
    `option 3 of question 'visit'`, `labels of question 'h'`.

    `root` (the whole file's data) lets it name the owner of nested parts.
    """
    if not loc:
        return "the file"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        kind = "task" if len(loc) >= 2 and loc[-2] == "items" else "question"
        return f"{kind} '{clip(raw['id'])}'"
    if len(loc) == 1:
        return clip(str(loc[0]))
    *parent, last = loc
    owner_loc = tuple(parent)
    if isinstance(last, int):
        if owner_loc in QUESTION_LIST_LOCS:
            return f"question {last + 1} in {'.'.join(str(p) for p in owner_loc)}"
        if owner_loc == ("tasks", "items"):
            return f"task {last + 1}"
        if owner_loc[-1] == "options":
            owner = owner_loc[:-1]
            return f"option {last + 1} of {describe(_get(root, owner), owner, root)}"
        return f"item {last + 1} of {describe(_get(root, owner_loc), owner_loc, root)}"
    return f"{clip(str(last))} of {describe(_get(root, owner_loc), owner_loc, root)}"


def _get(root: Any, loc: Loc) -> Any:
    node = root
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _question_lists(data: dict[str, Any]) -> Iterator[tuple[Loc, list[Any], str]]:
    if isinstance(data.get("questions"), list):
        yield ("questions",), data["questions"], "main"
    tasks = data.get("tasks")
    if isinstance(tasks, dict):
        after_each = tasks.get("after_each", ["seq"])
        if isinstance(after_each, list):
            yield ("tasks", "after_each"), after_each, "after_each"
    if isinstance(data.get("after"), list):
        yield ("after",), data["after"], "after"


def check(data: Any) -> list[Finding]:
    """Every whole-file problem in raw definition data."""
    if not isinstance(data, dict):
        return []
    out: list[Finding] = []
    questions = _collect(data, out)
    _check_ids(questions, out)
    _check_references(questions, out)
    for q in questions:
        _check_question(q, out)
    _check_tasks(data, out)
    _check_kiosk(data, out)
    return out


def _collect(data: dict[str, Any], out: list[Finding]) -> list[_Q]:
    found: list[_Q] = []
    for base, items, scope in _question_lists(data):
        for i, item in enumerate(items):
            loc = (*base, i)
            if isinstance(item, str):
                if item in std.STANDARD_NAMES:
                    implicit = scope == "after_each" and "after_each" not in data["tasks"]
                    found.append(_Q(loc, item, item, {"id": item, "type": item}, scope, implicit))
                else:
                    out.append(
                        Finding(
                            loc,
                            f"'{clip(item)}' is not a standard instrument{did_you_mean(item, std.STANDARD_NAMES)}"
                            f" (a bare name stands for one of: {one_of(std.STANDARD_NAMES)};"
                            f"{BARE_NAME_TAIL}",
                        )
                    )
            elif isinstance(item, dict):
                qid = item.get("id") if isinstance(item.get("id"), str) else None
                qtype = item.get("type") if isinstance(item.get("type"), str) else None
                found.append(_Q(loc, qid, qtype, item, scope))
    return found


def _check_ids(questions: list[_Q], out: list[Finding]) -> None:
    seen: dict[str, _Q] = {}
    for q in questions:
        if q.id is None:
            continue
        if q.id in RESERVED or keyword.iskeyword(q.id):
            out.append(
                Finding((*q.loc, "id"), f"question id '{q.id}' is a reserved word in show_if conditions; choose another id")
            )
        first = seen.get(q.id)
        if first is None:
            seen[q.id] = q
            continue
        if first.implicit:
            out.append(
                Finding(
                    (*q.loc, "id"),
                    f"question id '{q.id}' is already used by the question asked after every "
                    f"task (tasks.after_each is [seq] when not given); choose another id",
                )
            )
            continue
        out.append(
            Finding(
                (*q.loc, "id"),
                f"duplicate question id '{q.id}': already used on line {{line}}; ids must be unique",
                related=first.loc,
            )
        )


def _check_references(questions: list[_Q], out: list[Finding]) -> None:
    all_ids = {q.id for q in questions if q.id}
    # The ids each question may use, grown as the file is read (a question in
    # `after` does not see the `after_each` ones): linear, not a scan per question.
    seen_all: dict[str, _Q] = {}
    seen_outside_tasks: dict[str, _Q] = {}
    suggest = Suggester()
    for q in questions:
        earlier_ids = seen_outside_tasks if q.scope == "after" else seen_all

        def problem(name: str, what: str, q: _Q = q, earlier_ids: dict[str, _Q] = earlier_ids) -> str | None:
            if name == q.id:
                return f"{what} uses '{name}', the question's own answer; it can only use earlier answers"
            if name in earlier_ids:
                e = earlier_ids[name]
                if e.type == "note":
                    return f"{what} uses '{name}', which is a note and has no answer"
                if e.type in ("sus", "umux_lite"):
                    return f"{what} uses '{name}', a {e.type} battery, which has no single answer"
                return None
            if name in all_ids:
                return f"{what} uses '{name}', which is asked later; it can only use earlier answers"
            hint = suggest(name, earlier_ids)
            show_if = q.raw.get("show_if")
            if (
                not hint
                and what == "show_if"
                and isinstance(show_if, str)
                and re.search(rf"(==|!=|\[|,)\s*{re.escape(name)}\b", show_if)
            ):
                # `visit == Browsing`: a text compared with, not a question
                hint = f"; to compare with a text, put it in quotes: '{name}'"
            return f"{what} uses '{name}', which is not a question in this file{hint}"

        show_if = q.raw.get("show_if")
        if show_if is not None and not isinstance(show_if, bool):
            if not isinstance(show_if, str):
                out.append(Finding((*q.loc, "show_if"), "show_if must be an expression in text, like: nps <= 6"))
            else:
                try:
                    expr = parse_expression(show_if)
                except ExpressionError as e:
                    out.append(Finding((*q.loc, "show_if"), f"show_if: {e.message}", offset=e.offset))
                else:
                    for name in sorted(expr.names):
                        msg = problem(name, "show_if")
                        if msg:
                            out.append(Finding((*q.loc, "show_if"), msg, offset=_find(show_if, name)))
        for key in ("text", "help"):
            text = q.raw.get(key)
            if not isinstance(text, str):
                continue
            for m in PIPING.finditer(text):
                name = m.group(1).strip()
                if not re.fullmatch(QUESTION_ID_PATTERN, name):
                    out.append(
                        Finding(
                            (*q.loc, key),
                            f"piping '{{{m.group(1)}}}' must name an earlier question, like {{nps}}",
                        )
                    )
                    continue
                msg = problem(name, f"piping {{{name}}}")
                if msg:
                    out.append(Finding((*q.loc, key), msg))
        if q.id:
            seen_all[q.id] = q
            if q.scope != "after_each":
                seen_outside_tasks[q.id] = q


def _find(source: str, name: str) -> int:
    m = re.search(rf"\b{re.escape(name)}\b", source)
    return m.start() if m else 0


def _num(v: Any) -> TypeGuard[int | float]:
    """A finite number (not true/false, not .inf or .nan: the model refuses those)."""
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v))


def _n(v: Any) -> str:
    """A number as a message shows it (a 4,000-digit one cut short)."""
    return clip(str(v), 24)


def _check_question(q: _Q, out: list[Finding]) -> None:
    raw = q.raw
    who = describe(raw, q.loc)
    if q.type in ("choice", "multi") and isinstance(raw.get("options"), list):
        seen_text: set[str] = set()
        seen_value: set[Any] = set()
        for i, opt in enumerate(raw["options"]):
            text = opt.get("text") if isinstance(opt, dict) else opt
            value = opt.get("value") if isinstance(opt, dict) else None
            if isinstance(text, str | int | float) and not isinstance(text, bool):
                t = str(text).strip()
                if not t:
                    out.append(
                        Finding((*q.loc, "options", i), f"{who}: option {i + 1} is empty", explains=True)
                    )
                elif t.casefold() in seen_text:
                    out.append(Finding((*q.loc, "options", i), f"{who}: option '{clip(t)}' is listed twice"))
                seen_text.add(t.casefold())
            if isinstance(value, str | int | float):  # a list or a mapping is the model's error
                if value in seen_value:
                    out.append(
                        Finding((*q.loc, "options", i), f"{who}: option value {clip(repr(value))} is used twice")
                    )
                seen_value.add(value)
        if q.type == "multi":
            n = len(raw["options"]) + (1 if raw.get("other") is True else 0)
            lo, hi = raw.get("min_selected"), raw.get("max_selected")
            if _num(lo) and _num(hi) and lo > hi:
                out.append(
                    Finding((*q.loc, "min_selected"), f"{who}: min_selected ({_n(lo)}) is more than max_selected ({_n(hi)})")
                )
            for name, v in (("min_selected", lo), ("max_selected", hi)):
                if _num(v) and v > n:
                    out.append(
                        Finding((*q.loc, name), f"{who}: {name} is {_n(v)} but there are only {n} options")
                    )
    if q.type in ("rating", "number"):
        lo, hi = raw.get("min"), raw.get("max")
        if _num(lo) and _num(hi) and lo > hi:
            out.append(Finding((*q.loc, "min"), f"{who}: min ({_n(lo)}) is more than max ({_n(hi)})"))
        elif q.type == "rating":
            lo = lo if _num(lo) else 1
            hi = hi if _num(hi) else 5
            if _num(lo) and _num(hi) and not 2 <= hi - lo + 1 <= 11:
                out.append(
                    Finding(
                        (*q.loc, "max" if "max" in raw else "min"),
                        f"{who}: a rating scale has 2 to 11 points; {_n(lo)}..{_n(hi)} has {_n(int(hi - lo + 1))}",
                    )
                )
    labels = raw.get("labels")
    if isinstance(labels, dict) and q.type in (*SCALE_SIZES, "rating"):
        if q.type == "rating":
            lo = raw.get("min", 1) if _num(raw.get("min", 1)) else 1
            hi = raw.get("max", 5) if _num(raw.get("max", 5)) else 5
        else:
            lo, hi = SCALE_SIZES[q.type]
        for k in labels:
            if isinstance(k, int) and not isinstance(k, bool) and not lo <= k <= hi:
                out.append(
                    Finding((*q.loc, "labels", k), f"{who}: label for {_n(k)} is outside the scale {_n(lo)}..{_n(hi)}", key=True)
                )


def _check_tasks(data: dict[str, Any], out: list[Finding]) -> None:
    tasks = data.get("tasks")
    if not isinstance(tasks, dict):
        return
    items = tasks.get("items")
    if isinstance(items, list):
        seen: dict[str, int] = {}
        for i, t in enumerate(items):
            if isinstance(t, dict) and isinstance(t.get("id"), str):
                if t["id"] in seen:
                    out.append(
                        Finding(
                            ("tasks", "items", i, "id"),
                            f"duplicate task id '{t['id']}': already used on line {{line}}; "
                            "task ids must be unique",
                            related=("tasks", "items", seen[t["id"]]),
                        )
                    )
                seen.setdefault(t["id"], i)
    codes = tasks.get("error_codes")
    if isinstance(codes, list):
        seen_codes: set[str] = set()
        for i, c in enumerate(codes):
            if isinstance(c, str):
                if c in seen_codes:
                    out.append(Finding(("tasks", "error_codes", i), f"error code '{clip(c)}' is listed twice"))
                seen_codes.add(c)


PLAIN_PIN_KEYS = ("exit_pin", "pin", "exit_pin_plain", "staff_pin", "password")
PIN_HASH_KEYS = ("exit_pin_hash", "exit_pin_sha256")

PLAIN_PIN_MESSAGE = (
    "plaintext PIN: never write the PIN itself in the file; run `surveykit hash-pin` "
    "and paste the exit_pin_hash line it prints"
)
UNSALTED_PIN_WARNING = (
    "an unsalted sha256 PIN can be recovered from a copy of this file in seconds; "
    "run `surveykit hash-pin` and replace it with the exit_pin_hash line"
)
WEAK_PIN_WARNING = (
    "this PIN hash was made with less work than today's default and is quicker to crack; "
    "run `surveykit hash-pin` and replace it with the exit_pin_hash line"
)
BOTH_PINS_MESSAGE = (
    "give the staff PIN once: exit_pin_hash, or the old exit_pin_sha256, not both "
    "(remove exit_pin_sha256)"
)
BAD_SCRYPT_MESSAGE = (
    "exit_pin_hash has scrypt parameters surveykit does not use (n a power of two from 1024, "
    "at most 256 MiB of memory); run `surveykit hash-pin` and paste the line it prints"
)


def _check_kiosk(data: dict[str, Any], out: list[Finding]) -> None:
    kiosk = data.get("kiosk")
    if not isinstance(kiosk, dict):
        return
    for key in PLAIN_PIN_KEYS:
        if key in kiosk:
            out.append(Finding(("kiosk", key), PLAIN_PIN_MESSAGE, key=True))
    for key in PIN_HASH_KEYS:
        if looks_like_plain_pin(kiosk.get(key)):
            out.append(Finding(("kiosk", key), PLAIN_PIN_MESSAGE))
    if all(key in kiosk for key in PIN_HASH_KEYS):
        out.append(Finding(("kiosk", "exit_pin_sha256"), BOTH_PINS_MESSAGE, key=True))
        return
    for key in PIN_HASH_KEYS:
        stored = kiosk.get(key)
        if not isinstance(stored, str) or not re.fullmatch(PIN_HASH_PATTERN, stored):
            continue  # not a hash at all: the model says so
        if key == "exit_pin_hash" and stored.startswith("scrypt$") and not is_pin_hash(stored):
            out.append(Finding(("kiosk", key), BAD_SCRYPT_MESSAGE))
        elif not stored.startswith("scrypt$"):
            out.append(Finding(("kiosk", key), UNSALTED_PIN_WARNING, key=True, warning=True))
        elif needs_rehash(stored):
            out.append(Finding(("kiosk", key), WEAK_PIN_WARNING, key=True, warning=True))


def suppressed(findings: list[Finding]) -> set[Loc]:
    """Locations whose generic model errors these findings already explain."""
    out: set[Loc] = set()
    for f in findings:
        if f.explains:
            out |= {f.loc, (*f.loc, "text")}
        elif f.message == PLAIN_PIN_MESSAGE or f.message.endswith(BARE_NAME_TAIL):
            out.add(f.loc)
    return out
