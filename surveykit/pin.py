"""Staff PIN hashes: salted, slow, and self-describing.

A kiosk's staff PIN is written into the definition file as a hash, never in the
clear. A 4–12 digit PIN has at most 10^12 values, so an unsalted fast hash
(the old ``exit_pin_sha256``) gives a 6-digit PIN away in seconds to anyone who
copies the file. The stored form is now

    scrypt$<n>$<r>$<p>$<salt, base64>$<key, base64>

made by ``hashlib.scrypt`` with a random 16-byte salt. The parameters travel in
the string, so a later release can raise them and old strings keep working.
With the defaults (n = 2^17, r = 8, p = 1: 128 MiB and about 0.4 s a try on one
core) trying all 10^6 six-digit PINs costs over four days of one core.

Old 64-hex sha256 strings still verify (``needs_rehash`` says to replace them).
This module imports nothing from the project: it sits at the bottom of the layers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re

__all__ = [
    "DEFAULT_N",
    "DEFAULT_P",
    "DEFAULT_R",
    "PIN_HASH_PATTERN",
    "hash_pin",
    "is_pin_hash",
    "needs_rehash",
    "verify_pin",
]

DEFAULT_N = 2**17
DEFAULT_R = 8
DEFAULT_P = 1
_SALT_BYTES = 16
_KEY_BYTES = 32
#: Refuse parameters that would take more memory than this (a hostile file must
#: not make the kiosk allocate gigabytes) or less work than a sane minimum.
_MAX_MEM = 256 * 1024 * 1024
_MIN_N = 2**10

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_SCRYPT = re.compile(
    r"scrypt\$(?P<n>[0-9]{1,10})\$(?P<r>[0-9]{1,3})\$(?P<p>[0-9]{1,3})"
    r"\$(?P<salt>[A-Za-z0-9+/]{16,88}={0,2})\$(?P<key>[A-Za-z0-9+/]{16,88}={0,2})"
)
#: A regular expression either stored form matches (for the JSON Schema).
PIN_HASH_PATTERN = (
    r"^([0-9a-fA-F]{64}|scrypt\$[0-9]{1,10}\$[0-9]{1,3}\$[0-9]{1,3}"
    r"\$[A-Za-z0-9+/]{16,88}={0,2}\$[A-Za-z0-9+/]{16,88}={0,2})$"
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _params_ok(n: int, r: int, p: int) -> bool:
    return n >= _MIN_N and n & (n - 1) == 0 and r >= 1 and p >= 1 and 128 * r * (n + p) <= _MAX_MEM


def hash_pin(pin: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P,
             salt: bytes | None = None) -> str:
    """The stored form of `pin` (``scrypt$n$r$p$salt$key``), with a fresh random salt."""
    if not _params_ok(n, r, p):
        raise ValueError(f"scrypt parameters out of range: n={n}, r={r}, p={p}")
    salt = os.urandom(_SALT_BYTES) if salt is None else salt
    key = _derive(pin, salt, n, r, p, _KEY_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM + 1024 * 1024, dklen=dklen
    )


def is_pin_hash(stored: str) -> bool:
    """True if `stored` is a PIN hash this module can check (either form)."""
    return _parse(stored) is not None or _SHA256.fullmatch(stored) is not None


def needs_rehash(stored: str) -> bool:
    """True for the old unsalted sha256 form (or weaker scrypt parameters than today's)."""
    parsed = _parse(stored)
    if parsed is None:
        return True
    n, r, _, _, _ = parsed
    return n < DEFAULT_N or r < DEFAULT_R


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    m = _SCRYPT.fullmatch(stored)
    if m is None:
        return None
    n, r, p = int(m["n"]), int(m["r"]), int(m["p"])
    if not _params_ok(n, r, p):
        return None
    try:
        salt = base64.b64decode(m["salt"], validate=True)
        key = base64.b64decode(m["key"], validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(key) < 16:
        return None
    return n, r, p, salt, key


def verify_pin(stored: str | None, pin: str) -> bool:
    """Does `pin` match the stored hash? Constant-time compare; False for no or a broken hash."""
    if not stored:
        return False
    parsed = _parse(stored)
    if parsed is not None:
        n, r, p, salt, key = parsed
        return hmac.compare_digest(_derive(pin, salt, n, r, p, len(key)), key)
    if _SHA256.fullmatch(stored):
        digest = hashlib.sha256(pin.encode("utf-8")).hexdigest()
        return hmac.compare_digest(digest, stored.lower())
    return False
