"""The SQLite schema (SPEC §4) as numbered migrations.

`PRAGMA user_version` holds the number of the last migration applied. Opening
a file runs the missing migrations in one transaction each, so an older file
is upgraded in place and a failed upgrade leaves it as it was. Views are
dropped and recreated after every upgrade (they hold no data).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from surveykit.storage.views import create_views

Migration = Callable[[sqlite3.Connection], None]


V1 = """
        CREATE TABLE definitions (
            sha256 TEXT PRIMARY KEY,
            survey_id TEXT NOT NULL,
            title TEXT NOT NULL,
            format_version INTEGER NOT NULL,
            source_path TEXT,
            body_json TEXT NOT NULL,
            first_seen_at TEXT NOT NULL
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            survey_id TEXT NOT NULL,
            definition_sha256 TEXT NOT NULL REFERENCES definitions(sha256),
            mode TEXT NOT NULL CHECK (mode IN ('run', 'kiosk', 'moderate', 'preview')),
            participant TEXT,
            device TEXT,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL DEFAULT 'in_progress'
                CHECK (status IN ('in_progress', 'completed', 'abandoned', 'interrupted')),
            task_order_json TEXT,
            meta_json TEXT
        );
        CREATE INDEX sessions_survey ON sessions(survey_id, started_at);
        CREATE INDEX sessions_participant ON sessions(survey_id, participant, status);
        CREATE TABLE answers (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            task_id TEXT NOT NULL DEFAULT '',
            question_id TEXT NOT NULL,
            value_json TEXT,
            value_num REAL,
            is_na INTEGER NOT NULL DEFAULT 0,
            shown_at TEXT,
            answered_at TEXT NOT NULL,
            response_ms INTEGER,
            PRIMARY KEY (session_id, task_id, question_id)
        );
        CREATE INDEX answers_question ON answers(question_id);
        CREATE TABLE task_runs (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            task_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            started_at TEXT,
            ended_at TEXT,
            active_ms INTEGER,
            outcome TEXT CHECK (outcome IS NULL OR outcome IN
                ('success', 'partial', 'fail', 'abandoned', 'timeout', 'skipped')),
            errors INTEGER NOT NULL DEFAULT 0,
            hints INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, task_id)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            elapsed_ms INTEGER,
            kind TEXT NOT NULL,
            task_id TEXT,
            question_id TEXT,
            data_json TEXT
        );
        CREATE INDEX events_session ON events(session_id, id);
"""

# Question and task catalogues (for labelled views and the codebook), and the
# owning process of a session (to tell a crashed session from a live one).
V2 = """
        CREATE TABLE questions (
            definition_sha256 TEXT NOT NULL REFERENCES definitions(sha256),
            question_id TEXT NOT NULL,
            parent_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ('questions', 'after_each', 'after')),
            type TEXT NOT NULL,
            text TEXT NOT NULL,
            scale_min REAL,
            scale_max REAL,
            labels_json TEXT,
            options_json TEXT,
            PRIMARY KEY (definition_sha256, question_id)
        );
        CREATE TABLE tasks (
            definition_sha256 TEXT NOT NULL REFERENCES definitions(sha256),
            task_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            prompt TEXT NOT NULL,
            success TEXT,
            time_limit_s REAL,
            PRIMARY KEY (definition_sha256, task_id)
        );
        ALTER TABLE sessions ADD COLUMN owner_host TEXT;
        ALTER TABLE sessions ADD COLUMN owner_pid INTEGER;
"""


def _v3(conn: sqlite3.Connection) -> None:
    """No table change: the views were rebuilt so that `answers_labeled.value_label`
    gives a choice's option text (views are recreated after every migration)."""


# A kiosk's wrong staff-PIN tries and the wall time until which it refuses the next
# one, per device, so that restarting the kiosk does not reset the wait.
V4 = """
        CREATE TABLE IF NOT EXISTS kiosk_pin_lockout (
            device TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            updated_at TEXT NOT NULL
        );
"""


# An identity that travels (issue 10): a UUIDv7 per session (`sessions.uuid`), the
# device that made it (`sessions.device_id`, the `installation` row of that file),
# a site label, and a per-session sequence number on every event. Rows inserted
# without them (bulk writes, older code paths) get them from the triggers, so
# every insert path is covered.
_UUID_SQL = (
    "substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(h, 14, 3) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)"
)


def _v5(conn: sqlite3.Connection) -> None:
    """Travelling ids: sessions.uuid / device_id / site, installation, events.seq."""
    from surveykit.ids import Uuid7Generator
    from surveykit.timeutil import iso_ms, utc_now

    conn.execute(
        "CREATE TABLE installation (device_id TEXT PRIMARY KEY, created_at TEXT NOT NULL)"
    )
    device_id = str(Uuid7Generator()())
    gen = Uuid7Generator()  # its own: ids for old sessions carry their start times
    conn.execute(
        "INSERT INTO installation (device_id, created_at) VALUES (?, ?)",
        (device_id, iso_ms(utc_now())),
    )
    conn.execute("ALTER TABLE sessions ADD COLUMN uuid TEXT")
    conn.execute("ALTER TABLE sessions ADD COLUMN device_id TEXT")
    conn.execute("ALTER TABLE sessions ADD COLUMN site TEXT")
    # Existing sessions get ids in place, in the order they were started.
    rows = conn.execute(
        "SELECT id, CAST(ROUND((julianday(started_at) - 2440587.5) * 86400000) AS INTEGER) "
        "FROM sessions ORDER BY started_at, id"
    ).fetchall()
    conn.executemany(
        "UPDATE sessions SET uuid = ?, device_id = ? WHERE id = ?",
        [(str(gen(now_ms=max(0, int(ms or 0)))), device_id, sid) for sid, ms in rows],
    )
    conn.execute("CREATE UNIQUE INDEX sessions_uuid ON sessions(uuid)")
    conn.execute("CREATE INDEX sessions_device ON sessions(device_id, status)")
    ms = "CAST(ROUND((julianday(NEW.started_at) - 2440587.5) * 86400000) AS INTEGER)"
    conn.execute(
        f"""CREATE TRIGGER sessions_identity AFTER INSERT ON sessions
            WHEN NEW.uuid IS NULL OR NEW.device_id IS NULL
            BEGIN
                UPDATE sessions SET
                    uuid = COALESCE(uuid, (SELECT {_UUID_SQL} FROM (SELECT
                        printf('%012x', {ms}) || lower(hex(randomblob(10))) AS h))),
                    device_id = COALESCE(device_id, (SELECT device_id FROM installation
                                                     ORDER BY created_at LIMIT 1))
                WHERE id = NEW.id;
            END"""
    )
    conn.execute(
        """CREATE TRIGGER sessions_uuid_kept BEFORE UPDATE OF uuid ON sessions
            WHEN OLD.uuid IS NOT NULL AND NEW.uuid IS NOT OLD.uuid
            BEGIN SELECT RAISE(ABORT, 'sessions.uuid never changes'); END"""
    )
    conn.execute("ALTER TABLE events ADD COLUMN seq INTEGER")
    conn.execute(
        """UPDATE events SET seq = n.rn FROM (
               SELECT id, ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY id) AS rn FROM events
           ) AS n WHERE n.id = events.id"""
    )
    conn.execute("CREATE UNIQUE INDEX events_session_seq ON events(session_id, seq)")
    conn.execute(
        """CREATE TRIGGER events_seq AFTER INSERT ON events WHEN NEW.seq IS NULL
            BEGIN
                UPDATE events SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM events
                                         WHERE session_id = NEW.session_id)
                WHERE id = NEW.id;
            END"""
    )
    # What `surveykit sync` has had acknowledged by a server (by the server's id).
    conn.execute(
        """CREATE TABLE sync_state (
            server_id TEXT NOT NULL,
            session_uuid TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            ended_at TEXT,
            state TEXT NOT NULL CHECK (state IN ('sent', 'present', 'conflict')),
            acked_at TEXT NOT NULL,
            PRIMARY KEY (server_id, session_uuid)
        )"""
    )
    # Incoming copies `surveykit merge` found in conflict with a session already here.
    conn.execute(
        """CREATE TABLE merge_conflicts (
            session_uuid TEXT NOT NULL,
            source_device TEXT,
            source_path TEXT,
            content_sha256 TEXT NOT NULL,
            body_json TEXT NOT NULL,
            found_at TEXT NOT NULL,
            PRIMARY KEY (session_uuid, content_sha256)
        )"""
    )


def _wide_tables(conn: sqlite3.Connection) -> None:
    """Typed wide tables `wide_<survey>` kept current by triggers; `responses_<survey>`
    becomes a view over them. Built in place from the answers already stored."""
    from surveykit.storage.wide import build_all

    build_all(conn)


# The screens that follow a moderated session besides the console (a participant
# screen, observers): who is there, what each is doing, and the console's join code.
V7 = """
        CREATE TABLE IF NOT EXISTS session_screens (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('console', 'participant', 'observer')),
            name TEXT,
            join_code TEXT,
            host TEXT,
            pid INTEGER,
            mono_anchor REAL,
            joined_at TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            left_at TEXT,
            state TEXT
        );
        CREATE INDEX IF NOT EXISTS session_screens_session ON session_screens(session_id, role);
        CREATE INDEX IF NOT EXISTS session_screens_code ON session_screens(join_code);
"""


# The language a session was answered in (a definition with `languages:`; NULL
# for a one-language file), and the question texts and value labels of the other
# languages in which a definition was answered (`answers_labeled` labels each
# answer in its session's language; value_json '' is the question's text).
V_LANGUAGE = """
        ALTER TABLE sessions ADD COLUMN language TEXT;
        CREATE TABLE translations (
            definition_sha256 TEXT NOT NULL,
            language TEXT NOT NULL,
            question_id TEXT NOT NULL,
            value_json TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (definition_sha256, language, question_id, value_json)
        );
"""


#: Migration n+1 is MIGRATIONS[n]: SQL statements, or a function for data moves.
#: Append only; never edit a released one.
MIGRATIONS: list[str | Migration] = [V1, V2, _v3, V4, _v5, _wide_tables, V7, V_LANGUAGE]
SCHEMA_VERSION = len(MIGRATIONS)


class NewerSchemaError(RuntimeError):
    pass


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to SCHEMA_VERSION; return the version it had before."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = conn.execute("PRAGMA user_version").fetchone()[0]
        if before > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"this database was written by a newer surveykit (schema {before}; "
                f"this version knows up to {SCHEMA_VERSION}); upgrade surveykit to open it"
            )
        if before < SCHEMA_VERSION:
            for version in range(before, SCHEMA_VERSION):
                _apply(conn, MIGRATIONS[version])
            create_views(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before


def _apply(conn: sqlite3.Connection, migration: str | Migration) -> None:
    if callable(migration):
        migration(conn)
        return
    # executescript() would COMMIT the open transaction: run statement by statement.
    for stmt in _split(migration):
        conn.execute(stmt)


def _split(script: str) -> list[str]:
    out: list[str] = []
    buf: list[str] = []
    for line in script.splitlines():
        buf.append(line)
        candidate = "\n".join(buf).strip()
        if candidate and sqlite3.complete_statement(candidate):
            out.append(candidate)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        out.append(rest)
    return out
