"""Compile the message catalogues: every `locale/*/LC_MESSAGES/surveykit.po` into the
`.mo` beside it (`python -m surveykit.i18n.compile`). Standard library only; the
output is deterministic (messages sorted, no hash table), so a test can check
that each shipped `.mo` is the compilation of its `.po`."""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

from surveykit.i18n import DOMAIN, LOCALE_DIR

__all__ = ["catalogue_files", "compile_po", "parse_po"]


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a `.po` file (the header is under the empty msgid).
    Supports what these catalogues use: comments, msgid/msgstr, continued strings."""
    messages: dict[str, str] = {}
    current: str | None = None
    parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}

    def flush() -> None:
        if parts["msgid"] or parts["msgstr"]:
            messages["".join(parts["msgid"])] = "".join(parts["msgstr"])
        parts["msgid"], parts["msgstr"] = [], []

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("msgid ", "msgstr ")):
            keyword, _, rest = line.partition(" ")
            if keyword == "msgid":
                flush()
            current = keyword
            line = rest.strip()
        if current is None or not (line.startswith('"') and line.endswith('"')):
            raise ValueError(f"line {number}: cannot read {raw!r}")
        parts[current].append(ast.literal_eval(line))
    flush()
    return messages


def compile_po(text: str) -> bytes:
    """The GNU `.mo` bytes of a `.po` text (messages with an empty msgstr left out)."""
    messages = {k: v for k, v in parse_po(text).items() if v}
    keys = sorted(messages)
    ids = [k.encode() for k in keys]
    strs = [messages[k].encode() for k in keys]
    n = len(keys)
    header = 7 * 4
    ids_table = header
    strs_table = ids_table + n * 8
    data_start = strs_table + n * 8
    offsets: list[int] = []
    data = b""
    for s in ids:
        offsets += [len(s), data_start + len(data)]
        data += s + b"\0"
    for s in strs:
        offsets += [len(s), data_start + len(data)]
        data += s + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, n, ids_table, strs_table, 0, 0)
    out += struct.pack(f"<{4 * n}I", *offsets)
    return out + data


def catalogue_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def main() -> int:
    for po in catalogue_files():
        po.with_suffix(".mo").write_bytes(compile_po(po.read_text(encoding="utf-8")))
        print(po.with_suffix(".mo"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
