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

    text: str = Field(min_length=1)
    value: str | int | float | None = None

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
    id: QuestionId
    text: str | None = None
    help: str | None = None
    required: bool = True
    show_if: str | None = None
    na: bool = False
    #: label for the N/A choice when `na` is true
    na_label: str = "Not applicable"

    #: False for questions that store nothing but that they were shown.
    STORES_ANSWER: ClassVar[bool] = True

    def display_text(self) -> str:
        return self.text or ""


class _Scale(_Question):
    """A single integer scale with fixed size and labels per point."""

    labels: dict[int, str] | None = None

    SCALE: ClassVar[tuple[int, int]] = (1, 5)
    DEFAULT_LABELS: ClassVar[dict[int, str]] = {}
    DEFAULT_TEXT: ClassVar[str | None] = None
    product: str = std.DEFAULT_PRODUCT

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
    type: Literal["nps"]
    SCALE = (0, 10)
    DEFAULT_LABELS = std.NPS_LABELS
    DEFAULT_TEXT = std.NPS_TEXT


class CSATQuestion(_Scale):
    type: Literal["csat"]
    SCALE = (1, 5)
    DEFAULT_LABELS = std.CSAT_LABELS
    DEFAULT_TEXT = std.CSAT_TEXT


class CESQuestion(_Scale):
    type: Literal["ces"]
    SCALE = (1, 7)
    DEFAULT_LABELS = std.CES_LABELS
    DEFAULT_TEXT = std.CES_TEXT


class SEQQuestion(_Scale):
    type: Literal["seq"]
    SCALE = (1, 7)
    DEFAULT_LABELS = std.SEQ_LABELS
    DEFAULT_TEXT = std.SEQ_TEXT


class RatingQuestion(_Question):
    type: Literal["rating"]
    min: int = 1
    max: int = 5
    labels: dict[int, str] | None = None

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

    product: str = std.DEFAULT_PRODUCT
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
        return [std.fill_product(t, self.product) for t in self.ITEMS]

    def item_ids(self) -> list[str]:
        return [f"{self.id}.{n}" for n in range(1, len(self.ITEMS) + 1)]

    def point_labels(self) -> dict[int, str]:
        return dict(self.LABELS)

    def display_text(self) -> str:
        return self.text or std.fill_product(self.DEFAULT_TEXT, self.product)


class SUSQuestion(_Battery):
    type: Literal["sus"]
    ITEMS = std.SUS_ITEMS
    SCALE = (1, 5)
    LABELS = std.SUS_LABELS
    DEFAULT_TEXT = std.SUS_TEXT


class UMUXLiteQuestion(_Battery):
    type: Literal["umux_lite"]
    ITEMS = std.UMUX_LITE_ITEMS
    SCALE = (1, 7)
    LABELS = std.UMUX_LITE_LABELS
    DEFAULT_TEXT = std.UMUX_LITE_TEXT


class ChoiceQuestion(_Question):
    type: Literal["choice"]
    text: str
    options: list[OptionSpec] = Field(min_length=1)
    other: bool = False
    other_label: str = "Other (please say)"
    shuffle: bool = False

    def option_list(self) -> list[Option]:
        return list(self.options)


class MultiQuestion(ChoiceQuestion):
    type: Literal["multi"]  # type: ignore[assignment]
    min_selected: int | None = Field(default=None, ge=0)
    max_selected: int | None = Field(default=None, ge=1)


class TextQuestion(_Question):
    type: Literal["text"]
    text: str
    required: bool = False
    max_length: int = Field(default=2000, ge=1, le=100_000)
    multiline: bool = False


class NumberQuestion(_Question):
    type: Literal["number"]
    text: str
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = None


class NoteQuestion(_Question):
    type: Literal["note"]
    text: str
    required: bool = False
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
    id: Annotated[str, Field(pattern=TASK_ID_PATTERN, max_length=64)]
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    success: str | None = None
    time_limit_s: float | None = Field(default=None, gt=0)


class TaskSet(_Model):
    order: Literal["fixed", "shuffle", "latin_square"] = "fixed"
    after_each: QuestionList = Field(default_factory=lambda: [standard_question("seq")])
    items: list[Task] = Field(min_length=1)
    error_codes: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)

    @field_validator("after_each", mode="before")
    @classmethod
    def _bare(cls, v: Any) -> Any:
        return _expand_bare_names(v)


class KioskSettings(_Model):
    idle_reset_s: float = Field(default=45, ge=5, le=3600)
    thank_you_s: float = Field(default=6, ge=1, le=300)
    #: `surveykit hash-pin` prints it: a salted scrypt hash (see surveykit.pin).
    exit_pin_hash: Annotated[str, Field(pattern=PIN_HASH_PATTERN)] | None = None
    #: The old unsalted form, still accepted (validate asks to re-hash it).
    exit_pin_sha256: Annotated[str, Field(pattern=SHA256_PATTERN)] | None = None
    welcome: str = "Tap or press any key to start"

    @property
    def pin_hash(self) -> str | None:
        """The stored staff PIN hash, whichever key gives it (the new one wins)."""
        return self.exit_pin_hash or self.exit_pin_sha256


class Survey(_Model):
    surveykit: Literal[1]
    id: Annotated[str, Field(pattern=SURVEY_ID_PATTERN, max_length=64)]
    title: str = Field(min_length=1)
    intro: str | None = None
    outro: str | None = None
    questions: QuestionList = Field(default_factory=list)
    tasks: TaskSet | None = None
    after: QuestionList = Field(default_factory=list)
    kiosk: KioskSettings | None = None

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
