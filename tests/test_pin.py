"""Staff PIN hashes: scrypt with the parameters in the string; the old sha256 still verifies."""

from __future__ import annotations

import hashlib
import re

import pytest

from surveykit.pin import PIN_HASH_PATTERN, hash_pin, is_pin_hash, needs_rehash, verify_pin

FAST = {"n": 2**10, "r": 8, "p": 1}  # tests only: the default costs ~0.4 s a hash


def test_roundtrip_and_wrong_pin() -> None:
    stored = hash_pin("482913", **FAST)
    assert stored.startswith("scrypt$1024$8$1$")
    assert verify_pin(stored, "482913")
    assert not verify_pin(stored, "482914")
    assert not verify_pin(stored, "")


def test_salted_two_hashes_of_one_pin_differ() -> None:
    a, b = hash_pin("1234", **FAST), hash_pin("1234", **FAST)
    assert a != b
    assert verify_pin(a, "1234") and verify_pin(b, "1234")


def test_default_parameters_are_slow_ones() -> None:
    stored = hash_pin("1234")
    n, r, p = (int(x) for x in stored.split("$")[1:4])
    assert (n, r, p) == (2**17, 8, 1)
    assert not needs_rehash(stored)


def test_known_vector_is_stable() -> None:
    """The same pin, salt and parameters give the same string (a format that stays readable)."""
    salt = bytes(range(16))
    stored = hash_pin("2468", salt=salt, **FAST)
    key = hashlib.scrypt(b"2468", salt=salt, n=1024, r=8, p=1, dklen=32)
    import base64

    assert stored == f"scrypt$1024$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def test_old_sha256_still_verifies_but_needs_rehash() -> None:
    old = hashlib.sha256(b"1234").hexdigest()
    assert verify_pin(old, "1234")
    assert verify_pin(old.upper(), "1234")
    assert not verify_pin(old, "4321")
    assert needs_rehash(old)
    assert is_pin_hash(old)


@pytest.mark.parametrize(
    "broken",
    [
        None,
        "",
        "1234",
        "scrypt$1024$8$1$$",
        "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",  # n not a power of 2
        "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",  # 1 TiB of memory
        "scrypt$1024$8$1$!!!!AAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",
    ],
)
def test_broken_or_hostile_hashes_never_verify(broken: str | None) -> None:
    assert not verify_pin(broken, "1234")
    if broken:
        assert not is_pin_hash(broken) or broken == "1234"


def test_pattern_accepts_both_forms() -> None:
    assert re.fullmatch(PIN_HASH_PATTERN, hash_pin("1234", **FAST))
    assert re.fullmatch(PIN_HASH_PATTERN, hashlib.sha256(b"1").hexdigest())
    assert not re.fullmatch(PIN_HASH_PATTERN, "1234")


def test_weak_parameters_need_rehash() -> None:
    assert needs_rehash(hash_pin("1234", **FAST))


def test_refuses_to_make_weak_or_huge_hashes() -> None:
    with pytest.raises(ValueError):
        hash_pin("1234", n=16)
    with pytest.raises(ValueError):
        hash_pin("1234", n=2**22, r=8)
