"""`datapackage.json` for `export --for analysis`: a Frictionless Data Package
(tabular-data-package) describing each CSV file's columns with an explicit
type (`integer`, `number` or `string`) and the codebook's description, so that
pandas, R and Frictionless read every column as what it is (`007` stays text).

An empty cell is a missing value (`missingValues: [""]`) in every column; in
the wide files an empty text answer is told from an unanswered question by
the `<id>_answered` column.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from surveykit.export.options import ExportedFile

#: Columns (or the part after the last dot, for task columns) that hold whole numbers.
INTEGER_NAMES = frozenset({
    "session_id", "event_id", "position", "active_ms", "errors", "hints", "elapsed_ms",
    "response_ms", "is_na", "item", "code",
})


def field_type(variable: str, level: str, qtype: str | None) -> str:
    base = variable.rsplit(".", 1)[-1]
    if variable.endswith(("_na", "_answered")):
        return "integer"
    if level in ("scale", "id") and base in INTEGER_NAMES:
        return "integer"
    if level == "scale":
        return "number"
    if level == "ordinal":
        return "integer"
    if level == "nominal" and qtype == "multi" and not variable.endswith("_other"):
        return "integer"  # one 0/1 column per option
    return "string"


def write_datapackage(out: Path, files: list[ExportedFile], codebook: list[list[Any]]) -> Path:
    """Write `out/datapackage.json` for the CSV files; codebook rows as `_export_tables`
    builds them (file, survey_id, variable, question_id, task_id, scope, type, level,
    text, labels, notes)."""
    fields: dict[str, list[dict[str, Any]]] = {}
    for r in codebook:
        fields.setdefault(str(r[0]), []).append({
            "name": r[2],
            "type": field_type(str(r[2]), str(r[7] or ""), r[6]),
            "description": str(r[8] or ""),
        })
    resources = []
    for f in files:
        if f.path.suffix != ".csv":
            continue
        resources.append({
            "name": f.path.stem.lower(),
            "path": f.path.name,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
                        "doubleQuote": True, "header": True},
            "schema": {"fields": fields.get(f.path.name, []), "missingValues": [""]},
        })
    package = {
        "profile": "tabular-data-package",
        "name": "surveykit-export",
        "title": "surveykit export for analysis",
        "resources": resources,
    }
    path = out / "datapackage.json"
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
