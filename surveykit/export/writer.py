"""`export()`: choose the sessions, write each file in turn, report progress."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from surveykit.export.catalogue import Catalogue, load_catalogue
from surveykit.export.codebook import CODEBOOK_COLUMNS, fixed_codebook, labels_text
from surveykit.export.options import (
    FORMATS,
    TABLES,
    ExportedFile,
    ExportError,
    ExportOptions,
    NoProgress,
    Progress,
)
from surveykit.export.sinks import Sink
from surveykit.export.tables import (
    ANSWER_COLUMNS,
    EVENT_COLUMNS,
    RUN_COLUMNS,
    SESSION_COLUMNS,
    answer_rows,
    event_rows,
    run_rows,
    session_rows,
    text_columns,
)
from surveykit.export.wide import Wide
from surveykit.storage import queries
from surveykit.storage.views import wide_view_name

CHUNK = 5000  # rows between progress reports

def survey_ids(conn: sqlite3.Connection, options: ExportOptions) -> list[str]:
    where, args = options.session_filter().where("s")
    ids = [r[0] for r in conn.execute(
        f"SELECT DISTINCT s.survey_id FROM sessions s WHERE {where} ORDER BY 1", args
    )]
    if options.survey is not None and options.survey not in ids:
        known = queries.surveys(conn)
        if options.survey not in known:
            raise ExportError(
                f"no survey '{options.survey}' in the database"
                + (f" (surveys: {', '.join(known)})" if known else "")
            )
        ids = [options.survey]
    return ids


def row_counts(conn: sqlite3.Connection, options: ExportOptions) -> dict[str, int]:
    """How many rows each file will have (for progress bars): `responses:<survey>` per survey."""
    where, args = options.session_filter().where("s")
    counts = {}
    for name, table in (("answers", "answers"), ("task_runs", "task_runs"), ("events", "events")):
        counts[name] = conn.execute(
            f"SELECT COUNT(*) FROM {table} x JOIN sessions s ON s.id = x.session_id WHERE {where}",
            args,
        ).fetchone()[0]
    counts["sessions"] = 0
    for survey_id, n in conn.execute(
        f"SELECT s.survey_id, COUNT(*) FROM sessions s WHERE {where} GROUP BY 1", args
    ):
        counts["sessions"] += n
        counts[f"responses:{survey_id}"] = n
    return counts


def export(
    conn: sqlite3.Connection,
    out_dir: str | Path,
    options: ExportOptions,
    progress: Progress | None = None,
) -> list[ExportedFile]:
    """Write the export files; returns them in the order written."""
    if options.fmt not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}")
    unknown = [t for t in options.tables if t not in TABLES]
    if unknown:
        raise ExportError(f"unknown table {unknown[0]!r} (tables: {', '.join(TABLES)})")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    prog: Progress = progress or NoProgress()
    ids = survey_ids(conn, options)
    cat = load_catalogue(conn, ids)
    ext = options.fmt
    files: list[ExportedFile] = []
    counts = row_counts(conn, options) if progress is not None else {}

    def run(
        name: str, header: list[str], rows: Iterator[list[Any]], table: str,
        check: tuple[int, ...] | None = None,
    ) -> None:
        sink = Sink(out / f"{name}.{ext}", ext, header, check)
        prog.start(name, counts.get(table))
        try:
            while True:
                chunk = list(islice(rows, CHUNK))
                if not chunk:
                    break
                sink.write_many(chunk)
                prog.advance(len(chunk))
        except BaseException:
            sink.abort()
            raise
        files.append(sink.close())

    # Millions of short-lived row lists and no reference cycles: the cyclic
    # garbage collector would only slow the stream down (by about half).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _export_tables(conn, options, ids, cat, ext, run)
    finally:
        if gc_was_enabled:
            gc.enable()
    return files


def _export_tables(
    conn: sqlite3.Connection,
    options: ExportOptions,
    ids: list[str],
    cat: Catalogue,
    ext: str,
    run: Callable[..., None],
) -> None:
    flt = options.session_filter()
    codebook: list[list[Any]] = []
    if "sessions" in options.tables:
        run("sessions", SESSION_COLUMNS, session_rows(conn, flt), "sessions",
            text_columns(SESSION_COLUMNS))
    if "answers" in options.tables:
        run("answers", ANSWER_COLUMNS, answer_rows(conn, flt, cat), "answers",
            text_columns(ANSWER_COLUMNS))
    if "responses" in options.tables or "codebook" in options.tables:
        for sid in ids:
            wide = Wide(conn, sid, cat, flt)
            name = wide_view_name(sid)
            codebook.extend(wide.codebook(f"{name}.{ext}"))
            if "responses" in options.tables:
                run(name, wide.header(), wide.rows(), f"responses:{sid}")
    if "task_runs" in options.tables:
        run("task_runs", RUN_COLUMNS, run_rows(conn, flt, cat), "task_runs",
            text_columns(RUN_COLUMNS))
    if "events" in options.tables:
        run("events", EVENT_COLUMNS, event_rows(conn, flt), "events",
            text_columns(EVENT_COLUMNS))
    if "codebook" in options.tables:
        rows = [*codebook, *fixed_codebook(ext, options.tables)]
        if ext == "csv":  # value labels as `1=Very dissatisfied; 2=…` rather than JSON
            rows = [[*r[:9], labels_text(r[9]) or None, r[10]] for r in rows]
        run("codebook", CODEBOOK_COLUMNS, iter(rows), "codebook")
