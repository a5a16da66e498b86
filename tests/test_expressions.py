"""Tests for the ``show_if`` condition language (surveykit.definition.expressions)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from surveykit.definition.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    Expression,
    ExpressionError,
    parse,
)


def ev(source: str, **answers: Any) -> bool:
    return parse(source).evaluate(answers)


def parse_error(source: Any) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    return info.value


# ---------------------------------------------------------------------------
# Parsing: the Expression object
# ---------------------------------------------------------------------------


def test_parse_returns_expression_with_source_and_names() -> None:
    expr = parse("visit == 'A gift' and csat >= 4")
    assert isinstance(expr, Expression)
    assert expr.source == "visit == 'A gift' and csat >= 4"
    assert expr.names == frozenset({"visit", "csat"})
    assert isinstance(expr.names, frozenset)


def test_names_include_answered_arguments_and_exclude_literals() -> None:
    assert parse("answered(age) and age + 1 > 18").names == frozenset({"age"})
    assert parse("answered(a) or b == True or c != None").names == frozenset({"a", "b", "c"})
    assert parse("'Email' in contact_methods").names == frozenset({"contact_methods"})
    assert parse("1 < 2").names == frozenset()


def test_expression_constructor_validates_like_parse() -> None:
    assert Expression("nps <= 6") == parse("nps <= 6")
    with pytest.raises(ExpressionError):
        Expression("nps.real")


def test_expression_repr_str_eq_hash() -> None:
    a, b, c = parse("nps <= 6"), parse("nps <= 6"), parse("nps < 6")
    assert repr(a) == "Expression('nps <= 6')"
    assert str(a) == "nps <= 6"
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2


def test_expression_and_error_survive_copy_and_pickle() -> None:
    import copy
    import pickle

    expr = parse("answered(a) and a > 1")
    for clone in (copy.deepcopy(expr), pickle.loads(pickle.dumps(expr))):
        assert clone == expr
        assert clone.names == frozenset({"a"})
        assert clone.evaluate({"a": 2}) is True
    error = pickle.loads(pickle.dumps(parse_error("nps = 6")))
    assert (error.message, error.offset, str(error)) == (
        "'=' is assignment; to compare use '=='",
        4,
        "'=' is assignment; to compare use '=='",
    )


def test_multiline_source_is_accepted() -> None:
    # YAML block scalars produce newlines inside the condition.
    expr = parse("visit == 'A gift'\nand csat >= 4\n")
    assert expr.names == frozenset({"visit", "csat"})
    assert expr.evaluate({"visit": "A gift", "csat": 5}) is True


def test_leading_and_trailing_whitespace_is_accepted() -> None:
    assert ev("   nps <= 6   ", nps=3) is True


def test_exactly_max_length_is_accepted() -> None:
    source = "nps == 1" + " " * (MAX_LENGTH - len("nps == 1"))
    assert len(source) == MAX_LENGTH
    assert parse(source).evaluate({"nps": 1}) is True


def test_depth_at_limit_is_accepted() -> None:
    # MAX_DEPTH levels: MAX_DEPTH - 1 'not's around a name.
    source = "not " * (MAX_DEPTH - 1) + "x"
    assert parse(source).evaluate({"x": True}) is (MAX_DEPTH % 2 == 1)


def test_long_flat_sum_is_not_counted_as_nesting() -> None:
    source = " + ".join(["1"] * 40) + " == 40"
    assert ev(source) is True


# ---------------------------------------------------------------------------
# Evaluation: every construct
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "nps", "expected"),
    [
        ("nps == 6", 6, True),
        ("nps == 6", 7, False),
        ("nps != 6", 7, True),
        ("nps != 6", 6, False),
        ("nps < 6", 5, True),
        ("nps < 6", 6, False),
        ("nps <= 6", 6, True),
        ("nps <= 6", 7, False),
        ("nps > 6", 7, True),
        ("nps > 6", 6, False),
        ("nps >= 6", 6, True),
        ("nps >= 6", 5, False),
        ("nps == 6.0", 6, True),
        ("nps > 6.5", 7, True),
        ("nps > -1", 0, True),
    ],
)
def test_comparisons(source: str, nps: int, expected: bool) -> None:
    assert ev(source, nps=nps) is expected


def test_chained_comparison() -> None:
    assert ev("0 <= nps <= 6", nps=3) is True
    assert ev("0 <= nps <= 6", nps=7) is False
    assert ev("0 <= nps <= 6", nps=-1) is False
    assert ev("1 < a < b < 10", a=2, b=3) is True
    assert ev("1 < a < b < 10", a=3, b=2) is False


def test_string_equality_is_exact_and_case_sensitive() -> None:
    assert ev("visit == 'A gift'", visit="A gift") is True
    assert ev('visit == "A gift"', visit="A gift") is True
    assert ev("visit == 'a gift'", visit="A gift") is False
    assert ev("visit != 'A gift'", visit="Work") is True


def test_string_ordering() -> None:
    assert ev("name < 'b'", name="alice") is True
    assert ev("name < 'b'", name="carol") is False


def test_in_with_multi_select() -> None:
    assert ev("'Email' in contact_methods", contact_methods=["Email", "Phone"]) is True
    assert ev("'Email' in contact_methods", contact_methods=["Phone"]) is False
    assert ev("'Email' not in contact_methods", contact_methods=["Phone"]) is True
    assert ev("'Email' not in contact_methods", contact_methods=["Email"]) is False
    assert ev("'Email' in contact_methods", contact_methods=[]) is False


def test_in_with_single_choice_means_equality_not_substring() -> None:
    assert ev("'A gift' in visit", visit="A gift") is True
    assert ev("'gift' in visit", visit="A gift") is False
    assert ev("'gift' not in visit", visit="A gift") is True
    assert ev("6 in nps", nps=6) is True


def test_in_with_literal_list_and_tuple() -> None:
    assert ev("role in ['admin', 'owner']", role="owner") is True
    assert ev("role in ['admin', 'owner']", role="guest") is False
    assert ev("role in ('admin', 'owner')", role="admin") is True
    assert ev("role not in ['admin', 'owner']", role="guest") is True
    assert ev("nps in [-1, 0, 1.5]", nps=-1) is True
    assert ev("nps in [9, 10]", nps=8) is False
    assert ev("role in []", role="x") is False


def test_not_with_parenthesised_in() -> None:
    assert ev("not (role in ['admin', 'owner'])", role="guest") is True
    assert ev("not (role in ['admin', 'owner'])", role="admin") is False


def test_list_on_the_left_of_in_is_false() -> None:
    assert ev("['a'] in x", x=["a"]) is False
    assert ev("x in ['a', 'b']", x=["a"]) is False
    assert ev("x not in ['a', 'b']", x=["a"]) is False


def test_multi_select_equals_list_ignoring_order() -> None:
    assert ev("m == ['Email', 'Phone']", m=["Phone", "Email"]) is True
    assert ev("m == ['Email', 'Phone']", m=["Email"]) is False
    assert ev("m != ['Email']", m=["Email", "Phone"]) is True
    assert ev("m == []", m=[]) is True


def test_and_or_not() -> None:
    assert ev("a == 1 and b == 2", a=1, b=2) is True
    assert ev("a == 1 and b == 2", a=1, b=3) is False
    assert ev("a == 1 or b == 2", a=0, b=2) is True
    assert ev("a == 1 or b == 2", a=0, b=0) is False
    assert ev("not a == 1", a=2) is True
    assert ev("not a == 1", a=1) is False
    assert ev("a == 1 or b == 2 and c == 3", a=0, b=2, c=3) is True
    assert ev("(a == 1 or b == 2) and c == 3", a=1, b=0, c=4) is False


def test_boolean_literals_and_bare_values() -> None:
    assert ev("True") is True
    assert ev("False") is False
    assert ev("None") is False
    assert ev("not False") is True
    assert ev("subscribed", subscribed=True) is True
    assert ev("subscribed", subscribed=False) is False
    assert ev("subscribed == True", subscribed=True) is True
    assert ev("comment", comment="hello") is True
    assert ev("comment", comment="") is False
    assert ev("m", m=[]) is False
    assert ev("nps", nps=0) is False


def test_booleans_are_not_numbers() -> None:
    assert ev("flag == 1", flag=True) is False
    assert ev("flag + 1 == 2", flag=True) is False
    assert ev("flag > 0", flag=True) is False


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x + 1 == 8", True),
        ("x - 1 == 6", True),
        ("x * 2 == 14", True),
        ("x / 2 == 3.5", True),
        ("x // 2 == 3", True),
        ("x % 2 == 1", True),
        ("x ** 2 == 49", True),
        ("2 ** -1 == 0.5", True),
        ("-x == -7", True),
        ("+x == 7", True),
        ("-(-x) == 7", True),
        ("(x + 1) * 2 == 16", True),
        ("x + 1 * 2 == 9", True),
        ("2 ** 3 ** 2 == 512", True),
        ("x + 0.5 > 7", True),
        ("x * 2 == 15", False),
    ],
)
def test_arithmetic(source: str, expected: bool) -> None:
    assert ev(source, x=7) is expected


def test_answered() -> None:
    assert ev("answered(age)", age=30) is True
    assert ev("answered(age)", age=0) is True
    assert ev("answered(age)") is False
    assert ev("answered(age)", age=None) is False
    assert ev("answered(m)", m=[]) is True
    assert ev("answered(t)", t="") is True
    assert ev("answered(v)", v={"other": "typed"}) is True
    assert ev("not answered(age)") is True
    assert ev("answered(age) and age + 1 > 18", age=18) is True
    assert ev("answered(age) and age + 1 > 18", age=17) is False
    assert ev("answered(age) and age + 1 > 18") is False


def test_other_answer_counts_as_the_option_other() -> None:
    assert ev("visit == 'Other'", visit={"other": "my cat"}) is True
    assert ev("visit == 'my cat'", visit={"other": "my cat"}) is False
    assert ev("'Other' in visit", visit={"other": "my cat"}) is True
    assert ev("'Other' in m", m=["Email", {"other": "fax"}]) is True
    assert ev("'fax' in m", m=["Email", {"other": "fax"}]) is False


def test_evaluate_always_returns_a_real_bool() -> None:
    for source, answers in [
        ("nps", {"nps": 5}),
        ("comment", {"comment": "x"}),
        ("m", {"m": ["a"]}),
        ("nps + 1", {"nps": 5}),
        ("nps + 1", {}),
    ]:
        result = parse(source).evaluate(answers)
        assert type(result) is bool


def test_evaluate_does_not_modify_answers() -> None:
    answers: dict[str, Any] = {"m": ["a", "b"], "v": {"other": "x"}, "n": None}
    snapshot = {"m": ["a", "b"], "v": {"other": "x"}, "n": None}
    parse("'a' in m and v == 'Other' and not answered(n)").evaluate(answers)
    assert answers == snapshot


# ---------------------------------------------------------------------------
# Missing / N/A semantics
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("answers", [{}, {"nps": None}], ids=["unanswered", "not-applicable"])
@pytest.mark.parametrize(
    "source",
    [
        "nps == 5",
        "nps != 5",
        "nps < 5",
        "nps <= 5",
        "nps > 5",
        "nps >= 5",
        "nps == None",
        "nps != None",
        "nps in [1, 2]",
        "nps not in [1, 2]",
        "5 in nps",
        "5 not in nps",
        "nps + 1 > 0",
        "nps * 0 == 0",
        "-nps < 0",
        "0 <= nps <= 10",
        "nps",
        "answered(nps)",
    ],
)
def test_missing_values_make_everything_false(source: str, answers: dict[str, Any]) -> None:
    assert parse(source).evaluate(answers) is False


def test_not_of_missing_comparison_is_true() -> None:
    # Documented: `not` just flips; authors should write answered(nps) and ...
    assert ev("not (nps > 6)") is True
    assert ev("not (nps > 6)", nps=None) is True
    assert ev("answered(nps) and not (nps > 6)") is False
    assert ev("answered(nps) and nps <= 6") is False


def test_missing_in_or_does_not_poison_the_other_side() -> None:
    assert ev("nps > 6 or csat >= 4", csat=5) is True
    assert ev("nps > 6 and csat >= 4", csat=5) is False


def test_missing_name_in_list_literal_side() -> None:
    assert ev("'a' in m") is False
    assert ev("'a' not in m") is False


# ---------------------------------------------------------------------------
# Type mismatches and arithmetic edge cases never raise
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "answers"),
    [
        ("name < 5", {"name": "bob"}),
        ("name >= 5", {"name": "bob"}),
        ("name == 5", {"name": "5"}),
        ("name != 5", {"name": "bob"}),
        ("name + 1 == 1", {"name": "bob"}),
        ("name + 'x' == 'bobx'", {"name": "bob"}),
        ("name * 2 == 'bobbob'", {"name": "bob"}),
        ("m < ['a']", {"m": ["a"]}),
        ("m == 'a'", {"m": ["a"]}),
        ("m + 1 > 0", {"m": ["a"]}),
        ("-name == 'x'", {"name": "x"}),
        ("5 in name", {"name": "5"}),
        ("True < 2", {}),
    ],
)
def test_type_mismatches_are_false(source: str, answers: dict[str, Any]) -> None:
    assert parse(source).evaluate(answers) is False


@pytest.mark.parametrize(
    "source",
    ["x / 0 == 0", "x // 0 == 0", "x % 0 == 0", "x / 0.0 > 0", "0 ** -1 > 0", "x / zero == 1"],
)
def test_division_by_zero_is_false(source: str) -> None:
    assert parse(source).evaluate({"x": 1, "zero": 0}) is False
    assert parse(f"not ({source})").evaluate({"x": 1, "zero": 0}) is True


def test_complex_result_is_false() -> None:
    assert ev("(-8) ** 0.5 > 0") is False
    assert ev("x ** 0.5 == x ** 0.5", x=-8) is False


def test_float_overflow_is_false() -> None:
    assert ev("1e308 * 1e308 > 0") is False
    assert ev("1e308 * 10 > 1") is False
    assert ev("10.0 ** 400 > 0") is False
    assert ev("x ** 99 > 0", x=1e200) is False
    assert ev("-1e308 * 1e308 < 0") is False


def test_huge_results_are_false() -> None:
    assert ev("2 ** 100 > 0") is True  # 31 digits: fine
    assert ev("10 ** 63 > 0") is True
    assert ev("10 ** 64 > 0") is False  # 65 digits: too large
    assert ev("10 ** 40 * 10 ** 40 > 0") is False
    assert ev("x ** 101 > 0", x=1) is False  # exponent limit
    assert ev("x ** -101 > 0", x=1) is False


def timed(function: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


@pytest.mark.parametrize(
    "source",
    [
        "10**100000 > 0",
        "10**100000",
        "9**9**9**9 > 0",
        "9**9**9**9",
        "2**2**2**2**2**2 > 0",
        "(10**60) ** 100 > 0",
        "'a' * 10**9 == 'a'",
        "'a' * 10**9",
        "x * 10**9 == 'a'",
    ],
)
def test_resource_bombs_evaluate_false_quickly(source: str) -> None:
    expr = parse(source)
    result, elapsed = timed(lambda: expr.evaluate({"x": "a"}))
    assert result is False
    assert elapsed < 2.0


def test_large_answer_values_do_not_blow_up() -> None:
    huge = 10**5000
    assert ev("x > 0", x=huge) is True  # comparison is fine
    result, elapsed = timed(lambda: ev("x * x > 0", x=huge))
    assert result is False
    assert elapsed < 2.0
    assert ev("x ** 2 > 0", x=huge) is False


@pytest.mark.parametrize(
    "value",
    [
        object(),
        {"a": 1},
        {1, 2},
        b"bytes",
        float("nan"),
        3 + 4j,
        lambda: 1,
    ],
)
def test_strange_answer_values_are_missing(value: Any) -> None:
    for source in ["x == 1", "x != 1", "x > 0", "x + 1 > 0", "1 in x", "x == x"]:
        assert parse(source).evaluate({"x": value}) is False


def test_strange_items_in_a_multi_select_are_ignored() -> None:
    m = [[1, 2], {"x": 1}, None, object(), "Email"]
    assert ev("'Email' in m", m=m) is True
    assert ev("m == ['Email']", m=m) is True
    assert ev("None in m", m=m) is False


def test_infinite_answer_values() -> None:
    assert ev("x > 10", x=float("inf")) is True
    assert ev("x - 1 > 10", x=float("inf")) is False  # arithmetic on inf is missing


class ExplodingMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("boom")

    def __contains__(self, key: object) -> bool:
        raise RuntimeError("boom")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("boom")

    def __len__(self) -> int:
        raise RuntimeError("boom")


class ExplodingOther(dict[str, Any]):
    def __contains__(self, key: object) -> bool:
        raise RuntimeError("boom")


class ExplodingBool:
    def __bool__(self) -> bool:
        raise RuntimeError("boom")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("boom")

    __hash__ = object.__hash__


def test_evaluate_never_raises_on_hostile_answers() -> None:
    expr = parse("answered(a) or a == 1 or not (a > 2) or 'x' in a")
    assert expr.evaluate(ExplodingMapping()) is True  # only `not (a > 2)` holds: a is missing
    assert parse("a == 1").evaluate(ExplodingMapping()) is False
    assert parse("answered(a)").evaluate(ExplodingMapping()) is False
    assert parse("a == 'Other'").evaluate({"a": ExplodingOther(other=1)}) is False
    assert parse("a").evaluate({"a": ExplodingBool()}) is False
    assert parse("a == 1").evaluate(None) is False  # type: ignore[arg-type]
    assert parse("a == 1").evaluate([("a", 1)]) is False  # type: ignore[arg-type]


def test_evaluate_with_non_dict_mapping() -> None:
    from types import MappingProxyType

    assert parse("a == 1").evaluate(MappingProxyType({"a": 1})) is True


# ---------------------------------------------------------------------------
# Rejected at parse time
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("__import__('os').system('x')", "attribute access"),
        ("__import__('os')", "unknown function '__import__'"),
        ("().__class__", "attribute access"),
        ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("eval('1')", "unknown function 'eval'"),
        ("len(x)", "unknown function 'len'; the only function is answered(id)"),
        ("lambda: 1", "lambda"),
        ("(lambda: 1)()", "function calls are not allowed except answered(id)"),
        ("[x for x in y]", "comprehensions"),
        ("(x for x in y)", "comprehensions"),
        ("{x for x in y}", "comprehensions"),
        ("{x: 1 for x in y}", "comprehensions"),
        ("nps.real", "attribute access (like x.y) is not allowed"),
        ("nps[0]", "indexing"),
        ("nps[0:1]", "indexing"),
        ("a if b else c", "if b else"),
        ("f'{nps}'", "f-strings"),
        ("(yield 1)", "'yield' is not allowed"),
        ("(yield from x)", "'yield' is not allowed"),
        ("x := 1", "':=' is not allowed"),
        ("(x := 1)", "':=' is not allowed"),
        ("[*a]", "'*'"),
        ("{'a': 1}", "{...}"),
        ("{1, 2}", "{...}"),
        ("b'abc'", "b'...'"),
        ("2j", "complex"),
        ("...", "'...'"),
        ("a is None", "'is' is not allowed"),
        ("a is not None", "'is' is not allowed"),
        ("a & b", "use 'and'"),
        ("a | b", "use 'or'"),
        ("a ^ b", "'^' is not allowed"),
        ("a << 1", "'<<' is not allowed"),
        ("a >> 1", "'>>' is not allowed"),
        ("a @ b", "'@' is not allowed"),
        ("~a", "'~' is not allowed"),
        ("__class__", "not a question id"),
        ("answered", "answered(id)"),
        ("answered(1)", "exactly one question id"),
        ("answered(a, b)", "exactly one question id"),
        ("answered()", "exactly one question id"),
        ("answered(x=a)", "exactly one question id"),
        ("answered(a.b)", "exactly one question id"),
        ("[a, b]", "a list may only contain plain values"),
        ("[[1]]", "a list may only contain plain values"),
        ("[-a]", "a list may only contain plain values"),
        ("[nps.real]", "attribute access"),
        ("1e999 > x", "too large"),
        ("x == " + "9" * 65, "too large"),
        ("import os", "'import' is not allowed"),
    ],
)
def test_disallowed_constructs_are_rejected(source: str, fragment: str) -> None:
    error = parse_error(source)
    assert fragment in error.message
    assert 0 <= error.offset <= len(source)


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("nps = 6", "'=' is assignment; to compare use '=='", 4),
        ("  nps = 6", "'=' is assignment; to compare use '=='", 6),
        ("é == 'x' or nps = 6", "'=' is assignment; to compare use '=='", 16),
        ("a && b", "'&&' is not allowed; use 'and'", 2),
        ("a || b", "'||' is not allowed; use 'or'", 2),
        ("!answered(a)", "'!' is not allowed; use 'not' (or '!=' to compare)", 0),
        ("a <> b", "'<>' is not allowed; use '!='", 2),
        ("a === b", "'===' does not exist; to compare use '=='", 2),
        ("a =< b", "write '<=' instead of '=<'", 2),
        ("a => b", "write '>=' instead of '=>'", 2),
        ("nps > 6 AND x", "write 'and' in lowercase", 8),
        ("nps >", "the condition ends too early: something is missing after '>'", 5),
        ("a and", "the condition ends too early: something is missing after 'and'", 5),
        ("visit == 'A gift", "a text value is missing its closing quote", 9),
        ("(a == 1", "'(' was never closed; add the missing closing bracket", 0),
        ("nps.real", "attribute access (like x.y) is not allowed", 0),
        ("nps > 1 and x.y", "attribute access (like x.y) is not allowed", 12),
        ("a == 1 or len(x)", "unknown function 'len'; the only function is answered(id)", 10),
        ("a ? b", "the character '?' is not allowed", 2),
    ],
)
def test_friendly_messages_and_offsets(source: str, message: str, offset: int) -> None:
    error = parse_error(source)
    assert error.message == message
    assert error.offset == offset


def test_expression_error_shape() -> None:
    error = parse_error("nps = 6")
    assert isinstance(error, ValueError)
    assert str(error) == error.message
    assert isinstance(error.offset, int)
    direct = ExpressionError("something", 3)
    assert str(direct) == "something" and direct.message == "something" and direct.offset == 3
    assert ExpressionError("x").offset == 0
    assert ExpressionError("x", -5).offset == 0


@pytest.mark.parametrize("source", ["", "   ", "\n\t"])
def test_empty_condition_is_rejected(source: str) -> None:
    assert parse_error(source).message == "the condition is empty"


@pytest.mark.parametrize("source", [None, 5, True, b"nps > 1", ["nps > 1"]])
def test_non_text_source_is_rejected(source: Any) -> None:
    assert "must be text" in parse_error(source).message


def test_null_byte_is_rejected() -> None:
    error = parse_error("nps\x00 > 1")
    assert error.offset == 3


def test_parse_is_not_affected_by_warnings_as_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ev("x == '\\d'", x="\\d") is True


# ---------------------------------------------------------------------------
# Size and nesting limits
# ---------------------------------------------------------------------------


def test_too_long_message() -> None:
    source = "x == 1 or " * 61 + "x == 1 "  # 617 characters
    error = parse_error(source)
    assert error.message == f"expression is too long ({len(source)} characters; at most 500)"
    assert MAX_LENGTH == 500


def test_100kb_string_is_rejected_quickly() -> None:
    source = "'" + "a" * 100_000 + "' == x"
    error, elapsed = timed(lambda: parse_error(source))
    assert "too long" in error.message
    assert elapsed < 2.0


@pytest.mark.parametrize(
    "source",
    [
        "(" * 1000 + "1" + ")" * 1000,
        "not " * 1000 + "x",
        "-(" * 1000 + "1" + ")" * 1000,
        "-" * 1000 + "1",
        "[" * 1000 + "]" * 1000,
    ],
)
def test_1000_deep_nesting_is_rejected(source: str) -> None:
    error, elapsed = timed(lambda: parse_error(source))
    assert "too long" in error.message
    assert elapsed < 2.0


@pytest.mark.parametrize(
    "source",
    [
        "(" * 240 + "x" + ")" * 240,
        "not " * 120 + "x",
        "-(" * 160 + "1" + ")" * 160,
        "-" * 150 + "1",
        "not " * MAX_DEPTH + "x",
        "-" * MAX_DEPTH + "1",
        "a == 1 and (" * 30 + "b" + ")" * 30,
    ],
)
def test_deep_nesting_within_length_is_rejected(source: str) -> None:
    assert len(source) <= MAX_LENGTH
    error, elapsed = timed(lambda: parse_error(source))
    assert error.message == f"expression is nested too deeply (at most {MAX_DEPTH} levels)"
    assert elapsed < 2.0


def test_too_many_nodes_is_rejected() -> None:
    source = "+".join(["1"] * 120) + " == 120"  # 241 parts, but flat
    assert len(source) <= MAX_LENGTH
    error = parse_error(source)
    assert error.message.startswith("expression is too complex (")
    assert error.message.endswith(f"at most {MAX_NODES})")


def test_node_limit_counts_list_elements() -> None:
    source = "x in [" + ",".join(["1"] * (MAX_NODES + 5)) + "]"
    assert len(source) <= MAX_LENGTH
    assert "too complex" in parse_error(source).message
    ok = "x in [" + ",".join(["1"] * 50) + "]"
    assert ev(ok, x=1) is True


# ---------------------------------------------------------------------------
# Nothing is executed
# ---------------------------------------------------------------------------


def test_builtin_names_are_just_question_ids() -> None:
    # A name never resolves to a Python object: it is only looked up in answers.
    expr = parse("open == 1")
    assert expr.names == frozenset({"open"})
    assert expr.evaluate({}) is False
    assert expr.evaluate({"open": 1}) is True
    assert ev("True == true") is False  # lowercase 'true' is a (missing) question id


class RecordingMapping(dict[str, Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: set[object] = set()

    def __contains__(self, key: object) -> bool:
        self.seen.add(key)
        return super().__contains__(key)

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)


def test_evaluate_only_reads_referenced_answers() -> None:
    expr = parse("answered(x) and x + 1 > 2 and 'a' in m or open == 1")
    answers = RecordingMapping(x=5, m=["a"], secret="s", open=None)
    assert expr.evaluate(answers) is True
    assert answers.seen <= expr.names
    assert "secret" not in answers.seen


# ---------------------------------------------------------------------------
# Boundaries and messages that hand-made bugs used to slip past
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("x", [5, 5.5, True, None])
def test_text_not_in_a_number_is_false(x: Any) -> None:
    # A type mismatch is false for `in` and for `not in` alike (documented).
    assert ev("'a' not in x", x=x) is False
    assert ev("'a' in x", x=x) is False
    assert ev("not ('a' in x)", x=x) is True


def test_not_in_between_values_of_one_kind() -> None:
    assert ev("5 not in x", x=5) is False
    assert ev("5 not in x", x=6) is True
    assert ev("'a' not in x", x="b") is True


def _parts(source: str) -> int:
    import ast

    return sum(isinstance(n, ast.expr) for n in ast.walk(ast.parse(source, mode="eval")))


def test_a_condition_of_exactly_max_nodes_parts_is_accepted() -> None:
    source = "x in [" + ",".join(["1"] * (MAX_NODES - 3)) + "]"
    assert _parts(source) == MAX_NODES and len(source) <= MAX_LENGTH
    assert ev(source, x=1) is True and ev(source, x=2) is False
    one_more = "x in [" + ",".join(["1"] * (MAX_NODES - 2)) + "]"
    assert _parts(one_more) == MAX_NODES + 1
    error = parse_error(one_more)
    assert error.message == f"expression is too complex ({MAX_NODES + 1} parts; at most {MAX_NODES})"


def test_eleven_nested_and_or_are_accepted() -> None:
    names = [f"q{i}" for i in range(12)]
    source = names[-1]
    for i, name in enumerate(reversed(names[:-1])):
        source = f"{name} {'and' if i % 2 else 'or'} ({source})"
    assert source.count("(") == 11
    expr = parse(source)
    assert expr.names == frozenset(names)
    assert expr.evaluate(dict.fromkeys(names, True)) is True
    assert expr.evaluate(dict.fromkeys(names, False)) is False


def test_nesting_limit_for_and_or() -> None:
    def nested(levels: int) -> str:
        source = "x"
        for i in range(levels):
            source = f"y{i} {'and' if i % 2 else 'or'} ({source})"
        return source

    parse(nested(MAX_DEPTH - 1))  # MAX_DEPTH - 1 operators, the name at level MAX_DEPTH
    assert "nested too deeply" in parse_error(nested(MAX_DEPTH)).message


@pytest.mark.parametrize(
    ("source", "offset"),
    [("nps > 6 and", 11), ("nps > 6 or", 10), ("nps in", 6), ("not", 3)],
)
def test_a_condition_that_ends_early_blames_its_last_word(source: str, offset: int) -> None:
    error = parse_error(source)
    last = source.split()[-1]
    assert error.message == f"the condition ends too early: something is missing after '{last}'"
    assert error.offset == offset
    assert "'>'" not in error.message


@pytest.mark.parametrize("source", ["nps > 6 and", "x.y", "nps 6", "nps === 3", "answered", "a ! b"])
@pytest.mark.parametrize("lead", [1, 3])
def test_leading_spaces_do_not_move_the_reported_column(source: str, lead: int) -> None:
    plain = parse_error(source)
    spaced = parse_error(" " * lead + source)
    assert spaced.offset == plain.offset + lead
    if "(character " in plain.message:
        assert f"(character {plain.offset + lead + 1})" in spaced.message
    else:
        assert spaced.message == plain.message


def test_the_fallback_message_quotes_the_text_near_the_problem() -> None:
    error = parse_error("nps 6")
    assert error.message == "could not understand the condition near '6' (character 5)"
    assert error.offset == 4
    error = parse_error("a b c d")
    assert error.message == "could not understand the condition near 'b c d' (character 3)"
    long = parse_error("x " + "y" * 30)
    assert "near '" + "y" * 20 + "'" in long.message


# Every message for a condition that is not accepted, with the column it points at.
ERRORS = [
        ('nps => 6', "write '>=' instead of '=>'", 4),
        ('nps =< 6', "write '<=' instead of '=<'", 4),
        ('nps = 6', "'=' is assignment; to compare use '=='", 4),
        ('nps=6', "'=' is assignment; to compare use '=='", 3),
        ('nps === 6', "'===' does not exist; to compare use '=='", 4),
        ('x := 5', "':=' is not allowed; to compare use '=='", 2),
        ('a && b', "'&&' is not allowed; use 'and'", 2),
        ('a&&b', "'&&' is not allowed; use 'and'", 1),
        ('a || b', "'||' is not allowed; use 'or'", 2),
        ('a||b', "'||' is not allowed; use 'or'", 1),
        ('a <> b', "'<>' is not allowed; use '!='", 2),
        ('a<>b', "'<>' is not allowed; use '!='", 1),
        ('!a', "'!' is not allowed; use 'not' (or '!=' to compare)", 0),
        ('a ! b', "'!' is not allowed; use 'not' (or '!=' to compare)", 2),
        ("x == 'abc", 'a text value is missing its closing quote', 5),
        ('x == "abc', 'a text value is missing its closing quote', 5),
        ('a $ b', "the character '$' is not allowed", 2),
        ('a AND b', "write 'and' in lowercase", 2),
        ('x Or y', "write 'or' in lowercase", 2),
        ('NOT a', "write 'not' in lowercase", 0),
        ('x IN y', "write 'in' in lowercase", 2),
        ('if a', "'if' / 'else' are not allowed; use 'and' and 'or'", 0),
        ('a else b', "'if' / 'else' are not allowed; use 'and' and 'or'", 2),
        ('elif a', "'if' / 'else' are not allowed; use 'and' and 'or'", 0),
        ('import x', "'import' is not allowed in a condition", 0),
        ('def f', "'def' is not allowed in a condition", 0),
        ('class c', "'class' is not allowed in a condition", 0),
        ('return 1', "'return' is not allowed in a condition", 0),
        ('del x', "'del' is not allowed in a condition", 0),
        ('global x', "'global' is not allowed in a condition", 0),
        ('with x', "'with' is not allowed in a condition", 0),
        ('a and', "the condition ends too early: something is missing after 'and'", 5),
        ('a or', "the condition ends too early: something is missing after 'or'", 4),
        ('not', "the condition ends too early: something is missing after 'not'", 3),
        ('a in', "the condition ends too early: something is missing after 'in'", 4),
        ('x ==', "the condition ends too early: something is missing after '=='", 4),
        ('(a', "'(' was never closed; add the missing closing bracket", 0),
        ('[1,', "the condition ends too early: something is missing after ','", 3),
        ('x +', "the condition ends too early: something is missing after '+'", 3),
        ('x)', "brackets do not match (unmatched ')')", 1),
        ('x ]', "brackets do not match (unmatched ']')", 2),
        ('{x', "'{' was never closed; add the missing closing bracket", 0),
        ('x}', "brackets do not match (unmatched '}')", 1),
        ('x in [y]', "a list may only contain plain values, like ['admin', 'owner'] or [1, 2]", 6),
        ('x in [-y]', "a list may only contain plain values, like ['admin', 'owner'] or [1, 2]", 6),
        ('x in [lambda: 1]', 'functions (lambda) cannot be defined in a condition', 6),
        ('x in [[1]]', "a list may only contain plain values, like ['admin', 'owner'] or [1, 2]", 6),
        ("x in [-'a']", "a list may only contain plain values, like ['admin', 'owner'] or [1, 2]", 6),
        ('x or f(1)', "unknown function 'f'; the only function is answered(id)", 5),
        ('x or (lambda: 1)()', 'function calls are not allowed except answered(id)', 5),
        ('x or a.b()', 'attribute access (like x.y) is not allowed', 5),
        ('x or answered(a, b)', 'answered() takes exactly one question id, like answered(nps)', 5),
        ('x or answered(a=1)', 'answered() takes exactly one question id, like answered(nps)', 5),
        ('x or answered(1)', 'answered() takes exactly one question id, like answered(nps)', 5),
        ('x or answered', "'answered' is a function; write answered(id), like answered(nps)", 5),
        ('x or __y', "'__y' is not a question id", 5),
        ("x or b'a'", "b'...' values are not allowed; write plain text like 'A gift'", 5),
        ('x or 2j', 'complex numbers (like 2j) are not allowed', 5),
        ('x or ...', "'...' is not allowed", 5),
        ('x or 1e999', 'number is too large', 5),
        ('x or 10000000000000000000000000000000000000000000000000000000000000000000000', 'number is too large (at most 64 digits)', 5),
        ('x or y[0]', 'indexing (like x[0]) is not allowed', 5),
        ('x or y.z', 'attribute access (like x.y) is not allowed', 5),
        ('x or ~y', "'~' is not allowed; to negate use 'not'", 5),
        ('x or y is None', "'is' is not allowed; to compare use '==', and to check for an answer use answered(id)", 5),
        ('x or y is not None', "'is' is not allowed; to compare use '==', and to check for an answer use answered(id)", 5),
        ('x or y & z', "'&' is not allowed; use 'and'", 5),
        ('x or y @ z', "'@' is not allowed", 5),
        ('x or y << 1', "'<<' is not allowed", 5),
        ('x or y >> 1', "'>>' is not allowed", 5),
        ('x or y ^ z', "'^' is not allowed; for powers use '**'", 5),
        ('x or y | z', "'|' is not allowed; use 'or'", 5),
        ('x or f"{y}"', "f-strings are not allowed; write plain text in quotes, like 'A gift'", 5),
        ('x or [z for z in y]', 'comprehensions (like [x for x in y]) are not allowed', 5),
        ('x or {1}', '{...} is not allowed; for a list of values use [...]', 5),
        ('x or {1: 2}', '{...} is not allowed; for a list of values use [...]', 5),
        ('x or *y', "could not understand the condition near '*y' (character 6)", 5),
        ('x or (y := 1)', "':=' is not allowed; to compare use '=='", 6),
        ('x or (yield)', "'yield' is not allowed", 6),
        ('x or (1 if y else 2)', "'a if b else c' is not allowed; use 'and' and 'or'", 6),
        ('   ', 'the condition is empty', 0),
        ('x\x00', 'the condition contains a null character', 1),
        ('x ==\n 5 and', "the condition ends too early: something is missing after 'and'", 11),
        ('lambda: 1', 'functions (lambda) cannot be defined in a condition', 0),
        ('(', "the condition ends too early: something is missing after '('", 1),
        (')', "brackets do not match (unmatched ')')", 0),
        ('x or [1, 2', "'[' was never closed; add the missing closing bracket", 5),
        ('é == ?', "the character '?' is not allowed", 5),
    ('a & & b', "could not understand the condition near '& b' (character 5)", 4),
    ('x =<', "write '<=' instead of '=<'", 2),
    ('(a)&&b', "'&&' is not allowed; use 'and'", 3),
    ('(a)||b', "'||' is not allowed; use 'or'", 3),
    ('(a)<>b', "'<>' is not allowed; use '!='", 3),
    ('(' * 201 + 'x' + ')' * 201, 'expression is nested too deeply (at most 20 levels)', 200),
    ('(x]', "brackets do not match (closing parenthesis ']' does not match opening parenthesis '(')", 2),
    ('lambda', "could not understand the condition near 'lambda' (character 1)", 0),
    ('x or lambda', "could not understand the condition near 'lambda' (character 6)", 5),
    ('(a)=<b', "write '<=' instead of '=<'", 3),
    ('(a)=>b', "write '>=' instead of '=>'", 3),
    ('(a)=b', "'=' is assignment; to compare use '=='", 3),
]


@pytest.mark.parametrize(("source", "message", "offset"), ERRORS)
def test_every_error_message_and_its_column(source: str, message: str, offset: int) -> None:
    error = parse_error(source)
    assert (error.message, error.offset) == (message, offset)
    assert error.args == (message, offset)


def test_an_expression_error_survives_pickling() -> None:
    import pickle

    error = parse_error("x in [y]")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.offset, copy.args) == (error.message, error.offset, error.args)


def test_expressions_hash_by_their_text() -> None:
    assert hash(parse("a > 1")) == hash(parse("a > 1"))
    assert len({hash(parse(s)) for s in ("a", "b", "c > 1", "d")}) == 4


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("[True] == [1]", {}, False),
        ("x == [1]", {"x": [True]}, False),
        ("x == ['a', None]", {"x": ["a"]}, True),
        ("x > False", {"x": True}, False),
        ("x >= False", {"x": True}, False),
        ("x < 'b'", {"x": "a"}, True),
        ("x * 0 == 0", {"x": 10**64}, False),
        ("x * 0 == 0", {"x": 10**64 - 1}, True),
        ("5 ** 91 > 0", {}, True),
        ("10 ** 70.5 > 1", {}, True),
        ("2 ** 100 > 0", {}, True),
        ("2 ** 101 > 0", {}, False),
        ("10 ** 64 > 0", {}, False),
        ("-x == 0", {"x": 10**64}, False),
        ("x == None", {"x": None}, False),
        ("None", {}, False),
        ("1 < x < 3", {"x": 2}, True),
        ("1 < x < 3", {"x": 3}, False),
    ],
)
def test_evaluation_edges(source: str, answers: dict[str, Any], expected: bool) -> None:
    assert parse(source).evaluate(answers) is expected


def test_a_construct_with_no_message_of_its_own_is_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    # A syntax node the whitelist does not know (a newer Python's) is named by its text.
    import ast

    from surveykit.definition import expressions

    rejected = dict(expressions._REJECTED_NODES)
    del rejected[ast.IfExp]
    monkeypatch.setattr(expressions, "_REJECTED_NODES", rejected)
    error = parse_error("x or (1 if y else 2)")
    assert (error.message, error.offset) == ("'1 if y else 2' is not allowed in a condition", 6)
    error = parse_error("x or (1 if y    else\n 2)")
    assert error.message == "'1 if y else 2' is not allowed in a condition"
    long = "x or (" + "a" * 30 + " if y else " + "b" * 10 + ")"
    error = parse_error(long)
    assert error.message == "'" + ("a" * 30 + " if y e")[:37] + "...' is not allowed in a condition"
    exactly_40 = "x or (" + "a" * 28 + " if y else b)"
    assert len("a" * 28 + " if y else b") == 40
    expected = "'" + "a" * 28 + " if y else b' is not allowed in a condition"
    assert parse_error(exactly_40).message == expected

    def broken(*args: object, **kwargs: object) -> str:
        raise ValueError("no source")

    monkeypatch.setattr(ast, "get_source_segment", broken)
    assert parse_error("x or (1 if y else 2)").message == "this is not allowed in a condition"
    monkeypatch.setattr(ast, "get_source_segment", lambda *a, **k: None)
    assert parse_error("x or (1 if y else 2)").message == "this is not allowed in a condition"


def test_the_missing_value() -> None:
    from surveykit.definition.expressions import MISSING

    assert repr(MISSING) == "MISSING" and bool(MISSING) is False
