"""The output files: CSV with neutralised cells, or JSON Lines, written under a
temporary name and renamed when complete."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import IO, Any

from surveykit.export.options import ExportedFile
from surveykit.textsafe import FORMULA_STARTS, safe_cell, starts_like_formula


class Sink:
    """One output file: CSV with neutralised cells, or JSON Lines."""

    def __init__(
        self, path: Path, fmt: str, header: list[str], check: tuple[int, ...] | None = None,
        *, protect: bool = True,
    ) -> None:
        self.final = path
        self.tmp = path.with_name(path.name + ".partial")
        self.fmt = fmt
        self.header = header
        # CSV columns that may hold text from people (answers, names, labels); the
        # others hold numbers, timestamps and ids that the definition format
        # restricts to letters, digits, `_` and `-` (never first).
        self.check = check
        # False (`--for analysis`): no formula protection, cells as they are
        self.protect = protect
        self.rows = 0
        self.f: IO[str] = open(self.tmp, "w", encoding="utf-8", newline="", buffering=1 << 20)
        if fmt == "csv":
            self._csv = csv.writer(self.f, lineterminator="\r\n")
            self._csv.writerow([safe_cell(h) if protect else h for h in header])

    def write_many(self, rows: list[list[Any]]) -> None:
        self.rows += len(rows)
        if self.fmt == "jsonl":
            header = self.header
            encode = _JSON.encode
            self.f.writelines(encode(dict(zip(header, row, strict=True))) + "\n" for row in rows)
        elif not self.protect:
            self._csv.writerows(
                [
                    _JSON.encode(v) if isinstance(v, list | dict | bool) else v
                    for v in row
                ]
                for row in rows
            )
        elif self.check is None:
            # inline for speed: the same as [_csv_cell(v) for v in row] (ASCII first
            # characters are looked up in a set; others go through NFKC)
            self._csv.writerows(
                [
                    (("'" + v) if v[:1] in _FORMULA_SET or (v[:1] > "\x7f" and starts_like_formula(v))
                     else v) if v.__class__ is str
                    else v if v.__class__ in _PLAIN else _csv_cell(v)
                    for v in row
                ]
                for row in rows
            )
        else:
            check = self.check
            for row in rows:
                for i in check:
                    v = row[i]
                    if v.__class__ is str:
                        if v[:1] in _FORMULA_SET or (v[:1] > "\x7f" and starts_like_formula(v)):
                            row[i] = "'" + v
                    elif v.__class__ not in _PLAIN:
                        row[i] = _csv_cell(v)
            self._csv.writerows(rows)

    def close(self) -> ExportedFile:
        self.f.close()
        os.replace(self.tmp, self.final)
        return ExportedFile(self.final.stem, self.final, self.rows)

    def abort(self) -> None:
        self.f.close()
        self.tmp.unlink(missing_ok=True)


_FORMULA_SET = frozenset(FORMULA_STARTS)
_JSON = json.JSONEncoder(ensure_ascii=False)
_PLAIN = frozenset({int, float, type(None)})


def _csv_cell(v: Any) -> Any:
    # a true/false (meta data) reads as `true`/`false`, as `score --by` groups it,
    # not as Python's True or a bare 1/0
    if isinstance(v, list | dict | bool):
        v = json.dumps(v, ensure_ascii=False)
    return safe_cell(v)
