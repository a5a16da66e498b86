"""Pydantic models of a definition file (SPEC §2).

Every model forbids unknown keys. Checks that need the whole file (duplicate
ids, references in `show_if` and piping, bare instrument names) live in
`surveykit.definition.checks`, which runs on the raw data so that every problem
is reported at once, even when some part of the file does not validate.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from surveykit.definition import instruments as std
from surveykit.pin import PIN_HASH_PATTERN

SURVEY_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
QUESTION_ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
TASK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

QuestionId = Annotated[str, Field(pattern=QUESTION_ID_PATTERN, max_length=64)]


class _Model(BaseModel):
    # .inf and .nan are no setting's value: a time limit or a bound must be finite
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Option(_Model):
    """A choice option with a stored value different from its text."""

    text: str = Field(min_length=1, description="What the participant reads.")
    value: str | int | float | None = Field(default=None, description="What is stored when the option is chosen (the text if not given).")

    @property
    def stored(self) -> str | int | float:
        return self.text if self.value is None else self.value


def _option_from_scalar(value: Any) -> Any:
    """`options: [Red, 2, {text: Blue, value: b}]`: scalars become options' text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int, float)):
        return {"text": str(value)}
    return value


#: The schema says what a file may hold (plain text or numbers too), not only
#: the Option they become, so that editors accept `options: [Red, Blue]`.
OptionSpec = Annotated[
    Option, BeforeValidator(_option_from_scalar, json_schema_input_type=str | int | float | Option)
]


class _Question(_Model):
    id: QuestionId = Field(description="Name of the question: letters, digits and _, starting with a letter; unique in the file. Used in show_if, piping {id} and the data.")
    text: str | None = Field(default=None, description="The question as the participant reads it; {id} inserts an earlier answer.")
    help: str | None = Field(default=None, description="A line shown under the question.")
    required: bool = Field(default=True, description="An answer is needed to go on (default true; false for text and note).")
    show_if: str | None = Field(default=None, description="Ask only when this condition on earlier answers is true, like: nps <= 6.")
    na: bool = Field(default=False, description="Add a 'Not applicable' choice, stored as an explicit N/A.")
    #: label for the N/A choice when `na` is true
    na_label: str = Field(default="Not applicable", description="Wording of the N/A choice, like 'Prefer not to say'.")

    #: False for questions that store nothing but that they were shown.
    STORES_ANSWER: ClassVar[bool] = True

    def display_text(self) -> str:
        return self.text or ""


class _Scale(_Question):
    """A single integer scale with fixed size and labels per point."""

    labels: dict[int, str] | None = Field(default=None, description="Labels for points of the scale, like {0: Not at all likely, 10: Extremely likely}.")

    SCALE: ClassVar[tuple[int, int]] = (1, 5)
    DEFAULT_LABELS: ClassVar[dict[int, str]] = {}
    DEFAULT_TEXT: ClassVar[str | None] = None
    product: str = Field(default=std.DEFAULT_PRODUCT, description="The product or service rated, put into the standard wording.")

    @property
    def low(self) -> int:
        return self.SCALE[0]

    @property
    def high(self) -> int:
        return self.SCALE[1]

    def point_labels(self) -> dict[int, str]:
        merged = dict(self.DEFAULT_LABELS)
        if self.labels:
            merged.update(self.labels)
        return merged

    def display_text(self) -> str:
        if self.text:
            return self.text
        return std.fill_product(self.DEFAULT_TEXT or "", self.product)


class NPSQuestion(_Scale):
    type: Literal["nps"] = Field(description="The question type. nps: Net Promoter Score, 0 (not at all likely) to 10 (extremely likely)")
    SCALE = (0, 10)
    DEFAULT_LABELS = std.NPS_LABELS
    DEFAULT_TEXT = std.NPS_TEXT


class CSATQuestion(_Scale):
    type: Literal["csat"] = Field(description="The question type. csat: customer satisfaction, 1 (very dissatisfied) to 5 (very satisfied)")
    SCALE = (1, 5)
    DEFAULT_LABELS = std.CSAT_LABELS
    DEFAULT_TEXT = std.CSAT_TEXT


class CESQuestion(_Scale):
    type: Literal["ces"] = Field(description="The question type. ces: Customer Effort Score 2.0, 1 (strongly disagree) to 7 (strongly agree)")
    SCALE = (1, 7)
    DEFAULT_LABELS = std.CES_LABELS
    DEFAULT_TEXT = std.CES_TEXT


class SEQQuestion(_Scale):
    type: Literal["seq"] = Field(description="The question type. seq: Single Ease Question after a task, 1 (very difficult) to 7 (very easy)")
    SCALE = (1, 7)
    DEFAULT_LABELS = std.SEQ_LABELS
    DEFAULT_TEXT = std.SEQ_TEXT


class RatingQuestion(_Question):
    type: Literal["rating"] = Field(description="The question type. rating: a scale from min to max (2 to 11 points), with optional labels")
    min: int = Field(default=1, description="Lowest point of the scale (default 1).")
    max: int = Field(default=5, description="Highest point of the scale (default 5); 2 to 11 points in all.")
    labels: dict[int, str] | None = Field(default=None, description="Labels for points of the scale, like {1: Poor, 10: Excellent}.")

    @property
    def low(self) -> int:
        return self.min

    @property
    def high(self) -> int:
        return self.max

    def point_labels(self) -> dict[int, str]:
        return dict(self.labels or {})


class _Battery(_Question):
    """A standard battery: several items on one scale, stored as `id.N`."""

    product: str = Field(default=std.DEFAULT_PRODUCT, description="The product or system rated, put into the standard item wording (default 'this system').")
    statements: list[str] | None = Field(default=None, description="The wording of every item, in order, replacing the standard English wording (for a translation: one entry per item, like {de: …}).")
    labels: dict[int, str] | None = Field(default=None, description="Labels for points of the scale, replacing the standard ones, like {1: {de: Stimme überhaupt nicht zu}}.")
    ITEMS: ClassVar[tuple[str, ...]] = ()
    SCALE: ClassVar[tuple[int, int]] = (1, 5)
    LABELS: ClassVar[dict[int, str]] = {}
    DEFAULT_TEXT: ClassVar[str] = ""

    @property
    def low(self) -> int:
        return self.SCALE[0]

    @property
    def high(self) -> int:
        return self.SCALE[1]

    def items(self) -> list[str]:
        wording = self.ITEMS
        if self.statements is not None and len(self.statements) == len(self.ITEMS):
            wording = tuple(self.statements)
        return [std.fill_product(t, self.product) for t in wording]

    def item_ids(self) -> list[str]:
        return [f"{self.id}.{n}" for n in range(1, len(self.ITEMS) + 1)]

    def point_labels(self) -> dict[int, str]:
        merged = dict(self.LABELS)
        if self.labels:
            merged.update(self.labels)
        return merged

    def display_text(self) -> str:
        return self.text or std.fill_product(self.DEFAULT_TEXT, self.product)


class SUSQuestion(_Battery):
    type: Literal["sus"] = Field(description="The question type. sus: the 10-item System Usability Scale, each item 1 to 5")
    ITEMS = std.SUS_ITEMS
    SCALE = (1, 5)
    LABELS = std.SUS_LABELS
    DEFAULT_TEXT = std.SUS_TEXT


class UMUXLiteQuestion(_Battery):
    type: Literal["umux_lite"] = Field(description="The question type. umux_lite: the 2-item UMUX-Lite, each item 1 to 7")
    ITEMS = std.UMUX_LITE_ITEMS
    SCALE = (1, 7)
    LABELS = std.UMUX_LITE_LABELS
    DEFAULT_TEXT = std.UMUX_LITE_TEXT


class ChoiceQuestion(_Question):
    type: Literal["choice"] = Field(description="The question type. choice: one option from a list")
    text: str = Field(description="The question as the participant reads it; {id} inserts an earlier answer.")
    options: list[OptionSpec] = Field(min_length=1, description="The options: texts, or {text: …, value: …} to store a value other than the text.")
    other: bool = Field(default=False, description='Add \'Other (please say)\' with a text box; stored as {"other": "typed text"}.')
    other_label: str = Field(default="Other (please say)", description="Wording of the 'other' option.")
    shuffle: bool = Field(default=False, description="Show the options in a random order per session (the order shown is stored).")

    def option_list(self) -> list[Option]:
        return list(self.options)


class MultiQuestion(ChoiceQuestion):
    type: Literal["multi"] = Field(description="The question type. multi: any number of options from a list")  # type: ignore[assignment]
    min_selected: int | None = Field(default=None, ge=0, description="Fewest options that must be chosen.")
    max_selected: int | None = Field(default=None, ge=1, description="Most options that may be chosen.")


class TextQuestion(_Question):
    type: Literal["text"] = Field(description="The question type. text: a typed answer")
    text: str = Field(description="The question as the participant reads it; {id} inserts an earlier answer.")
    required: bool = Field(default=False, description="An answer is needed to go on (default false for text).")
    max_length: int = Field(default=2000, ge=1, le=100_000, description="Most characters accepted (default 2000).")
    multiline: bool = Field(default=False, description="A box for several lines instead of one.")


class NumberQuestion(_Question):
    type: Literal["number"] = Field(description="The question type. number: a typed whole or decimal number")
    text: str = Field(description="The question as the participant reads it; {id} inserts an earlier answer.")
    min: float | None = Field(default=None, description="Smallest number accepted.")
    max: float | None = Field(default=None, description="Largest number accepted.")
    integer: bool = Field(default=False, description="Accept whole numbers only.")
    unit: str | None = Field(default=None, description="Unit shown beside the box, like 'minutes'.")


class NoteQuestion(_Question):
    type: Literal["note"] = Field(description="The question type. note: text to read (consent, instructions); nothing is answered")
    text: str = Field(description="The text to read.")
    required: bool = Field(default=False, description="Always false: a note has no answer.")
    STORES_ANSWER: ClassVar[bool] = False


Question = Annotated[
    NPSQuestion
    | CSATQuestion
    | CESQuestion
    | SEQQuestion
    | RatingQuestion
    | SUSQuestion
    | UMUXLiteQuestion
    | ChoiceQuestion
    | MultiQuestion
    | TextQuestion
    | NumberQuestion
    | NoteQuestion,
    Field(discriminator="type"),
]

QUESTION_TYPES: dict[str, type[_Question]] = {
    "nps": NPSQuestion,
    "csat": CSATQuestion,
    "ces": CESQuestion,
    "seq": SEQQuestion,
    "rating": RatingQuestion,
    "sus": SUSQuestion,
    "umux_lite": UMUXLiteQuestion,
    "choice": ChoiceQuestion,
    "multi": MultiQuestion,
    "text": TextQuestion,
    "number": NumberQuestion,
    "note": NoteQuestion,
}

SCALE_TYPES = ("nps", "csat", "ces", "seq", "rating")
BATTERY_TYPES = ("sus", "umux_lite")


def standard_question(name: str) -> Any:
    """The standard instrument a bare name stands for (`seq`, `sus`, …)."""
    return QUESTION_TYPES[name](id=name, type=name)  # type: ignore[call-arg]


def _expand_bare_names(value: Any) -> Any:
    if isinstance(value, list):
        return [
            {"id": v, "type": v} if isinstance(v, str) and v in std.STANDARD_NAMES else v
            for v in value
        ]
    return value


QuestionList = list[Question]


class Task(_Model):
    id: Annotated[str, Field(pattern=TASK_ID_PATTERN, max_length=64)] = Field(description="Name of the task: letters, digits, - and _; unique in the study; stored with its data.")
    title: str = Field(min_length=1, description="Short name of the task, shown to the moderator.")
    prompt: str = Field(min_length=1, description="The task as the participant reads it.")
    success: str | None = Field(default=None, description="What counts as success; shown to the moderator only.")
    time_limit_s: float | None = Field(default=None, gt=0, description="Seconds after which the moderator is alerted (the outcome may be set to timeout).")


class TaskSet(_Model):
    order: Literal["fixed", "shuffle", "latin_square"] = Field(default="fixed", description="Task order per participant: fixed (as in the file), shuffle (seeded by the participant) or latin_square (balanced by participant number).")
    after_each: QuestionList = Field(default_factory=lambda: [standard_question("seq")], description="Questions asked after every task, stored with the task's id (default [seq]).")
    items: list[Task] = Field(min_length=1, description="The tasks.")
    error_codes: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list, description="Quick codes for errors the moderator logs, like [navigation, form].")

    @field_validator("after_each", mode="before")
    @classmethod
    def _bare(cls, v: Any) -> Any:
        return _expand_bare_names(v)


class KioskSettings(_Model):
    idle_reset_s: float = Field(default=45, ge=5, le=3600, description="Idle this many seconds mid-survey: the session is saved as abandoned and the welcome screen returns.")
    thank_you_s: float = Field(default=6, ge=1, le=300, description="Seconds the thank-you screen shows.")
    #: `surveykit hash-pin` prints it: a salted scrypt hash (see surveykit.pin).
    exit_pin_hash: Annotated[str, Field(pattern=PIN_HASH_PATTERN)] | None = Field(default=None, description="The staff PIN's salted hash, as `surveykit hash-pin` prints it (scrypt$n$r$p$salt$key). Never the PIN itself.")
    #: The old unsalted form, still accepted (validate asks to re-hash it).
    exit_pin_sha256: Annotated[str, Field(pattern=SHA256_PATTERN)] | None = Field(default=None, description="Old, unsalted form of the staff PIN hash: still accepted, but validate warns; use exit_pin_hash.")
    welcome: str = Field(default="Tap or press any key to start", description="Text of the welcome screen.")
    theme: Literal["dark", "light", "high-contrast"] | None = Field(default=None, description="Colours of the kiosk's screen: dark (the default), light or high-contrast; --theme overrides it.")

    @property
    def pin_hash(self) -> str | None:
        """The stored staff PIN hash, whichever key gives it (the new one wins)."""
        return self.exit_pin_hash or self.exit_pin_sha256


class Survey(_Model):
    #: `"$schema": "…"` names the JSON Schema for editors; it means nothing else.
    json_schema_ref: str | None = Field(
        default=None,
        alias="$schema",
        exclude=True,
        description="Path or URL of this format's JSON Schema, for editors (`surveykit schema --out FILE`).",
    )
    surveykit: Literal[1] = Field(description="Format version of the file: 1.")
    languages: list[str] | None = Field(default=None, description="The languages of a file whose texts are given per language, like [en, de, fr]: then any text may be a map {en: …, de: …}.")
    default_language: str | None = Field(default=None, description="The language shown when none is chosen, and where a text lacks a translation (default: the first of languages).")
    id: Annotated[str, Field(pattern=SURVEY_ID_PATTERN, max_length=64)] = Field(description="Name of the survey: lowercase letters, digits, - and _; stored with every session.")
    title: str = Field(min_length=1, description="Title shown at the top of every screen.")
    intro: str | None = Field(default=None, description="Text of an optional first screen.")
    outro: str | None = Field(default=None, description="Text of an optional last screen.")
    questions: QuestionList = Field(default_factory=list, description="The questions (before the tasks in a study). A bare name (seq, sus, umux_lite, nps, csat, ces) is that standard instrument.")
    tasks: TaskSet | None = Field(default=None, description="Tasks for a moderated usability study.")
    after: QuestionList = Field(default_factory=list, description="Questions asked after all tasks, like [sus].")
    kiosk: KioskSettings | None = Field(default=None, description="Settings used by `surveykit kiosk`.")

    @field_validator("after", "questions", mode="before")
    @classmethod
    def _bare(cls, v: Any) -> Any:
        return _expand_bare_names(v)

    @property
    def is_study(self) -> bool:
        return self.tasks is not None

    def all_questions(self) -> list[Any]:
        """`questions`, `after_each` and `after`, in file order."""
        out: list[Any] = list(self.questions)
        if self.tasks:
            out.extend(self.tasks.after_each)
        out.extend(self.after)
        return out

    def question(self, question_id: str) -> Any:
        for q in self.all_questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def task(self, task_id: str) -> Task:
        if self.tasks:
            for t in self.tasks.items:
                if t.id == task_id:
                    return t
        raise KeyError(task_id)


def looks_like_plain_pin(value: Any) -> bool:
    """A PIN written in the clear instead of its sha256."""
    return isinstance(value, (int, str)) and re.fullmatch(r"\d{3,12}", str(value)) is not None
