"""Fuzz the kiosk's input: random byte strings into `surveykit kiosk` in a real terminal.

The real CLI runs in tmux (80x24) on `surveys/store-feedback.yaml` (staff PIN 2468)
with a fresh database. Then:

1. Staff lock-out first: wrong PINs until the PIN screen imposes a wait of 8 s or more
   (two free tries, then 2 s, 4 s, 8 s ...).
2. `--strings` (default 100) seeded random byte strings, written raw to the terminal's
   input (tmux `send-keys -H`) with random gaps: random bytes, invalid UTF-8 (stray
   continuation bytes, truncated and overlong sequences, surrogates, 0xFE/0xFF),
   escape-sequence fragments (CSI/SS3/OSC/DCS pieces, mouse reports, kitty keys with
   impossible code points, in-band resize reports), bracketed-paste starts with no end,
   stray paste ends, control bytes, and valid UTF-8 text. After each string: the
   process must be the same one, alive, with no traceback on the visible or the
   hidden (normal) screen.
3. The lock-out must have survived: the PIN screen still reports the wait, or (the wait
   over) one more wrong PIN imposes a longer wait than before the fuzz — a restarted
   kiosk would have forgotten the wrong tries. Then, after the wait, the right PIN
   closes the kiosk with status 0.

Prints counts by kind, survived/failed, the time taken, and the checks. Exit status 0
if everything held, 1 if not.

    python bench/bench_kiosk_fuzz.py                 # 100 strings, seed 15
    python bench/bench_kiosk_fuzz.py --strings 300 --seed 7
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from terminal import Terminal, crash_marks, require_tmux, send_bytes, wait_until  # noqa: E402

SURVEY = ROOT / "surveys" / "store-feedback.yaml"
PIN = "2468"
STAFF = "Staff: enter the PIN"
WAIT = re.compile(r"Wait (\d+) s")
MAX_FINAL_WAIT_S = 120  # longer than this at the end: report it, stop with SIGTERM instead

ESC = b"\x1b"


def invalid_utf8(rng: random.Random) -> bytes:
    pieces = [
        bytes([rng.randrange(0x80, 0xC0)]),  # a stray continuation byte
        bytes([rng.choice([0xC0, 0xC1, 0xF5, 0xF8, 0xFC, 0xFE, 0xFF])]),  # never valid
        bytes([rng.randrange(0xC2, 0xE0)]),  # a two-byte lead, cut short
        bytes([rng.randrange(0xE0, 0xF0), rng.randrange(0x80, 0xC0)]),  # three-byte, cut
        bytes([0xF0, 0x9F, rng.randrange(0x80, 0xC0)]),  # an emoji, cut
        b"\xc0\xaf",  # overlong "/"
        b"\xed\xa0\x80",  # a UTF-16 surrogate
        "é".encode("latin-1"),
        "Grüße".encode("latin-1"),
    ]
    return b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))


def escape_fragment(rng: random.Random) -> bytes:
    number = str(rng.choice([0, 1, 2, 9, 48, 200, 201, 2004, 99999, 9999999, 10**12])).encode()
    pieces = [
        ESC,
        ESC + b"[",
        ESC + b"O",
        ESC + b"[" + number,
        ESC + b"[" + number + b";" + number,
        ESC + b"[" + number + b";" + number + bytes([rng.randrange(0x40, 0x7F)]),  # CSI
        ESC + b"[" + number + b"u",  # kitty key
        ESC + b"[" + number + b";" + number + b";" + number + b"u",
        ESC + b"[<0;" + number + b";" + number + rng.choice([b"M", b"m", b""]),  # SGR mouse
        ESC + b"[M" + bytes(rng.randrange(256) for _ in range(3)),  # X10 mouse
        ESC + b"[48;" + b";".join([number] * 4) + b"t",  # in-band resize report
        ESC + b"]0;title" + rng.choice([b"\x07", ESC + b"\\", b""]),  # OSC
        ESC + b"P" + number + b"q",  # DCS
        ESC + b"[?" + number + b";" + number + b"$y",  # mode report
        ESC + ESC + b"[A",
        ESC + bytes([rng.randrange(0x20, 0x7F)]),  # alt+key
    ]
    return b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))


def paste_start(rng: random.Random) -> bytes:
    body = random_text(rng) if rng.random() < 0.7 else b""
    return b"\x1b[200~" + body


def paste_end(rng: random.Random) -> bytes:
    return b"\x1b[201~" + (random_text(rng) if rng.random() < 0.5 else b"")


def control_bytes(rng: random.Random) -> bytes:
    return bytes(rng.choice([*range(0x00, 0x20), 0x7F]) for _ in range(rng.randint(1, 8)))


def random_bytes(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))


def random_text(rng: random.Random) -> bytes:
    alphabet = "abc xyz 0123456789 é ß € 漢字 😀 \u200b\u202e\t"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20))).encode()


KINDS: dict[str, Callable[[random.Random], bytes]] = {
    "random bytes": random_bytes,
    "invalid UTF-8": invalid_utf8,
    "escape fragments": escape_fragment,
    "paste start, no end": paste_start,
    "stray paste end": paste_end,
    "control bytes": control_bytes,
    "UTF-8 text": random_text,
}


def fuzz_string(rng: random.Random) -> tuple[str, bytes]:
    """One string: mostly of one kind, sometimes a mix of several."""
    if rng.random() < 0.3:
        names = rng.sample(list(KINDS), k=rng.randint(2, 4))
        return "mixed", b"".join(KINDS[name](rng) for name in names)
    name = rng.choice(list(KINDS))
    return name, KINDS[name](rng)


def pin_message(term: Terminal) -> str:
    match = re.search(r"(Too many wrong tries|Wrong PIN)\. Wait \d+ s[^.]*\.", term.screen())
    return match.group(0) if match else ""


def open_pin_screen(term: Terminal) -> None:
    """Escape (alone) closes whatever PIN screen is open; then ctrl+q until it shows."""
    term.send("Escape")
    time.sleep(0.3)  # Textual's ESC delay

    def opened() -> bool:
        if STAFF in term.screen():
            return True
        term.send("C-q")
        time.sleep(0.2)
        return STAFF in term.screen()

    wait_until(opened, "the PIN screen", timeout=5)


def wrong_pin(term: Terminal, pin: str = "1111") -> int:
    """Type a wrong PIN; the wait it imposes (0: none)."""
    term.type(pin)
    term.send("Enter")
    screen = term.wait_for(re.compile("Wrong PIN|Wait"), timeout=5)
    match = WAIT.search(screen)
    return int(match.group(1)) if match else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strings", type=int, default=100)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    require_tmux()
    rng = random.Random(args.seed)
    checks: list[tuple[str, bool]] = []
    failures: list[str] = []
    kinds: collections.Counter[str] = collections.Counter()
    sent_bytes = 0

    with tempfile.TemporaryDirectory(prefix="kiosk-fuzz-") as tmp:
        db = Path(tmp) / "fuzz.db"
        cmd = [sys.executable, "-m", "surveykit", "kiosk", str(SURVEY), "--db", str(db)]
        with Terminal(cmd, width=80, height=24, cwd=ROOT) as term:
            term.wait_for("Tap or press any key to start", timeout=30)
            pid = term.pid()

            # 1. wrong PINs until a wait of 8 s or more
            open_pin_screen(term)
            tries, wait = 0, 0
            while wait < 8:
                if WAIT.search(term.screen()):
                    time.sleep(int(WAIT.search(term.screen()).group(1)) + 0.2)  # type: ignore[union-attr]
                wait = wrong_pin(term)
                tries += 1
            locked_at = time.monotonic()
            print(f"lock-out before the fuzz: {tries} wrong PINs, next try waits {wait} s")
            term.send("Escape")
            term.wait_gone(STAFF)

            # 2. the fuzz
            started = time.monotonic()
            for n in range(1, args.strings + 1):
                kind, data = fuzz_string(rng)
                kinds[kind] += 1
                sent_bytes += len(data)
                send_bytes(term, data)
                time.sleep(rng.choice([0.0, 0.02, 0.05, 0.1, 0.2]))
                problem = ""
                if not term.alive:
                    problem = f"exited (status {term.wait_exit(2)})"
                elif term.pid() != pid:
                    problem = "restarted"
                elif marks := crash_marks(term):
                    problem = f"traceback on screen ({marks[0]!r})"
                if problem:
                    failures.append(f"seen after string {n} ({kind}) {data.hex(' ')}: {problem}")
                    print(f"FAILED after string {n} ({kind}): {problem}\n{term.screen()}")
                    break
            fuzz_s = time.monotonic() - started
            survived = args.strings - len(failures) if not failures else n - 1

            # 3. the lock-out, then the right PIN
            if term.alive:
                time.sleep(1.2)  # a paste left open by the last strings ends (1 s bound)
                open_pin_screen(term)
                still = WAIT.search(term.screen())
                waited = time.monotonic() - locked_at
                if still:
                    print(f"after the fuzz the PIN screen still says: {pin_message(term)!r}")
                    checks.append(("lock-out still in force after the fuzz", True))
                    final_wait = int(still.group(1))
                else:
                    final_wait = wrong_pin(term)
                    print(
                        f"no wait shown after the fuzz ({waited:.0f} s after the {wait} s"
                        f" lock-out began); one more wrong PIN: next try waits {final_wait} s"
                    )
                    checks.append(
                        (f"the wrong tries were kept (wait {final_wait} s > {wait} s)",
                         final_wait > wait)
                    )  # fmt: skip
                if final_wait <= MAX_FINAL_WAIT_S:
                    term.send("Escape")
                    time.sleep(final_wait + 0.5)
                    open_pin_screen(term)
                    term.type(PIN)
                    term.send("Enter")
                    status = term.wait_exit(15)
                    closed = "closed with the staff PIN" in term.screen().replace("\n", "")
                    checks.append(("the right PIN closes it after the wait (status 0)",
                                   status == 0 and closed))  # fmt: skip
                else:
                    print(f"final wait {final_wait} s: not waited out; stopping with SIGTERM")
                    term.kill(signal.SIGTERM)
                    checks.append(("SIGTERM stops it cleanly", term.wait_exit(15) == 0))
            else:
                checks.append(("kiosk still running after the fuzz", False))

        conn = sqlite3.connect(db)
        try:
            sessions = conn.execute("SELECT status, COUNT(*) FROM sessions GROUP BY 1").fetchall()
            crashes = conn.execute(
                "SELECT COUNT(*) FROM events WHERE kind = 'exit' AND data_json LIKE '%crash%'"
            ).fetchone()[0]
        finally:
            conn.close()
    checks.append(("no crash recorded in the database", crashes == 0))

    print()
    print(f"seed {args.seed}: {args.strings} strings, {sent_bytes} bytes, in {fuzz_s:.1f} s")
    for kind, count in kinds.most_common():
        print(f"  {kind:<22} {count:>4}")
    print(f"survived: {survived}/{args.strings}   failed: {len(failures)}")
    for failure in failures:
        print(f"  {failure}")
    print(f"sessions the fuzz started: {dict(sessions) or 'none'}; crash events: {crashes}")
    for what, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
    good = not failures and all(ok for _, ok in checks)
    print("RESULT:", "the kiosk held" if good else "FAILED")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
