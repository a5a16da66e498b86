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
CSV cells holding text that begins with `=`, `+`, `-`, `@`, tab or CR are
prefixed with a single quote so that spreadsheets show them as text instead
of running them as formulas; numbers (including negative numbers) are written
as numbers. JSON Lines keep every value as stored (lists and objects as JSON).
"""

from __future__ import annotations

import csv
import gc
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, Protocol

from surveykit.storage import queries
from surveykit.storage.queries import CatalogueEntry, SessionFilter
from surveykit.storage.views import wide_view_name
from surveykit.textsafe import FORMULA_STARTS, safe_cell

CHUNK = 5000  # rows between progress reports

FORMATS = ("csv", "jsonl")
TABLES = ("sessions", "answers", "responses", "task_runs", "events", "codebook")


def _number(v: float | int | None) -> float | int | None:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


class Progress(Protocol):
    def start(self, name: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...


class _NoProgress:
    def start(self, name: str, total: int | None) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass


@dataclass(frozen=True)
class ExportOptions:
    fmt: str = "csv"
    survey: str | None = None
    since: str | None = None
    until: str | None = None
    completed_only: bool = False
    include_preview: bool = False
    tables: tuple[str, ...] = TABLES

    def session_filter(self) -> SessionFilter:
        return SessionFilter(
            survey=self.survey,
            since=self.since,
            until=self.until,
            completed_only=self.completed_only,
            include_preview=self.include_preview,
        )


@dataclass
class ExportedFile:
    name: str
    path: Path
    rows: int


class ExportError(ValueError):
    """An export that cannot be done as asked (unknown survey, bad folder)."""


# --- writers ----------------------------------------------------------------------------


class _Sink:
    """One output file: CSV with neutralised cells, or JSON Lines."""

    def __init__(
        self, path: Path, fmt: str, header: list[str], check: tuple[int, ...] | None = None
    ) -> None:
        self.final = path
        self.tmp = path.with_name(path.name + ".partial")
        self.fmt = fmt
        self.header = header
        # CSV columns that may hold text from people (answers, names, labels); the
        # others hold numbers, timestamps and ids that the definition format
        # restricts to letters, digits, `_` and `-` (never first).
        self.check = check
        self.rows = 0
        self.f: IO[str] = open(self.tmp, "w", encoding="utf-8", newline="", buffering=1 << 20)
        if fmt == "csv":
            self._csv = csv.writer(self.f, lineterminator="\r\n")
            self._csv.writerow([safe_cell(h) for h in header])

    def write_many(self, rows: list[list[Any]]) -> None:
        self.rows += len(rows)
        if self.fmt == "jsonl":
            header = self.header
            encode = _JSON.encode
            self.f.writelines(encode(dict(zip(header, row, strict=True))) + "\n" for row in rows)
        elif self.check is None:
            # inline for speed: the same as [_csv_cell(v) for v in row]
            self._csv.writerows(
                [
                    (("'" + v) if v[:1] in _FORMULA_SET else v) if v.__class__ is str
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
                        if v[:1] in _FORMULA_SET:
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
    if isinstance(v, list | dict):
        v = json.dumps(v, ensure_ascii=False)
    return safe_cell(v)


# --- what the database knows about each variable ----------------------------------------


@dataclass
class _QInfo:
    """Everything about one (definition, question_id) an export row needs."""

    entry: CatalogueEntry
    item: int | None
    option_text: dict[Any, str]
    na: bool = False
    na_label: str = "Not applicable"
    other: bool = False


@dataclass
class _Catalogue:
    by_def: dict[tuple[str, str], _QInfo] = field(default_factory=dict)
    task_titles: dict[tuple[str, str], str] = field(default_factory=dict)
    time_limits: dict[tuple[str, str], float | None] = field(default_factory=dict)


def _definition_extras(body_json: str) -> dict[str, dict[str, Any]]:
    """N/A and "other" settings per question id, read from a stored definition."""
    from surveykit.definition.models import Survey

    try:
        survey = Survey.model_validate(json.loads(body_json))
    except Exception:  # an older or foreign body: these extras are optional
        return {}
    out: dict[str, dict[str, Any]] = {}
    for q in survey.all_questions():
        out[q.id] = {
            "na": bool(q.na),
            "na_label": str(q.na_label),
            "other": bool(getattr(q, "other", False)),
        }
    return out


def _load_catalogue(conn: sqlite3.Connection, survey_ids: Iterable[str]) -> _Catalogue:
    cat = _Catalogue()
    for sid in survey_ids:
        extras = {sha: _definition_extras(body) for sha, body in queries.definitions(conn, sid)}
        for e in queries.catalogue(conn, sid):
            item = None
            if e.question_id != e.parent_id and "." in e.question_id:
                item = int(e.question_id.rsplit(".", 1)[1])
            x = extras.get(e.definition_sha256, {}).get(e.parent_id, {})
            cat.by_def[(e.definition_sha256, e.question_id)] = _QInfo(
                entry=e,
                item=item,
                option_text={o.get("value"): o.get("text", "") for o in e.options},
                na=bool(x.get("na", False)),
                na_label=str(x.get("na_label", "Not applicable")),
                other=bool(x.get("other", False)),
            )
        for t in queries.task_catalogue(conn, sid):
            cat.task_titles.setdefault((t.definition_sha256, t.task_id), t.title)
            cat.time_limits.setdefault((t.definition_sha256, t.task_id), t.time_limit_s)
    return cat


def _decode(value_json: str | None, value_num: float | None) -> Any:
    if value_num is not None:
        return _number(value_num)
    if value_json is None:
        return None
    return json.loads(value_json)


def _label(info: _QInfo | None, value: Any, is_na: bool) -> Any:
    if info is None:
        return None
    if is_na:
        return info.na_label
    if value is None:
        return None
    if info.entry.labels and isinstance(value, int | float):
        return info.entry.labels.get(str(_number(value)))
    if info.option_text:
        if isinstance(value, dict):
            return info.option_text.get("other")
        if isinstance(value, list):
            return _label_list(info.option_text, value)
        return info.option_text.get(value)
    return None


def _other_text(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("other")
    if isinstance(value, list):
        for v in value:
            if isinstance(v, dict):
                return v.get("other")
    return None


# --- the export -------------------------------------------------------------------------


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
    prog: Progress = progress or _NoProgress()
    ids = survey_ids(conn, options)
    cat = _load_catalogue(conn, ids)
    ext = options.fmt
    files: list[ExportedFile] = []
    counts = row_counts(conn, options) if progress is not None else {}

    def run(
        name: str, header: list[str], rows: Iterator[list[Any]], table: str,
        check: tuple[int, ...] | None = None,
    ) -> None:
        sink = _Sink(out / f"{name}.{ext}", ext, header, check)
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
    cat: _Catalogue,
    ext: str,
    run: Callable[..., None],
) -> None:
    flt = options.session_filter()
    codebook: list[list[Any]] = []
    if "sessions" in options.tables:
        run("sessions", SESSION_COLUMNS, _sessions_rows(conn, flt), "sessions",
            _text_columns(SESSION_COLUMNS))
    if "answers" in options.tables:
        run("answers", ANSWER_COLUMNS, _answer_rows(conn, flt, cat), "answers",
            _text_columns(ANSWER_COLUMNS))
    if "responses" in options.tables or "codebook" in options.tables:
        for sid in ids:
            wide = _Wide(conn, sid, cat, flt)
            name = wide_view_name(sid)
            codebook.extend(wide.codebook(f"{name}.{ext}"))
            if "responses" in options.tables:
                run(name, wide.header(), wide.rows(), f"responses:{sid}")
    if "task_runs" in options.tables:
        run("task_runs", RUN_COLUMNS, _run_rows(conn, flt, cat), "task_runs",
            _text_columns(RUN_COLUMNS))
    if "events" in options.tables:
        run("events", EVENT_COLUMNS, _event_rows(conn, flt), "events",
            _text_columns(EVENT_COLUMNS))
    if "codebook" in options.tables:
        rows = [*codebook, *_fixed_codebook(ext, options.tables)]
        if ext == "csv":  # value labels as `1=Very dissatisfied; 2=…` rather than JSON
            rows = [[*r[:9], _labels_text(r[9]) or None, r[10]] for r in rows]
        run("codebook", CODEBOOK_COLUMNS, iter(rows), "codebook")


#: Columns whose values never come from people's typing or free-form files: numbers,
#: timestamps, fixed vocabularies, and ids restricted by the definition format.
CONTROLLED_COLUMNS = frozenset({
    "session_id", "event_id", "survey_id", "definition_sha256", "mode", "status",
    "session_status", "started_at", "ended_at", "shown_at", "answered_at", "at", "task_id",
    "question_id", "parent_id", "item", "question_type", "value_num", "is_na", "response_ms",
    "position", "outcome", "active_ms", "errors", "hints", "time_limit_s", "elapsed_ms", "kind",
})


def _text_columns(header: list[str]) -> tuple[int, ...]:
    return tuple(i for i, name in enumerate(header) if name not in CONTROLLED_COLUMNS)


# --- sessions ---------------------------------------------------------------------------

SESSION_COLUMNS = [
    "session_id", "survey_id", "definition_sha256", "mode", "participant", "device", "status",
    "started_at", "ended_at", "task_order", "meta",
]


def _scan(alias: str = "s") -> str:
    # Sessions in id order (a table scan, no sort), children through their indexes.
    return f"sessions AS {alias} NOT INDEXED"


def _sessions_rows(conn: sqlite3.Connection, flt: SessionFilter) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT s.id, s.survey_id, s.definition_sha256, s.mode, s.participant, s.device, "
        "s.status, s.started_at, s.ended_at, s.task_order_json, s.meta_json "
        f"FROM {_scan()} WHERE {where} ORDER BY s.id"
    )
    for r in conn.execute(sql, args):
        yield [*r[:9], json.loads(r[9]) if r[9] else None, json.loads(r[10]) if r[10] else {}]


# --- answers (long) ---------------------------------------------------------------------

ANSWER_COLUMNS = [
    "session_id", "survey_id", "mode", "participant", "device", "session_status", "started_at",
    "task_id", "task_title", "question_id", "parent_id", "item", "question_type",
    "question_text", "value", "value_num", "value_label", "other_text", "is_na",
    "shown_at", "answered_at", "response_ms",
]


def _answer_rows(
    conn: sqlite3.Connection, flt: SessionFilter, cat: _Catalogue
) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT a.session_id, s.survey_id, s.definition_sha256, s.mode, s.participant, s.device, "
        "s.status, s.started_at, a.task_id, a.question_id, a.value_json, a.value_num, a.is_na, "
        "a.shown_at, a.answered_at, a.response_ms "
        f"FROM {_scan()} CROSS JOIN answers a ON a.session_id = s.id WHERE {where} "
        "ORDER BY s.id"
    )
    # Per variable, what every row of it repeats: parent, item, type, text, and the
    # label lookups (scale points by number, options by stored value).
    static: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, info in cat.by_def.items():
        e = info.entry
        points = {}
        for k, v in e.labels.items():
            try:
                points[_number(float(k))] = v
            except ValueError:
                pass
        static[key] = (e.parent_id, info.item, e.type, e.text, points, info.option_text,
                       info.na_label)
    titles = cat.task_titles
    loads = json.loads
    for (sid, survey, sha, mode, part, dev, status, started, task_id, qid, vj, vn, na,
         shown, answered, rms) in conn.execute(sql, args):
        st = static.get((sha, qid))
        if st is None:
            st = (qid, None, None, None, {}, {}, "N/A")
        other = None
        label = None
        if na:
            value = None
            label = st[6]
        elif vn is not None:
            value = vn = int(vn) if vn.is_integer() else vn
            label = st[4].get(value) if st[4] else st[5].get(value)
        elif vj is None:
            value = None
        else:
            value = loads(vj)
            cls = value.__class__
            if cls is str:
                label = st[5].get(value)
            elif cls is dict:
                other = value.get("other")
                value = "other"
                label = st[5].get("other")
            elif cls is list:
                label = _label_list(st[5], value)
                other = _other_text(value)
        yield [
            sid, survey, mode, part, dev, status, started,
            task_id, titles.get((sha, task_id)) if task_id else None,
            qid, st[0], st[1], st[2], st[3], value, vn, label, other, na,
            shown, answered, rms,
        ]


def _label_list(options: dict[Any, str], values: list[Any]) -> str:
    return "; ".join(
        options.get("other", "other") if isinstance(v, dict) else str(options.get(v, v))
        for v in values
    )


# --- task runs --------------------------------------------------------------------------

RUN_COLUMNS = [
    "session_id", "survey_id", "mode", "participant", "device", "session_status", "position",
    "task_id", "task_title", "outcome", "active_ms", "errors", "hints", "started_at",
    "ended_at", "time_limit_s",
]


def _run_rows(conn: sqlite3.Connection, flt: SessionFilter, cat: _Catalogue) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT r.session_id, s.survey_id, s.definition_sha256, s.mode, s.participant, s.device, "
        "s.status, r.position, r.task_id, r.outcome, r.active_ms, r.errors, r.hints, "
        "r.started_at, r.ended_at "
        f"FROM {_scan()} CROSS JOIN task_runs r ON r.session_id = s.id WHERE {where} "
        "ORDER BY s.id"
    )
    batch: list[tuple[Any, ...]] = []
    for r in conn.execute(sql, args):
        if batch and batch[0][0] != r[0]:
            yield from _run_batch(batch, cat)
            batch = []
        batch.append(r)
    yield from _run_batch(batch, cat)


def _run_batch(batch: list[tuple[Any, ...]], cat: _Catalogue) -> Iterator[list[Any]]:
    for (sid, survey, sha, mode, part, dev, status, pos, task_id, outcome, ms, errors, hints,
         started, ended) in sorted(batch, key=lambda r: (r[7], r[8])):
        yield [
            sid, survey, mode, part, dev, status, pos, task_id,
            cat.task_titles.get((sha, task_id)), outcome, ms, errors, hints, started, ended,
            _number(cat.time_limits.get((sha, task_id))),
        ]


# --- events -----------------------------------------------------------------------------

EVENT_COLUMNS = [
    "event_id", "session_id", "survey_id", "at", "elapsed_ms", "kind", "task_id",
    "question_id", "data",
]


def _event_rows(conn: sqlite3.Connection, flt: SessionFilter) -> Iterator[list[Any]]:
    where, args = flt.where("s")
    sql = (
        "SELECT e.id, e.session_id, s.survey_id, e.at, e.elapsed_ms, e.kind, e.task_id, "
        "e.question_id, e.data_json "
        f"FROM {_scan()} CROSS JOIN events e ON e.session_id = s.id WHERE {where} "
        "ORDER BY s.id"
    )
    for r in conn.execute(sql, args):
        yield [*r[:8], json.loads(r[8]) if r[8] else None]


# --- responses (wide) -------------------------------------------------------------------

Answers = dict[tuple[str, str], tuple[Any, bool]]  # (task_id, question_id) → (value, is_na)
Runs = dict[str, tuple[Any, ...]]  # task_id → (position, outcome, active_ms, errors, hints)
Getter = Callable[[Answers, Runs], Any]


@dataclass
class _Column:
    name: str
    get: Getter
    # codebook
    question_id: str | None = None
    task_id: str | None = None
    scope: str | None = None
    type: str = ""
    level: str = ""
    text: str = ""
    labels: dict[str, str] | None = None
    notes: str = ""


def _value_of(task_id: str, qid: str) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        v = ans.get((task_id, qid))
        if v is None or v[1]:
            return None
        value = v[0]
        return "other" if isinstance(value, dict) else value
    return get


def _na_of(task_id: str, keys: list[str]) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        seen = [ans[(task_id, k)] for k in keys if (task_id, k) in ans]
        if not seen:
            return None
        return int(any(v[1] for v in seen))
    return get


def _other_of(task_id: str, qid: str) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        v = ans.get((task_id, qid))
        return None if v is None or v[1] else _other_text(v[0])
    return get


def _dummy_of(task_id: str, qid: str, stored: Any) -> Getter:
    def get(ans: Answers, _runs: Runs) -> Any:
        v = ans.get((task_id, qid))
        if v is None or v[1] or not isinstance(v[0], list):
            return None
        return int(stored in v[0])
    return get


def _sus_of(task_id: str, items: list[str]) -> Getter:
    from surveykit.scoring.stats import sus_respondent  # scipy: only when needed

    def get(ans: Answers, _runs: Runs) -> Any:
        vals: list[int | None] = []
        present = False
        for k in items:
            v = ans.get((task_id, k))
            if v is not None:
                present = True
            ok = v is not None and not v[1] and isinstance(v[0], int | float) and v[0] in (1, 2, 3, 4, 5)
            vals.append(int(v[0]) if ok and v is not None else None)
        if not present:
            return None
        return sus_respondent(vals)
    return get


def _umux_of(task_id: str, items: list[str]) -> Getter:
    from surveykit.scoring.stats import umux_lite

    def get(ans: Answers, _runs: Runs) -> Any:
        vals: list[int | None] = []
        for k in items:
            v = ans.get((task_id, k))
            ok = v is not None and not v[1] and isinstance(v[0], int | float) and 1 <= v[0] <= 7
            vals.append(int(v[0]) if ok and v is not None and float(v[0]).is_integer() else None)
        return umux_lite(vals[0], vals[1])
    return get


def _run_of(task_id: str, index: int) -> Getter:
    def get(_ans: Answers, runs: Runs) -> Any:
        r = runs.get(task_id)
        return None if r is None else r[index]
    return get


def _labels_text(labels: dict[str, str] | None) -> str:
    if not labels:
        return ""
    return "; ".join(f"{k}={v}" for k, v in labels.items())


_LEVEL = {
    "nps": "ordinal", "csat": "ordinal", "ces": "ordinal", "seq": "ordinal", "rating": "ordinal",
    "sus": "ordinal", "umux_lite": "ordinal", "choice": "nominal", "multi": "nominal",
    "text": "text", "number": "scale",
}


class _Wide:
    """Columns of `responses_<survey>` and the rows, merged session by session."""

    def __init__(
        self, conn: sqlite3.Connection, survey_id: str, cat: _Catalogue, flt: SessionFilter
    ) -> None:
        self.conn = conn
        self.survey_id = survey_id
        self.cat = cat
        self.flt = flt
        self.meta_keys = queries.meta_keys(conn, survey_id)
        self.columns = self._columns()

    # --- columns ---------------------------------------------------------------------

    def _columns(self) -> list[_Column]:
        entries = queries.catalogue(self.conn, self.survey_id)
        infos = self.cat.by_def
        # newest definition first: one representative row per question id
        parents: dict[str, CatalogueEntry] = {}
        items: dict[str, list[CatalogueEntry]] = {}
        for e in entries:
            if e.question_id == e.parent_id:
                parents.setdefault(e.question_id, e)
            else:
                lst = items.setdefault(e.parent_id, [])
                if all(x.question_id != e.question_id for x in lst):
                    lst.append(e)
        for e in entries:  # batteries have no parent row: make one from the first item
            if e.question_id != e.parent_id and e.parent_id not in parents:
                parents[e.parent_id] = e
        tasks: list[tuple[str, str]] = []
        for t in queries.task_catalogue(self.conn, self.survey_id):
            if all(t.task_id != x for x, _ in tasks):
                tasks.append((t.task_id, t.title))

        cols: list[_Column] = [
            _Column("session_id", lambda a, r: None, level="id", text="Session id (sessions.id)"),
            _Column("mode", lambda a, r: None, level="nominal", text="How the session ran",
                    labels={"run": "terminal run", "kiosk": "kiosk", "moderate": "moderated"}),
            _Column("participant", lambda a, r: None, level="id", text="Participant id"),
            _Column("device", lambda a, r: None, level="nominal", text="Device or terminal name"),
            _Column("status", lambda a, r: None, level="nominal", text="Session status",
                    labels={s: s for s in ("completed", "abandoned", "interrupted", "in_progress")}),
            _Column("started_at", lambda a, r: None, level="datetime",
                    text="Start, UTC ISO 8601 with milliseconds"),
            _Column("ended_at", lambda a, r: None, level="datetime",
                    text="End, UTC ISO 8601 with milliseconds (empty while in progress)"),
            _Column("definition_sha256", lambda a, r: None, level="id",
                    text="Which version of the definition the session used"),
        ]
        self.fixed = len(cols)
        for k in self.meta_keys:
            cols.append(_Column(f"meta.{k}", lambda a, r: None, level="nominal",
                                text=f"Session meta data '{k}'"))
        self.meta_start = self.fixed
        self.fixed = len(cols)

        def block(scope: str, task_id: str, prefix: str) -> list[_Column]:
            out: list[_Column] = []
            ordered = sorted(
                (e for e in parents.values() if e.scope == scope),
                key=lambda e: (e.definition_sha256 != entries[0].definition_sha256, e.position),
            )
            for e in ordered:
                info = infos.get((e.definition_sha256, e.question_id))
                out.extend(self._question_columns(e, info, items.get(e.parent_id, []), task_id,
                                                  prefix))
            return out

        cols.extend(block("questions", "", ""))
        for task_id, title in tasks:
            t = f"Task {task_id} ({title})"
            cols.extend([
                _Column(f"{task_id}.position", _run_of(task_id, 0), task_id=task_id,
                        level="scale", text=f"{t}: position in the session's task order (1 = first)"),
                _Column(f"{task_id}.outcome", _run_of(task_id, 1), task_id=task_id,
                        level="nominal", text=f"{t}: outcome coded by the moderator",
                        labels={o: o for o in ("success", "partial", "fail", "abandoned",
                                               "timeout", "skipped")},
                        notes="empty: not attempted, or the session ended mid-task"),
                _Column(f"{task_id}.active_ms", _run_of(task_id, 2), task_id=task_id,
                        level="scale", text=f"{t}: active time in milliseconds (pauses excluded)"),
                _Column(f"{task_id}.errors", _run_of(task_id, 3), task_id=task_id,
                        level="scale", text=f"{t}: errors logged"),
                _Column(f"{task_id}.hints", _run_of(task_id, 4), task_id=task_id,
                        level="scale", text=f"{t}: hints given"),
            ])
            cols.extend(block("after_each", task_id, f"{task_id}."))
        cols.extend(block("after", "", ""))
        return cols

    def _question_columns(
        self,
        e: CatalogueEntry,
        info: _QInfo | None,
        item_rows: list[CatalogueEntry],
        task_id: str,
        prefix: str,
    ) -> list[_Column]:
        qid = e.parent_id
        where = f" (after task {task_id})" if task_id else ""
        base = {"question_id": qid, "task_id": task_id or None, "scope": e.scope, "type": e.type}
        na = info is not None and info.na
        cols: list[_Column] = []
        if e.type == "note":
            return cols
        if e.type in ("sus", "umux_lite"):
            keys = []
            for it in sorted(item_rows, key=lambda x: x.position):
                keys.append(it.question_id)
                cols.append(_Column(
                    prefix + it.question_id, _value_of(task_id, it.question_id),
                    **{**base, "question_id": it.question_id}, level="ordinal",
                    text=it.text + where, labels=it.labels,
                ))
            if e.type == "sus":
                cols.append(_Column(
                    prefix + qid, _sus_of(task_id, keys), **base, level="scale",
                    text=f"SUS score 0-100{where}",
                    notes="odd items x-1, even items 5-x, sum x 2.5; one item missing: x 100/36; "
                          "two or more missing: empty",
                ))
            else:
                cols.append(_Column(
                    prefix + qid, _umux_of(task_id, keys), **base, level="scale",
                    text=f"UMUX-Lite score 0-100{where}",
                    notes="(item1 + item2 - 2) x 100/12; empty when an item is missing; "
                          "SUS-equivalent = 0.65 x score + 22.9",
                ))
            if na:
                cols.append(_Column(prefix + qid + "_na", _na_of(task_id, keys), **base,
                                    level="nominal", text=f"{qid}: an item answered N/A{where}",
                                    labels={"0": "no", "1": info.na_label if info else "N/A"}))
            return cols
        text = e.text + where
        if e.type == "multi":
            for o in e.options:
                stored = o.get("value")
                if stored == "other":
                    continue
                cols.append(_Column(
                    f"{prefix}{qid}.{stored}", _dummy_of(task_id, qid, stored), **base,
                    level="nominal", text=f"{text} — {o.get('text')}",
                    labels={"0": "not selected", "1": "selected"},
                    notes="empty: question not answered",
                ))
            if info is not None and info.other:
                cols.append(_Column(f"{prefix}{qid}_other", _other_of(task_id, qid), **base,
                                    level="text", text=f"{text} — other (typed)"))
        else:
            labels = e.labels or None
            if e.type == "choice":
                labels = {str(o.get("value")): str(o.get("text")) for o in e.options}
            notes = ""
            if e.scale_min is not None or e.scale_max is not None:
                lo = "" if e.scale_min is None else _number(e.scale_min)
                hi = "" if e.scale_max is None else _number(e.scale_max)
                notes = f"range {lo}..{hi}"
            cols.append(_Column(prefix + qid, _value_of(task_id, qid), **base,
                                level=_LEVEL.get(e.type, ""), text=text, labels=labels,
                                notes=notes))
            if e.type == "choice" and info is not None and info.other:
                cols.append(_Column(f"{prefix}{qid}_other", _other_of(task_id, qid), **base,
                                    level="text", text=f"{text} — other (typed)"))
        if na:
            cols.append(_Column(f"{prefix}{qid}_na", _na_of(task_id, [qid]), **base,
                                level="nominal", text=f"{qid}: answered N/A{where}",
                                labels={"0": "no", "1": info.na_label if info else "N/A"},
                                notes="1: the value column is empty because N/A was chosen"))
        return cols

    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def codebook(self, file: str) -> list[list[Any]]:
        return [
            [file, self.survey_id, c.name, c.question_id, c.task_id, c.scope, c.type or None,
             c.level, c.text, c.labels or None, c.notes or None]
            for c in self.columns
        ]

    # --- rows ------------------------------------------------------------------------

    def rows(self) -> Iterator[list[Any]]:
        flt = SessionFilter(
            survey=self.survey_id, since=self.flt.since, until=self.flt.until,
            completed_only=self.flt.completed_only, include_preview=self.flt.include_preview,
        )
        where, args = flt.where("s")
        sessions = self.conn.execute(
            "SELECT s.id, s.mode, s.participant, s.device, s.status, s.started_at, s.ended_at, "
            f"s.definition_sha256, s.meta_json FROM {_scan()} WHERE {where} ORDER BY s.id",
            args,
        )
        answers = self.conn.execute(
            "SELECT a.session_id, a.task_id, a.question_id, a.value_json, a.value_num, a.is_na "
            f"FROM {_scan()} CROSS JOIN answers a ON a.session_id = s.id WHERE {where} "
            "ORDER BY s.id",
            args,
        )
        runs = self.conn.execute(
            "SELECT r.session_id, r.task_id, r.position, r.outcome, r.active_ms, r.errors, "
            f"r.hints FROM {_scan()} CROSS JOIN task_runs r ON r.session_id = s.id "
            f"WHERE {where} ORDER BY s.id",
            args,
        )
        a_next = next(answers, None)
        r_next = next(runs, None)
        meta_keys = self.meta_keys
        getters = [c.get for c in self.columns[self.fixed:]]
        for s in sessions:
            sid = s[0]
            ans: Answers = {}
            while a_next is not None and a_next[0] <= sid:
                if a_next[0] == sid:
                    ans[(a_next[1], a_next[2])] = (_decode(a_next[3], a_next[4]), bool(a_next[5]))
                a_next = next(answers, None)
            rn: Runs = {}
            while r_next is not None and r_next[0] <= sid:
                if r_next[0] == sid:
                    rn[r_next[1]] = r_next[2:]
                r_next = next(runs, None)
            meta = json.loads(s[8]) if s[8] else {}
            if not isinstance(meta, dict):
                meta = {}
            row = list(s[:8])
            row.extend(meta.get(k) for k in meta_keys)
            row.extend(g(ans, rn) for g in getters)
            yield row


# --- codebook ---------------------------------------------------------------------------

CODEBOOK_COLUMNS = [
    "file", "survey_id", "variable", "question_id", "task_id", "scope", "type", "level",
    "text", "value_labels", "notes",
]

_FIXED_DOCS: dict[str, list[tuple[str, str, str]]] = {
    "sessions": [
        ("session_id", "id", "Session id; joins every other file"),
        ("survey_id", "nominal", "Survey id from the definition file"),
        ("definition_sha256", "id", "Version of the definition (SHA-256 of its content)"),
        ("mode", "nominal", "run, kiosk or moderate (preview sessions are left out by default)"),
        ("participant", "id", "Participant id (moderated studies)"),
        ("device", "nominal", "Device or terminal name"),
        ("status", "nominal", "completed, abandoned, interrupted or in_progress"),
        ("started_at", "datetime", "UTC ISO 8601 with milliseconds"),
        ("ended_at", "datetime", "UTC ISO 8601 with milliseconds"),
        ("task_order", "text", "Task ids in the order this participant saw them (JSON list)"),
        ("meta", "text", "Session meta data (JSON object)"),
    ],
    "answers": [
        ("session_id", "id", "Session id"),
        ("survey_id", "nominal", "Survey id"),
        ("mode", "nominal", "Session mode"),
        ("participant", "id", "Participant id"),
        ("device", "nominal", "Device"),
        ("session_status", "nominal", "Status of the session"),
        ("started_at", "datetime", "Session start (UTC)"),
        ("task_id", "nominal", "Task the answer belongs to (after_each questions); empty otherwise"),
        ("task_title", "text", "Title of that task"),
        ("question_id", "nominal", "Stored variable: question id, or battery item (sus.3)"),
        ("parent_id", "nominal", "The question the variable belongs to (sus for sus.3)"),
        ("item", "scale", "Battery item number (1-10 for SUS, 1-2 for UMUX-Lite)"),
        ("question_type", "nominal", "nps, csat, ces, seq, rating, sus, umux_lite, choice, multi, "
                                     "text, number"),
        ("question_text", "text", "The question (or item) as worded in the definition"),
        ("value", "mixed", "The answer: a number for scales/numbers, the option's text or value "
                           "for choice ('other' when typed), a JSON list for multi, text for text; "
                           "empty for N/A"),
        ("value_num", "scale", "The answer when it is a number"),
        ("value_label", "text", "Label of the scale point or option text; the N/A label for N/A"),
        ("other_text", "text", "What was typed for 'Other'"),
        ("is_na", "nominal", "1 when answered Not applicable / Prefer not to say"),
        ("shown_at", "datetime", "When the question was shown (UTC)"),
        ("answered_at", "datetime", "When the answer was committed (UTC)"),
        ("response_ms", "scale", "Milliseconds from shown to answered (monotonic clock)"),
    ],
    "task_runs": [
        ("session_id", "id", "Session id"),
        ("position", "scale", "Position in the participant's task order (1 = first)"),
        ("task_id", "nominal", "Task id"),
        ("task_title", "text", "Task title"),
        ("outcome", "nominal", "success, partial, fail, abandoned, timeout, skipped; empty when "
                               "the session ended mid-task"),
        ("active_ms", "scale", "Active time in milliseconds, pauses excluded (monotonic clock)"),
        ("errors", "scale", "Errors logged"),
        ("hints", "scale", "Hints given"),
        ("time_limit_s", "scale", "The task's time limit in seconds"),
    ],
    "events": [
        ("event_id", "id", "Event id, in the order events were logged"),
        ("session_id", "id", "Session id"),
        ("at", "datetime", "UTC ISO 8601 with milliseconds"),
        ("elapsed_ms", "scale", "Milliseconds since the session started (monotonic clock)"),
        ("kind", "nominal", "session_start, shown, answered, changed, cleared, skipped, back, "
                            "task_start, task_end, pause, resume, error, hint, note, idle_reset, "
                            "session_end, interrupted, …"),
        ("task_id", "nominal", "Task, for task events and after_each questions"),
        ("question_id", "nominal", "Question, for question events"),
        ("data", "text", "Details as JSON (value, outcome, error code, note text, …)"),
    ],
}


def _fixed_codebook(ext: str, tables: tuple[str, ...]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for name, docs in _FIXED_DOCS.items():
        if name not in tables:
            continue
        for var, level, text in docs:
            rows.append([f"{name}.{ext}", None, var, None, None, None, None, level, text, None,
                         None])
    return rows
