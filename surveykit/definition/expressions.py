"""The ``show_if`` condition language.

A question in a survey definition may carry a condition that decides whether
it is shown, for example::

    show_if: nps <= 6
    show_if: visit == 'A gift' and csat >= 4
    show_if: 'Email' in contact_methods
    show_if: answered(age) and age + 1 > 18
    show_if: not (role in ['admin', 'owner'])

Conditions are checked when the survey definition is loaded (:func:`parse`)
and evaluated while the survey runs (:meth:`Expression.evaluate`). They are
never executed as Python code: the text is parsed into a syntax tree that is
checked against a short list of allowed constructs and then interpreted by
this module.

What a condition may contain
----------------------------

* Question ids of earlier questions, e.g. ``nps`` or ``nps_reason``.
* Values: whole numbers (``6``), decimals (``4.5``), quoted text (``'A gift'``
  or ``"A gift"``), ``True``, ``False``, ``None``, and lists of such values
  (``['admin', 'owner']``).
* Comparisons: ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=``; they can be chained
  (``1 <= nps <= 6``).
* ``in`` and ``not in``.
* ``and``, ``or``, ``not`` and parentheses.
* Arithmetic: ``+ - * / // % **`` (numbers only).
* The single function ``answered(id)``.

Anything else (function calls other than ``answered``, ``x.y``, ``x[0]``,
``is``, ``a if b else c``, f-strings, ...) is rejected when the survey is
loaded. A condition may be at most 500 characters long, nested at most 20
levels deep and made of at most 200 parts.

How a condition is evaluated
----------------------------

* A question that was not answered, was skipped, or was answered "Not
  applicable" has a *missing* value.
* ``answered(x)`` is true when ``x`` has a stored answer that is not "Not
  applicable". An empty text or an empty multi-select still counts as
  answered.
* Every comparison, ``in``, ``not in`` and every arithmetic operation that
  involves a missing value is false. This includes ``!=``: ``nps != 5`` is
  false when ``nps`` was not answered.
* ``not X`` simply flips ``X``. So ``not (nps > 6)`` is TRUE when ``nps`` was
  not answered. If you mean "answered, and 6 or less", write
  ``answered(nps) and nps <= 6``.
* ``and``, ``or`` and ``not`` always give True or False.
* Text comparisons are exact and case-sensitive: ``visit == 'a gift'`` does
  not match the option ``'A gift'``.
* ``x in y``: when ``y`` is a multi-select (a list of chosen options) or a
  list such as ``['admin', 'owner']``, it asks whether ``x`` is one of the
  items. When ``y`` is a single value (e.g. a single-choice answer), it means
  ``x == y``; it does NOT look for ``x`` inside a longer text, so
  ``'gift' in visit`` is false when ``visit`` is ``'A gift'``.
* ``x not in y`` is the opposite of ``x in y``, except that it is also false
  when ``x`` or ``y`` is missing.
* A multi-select compared with a list, e.g.
  ``contact_methods == ['Email', 'Phone']``, is true when exactly those options
  were chosen, in any order.
* An answer typed into a choice's "other" box counts as the option
  ``'Other'``; the typed text itself cannot be used in conditions.
* Comparing things of different kinds (text with a number, a list with a
  number, ...) is false, for every operator including ``!=``. ``<``, ``<=``,
  ``>`` and ``>=`` only work between two numbers or two texts.
  ``True``/``False`` are not numbers.
* Arithmetic works on numbers only; ``'a' + 'b'`` or ``'a' * 3`` is a
  missing value. Division by zero, an exponent larger than 100, a whole number
  with more than 64 digits, or a result too large for a decimal number also
  give a missing value, so a comparison using it is false.
* ``None`` is allowed as a value but behaves like a missing answer, so
  ``x == None`` is always false; use ``answered(x)`` instead.
* A condition that is just a value, e.g. ``show_if: subscribed``, is true
  when that value is answered and is not ``False``, ``0``, empty text or an
  empty list.
* Evaluating a condition never fails: whatever the answers are, the result is
  True or False.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_INT_DIGITS",
    "MAX_LENGTH",
    "MAX_NODES",
    "Expression",
    "ExpressionError",
    "parse",
]

MAX_LENGTH: Final[int] = 500
"""Longest accepted condition, in characters."""

MAX_DEPTH: Final[int] = 20
"""Deepest accepted nesting of sub-expressions."""

MAX_NODES: Final[int] = 200
"""Largest accepted number of parts (syntax-tree expression nodes)."""

MAX_EXPONENT: Final[int] = 100
"""Largest accepted ``abs(exponent)`` for ``**``; bigger ones give a missing value."""

MAX_INT_DIGITS: Final[int] = 64
"""Whole numbers with more digits than this are rejected (literals) or missing (results)."""

_INT_LIMIT: Final[int] = 10**MAX_INT_DIGITS

ANSWERED_FUNCTION: Final[str] = "answered"


class ExpressionError(ValueError):
    """A ``show_if`` condition that cannot be accepted.

    ``message`` is written for survey authors; ``offset`` is the 0-based
    character position in the condition text where the problem is (best
    effort, 0 when unknown).
    """

    message: str
    offset: int

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message, offset)
        self.message = message
        self.offset = max(0, int(offset))

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------

# Whitespace that would otherwise make the text span several lines (YAML block
# scalars). Replaced by spaces one-for-one, so character offsets do not move.
_LINE_BREAKS = str.maketrans({c: " " for c in "\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029"})

_BINOPS: Final[dict[type[ast.operator], str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}

_REJECTED_BINOPS: Final[dict[type[ast.operator], str]] = {
    ast.BitAnd: "'&' is not allowed; use 'and'",
    ast.BitOr: "'|' is not allowed; use 'or'",
    ast.BitXor: "'^' is not allowed; for powers use '**'",
    ast.LShift: "'<<' is not allowed",
    ast.RShift: "'>>' is not allowed",
    ast.MatMult: "'@' is not allowed",
}

_CMPOPS: Final[tuple[type[ast.cmpop], ...]] = (
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
)

_REJECTED_NODES: Final[dict[type[ast.AST], str]] = {
    ast.Attribute: "attribute access (like x.y) is not allowed",
    ast.Subscript: "indexing (like x[0]) is not allowed",
    ast.Slice: "indexing (like x[0]) is not allowed",
    ast.Lambda: "functions (lambda) cannot be defined in a condition",
    ast.ListComp: "comprehensions (like [x for x in y]) are not allowed",
    ast.SetComp: "comprehensions (like [x for x in y]) are not allowed",
    ast.DictComp: "comprehensions (like [x for x in y]) are not allowed",
    ast.GeneratorExp: "comprehensions (like [x for x in y]) are not allowed",
    ast.JoinedStr: "f-strings are not allowed; write plain text in quotes, like 'A gift'",
    ast.FormattedValue: "f-strings are not allowed; write plain text in quotes, like 'A gift'",
    ast.NamedExpr: "':=' is not allowed; to compare use '=='",
    ast.Starred: "'*' before a value is not allowed",
    ast.Dict: "{...} is not allowed; for a list of values use [...]",
    ast.Set: "{...} is not allowed; for a list of values use [...]",
    ast.IfExp: "'a if b else c' is not allowed; use 'and' and 'or'",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Await: "'await' is not allowed",
}


def _byte_to_char_offset(text: str, byte_offset: int | None) -> int:
    """Convert an ``ast`` column (UTF-8 bytes into the single line) to characters."""
    if not byte_offset or byte_offset < 0:
        return 0
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


class _Validator:
    """Checks a parsed tree against the whitelist and collects question ids."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: set[str] = set()

    def offset(self, node: ast.AST) -> int:
        return _byte_to_char_offset(self.text, getattr(node, "col_offset", 0))

    def fail(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, self.offset(node))

    def check(self, node: ast.AST, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise self.fail(f"expression is nested too deeply (at most {MAX_DEPTH} levels)", node)
        if isinstance(node, ast.Constant):
            self.check_constant(node)
        elif isinstance(node, ast.Name):
            self.check_name(node)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.check(value, depth + 1)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                raise self.fail("'~' is not allowed; to negate use 'not'", node)
            self.check(node.operand, depth + 1)
        elif isinstance(node, ast.BinOp):
            op_type = type(node.op)
            if op_type not in _BINOPS:
                raise self.fail(_REJECTED_BINOPS.get(op_type, "this operator is not allowed"), node)
            # A run like a + b + c (or a ** b ** c) is written flat, so it does
            # not count as nesting even though the tree leans to one side.
            left_same = isinstance(node.left, ast.BinOp) and type(node.left.op) is op_type
            right_same = isinstance(node.right, ast.BinOp) and type(node.right.op) is op_type
            self.check(node.left, depth + (0 if left_same and op_type is not ast.Pow else 1))
            self.check(node.right, depth + (0 if right_same and op_type is ast.Pow else 1))
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if isinstance(op, ast.Is | ast.IsNot):
                    raise self.fail(
                        "'is' is not allowed; to compare use '==', and to check for an "
                        "answer use answered(id)",
                        node,
                    )
                if not isinstance(op, _CMPOPS):
                    raise self.fail("this comparison is not allowed", node)
            self.check(node.left, depth + 1)
            for comparator in node.comparators:
                self.check(comparator, depth + 1)
        elif isinstance(node, ast.List | ast.Tuple):
            for element in node.elts:
                self.check_list_element(element)
        elif isinstance(node, ast.Call):
            self.check_call(node)
        else:
            message = _REJECTED_NODES.get(type(node))
            if message is None:
                message = "this is not allowed in a condition"
                segment = self.segment(node)
                if segment:
                    message = f"'{segment}' is not allowed in a condition"
            raise self.fail(message, node)

    def segment(self, node: ast.AST) -> str:
        try:
            segment = ast.get_source_segment(self.text, node) or ""
        except Exception:
            return ""
        segment = " ".join(segment.split())
        return segment if len(segment) <= 40 else segment[:37] + "..."

    def check_constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return
        if isinstance(value, int):
            if abs(value) >= _INT_LIMIT:
                raise self.fail(f"number is too large (at most {MAX_INT_DIGITS} digits)", node)
            return
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail("number is too large", node)
            return
        if isinstance(value, bytes):
            raise self.fail("b'...' values are not allowed; write plain text like 'A gift'", node)
        if isinstance(value, complex):
            raise self.fail("complex numbers (like 2j) are not allowed", node)
        if value is Ellipsis:
            raise self.fail("'...' is not allowed", node)
        raise self.fail("this value is not allowed", node)

    def check_name(self, node: ast.Name) -> None:
        if node.id == ANSWERED_FUNCTION:
            raise self.fail(
                "'answered' is a function; write answered(id), like answered(nps)", node
            )
        if node.id.startswith("__"):
            raise self.fail(f"'{node.id}' is not a question id", node)
        self.names.add(node.id)

    def check_list_element(self, node: ast.expr) -> None:
        target: ast.expr = node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            target = node.operand
            if not (
                isinstance(target, ast.Constant)
                and isinstance(target.value, int | float)
                and not isinstance(target.value, bool)
            ):
                raise self.fail(_LIST_MESSAGE, node)
        if not isinstance(target, ast.Constant):
            if type(target) in _REJECTED_NODES:
                raise self.fail(_REJECTED_NODES[type(target)], target)
            raise self.fail(_LIST_MESSAGE, node)
        self.check_constant(target)

    def check_call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                raise self.fail(_REJECTED_NODES[ast.Attribute], func)
            raise self.fail("function calls are not allowed except answered(id)", node)
        if func.id != ANSWERED_FUNCTION:
            raise self.fail(
                f"unknown function '{func.id}'; the only function is answered(id)", node
            )
        if node.keywords or len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            raise self.fail("answered() takes exactly one question id, like answered(nps)", node)
        self.check_name(node.args[0])


_LIST_MESSAGE: Final[str] = (
    "a list may only contain plain values, like ['admin', 'owner'] or [1, 2]"
)


def _syntax_hint(text: str) -> tuple[str, int] | None:
    """Recognise common mistakes in text that Python could not parse."""
    tokens: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            tokens.append(token)
    except Exception:
        pass  # keep the tokens read so far
    significant = [
        t for t in tokens if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
    ]
    for index, tok in enumerate(significant):
        string = tok.string
        col = tok.start[1] if tok.start[0] == 1 else 0
        following = significant[index + 1] if index + 1 < len(significant) else None
        touching = following is not None and following.start == tok.end
        next_string = following.string if touching and following is not None else ""
        if tok.type == tokenize.OP:
            if string == "=":
                if next_string in ("<", ">"):
                    return f"write '{next_string}=' instead of '={next_string}'", col
                return "'=' is assignment; to compare use '=='", col
            if string == "==" and next_string == "=":
                return "'===' does not exist; to compare use '=='", col
            if string == ":=":
                return "':=' is not allowed; to compare use '=='", col
            if string == "&" and next_string == "&":
                return "'&&' is not allowed; use 'and'", col
            if string == "|" and next_string == "|":
                return "'||' is not allowed; use 'or'", col
            if string == "<" and next_string == ">":
                return "'<>' is not allowed; use '!='", col
        elif tok.type == tokenize.ERRORTOKEN:
            if string == "!":
                return "'!' is not allowed; use 'not' (or '!=' to compare)", col
            if string in ("'", '"'):
                return "a text value is missing its closing quote", col
            if string.strip():
                return f"the character '{string}' is not allowed", col
        elif tok.type == tokenize.NAME:
            lowered = string.lower()
            if lowered in ("and", "or", "not", "in") and string != lowered:
                return f"write '{lowered}' in lowercase", col
            if string in ("if", "else", "elif"):
                return "'if' / 'else' are not allowed; use 'and' and 'or'", col
            if string in ("import", "def", "class", "return", "del", "global", "with"):
                return f"'{string}' is not allowed in a condition", col
    if significant:
        last = significant[-1]
        dangling = (last.type == tokenize.OP and last.string not in (")", "]", "}")) or (
            last.type == tokenize.NAME and last.string in ("and", "or", "not", "in")
        )
        if dangling:
            return (
                f"the condition ends too early: something is missing after '{last.string}'",
                last.end[1] if last.end[0] == 1 else 0,
            )
    return None


def _syntax_error(text: str, error: SyntaxError, lead: int = 0) -> ExpressionError:
    """The message for text Python could not parse; ``lead`` spaces were cut from its
    front, so the character number in the message counts them back in."""
    reason = str(error.msg or "")
    offset = (error.offset or 1) - 1 if (error.lineno or 1) == 1 else 0
    offset = min(max(offset, 0), len(text))
    if "too many nested parentheses" in reason:
        return ExpressionError(
            f"expression is nested too deeply (at most {MAX_DEPTH} levels)", offset
        )
    hint = _syntax_hint(text)
    if hint is not None:
        return ExpressionError(hint[0], hint[1])
    if "unterminated" in reason and "string" in reason:
        return ExpressionError("a text value is missing its closing quote", offset)
    if "was never closed" in reason:
        return ExpressionError(f"{reason}; add the missing closing bracket", offset)
    if reason.startswith("unmatched") or "does not match" in reason:
        return ExpressionError(f"brackets do not match ({reason})", offset)
    snippet = text[offset : offset + 20].strip()
    if snippet:
        return ExpressionError(
            f"could not understand the condition near '{snippet}' "
            f"(character {lead + offset + 1})",
            offset,
        )
    return ExpressionError("the condition ends too early; something is missing at the end", offset)


def _parse_tree(source: object) -> tuple[ast.expr, frozenset[str]]:
    if not isinstance(source, str):
        raise ExpressionError("a condition must be text, like: nps <= 6")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(source)} characters; at most {MAX_LENGTH})",
            MAX_LENGTH,
        )
    if "\x00" in source:
        raise ExpressionError("the condition contains a null character", source.index("\x00"))
    flat = source.translate(_LINE_BREAKS)
    stripped = flat.lstrip(" ")
    lead = len(flat) - len(stripped)
    if not stripped.strip():
        raise ExpressionError("the condition is empty")
    # Keep the leading spaces' columns: the text is parsed without them, and
    # every offset is shifted back by ``lead``.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(stripped, filename="<show_if>", mode="eval")
    except SyntaxError as error:  # includes IndentationError
        err = _syntax_error(stripped, error, lead)
        raise ExpressionError(err.message, err.offset + lead) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"expression is nested too deeply (at most {MAX_DEPTH} levels)"
        ) from None
    except (ValueError, TypeError, OverflowError) as error:
        raise ExpressionError(f"the condition could not be read ({error})") from None

    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            count += 1
    if count > MAX_NODES:
        raise ExpressionError(f"expression is too complex ({count} parts; at most {MAX_NODES})")
    validator = _Validator(stripped)
    try:
        validator.check(tree.body, 1)
    except ExpressionError as err:
        raise ExpressionError(err.message, err.offset + lead) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"expression is nested too deeply (at most {MAX_DEPTH} levels)"
        ) from None
    return tree.body, frozenset(validator.names)


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


class _Missing:
    """The value of an unanswered, skipped or N/A question (and of failed arithmetic)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

OTHER_OPTION: Final[str] = "Other"
"""What an ``{"other": "typed text"}`` answer counts as in conditions."""


def _scalar(value: object) -> object:
    """Normalise one stored answer value (not a list) for evaluation."""
    if value is None:
        return MISSING
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return MISSING if math.isnan(value) else float(value)
    if isinstance(value, Mapping) and "other" in value:
        return OTHER_OPTION
    return MISSING


def _normalise(value: object) -> object:
    if isinstance(value, list | tuple):
        items = []
        for item in value:
            normalised = _scalar(item)
            if normalised is not MISSING:
                items.append(normalised)
        return tuple(items)
    return _scalar(value)


def _kind(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, tuple):
        return "list"
    return None


def _key(value: object) -> tuple[str | None, object]:
    return (_kind(value), value)


def _equal(left: object, right: object) -> bool:
    kind = _kind(left)
    if kind is None or kind != _kind(right):
        return False
    if kind == "list":
        assert isinstance(left, tuple) and isinstance(right, tuple)
        return {_key(v) for v in left} == {_key(v) for v in right}
    return bool(left == right)


def _contains(item: object, container: object) -> bool | None:
    """``item in container``; None when the question makes no sense (type mismatch)."""
    item_kind = _kind(item)
    if item_kind is None or item_kind == "list":
        return None
    container_kind = _kind(container)
    if container_kind is None:
        return None
    if container_kind == "list":
        assert isinstance(container, tuple)
        return any(_equal(item, element) for element in container)
    return _equal(item, container) if item_kind == container_kind else None


def _compare(op: ast.cmpop, left: object, right: object) -> bool:
    if left is MISSING or right is MISSING:
        return False
    if isinstance(op, ast.Eq):
        return _equal(left, right)
    if isinstance(op, ast.NotEq):
        kind = _kind(left)
        if kind is None or kind != _kind(right):
            return False
        return not _equal(left, right)
    if isinstance(op, ast.In | ast.NotIn):
        result = _contains(left, right)
        if result is None:
            return False
        return result if isinstance(op, ast.In) else not result
    kind = _kind(left)
    if kind not in ("number", "text") or kind != _kind(right):
        return False
    if isinstance(op, ast.Lt):
        return bool(left < right)  # type: ignore[operator]
    if isinstance(op, ast.LtE):
        return bool(left <= right)  # type: ignore[operator]
    if isinstance(op, ast.Gt):
        return bool(left > right)  # type: ignore[operator]
    if isinstance(op, ast.GtE):
        return bool(left >= right)  # type: ignore[operator]
    return False


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return abs(value) < _INT_LIMIT
    return math.isfinite(value)


def _bounded(result: object) -> object:
    if isinstance(result, bool):
        return MISSING
    if isinstance(result, int):
        return result if abs(result) < _INT_LIMIT else MISSING
    if isinstance(result, float):
        return result if math.isfinite(result) else MISSING
    return MISSING  # complex, or anything unexpected


def _power(base: int | float, exponent: int | float) -> object:
    if abs(exponent) > MAX_EXPONENT:
        return MISSING
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0 and abs(base) > 1:
        # Estimate the size before computing: digits ~ exponent * log10(|base|).
        if exponent * math.log10(abs(base)) > MAX_INT_DIGITS + 1:
            return MISSING
    return base**exponent


_ARITHMETIC: Final[dict[type[ast.operator], Callable[[Any, Any], object]]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: _power,
}


def _arithmetic(op: ast.operator, left: object, right: object) -> object:
    if not (_is_number(left) and _is_number(right)):
        return MISSING
    function = _ARITHMETIC.get(type(op))
    if function is None:
        return MISSING
    try:
        return _bounded(function(left, right))
    except (ArithmeticError, ValueError, TypeError):
        # ZeroDivisionError, OverflowError, ...
        return MISSING


def _truthy(value: object) -> bool:
    if value is MISSING:
        return False
    try:
        return bool(value)
    except Exception:
        return False


class _Evaluator:
    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.answers = answers

    def lookup(self, name: str) -> object:
        try:
            if name not in self.answers:
                return MISSING
            return _normalise(self.answers[name])
        except Exception:
            return MISSING

    def answered(self, name: str) -> bool:
        try:
            return name in self.answers and self.answers[name] is not None
        except Exception:
            return False

    def value(self, node: ast.expr) -> object:
        if isinstance(node, ast.Constant):
            return MISSING if node.value is None else node.value
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                return all(_truthy(self.value(v)) for v in node.values)
            return any(_truthy(self.value(v)) for v in node.values)
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            if isinstance(node.op, ast.Not):
                return not _truthy(operand)
            if not _is_number(operand):
                return MISSING
            assert isinstance(operand, int | float)
            return operand if isinstance(node.op, ast.UAdd) else _bounded(-operand)
        if isinstance(node, ast.BinOp):
            return _arithmetic(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, ast.Compare):
            left = self.value(node.left)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.value(comparator)
                if not _compare(op, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.List | ast.Tuple):
            return tuple(
                v for v in (self.value(element) for element in node.elts) if v is not MISSING
            )
        if isinstance(node, ast.Call):
            argument = node.args[0]
            assert isinstance(argument, ast.Name)
            return self.answered(argument.id)
        return MISSING  # unreachable for a validated tree


class Expression:
    """A parsed, validated ``show_if`` condition.

    ``Expression(source)`` is the same as ``parse(source)`` and raises
    :class:`ExpressionError` for a condition that is not accepted.
    """

    __slots__ = ("_tree", "names", "source")

    source: str
    names: frozenset[str]

    def __init__(self, source: str) -> None:
        tree, names = _parse_tree(source)
        self.source = source
        self.names = names
        self._tree = tree

    def evaluate(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for ``answers`` (question id -> stored value).

        Never raises; see the module documentation for the rules.
        """
        try:
            return _truthy(_Evaluator(answers).value(self._tree))
        except Exception:
            return False

    def __reduce__(self) -> tuple[type[Expression], tuple[str]]:
        # Copies and unpickled objects are re-parsed, so they are always validated.
        return (Expression, (self.source,))

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __str__(self) -> str:
        return self.source

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self.source == other.source

    def __hash__(self) -> int:
        return hash((Expression, self.source))


def parse(source: str) -> Expression:
    """Parse and check a ``show_if`` condition.

    Raises :class:`ExpressionError` (with a message for survey authors and the
    character offset of the problem) when the condition is not accepted.
    """
    return Expression(source)
