"""SPSS (`.sav`), Stata (`.dta`) and Excel (`.xlsx`) files.

The same tables as the CSV export, collected in memory and written with
pyreadstat (SPSS, Stata) or openpyxl (Excel), both in the `analysis` extra:

* variable labels are the codebook's question texts;
* a choice question is numeric: its options coded 1, 2, … in the order of the
  definition (the same codes as `value_labels.code` in the database), with the
  option texts as value labels; scale points keep their numbers and labels;
* N/A in a question that offers it is a declared missing value: `-9` in SPSS
  (a user-missing value), `.a` in Stata, both labelled with the N/A label;
  the `<id>_na` flag columns stay as well;
* names are made valid for the tool (Stata: letters, digits and `_`, at most 32
  characters; SPSS: starting with a letter, at most 64): `sus.3` becomes
  `sus_3`, and a name that would collide gets `_2`, `_3`, … in column order.
  The codebook's `name_in_file` column gives the name used in the file.

Excel gets one sheet per table plus the codebook and the value labels; every
cell holding text is written as text (never a formula).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveykit.export.options import ExportedFile, ExportError

LABELLED_FORMATS = ("sav", "dta", "xlsx")
NA_CODE_SAV = -9
INSTALL_HINT = "pip install 'surveykit[analysis]' (or: pip install pyreadstat openpyxl)"

_STATA_RESERVED = frozenset(
    "_all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc _skip strL "
    "using with str".split()
)
_SPSS_RESERVED = frozenset("ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH".split())


@dataclass
class Table:
    """One exported table: its header, its rows, and codebook rows per variable."""

    name: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def valid_names(names: list[str], fmt: str) -> list[str]:
    """Names valid in Stata (`dta`) or SPSS (`sav`), unique, in the same order."""
    limit = 32 if fmt == "dta" else 64
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "v"
        if fmt == "sav" and not base[0].isalpha():
            base = "v" + base
        if fmt == "dta" and base[0].isdigit():
            base = "_" + base
        if (fmt == "dta" and base in _STATA_RESERVED) or (
            fmt == "sav" and base.upper() in _SPSS_RESERVED
        ):
            base += "_"
        base = base[:limit]
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = base[: limit - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _need(module: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise ExportError(f"this format needs the {module} package: {INSTALL_HINT}") from None


def check_available(fmt: str) -> None:
    if fmt in ("sav", "dta"):
        _need("pyreadstat")
        _need("pandas")
    elif fmt == "xlsx":
        _need("openpyxl")


def _plain(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return int(v)
    return v


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


@dataclass
class VarInfo:
    """What the codebook says about a variable (by its database name)."""

    text: str = ""
    type: str = ""
    labels: dict[str, str] | None = None
    na_label: str | None = None  # the question offers N/A
    na_column: str | None = None


def _var_infos(table: Table, codebook: list[dict[str, Any]]) -> dict[str, VarInfo]:
    infos: dict[str, VarInfo] = {}
    for row in codebook:
        if row["file_stem"] != table.name:
            continue
        infos[row["variable"]] = VarInfo(str(row.get("text") or ""), str(row.get("type") or ""),
                                         row.get("value_labels"))
    for name, info in infos.items():
        na_col = name + "_na"
        if na_col in infos and info.type not in ("sus", "umux_lite", "multi", "text"):
            labels = infos[na_col].labels or {}
            info.na_label = labels.get("1", "N/A")
            info.na_column = na_col
    return infos


def _frame(table: Table, infos: dict[str, VarInfo], fmt: str) -> tuple[Any, dict[str, Any]]:
    """A pandas DataFrame of the table for pyreadstat, and the write arguments."""
    import pandas as pd

    names = valid_names(table.header, fmt)
    index = {h: i for i, h in enumerate(table.header)}
    columns: dict[str, list[Any]] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    missing: dict[str, list[Any]] = {}
    col_labels: list[str | None] = []
    for i, (orig, name) in enumerate(zip(table.header, names, strict=True)):
        info = infos.get(orig, VarInfo())
        values = [_plain(r[i]) for r in table.rows]
        label = info.text or orig
        col_labels.append(label[:80] if fmt == "dta" else label[:256])
        na_idx = index.get(info.na_column) if info.na_column else None
        if info.type == "choice" and info.labels and not orig.endswith(("_na", "_other")):
            codes = {stored: code for code, stored in enumerate(info.labels, 1)}
            values = [codes.get(str(v)) if v is not None else None for v in values]
            value_labels[name] = {c: str(t) for c, t in
                                  zip(codes.values(), info.labels.values(), strict=True)}
        elif info.labels and all(_is_number(v) or v is None for v in values):
            labels: dict[int | float, str] = {}
            for k, t in info.labels.items():
                try:
                    point = float(k)
                except ValueError:
                    break
                labels[int(point) if point.is_integer() else point] = str(t)
            else:
                if labels:
                    value_labels[name] = labels
        numeric = all(_is_number(v) or v is None for v in values)
        if numeric and na_idx is not None and info.na_label is not None:
            na_value: Any = NA_CODE_SAV if fmt == "sav" else "a"
            values = [na_value if (v is None and r[na_idx] == 1)
                      else float("nan") if v is None else v
                      for v, r in zip(values, table.rows, strict=True)]
            value_labels.setdefault(name, {})
            if fmt == "sav":
                value_labels[name][NA_CODE_SAV] = info.na_label
                missing[name] = [NA_CODE_SAV]
            else:
                value_labels[name]["a"] = info.na_label  # type: ignore[index]
                missing[name] = ["a"]
            columns[name] = values
            continue
        if numeric:
            columns[name] = [float("nan") if v is None else float(v) for v in values]
            if values and all(v is not None and float(v).is_integer() for v in values):
                columns[name] = [int(v) for v in values]
        else:
            columns[name] = ["" if v is None else str(v) for v in values]
    df = pd.DataFrame(columns, columns=names)
    for name in names:
        if name not in missing and df[name].dtype == object and any(
            _is_number(v) for v in columns[name]
        ):
            df[name] = pd.to_numeric(df[name])
    kwargs: dict[str, Any] = {"column_labels": col_labels, "variable_value_labels": value_labels}
    if fmt == "sav":
        if missing:
            kwargs["missing_ranges"] = missing
    elif missing:
        kwargs["missing_user_values"] = missing
    return df, kwargs


def write_statistics_file(table: Table, codebook: list[dict[str, Any]], out: Path,
                          fmt: str) -> ExportedFile:
    pyreadstat = _need("pyreadstat")
    infos = _var_infos(table, codebook)
    df, kwargs = _frame(table, infos, fmt)
    path = out / f"{table.name}.{fmt}"
    tmp = path.with_name(path.name + ".partial")
    if fmt == "sav":
        pyreadstat.write_sav(df, str(tmp), **kwargs)
    else:
        pyreadstat.write_dta(df, str(tmp), **kwargs)
    tmp.replace(path)
    return ExportedFile(path.stem, path, len(table.rows))


def renamed(table: Table, fmt: str) -> dict[str, str]:
    """Database name → name in the file, for the codebook."""
    if fmt not in ("sav", "dta"):
        return {h: h for h in table.header}
    return dict(zip(table.header, valid_names(table.header, fmt), strict=True))


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_workbook(tables: list[Table], out: Path, name: str = "export") -> ExportedFile:
    """One .xlsx: a sheet per table (text cells as text, never formulas)."""
    openpyxl = _need("openpyxl")
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    total = 0
    for table in tables:
        title = re.sub(r"[\[\]:*?/\\]", "_", table.name)[:31]
        n = 1
        while title.lower() in used:
            n += 1
            title = title[: 31 - len(f"~{n}")] + f"~{n}"
        used.add(title.lower())
        ws = wb.create_sheet(title)

        def cell(v: Any, ws: Any = ws) -> Any:
            v = _plain(v)
            if isinstance(v, str):
                c = WriteOnlyCell(ws, value=None)
                c.value = _ILLEGAL.sub("", v)
                c.data_type = "s"  # text, even when it starts with "="
                return c
            return WriteOnlyCell(ws, value=v)

        ws.append([cell(h) for h in table.header])
        for row in table.rows:
            ws.append([cell(v) for v in row])
        total += len(table.rows)
    path = out / f"{name}.xlsx"
    tmp = path.with_name(path.stem + ".partial.xlsx")
    wb.save(str(tmp))
    tmp.replace(path)
    return ExportedFile(path.stem, path, total)
