from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from surveykit.session.task_order import participant_number, task_order, williams_square

REPO_ROOT = Path(__file__).resolve().parents[1]


def _tasks(n: int) -> list[str]:
    return [f"t{i}" for i in range(1, n + 1)]


def _cycle(n: int) -> list[list[str]]:
    """The latin_square orders of participants P1..P<rows> for n tasks."""
    rows = len(williams_square(n))
    return [task_order(_tasks(n), "latin_square", f"P{k}") for k in range(1, rows + 1)]


def _adjacent_pairs(orders: list[list[str]]) -> Counter[tuple[str, str]]:
    return Counter((a, b) for order in orders for a, b in itertools.pairwise(order))


# -- participant_number -------------------------------------------------------


@pytest.mark.parametrize(
    ("participant", "expected"),
    [
        ("P7", 7),
        ("p012", 12),
        ("7", 7),
        ("alice", None),
        ("", None),
        ("P0", 0),
        ("S2-P14", 14),
        ("participant 3 (pilot)", 3),
        ("P٣", None),  # non-ASCII digits do not count
    ],
)
def test_participant_number(participant: str, expected: int | None) -> None:
    assert participant_number(participant) == expected


# -- williams_square ----------------------------------------------------------


def test_williams_square_row_counts() -> None:
    assert williams_square(0) == []
    assert williams_square(1) == [[0], [0]]
    assert williams_square(2) == [[0, 1], [1, 0]]
    assert [len(williams_square(n)) for n in range(3, 9)] == [6, 4, 10, 6, 14, 8]


def test_williams_square_first_row_is_standard() -> None:
    assert williams_square(4)[0] == [0, 1, 3, 2]
    assert williams_square(6)[0] == [0, 1, 5, 2, 4, 3]
    assert williams_square(5)[0] == [0, 1, 4, 2, 3]
    # odd n: second half mirrors the first
    sq = williams_square(5)
    assert sq[5:] == [row[::-1] for row in sq[:5]]


def test_williams_square_rejects_negative() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        williams_square(-1)


# -- latin_square properties over a full cycle --------------------------------


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_latin_square_rows_are_permutations(n: int) -> None:
    orders = _cycle(n)
    assert len(orders) == (n if n % 2 == 0 else 2 * n)
    for order in orders:
        assert sorted(order) == sorted(_tasks(n))
    # all rows in the cycle are distinct orders
    assert len({tuple(o) for o in orders}) == len(orders)


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_latin_square_each_task_in_each_position_equally_often(n: int) -> None:
    orders = _cycle(n)
    per_position = len(orders) // n
    for pos in range(n):
        counts = Counter(order[pos] for order in orders)
        assert counts == dict.fromkeys(_tasks(n), per_position), f"position {pos}: {counts}"


@pytest.mark.parametrize("n", [4, 6])
def test_latin_square_even_n_each_ordered_pair_exactly_once(n: int) -> None:
    orders = _cycle(n)
    assert len(orders) == n
    pairs = _adjacent_pairs(orders)
    expected = {(a, b): 1 for a, b in itertools.permutations(_tasks(n), 2)}
    assert pairs == expected


@pytest.mark.parametrize("n", [3, 5])
def test_latin_square_odd_n_each_ordered_pair_equally_often(n: int) -> None:
    orders = _cycle(n)
    assert len(orders) == 2 * n
    pairs = _adjacent_pairs(orders)
    expected = {(a, b): 2 for a, b in itertools.permutations(_tasks(n), 2)}
    assert pairs == expected


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_latin_square_is_a_latin_square_per_block_of_n(n: int) -> None:
    # For odd n each half (the square and its mirror) is itself a Latin square,
    # so a partial cycle of n participants is already position-balanced.
    orders = _cycle(n)
    for block_start in range(0, len(orders), n):
        block = orders[block_start : block_start + n]
        for pos in range(n):
            assert len({order[pos] for order in block}) == n


def test_latin_square_p1_gets_row_zero_and_cycle_wraps() -> None:
    tasks = _tasks(4)
    assert task_order(tasks, "latin_square", "P1") == ["t1", "t2", "t4", "t3"]
    assert task_order(tasks, "latin_square", "P5") == task_order(tasks, "latin_square", "P1")
    assert task_order(tasks, "latin_square", "p002") == task_order(tasks, "latin_square", "P2")
    assert task_order(tasks, "latin_square", "P2") != task_order(tasks, "latin_square", "P1")
    # P0 -> row (0 - 1) mod 4 = 3
    assert task_order(tasks, "latin_square", "P0") == task_order(tasks, "latin_square", "P4")


def test_latin_square_odd_n_cycle_wraps_at_2n() -> None:
    tasks = _tasks(3)
    assert task_order(tasks, "latin_square", "P7") == task_order(tasks, "latin_square", "P1")
    assert task_order(tasks, "latin_square", "P4") == ["t3", "t2", "t1"]  # mirror of row 0


def test_latin_square_participant_without_number_is_stable() -> None:
    tasks = _tasks(5)
    first = task_order(tasks, "latin_square", "alice")
    assert first == task_order(tasks, "latin_square", "alice")
    assert sorted(first) == tasks
    assert first in _cycle(5)
    # different un-numbered participants spread over the rows
    rows = {
        tuple(task_order(tasks, "latin_square", name))
        for name in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
    }
    assert len(rows) > 1


@pytest.mark.parametrize("method", ["fixed", "shuffle", "latin_square"])
def test_small_n(method: str) -> None:
    assert task_order([], method, "P1") == []  # type: ignore[arg-type]
    assert task_order(["only"], method, "P3") == ["only"]  # type: ignore[arg-type]
    two = task_order(["a", "b"], method, "P2")  # type: ignore[arg-type]
    assert sorted(two) == ["a", "b"]


def test_latin_square_n2_alternates() -> None:
    assert task_order(["a", "b"], "latin_square", "P1") == ["a", "b"]
    assert task_order(["a", "b"], "latin_square", "P2") == ["b", "a"]
    assert task_order(["a", "b"], "latin_square", "P3") == ["a", "b"]


# -- fixed ---------------------------------------------------------------------


def test_fixed_returns_input_order_as_new_list() -> None:
    tasks = ("login", "search", "checkout", "logout")
    result = task_order(tasks, "fixed", "P9")
    assert result == list(tasks)
    assert isinstance(result, list)


def test_results_do_not_alias_input() -> None:
    tasks = _tasks(4)
    for method in ("fixed", "shuffle", "latin_square"):
        result = task_order(tasks, method, "P3")  # type: ignore[arg-type]
        result.append("x")
        assert tasks == _tasks(4)


def test_unknown_method_raises() -> None:
    with pytest.raises(ValueError, match="unknown task order method 'random'"):
        task_order(_tasks(3), "random", "P1")  # type: ignore[arg-type]


# -- shuffle -------------------------------------------------------------------


def test_shuffle_is_a_permutation_and_reproducible() -> None:
    tasks = _tasks(6)
    first = task_order(tasks, "shuffle", "P7")
    assert sorted(first) == tasks
    assert task_order(tasks, "shuffle", "P7") == first


# Pinned outputs: if these change, studies already run can no longer be
# reproduced (the seeding, or Python's shuffle algorithm, changed).
GOLDEN_P1 = ["t5", "t3", "t2", "t1", "t4"]
GOLDEN_ALICE = ["t4", "t5", "t3", "t2", "t1"]


def test_shuffle_golden_values() -> None:
    assert task_order(_tasks(5), "shuffle", "P1") == GOLDEN_P1
    assert task_order(_tasks(5), "shuffle", "alice") == GOLDEN_ALICE


@pytest.mark.parametrize("hashseed", ["0", "12345"])
def test_shuffle_same_in_subprocess_with_other_hashseed(hashseed: str) -> None:
    participants = ["P1", "P2", "p017", "alice", "Zoë"]
    code = (
        "import json, sys\n"
        "from surveykit.session.task_order import task_order\n"
        "ps = json.loads(sys.argv[1])\n"
        "tasks = [f't{i}' for i in range(1, 8)]\n"
        "print(json.dumps([task_order(tasks, 'shuffle', p) for p in ps]))\n"
    )
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = hashseed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(participants)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    theirs = json.loads(out.stdout)
    ours = [task_order(_tasks(7), "shuffle", p) for p in participants]
    assert theirs == ours


def test_shuffle_differs_between_participants() -> None:
    orders = {tuple(task_order(_tasks(5), "shuffle", f"P{k}")) for k in range(1, 21)}
    assert len(orders) > 1


def test_shuffle_reaches_all_permutations_for_three_tasks() -> None:
    tasks = _tasks(3)
    seen = Counter(tuple(task_order(tasks, "shuffle", f"P{k}")) for k in range(1, 301))
    assert set(seen) == set(itertools.permutations(tasks))
    # and none is wildly over-represented (expected 50 each)
    assert max(seen.values()) < 100


def test_shuffle_depends_on_exact_participant_string() -> None:
    tasks = _tasks(8)
    variants = {tuple(task_order(tasks, "shuffle", p)) for p in ("P7", "p7", "P07", "P7 ")}
    assert len(variants) > 1
