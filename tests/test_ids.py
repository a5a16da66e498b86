"""UUIDv7: version and variant bits, time in the top 48 bits, strictly increasing, unique."""

from __future__ import annotations

import threading
import time
import uuid

from surveykit.ids import Uuid7Generator, uuid7, uuid7_time_ms


def test_version_variant_and_time() -> None:
    before = time.time_ns() // 1_000_000
    u = uuid7()
    after = time.time_ns() // 1_000_000
    assert u.version == 7
    assert u.variant == uuid.RFC_4122
    assert before <= uuid7_time_ms(u) <= after
    assert uuid7_time_ms(str(u)) == uuid7_time_ms(u)


def test_fixed_time_is_encoded_exactly() -> None:
    # 2026-11-22T10:15:03.123Z
    ms = 1_795_342_503_123
    u = Uuid7Generator()(now_ms=ms)
    assert uuid7_time_ms(u) == ms
    assert str(u)[:13].replace("-", "") == f"{ms:012x}"


def test_strictly_increasing_within_one_millisecond_and_past_the_counter() -> None:
    ms = 2_000_000_000_000
    make = Uuid7Generator()
    ids = [make(now_ms=ms) for _ in range(10_000)]  # more than the 12-bit counter holds
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert uuid7_time_ms(ids[0]) == ms
    assert uuid7_time_ms(ids[-1]) > ms  # the counter ran out and time moved on by itself


def test_a_clock_that_goes_back_never_gives_a_smaller_id() -> None:
    make = Uuid7Generator()
    a = make(now_ms=2_100_000_000_000)
    b = make(now_ms=1_000)  # the wall clock jumped back
    assert b > a


def test_unique_across_threads() -> None:
    out: list[uuid.UUID] = []
    lock = threading.Lock()

    def make() -> None:
        mine = [uuid7() for _ in range(2000)]
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 8000
