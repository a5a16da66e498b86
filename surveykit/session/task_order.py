"""Order in which a participant sees the tasks of a usability test.

Pure domain logic: no UI, no storage, no I/O.

Three methods are supported:

``fixed``
    The order the tasks appear in the survey file.

``shuffle``
    A pseudo-random permutation seeded by the participant id.  The seed is the
    SHA-256 digest of the UTF-8 participant string read as a big-endian integer,
    fed to :class:`random.Random`.  Integer seeds and ``Random.shuffle`` are
    deterministic across processes (``PYTHONHASHSEED`` plays no part) and across
    CPython versions, so the same participant always gets the same order for the
    same task list.  The participant string is used verbatim: ``"P7"`` and
    ``"p7"`` are different seeds.

``latin_square``
    A balanced Latin square (Williams design), see :func:`williams_square`.
    Participant ``P<k>`` gets row ``(k - 1) mod rows``, so P1 gets row 0 and a
    complete cycle of participants P1..P<rows> sees every task in every position
    equally often and every ordered pair of consecutive tasks equally often.
    The participant's number is the last run of ASCII digits in the id (see
    :func:`participant_number`).  When the id contains no digits (``"alice"``)
    the number falls back to the first 8 bytes of the SHA-256 digest of the
    participant string read as a big-endian integer: stable, but such
    participants are not counterbalanced against each other.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from typing import Literal

__all__ = ["OrderMethod", "participant_number", "task_order", "williams_square"]

OrderMethod = Literal["fixed", "shuffle", "latin_square"]

_DIGITS = re.compile(r"[0-9]+")


def _digest(participant: str) -> bytes:
    return hashlib.sha256(participant.encode("utf-8", "surrogatepass")).digest()


def participant_number(participant: str) -> int | None:
    """The participant's number: the last run of ASCII digits in the id.

    ``"P7"`` -> 7, ``"p012"`` -> 12, ``"7"`` -> 7, ``"S2-P14"`` -> 14,
    ``"alice"`` -> None.
    """
    runs = _DIGITS.findall(participant)
    if not runs:
        return None
    return int(runs[-1])


def williams_square(n: int) -> list[list[int]]:
    """Rows of a balanced Latin square (Williams design) over ``0..n-1``.

    Construction (Williams 1949, in the usual "0, 1, n-1, 2, n-2, ..." form):
    the first row is ``0, 1, n-1, 2, n-2, 3, n-3, ...`` and row ``r`` adds
    ``r`` (mod n) to every entry of the first row.

    * even ``n``: the ``n`` rows form a Latin square (each value once in each
      position) in which every ordered pair ``(a, b)``, ``a != b``, occurs
      exactly once as consecutive entries of a row.
    * odd ``n``: a single square cannot be carry-over balanced, so the ``n``
      rows are followed by their mirror images (each row reversed), giving
      ``2n`` rows in which each value occurs twice in each position and every
      ordered pair of distinct values occurs exactly twice as consecutive
      entries.  ``n = 1`` follows the same rule (two identical rows ``[0]``).

    ``n = 0`` returns ``[]``; negative ``n`` raises ValueError.
    """
    if n < 0:
        raise ValueError(f"williams_square: n must be >= 0, got {n}")
    if n == 0:
        return []
    first = [0]
    for j in range(1, n):
        first.append((j + 1) // 2 if j % 2 else n - j // 2)
    rows = [[(x + r) % n for x in first] for r in range(n)]
    if n % 2:
        rows += [row[::-1] for row in rows]
    return rows


def task_order(
    task_ids: Sequence[str],
    method: OrderMethod,
    participant: str,
) -> list[str]:
    """The order in which ``participant`` sees ``task_ids`` (a new list).

    See the module docstring for the three methods.  Raises ValueError for an
    unknown method.
    """
    tasks = list(task_ids)
    if method == "fixed":
        return tasks
    if method == "shuffle":
        seed = int.from_bytes(_digest(participant), "big")
        random.Random(seed).shuffle(tasks)
        return tasks
    if method == "latin_square":
        if not tasks:
            return []
        rows = williams_square(len(tasks))
        number = participant_number(participant)
        if number is None:
            number = int.from_bytes(_digest(participant)[:8], "big")
        row = rows[(number - 1) % len(rows)]
        return [tasks[i] for i in row]
    raise ValueError(
        f"unknown task order method {method!r}; expected 'fixed', 'shuffle' or 'latin_square'"
    )
