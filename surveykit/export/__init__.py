"""Export for analysts (SPEC §6): CSV (UTF-8, header row) or JSON Lines.

Files written to the output folder (`.csv` or `.jsonl`):

* `sessions`: one row per session (mode, device, status, times, task order, meta).
* `answers`: one row per answer (long), with question text, type, labels.
* `responses_<survey>`: one row per session of a survey (wide), one column per
  variable; SUS and UMUX-Lite scores per respondent; task outcomes and times.
* `task_runs`: one row per task run, with the task's title.
* `events`: the append-only log, one row per event.
* `codebook`: every variable of every file: question text, type, value labels.

Rows are streamed from SQLite to the file (memory does not grow with the data)
and each file is written under a temporary name and renamed when complete.
CSV cells holding text that begins with `=`, `+`, `-`, `@`, tab or CR (or with
a character whose NFKC form does, like a fullwidth `＝`) are prefixed with a
single quote so that spreadsheets show them as text instead
of running them as formulas; numbers (including negative numbers) are written
as numbers. JSON Lines keep every value as stored (lists and objects as JSON).

The package, by job: `options` (what is asked, what is reported), `catalogue`
(variables, labels), `tables` (long files' rows), `wide` (responses and their
codebook rows), `codebook` (the fixed files' variables), `sinks` (CSV and JSON
Lines files) and `writer` (`export()`, which runs them).
"""

from __future__ import annotations

from surveykit.export.options import (
    FORMATS,
    TABLES,
    ExportedFile,
    ExportError,
    ExportOptions,
    Progress,
)
from surveykit.export.writer import export, row_counts, survey_ids

__all__ = [
    "FORMATS",
    "TABLES",
    "ExportError",
    "ExportOptions",
    "ExportedFile",
    "Progress",
    "export",
    "row_counts",
    "survey_ids",
]
