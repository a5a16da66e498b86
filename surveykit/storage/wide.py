"""One typed wide table per survey, kept current by triggers (SPEC §4, issue 11).

`wide_<survey>` has one row per session of the survey and one column per
variable, typed for analysis:

* numbers as numbers (scale points and ratings are INTEGER, `number` answers
  NUMERIC: `8` stays `8`, `7.5` stays `7.5`); N/A is NULL, with a `<id>_na`
  flag column (1 N/A, 0 answered, NULL not answered) for questions that offer N/A;
* a choice as its stored text (the option's text or `value:`), "other" as
  `other` with the typed text in `<id>_other`;
* a multi answer as a plain text list (`A; B`), its typed "other" in `<id>_other`;
* batteries as one column per item (`sus.1` … `sus.10`) and the respondent's
  score (`sus`, `umux_lite`: 0–100, computed as `surveykit score` does);
* for studies `<task>.position`, `.outcome`, `.active_ms`, `.errors`, `.hints`,
  and questions asked after each task as `<task>.<id>`;
* the session's columns (mode, participant, device, status, times, meta_json).

The view adds `day` and one `meta.<key>` column per key found in the survey's
`sessions.meta_json`, read from the row's `meta_json` (text as text, numbers as
numbers, true/false as the text `true`/`false`: the values of the CSV export's
`meta.<key>` columns). Meta is written once, when a session starts, so the keys
live in the view, not the table: no trigger or answer write pays for them, and a
read only parses `meta_json` for the rows it returns. The view is re-created when
a session brings a new key (`Store.start_session`, `ensure_meta_columns`) and by
`build_wide` (migrations, a new definition, merge).

Triggers on `sessions`, `answers` and `task_runs` keep the table current, so
every write path (the Store, `storage.bulk`, the kiosk's queued writer, or a
plain `INSERT`) updates it in the same transaction. Reading is a plain table
scan: `responses_<survey>` is a view over it in standard SQL.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

NUMERIC_TYPES = frozenset({"nps", "csat", "ces", "seq", "rating", "sus", "umux_lite", "number"})
TRIGGER_PREFIX = "wide__"

_TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})


def wide_table_name(survey_id: str) -> str:
    return "wide_" + re.sub(r"[^a-z0-9_]", "_", survey_id.lower())


def responses_view_name(survey_id: str) -> str:
    return "responses_" + re.sub(r"[^a-z0-9_]", "_", survey_id.lower())


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class WideColumn:
    name: str
    sqltype: str  # INTEGER, NUMERIC, REAL or TEXT
    kind: str  # session, value, na, other, score, task
    question_id: str | None = None
    task_id: str | None = None
    qtype: str | None = None


@dataclass
class _Key:
    """What one stored answer (task_id, question_id) sets in the row."""

    task_id: str
    question_id: str
    qtype: str
    value_col: str
    na_col: str | None = None
    other_col: str | None = None
    battery: _Battery | None = None


@dataclass
class _Battery:
    task_id: str
    parent_id: str
    qtype: str  # sus | umux_lite
    item_ids: list[str]
    item_cols: list[str]
    score_col: str
    na_col: str | None


@dataclass
class WideSpec:
    survey_id: str
    table: str
    view: str
    columns: list[WideColumn] = field(default_factory=list)
    keys: list[_Key] = field(default_factory=list)
    batteries: list[_Battery] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    meta_keys: list[str] = field(default_factory=list)


SESSION_COLUMNS: list[tuple[str, str, str]] = [
    # (column, type, sessions expression over alias s)
    ("session_id", "INTEGER", "id"),
    ("mode", "TEXT", "mode"),
    ("participant", "TEXT", "participant"),
    ("device", "TEXT", "device"),
    ("status", "TEXT", "status"),
    ("started_at", "TEXT", "started_at"),
    ("ended_at", "TEXT", "ended_at"),
    ("definition_sha256", "TEXT", "definition_sha256"),
    ("meta_json", "TEXT", "meta_json"),
]

TASK_COLUMNS: list[tuple[str, str]] = [
    ("position", "INTEGER"),
    ("outcome", "TEXT"),
    ("active_ms", "INTEGER"),
    ("errors", "INTEGER"),
    ("hints", "INTEGER"),
]


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return bool(value)


def _extras(conn: sqlite3.Connection, survey_id: str) -> dict[str, dict[str, bool]]:
    """N/A and "other" settings per question id over every definition of a survey."""
    out: dict[str, dict[str, bool]] = {}
    for (body_json,) in conn.execute(
        "SELECT body_json FROM definitions WHERE survey_id = ?", (survey_id,)
    ):
        try:
            body = json.loads(body_json)
        except ValueError:
            continue
        if not isinstance(body, dict):
            continue
        tasks = body.get("tasks")
        lists = [body.get("questions"), tasks.get("after_each") if isinstance(tasks, dict) else None,
                 body.get("after")]
        for questions in lists:
            for item in questions if isinstance(questions, list) else []:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                x = out.setdefault(item["id"], {"na": False, "other": False})
                x["na"] = x["na"] or _flag(item.get("na", False))
                x["other"] = x["other"] or _flag(item.get("other", False))
    return out


def meta_keys(conn: sqlite3.Connection, survey_id: str) -> list[str]:
    """Top-level keys of the survey's `sessions.meta_json` (as the CSV export finds
    them) that a JSON path can name: a key with a `"` has no column in the view."""
    return sorted(str(r[0]) for r in conn.execute(
        "SELECT DISTINCT j.key FROM sessions s, json_each(CASE WHEN json_valid(s.meta_json) "
        "AND json_type(s.meta_json) = 'object' THEN s.meta_json ELSE '{}' END) j "
        "WHERE s.survey_id = ?", (survey_id,)) if '"' not in str(r[0]))


def meta_column(key: str) -> str:
    return f"meta.{key}"


def _meta_expr(key: str) -> str:
    """`meta.<key>` from the row's meta_json, in SQL that SQLite and DuckDB both run
    (`->>` gives the plain value in both; SQLite's 1/0 for true/false becomes text)."""
    path = lit(f'$."{key}"')
    return (
        f"CASE WHEN NOT json_valid(meta_json) THEN NULL "
        f"WHEN json_type(meta_json, {path}) = 'true' THEN 'true' "
        f"WHEN json_type(meta_json, {path}) = 'false' THEN 'false' "
        f"ELSE meta_json ->> {path} END"
    )


def wide_spec(conn: sqlite3.Connection, survey_id: str) -> WideSpec:
    """The columns of a survey's wide table, from every registered definition
    (newest definition's order first, questions dropped later still kept)."""
    spec = WideSpec(survey_id, wide_table_name(survey_id), responses_view_name(survey_id))
    spec.columns = [WideColumn(c, t, "session") for c, t, _ in SESSION_COLUMNS]
    rows = conn.execute(
        """SELECT q.question_id, q.parent_id, q.scope, q.type, q.position
           FROM questions q JOIN definitions d ON d.sha256 = q.definition_sha256
           WHERE d.survey_id = ? AND q.type != 'note'
           ORDER BY d.first_seen_at DESC, d.rowid DESC, q.position""",
        (survey_id,),
    ).fetchall()
    seen: set[str] = set()
    # parent id → (scope, type, [item ids]) in first-seen order
    parents: dict[str, tuple[str, str, list[str]]] = {}
    for qid, parent, scope, qtype, _pos in rows:
        if qid in seen:
            continue
        seen.add(qid)
        entry = parents.setdefault(parent, (scope, qtype, []))
        if qid != parent:
            entry[2].append(qid)
    for _scope, _qtype, items in parents.values():
        items.sort(key=lambda i: int(i.rsplit(".", 1)[1]) if i.rsplit(".", 1)[-1].isdigit() else 0)
    tasks: list[str] = []
    for (task_id,) in conn.execute(
        """SELECT t.task_id FROM tasks t JOIN definitions d ON d.sha256 = t.definition_sha256
           WHERE d.survey_id = ? ORDER BY d.first_seen_at DESC, d.rowid DESC, t.position""",
        (survey_id,),
    ):
        if task_id not in tasks:
            tasks.append(task_id)
    spec.tasks = tasks
    extras = _extras(conn, survey_id)

    # a question named like a session column (`status`, `device`) or like another
    # column (`visit_other`) gets `_q` appended: a table cannot repeat a name
    taken = {c.name.lower() for c in spec.columns} | {"day"}

    def free(name: str) -> str:
        while name.lower() in taken:
            name += "_q"
        taken.add(name.lower())
        return name

    def block(scope: str, task_id: str) -> None:
        prefix = f"{task_id}." if task_id else ""
        for parent, (pscope, qtype, items) in parents.items():
            if pscope != scope:
                continue
            x = extras.get(parent, {})
            if items:
                item_cols = [free(prefix + i) for i in items]
                score_col = free(prefix + parent) if qtype in ("sus", "umux_lite") else ""
                na_col = free(prefix + parent + "_na") if x.get("na") else None
                bat = _Battery(task_id, parent, qtype, items, item_cols, score_col, na_col)
                for item, col in zip(items, item_cols, strict=True):
                    spec.columns.append(WideColumn(col, "INTEGER", "value", item,
                                                   task_id or None, qtype))
                    spec.keys.append(_Key(task_id, item, qtype, col, battery=bat))
                if score_col:
                    spec.columns.append(WideColumn(score_col, "REAL", "score", parent,
                                                   task_id or None, qtype))
                    spec.batteries.append(bat)
                if na_col:
                    spec.columns.append(WideColumn(na_col, "INTEGER", "na", parent,
                                                   task_id or None, qtype))
                continue
            sqltype = "TEXT"
            if qtype == "number":
                sqltype = "NUMERIC"
            elif qtype in NUMERIC_TYPES:
                sqltype = "INTEGER"
            key = _Key(task_id, parent, qtype, free(prefix + parent))
            spec.columns.append(WideColumn(key.value_col, sqltype, "value", parent,
                                           task_id or None, qtype))
            if qtype in ("choice", "multi") and x.get("other"):
                key.other_col = free(prefix + parent + "_other")
                spec.columns.append(WideColumn(key.other_col, "TEXT", "other", parent,
                                               task_id or None, qtype))
            if x.get("na"):
                key.na_col = free(prefix + parent + "_na")
                spec.columns.append(WideColumn(key.na_col, "INTEGER", "na", parent,
                                               task_id or None, qtype))
            spec.keys.append(key)

    block("questions", "")
    for task_id in tasks:
        for name, sqltype in TASK_COLUMNS:
            spec.columns.append(WideColumn(f"{task_id}.{name}", sqltype, "task", None, task_id))
        block("after_each", task_id)
    block("after", "")
    spec.meta_keys = meta_keys(conn, survey_id)
    return spec


# --- expressions over one answers row (alias r: NEW in a trigger, a in a backfill) -------


def _value_expr(key: _Key, r: str) -> str:
    if key.qtype in NUMERIC_TYPES:
        return f"CASE WHEN {r}.is_na THEN NULL ELSE {r}.value_num END"
    if key.qtype == "multi":
        return (
            f"CASE WHEN {r}.is_na OR {r}.value_json IS NULL THEN NULL "
            f"WHEN json_valid({r}.value_json) AND json_type({r}.value_json) = 'array' THEN "
            f"COALESCE((SELECT group_concat(CASE WHEN j.type = 'object' THEN 'other' ELSE j.value END, '; ') "
            f"FROM json_each({r}.value_json) j), '') END"
        )
    # choice, text: the JSON string's text ("other" as `other`)
    return (
        f"CASE WHEN {r}.is_na OR {r}.value_json IS NULL OR NOT json_valid({r}.value_json) THEN NULL "
        f"WHEN json_type({r}.value_json) = 'object' THEN 'other' "
        f"WHEN json_type({r}.value_json) = 'array' THEN {r}.value_json "
        f"ELSE json_extract({r}.value_json, '$') END"
    )


def _other_expr(key: _Key, r: str) -> str:
    ok = f"{r}.value_json IS NOT NULL AND json_valid({r}.value_json)"
    if key.qtype == "multi":
        return (
            f"CASE WHEN {ok} AND json_type({r}.value_json) = 'array' THEN "
            f"(SELECT json_extract(j.value, '$.other') FROM json_each({r}.value_json) j "
            f"WHERE j.type = 'object' LIMIT 1) END"
        )
    return (
        f"CASE WHEN {ok} AND json_type({r}.value_json) = 'object' THEN "
        f"json_extract({r}.value_json, '$.other') END"
    )


def _assignments(key: _Key, r: str | None) -> list[tuple[str, str]]:
    """(column, expression) pairs; r None: the answer is gone (all NULL)."""
    out = [(key.value_col, "NULL" if r is None else _value_expr(key, r))]
    if key.na_col:
        out.append((key.na_col, "NULL" if r is None else f"{r}.is_na"))
    if key.other_col:
        out.append((key.other_col, "NULL" if r is None else _other_expr(key, r)))
    return out


def _battery_assignments(bat: _Battery, table: str, sid: str) -> list[tuple[str, str]]:
    """Score and N/A flag of a battery from the row's item columns (as `score` computes)."""
    cols = [q(c) for c in bat.item_cols]
    missing = " + ".join(f"({c} IS NULL)" for c in cols)
    out: list[tuple[str, str]] = []
    if bat.qtype == "sus" and len(cols) == 10:
        contrib = " + ".join(
            f"COALESCE({c} - 1, 0)" if i % 2 == 0 else f"COALESCE(5 - {c}, 0)"
            for i, c in enumerate(cols)
        )
        out.append((bat.score_col,
                    f"CASE WHEN {missing} = 0 THEN ({contrib}) * 2.5 "
                    f"WHEN {missing} = 1 THEN ({contrib}) * 100.0 / 36 END"))
    elif bat.qtype == "umux_lite" and len(cols) == 2:
        out.append((bat.score_col, f"({cols[0]} + {cols[1]} - 2) * 100.0 / 12"))
    if bat.na_col:
        ids = ", ".join(lit(i) for i in bat.item_ids)
        out.append((bat.na_col,
                    f"(SELECT MAX(x.is_na) FROM answers x WHERE x.session_id = {sid} "
                    f"AND x.task_id = {lit(bat.task_id)} AND x.question_id IN ({ids}))"))
    return out


def _set(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{q(c)} = {e}" for c, e in pairs)


# --- building ---------------------------------------------------------------------------


def _trigger_names(conn: sqlite3.Connection, table: str) -> list[str]:
    prefix = f"{TRIGGER_PREFIX}{table}__"
    return [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        if str(r[0]).startswith(prefix)
    ]


def _create_triggers(conn: sqlite3.Connection, spec: WideSpec) -> None:
    t = q(spec.table)
    name = f"{TRIGGER_PREFIX}{spec.table}__"
    sid = lit(spec.survey_id)
    scols = ", ".join(q(c) for c, _, _ in SESSION_COLUMNS)
    svals = ", ".join(f"NEW.{e}" for _, _, e in SESSION_COLUMNS)
    supd = ", ".join(f"{q(c)} = NEW.{e}" for c, _, e in SESSION_COLUMNS[1:])
    stmts = [
        f"CREATE TRIGGER {q(name + 's_ins')} AFTER INSERT ON sessions WHEN NEW.survey_id = {sid} "
        f"BEGIN INSERT OR IGNORE INTO {t} ({scols}) VALUES ({svals}); END",
        f"CREATE TRIGGER {q(name + 's_upd')} AFTER UPDATE ON sessions WHEN NEW.survey_id = {sid} "
        f"BEGIN UPDATE {t} SET {supd} WHERE session_id = NEW.id; END",
        f"CREATE TRIGGER {q(name + 's_del')} AFTER DELETE ON sessions WHEN OLD.survey_id = {sid} "
        f"BEGIN DELETE FROM {t} WHERE session_id = OLD.id; END",
    ]
    for i, key in enumerate(spec.keys):
        cond = f"{{r}}.question_id = {lit(key.question_id)} AND {{r}}.task_id = {lit(key.task_id)}"
        for event, r, pairs in (
            ("INSERT", "NEW", _assignments(key, "NEW")),
            ("UPDATE", "NEW", _assignments(key, "NEW")),
            ("DELETE", "OLD", _assignments(key, None)),
        ):
            body = f"UPDATE {t} SET {_set(pairs)} WHERE session_id = {r}.session_id;"
            if key.battery is not None:
                bat_pairs = _battery_assignments(key.battery, spec.table, f"{r}.session_id")
                if bat_pairs:
                    body += f" UPDATE {t} SET {_set(bat_pairs)} WHERE session_id = {r}.session_id;"
            stmts.append(
                f"CREATE TRIGGER {q(f'{name}a{i}_{event[:3].lower()}')} AFTER {event} ON answers "
                f"WHEN {cond.format(r=r)} BEGIN {body} END"
            )
    for i, task_id in enumerate(spec.tasks):
        cols = [f"{task_id}.{c}" for c, _ in TASK_COLUMNS]
        upd = _set([(c, f"NEW.{n}") for c, (n, _) in zip(cols, TASK_COLUMNS, strict=True)])
        clear = _set([(c, "NULL") for c in cols])
        for event, r, sets in (("INSERT", "NEW", upd), ("UPDATE", "NEW", upd),
                               ("DELETE", "OLD", clear)):
            stmts.append(
                f"CREATE TRIGGER {q(f'{name}t{i}_{event[:3].lower()}')} AFTER {event} ON task_runs "
                f"WHEN {r}.task_id = {lit(task_id)} "
                f"BEGIN UPDATE {t} SET {sets} WHERE session_id = {r}.session_id; END"
            )
    for stmt in stmts:
        conn.execute(stmt)


def _backfill(conn: sqlite3.Connection, spec: WideSpec) -> None:
    t = q(spec.table)
    scols = ", ".join(q(c) for c, _, _ in SESSION_COLUMNS)
    sexprs = ", ".join(f"s.{e}" for _, _, e in SESSION_COLUMNS)
    conn.execute(
        f"INSERT INTO {t} ({scols}) SELECT {sexprs} FROM sessions s WHERE s.survey_id = ?",
        (spec.survey_id,),
    )
    for key in spec.keys:
        pairs = _assignments(key, "a")
        cols = ", ".join(q(c) for c, _ in pairs)
        exprs = ", ".join(e for _, e in pairs)
        conn.execute(
            f"UPDATE {t} SET ({cols}) = (SELECT {exprs} FROM answers a "
            f"WHERE a.session_id = {t}.session_id AND a.task_id = ? AND a.question_id = ?) "
            f"WHERE EXISTS (SELECT 1 FROM answers a WHERE a.session_id = {t}.session_id "
            f"AND a.task_id = ? AND a.question_id = ?)",
            (key.task_id, key.question_id, key.task_id, key.question_id),
        )
    for bat in spec.batteries:
        pairs = _battery_assignments(bat, spec.table, f"{t}.session_id")
        if pairs:
            conn.execute(f"UPDATE {t} SET {_set(pairs)}")
    for task_id in spec.tasks:
        cols = ", ".join(q(f"{task_id}.{c}") for c, _ in TASK_COLUMNS)
        exprs = ", ".join(f"r.{c}" for c, _ in TASK_COLUMNS)
        conn.execute(
            f"UPDATE {t} SET ({cols}) = (SELECT {exprs} FROM task_runs r "
            f"WHERE r.session_id = {t}.session_id AND r.task_id = ?) "
            f"WHERE EXISTS (SELECT 1 FROM task_runs r WHERE r.session_id = {t}.session_id "
            f"AND r.task_id = ?)",
            (task_id, task_id),
        )


def _view_sql(spec: WideSpec) -> str:
    """`responses_<survey>`: the table's columns plus `day`, in standard SQL."""
    cols = [q(c.name) for c in spec.columns]
    taken = {c.name.lower() for c in spec.columns} | {"day"}
    meta: list[str] = []
    for key in spec.meta_keys:
        name = meta_column(key)
        while name.lower() in taken:  # a question id like `meta.x`: the view cannot repeat it
            name += "_meta"
        taken.add(name.lower())
        meta.append(f"{_meta_expr(key)} AS {q(name)}")
    n = len(SESSION_COLUMNS)
    cols[n:n] = meta
    cols.insert(7, "SUBSTR(started_at, 1, 10) AS day")
    return f"SELECT {', '.join(cols)} FROM {q(spec.table)}"


def ensure_meta_columns(conn: sqlite3.Connection, survey_id: str, keys: list[str]) -> bool:
    """Re-create `responses_<survey>` if it lacks a `meta.<key>` column for one of
    `keys` (a session just brought a new meta key); the caller holds the
    transaction. Only the view changes: the table, its triggers and writes do not."""
    view = responses_view_name(survey_id)
    have = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({q(view)})")}
    if not have or all(meta_column(k) in have or '"' in k for k in keys):
        return False
    spec = wide_spec(conn, survey_id)
    conn.execute(f"DROP VIEW IF EXISTS {q(view)}")
    conn.execute(f"CREATE VIEW {q(view)} AS {_view_sql(spec)}")
    return True


VALUE_LABELS_TABLE = """
    CREATE TABLE IF NOT EXISTS value_labels (
        definition_sha256 TEXT NOT NULL,
        question_id TEXT NOT NULL,
        value_json TEXT NOT NULL,
        value TEXT NOT NULL,
        code INTEGER NOT NULL,
        label TEXT NOT NULL,
        PRIMARY KEY (definition_sha256, question_id, value_json)
    )
"""


def label_rows(conn: sqlite3.Connection, survey_id: str) -> list[tuple[Any, ...]]:
    """`value_labels` rows of a survey's definitions: every labelled scale point (code =
    the point) and every option of a choice or multi (code = its order in the
    definition, from 1; `value_json` as `answers.value_json` stores it)."""
    out: list[tuple[Any, ...]] = []
    for sha, qid, labels_json, options_json in conn.execute(
        """SELECT q.definition_sha256, q.question_id, q.labels_json, q.options_json
           FROM questions q JOIN definitions d ON d.sha256 = q.definition_sha256
           WHERE d.survey_id = ?""",
        (survey_id,),
    ):
        seen: set[str] = set()
        if labels_json:
            for key, label in json.loads(labels_json).items():
                try:
                    point = float(key)
                except ValueError:
                    continue
                number: int | float = int(point) if point.is_integer() else point
                vj = json.dumps(number)
                if vj not in seen and isinstance(number, int):
                    seen.add(vj)
                    out.append((sha, qid, vj, str(number), number, str(label)))
        if options_json:
            for code, o in enumerate(json.loads(options_json), 1):
                stored = o.get("value")
                vj = json.dumps(stored, ensure_ascii=False)
                if vj not in seen:
                    seen.add(vj)
                    out.append((sha, qid, vj, str(stored), code, str(o.get("text", stored))))
    return out


def _build_labels(conn: sqlite3.Connection, survey_id: str) -> None:
    conn.execute(VALUE_LABELS_TABLE)
    conn.execute(
        "DELETE FROM value_labels WHERE definition_sha256 IN "
        "(SELECT sha256 FROM definitions WHERE survey_id = ?)",
        (survey_id,),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO value_labels VALUES (?, ?, ?, ?, ?, ?)", label_rows(conn, survey_id)
    )


def build_wide(conn: sqlite3.Connection, survey_id: str) -> WideSpec:
    """Create or bring up to date a survey's wide table, its triggers and its view.

    The caller holds the transaction. The table is rebuilt from the stored
    answers when its columns change (a new definition), else only the triggers
    are recreated (cheap)."""
    _build_labels(conn, survey_id)
    spec = wide_spec(conn, survey_id)
    t = q(spec.table)
    want = [(c.name, c.sqltype) for c in spec.columns]
    have = [(r[1], r[2]) for r in conn.execute(f"PRAGMA table_info({t})")]
    for trig in _trigger_names(conn, spec.table):
        conn.execute(f"DROP TRIGGER {q(trig)}")
    conn.execute(f"DROP VIEW IF EXISTS {q(spec.view)}")
    if have != want:
        conn.execute(f"DROP TABLE IF EXISTS {t}")
        defs = ", ".join(
            f"{q(name)} {sqltype}" + (" PRIMARY KEY" if name == "session_id" else "")
            for name, sqltype in want
        )
        conn.execute(f"CREATE TABLE {t} ({defs})")
        conn.execute(f"CREATE INDEX {q(spec.table + '_started')} ON {t}(started_at)")
        _backfill(conn, spec)
    _create_triggers(conn, spec)
    conn.execute(f"CREATE VIEW {q(spec.view)} AS {_view_sql(spec)}")
    return spec


def build_all(conn: sqlite3.Connection) -> None:
    """Build the wide table of every survey in the file (a migration's job)."""
    conn.execute(VALUE_LABELS_TABLE)
    for (survey_id,) in conn.execute(
        "SELECT DISTINCT survey_id FROM definitions ORDER BY survey_id"
    ).fetchall():
        build_wide(conn, survey_id)
