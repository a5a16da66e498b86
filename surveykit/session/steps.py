"""The session flow: which screen comes next, skip logic, piping, validation.

A block of questions (the main `questions`, the `after_each` questions of one
task, or `after`) becomes a list of *steps*: one per question, and one per item
for batteries (SUS, UMUX-Lite), each stored under its own key (`sus.3`).
Which steps are visible depends on the answers given so far (`show_if`);
piping fills `{id}` with earlier answers. No UI, no SQL: the runner, kiosk and
moderator console all drive a `Flow`.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveykit.definition.expressions import Expression
from surveykit.definition.expressions import parse as parse_expression
from surveykit.definition.models import (
    BATTERY_TYPES,
    SCALE_TYPES,
    ChoiceQuestion,
    MultiQuestion,
    NumberQuestion,
    Option,
    TextQuestion,
)

PIPING = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Step:
    """One screen: a question, or one item of a battery."""

    key: str  # stored question_id: `nps`, `sus.3`
    question: Any  # the pydantic question model
    task_id: str = ""
    item: int | None = None  # 1-based battery item number
    item_count: int | None = None
    options: tuple[Option, ...] = ()  # in the order shown (after shuffling)

    @property
    def type(self) -> str:
        return str(self.question.type)

    @property
    def kind(self) -> str:
        """scale | choice | multi | text | number | note."""
        t = self.type
        if t in SCALE_TYPES or t in BATTERY_TYPES:
            return "scale"
        return t

    @property
    def required(self) -> bool:
        return bool(self.question.required) and self.kind != "note"

    @property
    def allows_na(self) -> bool:
        return bool(self.question.na)

    @property
    def na_label(self) -> str:
        return str(self.question.na_label)

    @property
    def low(self) -> int:
        return int(self.question.low)

    @property
    def high(self) -> int:
        return int(self.question.high)

    @property
    def labels(self) -> dict[int, str]:
        return dict(self.question.point_labels()) if self.kind == "scale" else {}

    @property
    def help(self) -> str | None:
        return self.question.help

    @property
    def stores_answer(self) -> bool:
        return self.kind != "note"


@dataclass
class Flow:
    """Steps of one block of questions, given the answers so far.

    `answers` maps step keys to stored values (None for N/A). `context` holds
    answers from earlier blocks (e.g. the main questions, for an `after_each`
    block) that `show_if` and piping may use.
    """

    questions: Sequence[Any]
    task_id: str = ""
    seed: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    na: set[str] = field(default_factory=set)
    context: Mapping[str, Any] = field(default_factory=dict)
    context_na: set[str] = field(default_factory=set)
    #: the questions `context` answers belong to, so that piping them shows an
    #: option's text and the question's own N/A label, not the stored value
    context_questions: Sequence[Any] = ()

    def __post_init__(self) -> None:
        self._exprs: dict[str, Expression | None] = {
            q.id: parse_expression(q.show_if) if q.show_if else None for q in self.questions
        }
        self._all = self._build_steps()

    # --- building --------------------------------------------------------------------

    def _build_steps(self) -> list[Step]:
        steps: list[Step] = []
        for q in self.questions:
            if q.type in BATTERY_TYPES:
                ids = q.item_ids()
                for n, key in enumerate(ids, 1):
                    steps.append(Step(key, q, self.task_id, item=n, item_count=len(ids)))
            elif isinstance(q, ChoiceQuestion):
                steps.append(Step(q.id, q, self.task_id, options=tuple(self._option_order(q))))
            else:
                steps.append(Step(q.id, q, self.task_id))
        return steps

    def _option_order(self, q: ChoiceQuestion) -> list[Option]:
        options = q.option_list()
        if q.shuffle:
            digest = hashlib.sha256(f"{self.seed}\x00{self.task_id}\x00{q.id}".encode()).digest()
            random.Random(int.from_bytes(digest[:8], "big")).shuffle(options)
        return options

    # --- answers ---------------------------------------------------------------------

    def set_answer(self, key: str, value: Any, *, is_na: bool = False) -> None:
        if is_na:
            self.answers[key] = None
            self.na.add(key)
        else:
            self.answers[key] = value
            self.na.discard(key)

    def forget(self, key: str) -> None:
        self.answers.pop(key, None)
        self.na.discard(key)

    def _visible_until(self, question_id: str) -> list[Step]:
        out: list[Step] = []
        shown_questions: set[str] = set()
        hidden: set[str] = set()
        scope = {k: (None if k in self.context_na else v) for k, v in self.context.items()}
        for step in self._all:
            qid = step.question.id
            if qid == question_id:
                break
            if qid in hidden:
                continue
            if qid not in shown_questions:
                expr = self._exprs.get(qid)
                if expr is not None and not expr.evaluate(scope):
                    hidden.add(qid)
                    continue
                shown_questions.add(qid)
            out.append(step)
            if step.key in self.answers:
                scope[step.key] = self.answers[step.key]
        return out

    def steps(self) -> list[Step]:
        """Every step that is shown given the answers so far, in order."""
        return self._visible_until("\x00end")

    def step(self, key: str) -> Step:
        for s in self._all:
            if s.key == key:
                return s
        raise KeyError(key)

    def first(self) -> Step | None:
        steps = self.steps()
        return steps[0] if steps else None

    def next_after(self, key: str) -> Step | None:
        steps = self.steps()
        keys = [s.key for s in steps]
        if key not in keys:
            return self._next_in_file_order(key, steps)
        i = keys.index(key)
        return steps[i + 1] if i + 1 < len(steps) else None

    def _next_in_file_order(self, key: str, visible: list[Step]) -> Step | None:
        order = [s.key for s in self._all]
        pos = order.index(key)
        for s in visible:
            if order.index(s.key) > pos:
                return s
        return None

    def previous_before(self, key: str) -> Step | None:
        steps = self.steps()
        keys = [s.key for s in steps]
        if key not in keys:
            return None
        i = keys.index(key)
        return steps[i - 1] if i > 0 else None

    def progress(self, key: str) -> tuple[int, int]:
        """(1-based position, number of steps now visible)."""
        keys = [s.key for s in self.steps()]
        return (keys.index(key) + 1 if key in keys else len(keys), len(keys))

    def stale(self) -> list[str]:
        """Answered steps that are no longer shown (a changed answer hid them)."""
        visible = {s.key for s in self.steps()}
        return [k for k in self.answers if k not in visible]

    def resume_point(self, shown: Iterable[str] = ()) -> Step | None:
        """The first visible step that still needs the participant."""
        seen = set(shown)
        for s in self.steps():
            if s.stores_answer and s.key not in self.answers:
                return s
            if not s.stores_answer and s.key not in seen:
                return s
        return None

    # --- text ------------------------------------------------------------------------

    def text(self, step: Step) -> str:
        """The question (or battery item) text with `{id}` filled in."""
        if step.item is not None:
            base = step.question.items()[step.item - 1]
        else:
            base = step.question.display_text()
        return self.pipe(base)

    def title(self, step: Step) -> str | None:
        """For a battery item: the battery's instruction line."""
        if step.item is None:
            return None
        return self.pipe(step.question.display_text())

    def pipe(self, text: str) -> str:
        def fill(m: re.Match[str]) -> str:
            key = m.group(1)
            if key in self.answers:
                return display_value(self._question_of(key), self.answers[key], key in self.na)
            if key in self.context:
                question = next((q for q in self.context_questions if q.id == key), None)
                return display_value(question, self.context[key], key in self.context_na)
            return "…"

        return PIPING.sub(fill, text)

    def _question_of(self, key: str) -> Any:
        try:
            return self.step(key).question
        except KeyError:
            return None


def display_value(question: Any, value: Any, is_na: bool = False) -> str:
    """An answer as a participant would read it (for piping and summaries)."""
    if is_na or value is None:
        return str(getattr(question, "na_label", "N/A")) if question is not None else "N/A"
    if isinstance(value, dict) and "other" in value:
        return str(value["other"])
    if isinstance(question, ChoiceQuestion):
        lookup = {o.stored: o.text for o in question.option_list()}
        if isinstance(value, list):
            return ", ".join(
                str(v["other"]) if isinstance(v, dict) and "other" in v else lookup.get(v, str(v))
                for v in value
            )
        return lookup.get(value, str(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: a message in the participant's language: `say("Choose at least {n}.", n=2)`
Say = Callable[..., str]


def english(message: str, /, **values: Any) -> str:
    """The message as written (English), its placeholders filled in."""
    return message.format(**values) if values else message


def validate_answer(
    step: Step, value: Any, *, is_na: bool = False, say: Say | None = None
) -> str | None:
    """Why `value` cannot be stored for `step`, in plain words, or None if it can.

    `say(message, **values)` gives a message in the participant's language (a
    front end passes its UI catalogue); by default the English text, filled in."""
    say = say or english
    q = step.question
    if is_na:
        return None if step.allows_na else say("This question has no 'not applicable' choice.")
    empty = value is None or value == "" or value == [] or (isinstance(value, dict) and not value)
    if empty:
        if step.required:
            return say("Please answer this question to continue.")
        return None
    kind = step.kind
    if kind == "scale":
        if not isinstance(value, int) or isinstance(value, bool) or not step.low <= value <= step.high:
            return say("Choose a number from {low} to {high}.", low=step.low, high=step.high)
    elif kind == "choice":
        if isinstance(value, dict):
            if not q.other:
                return say("Choose one of the options.")
            if not str(value.get("other", "")).strip():
                return say("Please say what 'Other' is.")
        elif value not in {o.stored for o in q.option_list()}:
            return say("Choose one of the options.")
    elif kind == "multi":
        assert isinstance(q, MultiQuestion)
        if not isinstance(value, list):
            return say("Choose the options that apply.")
        allowed = {o.stored for o in q.option_list()}
        for v in value:
            if isinstance(v, dict):
                if not q.other or not str(v.get("other", "")).strip():
                    return say("Please say what 'Other' is.")
            elif v not in allowed:
                return say("Choose the options that apply.")
        n = len(value)
        if q.min_selected is not None and n < q.min_selected:
            return say("Choose at least {n}.", n=q.min_selected)
        if q.max_selected is not None and n > q.max_selected:
            return say("Choose at most {n}.", n=q.max_selected)
    elif kind == "text":
        assert isinstance(q, TextQuestion)
        if not isinstance(value, str):
            return say("Please type your answer.")
        if len(value) > q.max_length:
            return say(
                "Please keep it under {limit} characters (now {count}).",
                limit=q.max_length,
                count=len(value),
            )
        if step.required and not value.strip():
            return say("Please answer this question to continue.")
    elif kind == "number":
        assert isinstance(q, NumberQuestion)
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            return say("Please enter a number.")
        if q.integer and not float(value).is_integer():
            return say("Please enter a whole number.")
        if q.min is not None and value < q.min:
            return say("Please enter a number of at least {n}.", n=_num(q.min))
        if q.max is not None and value > q.max:
            return say("Please enter a number of at most {n}.", n=_num(q.max))
    return None


def parse_number(text: str, *, integer: bool = False) -> int | float | None:
    """A typed number (`3`, `2.5`, `2,5`, ` 1 000 `) or None if it is not one."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    value = float(cleaned)
    if not math.isfinite(value):
        return None
    if value.is_integer() and (integer or "." not in cleaned):
        return int(value)
    return value


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
