"""A session's events as a timeline, lined up with a screen recording.

Every event has its session time (`events.elapsed_ms`, monotonic, continued
across resumes). The recording's zero is a session time too: an explicit
offset, the wall time the recording started (turned into session time at the
event logged just before it), or the last `recording_start` event (the key on
an observer screen). Times on the recording are session time minus that zero.

Formats: a table (`m:ss.t`), CSV, Markdown, and WebVTT / SRT captions so that a
video player shows task markers, outcomes, errors, hints and notes at their
moment over the recording.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from surveykit.definition.models import Survey
from surveykit.session.clock import format_ms
from surveykit.session.tags import normalise_tag
from surveykit.storage.store import Store
from surveykit.textsafe import safe_cell
from surveykit.vocabulary import EventKind

__all__ = [
    "CAPTION_KINDS",
    "CUE_MS",
    "Entry",
    "caption_entries",
    "entries",
    "fmt_clock",
    "recording_zero",
    "to_csv",
    "to_markdown",
    "to_srt",
    "to_table",
    "to_vtt",
]

#: How long a caption stays on screen (ms).
CUE_MS = 4000

#: The events that become captions on the recording.
CAPTION_KINDS: frozenset[str] = frozenset(
    {
        EventKind.TASK_START,
        EventKind.TASK_END,
        EventKind.OUTCOME_CORRECTED,
        EventKind.REOPEN,
        EventKind.RESTART,
        EventKind.ERROR,
        EventKind.HINT,
        EventKind.NOTE,
        EventKind.PAUSE,
        EventKind.TIME_LIMIT,
        EventKind.BLOCK_END,
        EventKind.RECORDING_START,
        EventKind.SCREEN_JOIN,
    }
)

# Events that say nothing to someone watching the recording.
_QUIET = frozenset({"checkpoint", EventKind.SHOWN, EventKind.BLOCK_CLAIM})


@dataclass(frozen=True)
class Entry:
    """One event on the timeline."""

    event_id: int
    session_id: int
    ms: int  # session time
    at: str  # UTC
    kind: str
    task_id: str | None
    text: str
    tags: tuple[str, ...] = ()
    by: str | None = None
    task_ms: int | None = None
    participant: str | None = field(default=None, compare=False)


def _describe(e: dict[str, Any], titles: dict[str, tuple[int, str]]) -> str:
    kind: str = e["kind"]
    data: dict[str, Any] = e["data"] or {}
    tid = e["task_id"]
    pos, title = titles.get(tid or "", (0, tid or ""))
    task = f"Task {pos} ({title})" if pos else (f"Task {title}" if title else "")
    if kind == EventKind.TASK_START:
        return f"{task} start"
    if kind == EventKind.TASK_END:
        ms = data.get("active_ms")
        at = f" at {format_ms(ms)}" if isinstance(ms, int) else ""
        return f"{task} end: {data.get('outcome')}{at}"
    if kind == EventKind.OUTCOME_CORRECTED:
        return f"{task} outcome corrected: {data.get('from')} → {data.get('to')}"
    if kind == EventKind.ERROR:
        return f"Error ({data['code']})" if data.get("code") else "Error"
    if kind == EventKind.HINT:
        return "Hint"
    if kind == EventKind.NOTE:
        by = f" ({data['by']})" if data.get("by") else ""
        return f"Note{by}: {data.get('text', '')}"
    if kind == EventKind.PAUSE:
        return "Timer paused" + (f" ({data['reason']})" if data.get("reason") else "")
    if kind == EventKind.RESUME:
        return "Timer resumed" if tid else "Session resumed"
    if kind == EventKind.TIME_LIMIT:
        return f"{task} time limit reached"
    if kind == EventKind.RESTART:
        return f"{task} restarted"
    if kind == EventKind.REOPEN:
        return f"{task} end undone"
    if kind == "task_done":
        return f"{task} done"
    if kind == EventKind.BLOCK_END:
        block = data.get("block")
        return f"Questions done ({block}{': ' + title if tid else ''})"
    if kind == EventKind.ANSWERED:
        return f"Answered {e['question_id']}"
    if kind == EventKind.CHANGED:
        return f"Changed {e['question_id']}"
    if kind == EventKind.RECORDING_START:
        return "Recording started"
    if kind == EventKind.SCREEN_JOIN:
        name = f" {data['name']}" if data.get("name") else ""
        return f"{str(data.get('role', 'screen')).capitalize()}{name} joined"
    if kind == EventKind.SESSION_START:
        return "Session start"
    if kind == EventKind.SESSION_END:
        return f"Session end ({data.get('status')})"
    return kind.replace("_", " ").capitalize() + (f" {e['question_id']}" if e["question_id"] else "")


def _titles(survey: Survey | None, order: list[str] | None) -> dict[str, tuple[int, str]]:
    if survey is None or survey.tasks is None:
        return {}
    ids = order or [t.id for t in survey.tasks.items]
    out = {}
    for i, tid in enumerate(ids, 1):
        try:
            out[tid] = (i, survey.task(tid).title)
        except (KeyError, ValueError):
            out[tid] = (i, tid)
    return out


def entries(
    store: Store,
    session_id: int,
    survey: Survey | None = None,
    *,
    tags: Iterable[str] = (),
    everything: bool = False,
) -> list[Entry]:
    """The session's events in order. `tags`: only notes with one of them;
    `everything`: also the bookkeeping events (shown, checkpoint, block_claim)."""
    row = store.session(session_id)
    titles = _titles(survey, row.task_order)
    wanted = {normalise_tag(t) for t in tags if normalise_tag(t)}
    out: list[Entry] = []
    for e in store.events(session_id):
        if not everything and e["kind"] in _QUIET:
            continue
        data = e["data"] or {}
        note_tags = tuple(data.get("tags") or ()) if e["kind"] == EventKind.NOTE else ()
        if wanted and not (wanted & set(note_tags)):
            continue
        out.append(
            Entry(
                event_id=int(e["id"]),
                session_id=session_id,
                ms=int(e["elapsed_ms"] or 0),
                at=str(e["at"]),
                kind=str(e["kind"]),
                task_id=e["task_id"],
                text=_describe(e, titles),
                tags=note_tags,
                by=data.get("by"),
                task_ms=data.get("task_ms", data.get("active_ms")),
                participant=row.participant,
            )
        )
    return out


def _parse_utc(text: str) -> datetime:
    t = text.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(t)
    if moment.tzinfo is None:
        raise ValueError(f"{text}: give a time zone (e.g. 2026-11-22T10:15:03Z)")
    return moment


def recording_zero(
    store: Store,
    session_id: int,
    *,
    offset_s: float | None = None,
    recording_start: str | None = None,
) -> int:
    """The session time (ms) at which the recording started.

    `offset_s`: given directly; `recording_start`: the wall time (ISO 8601 with
    a zone) the recording started, placed after the last event logged before it;
    else the last `recording_start` event; else 0 (the session's start)."""
    if offset_s is not None:
        return round(offset_s * 1000)
    events = store.events(session_id)
    if recording_start is not None:
        start = _parse_utc(recording_start)
        before = [e for e in events if _parse_utc(e["at"]) <= start]
        ref = before[-1] if before else events[0]
        delta = (start - _parse_utc(ref["at"])).total_seconds() * 1000
        return int(ref["elapsed_ms"] or 0) + round(delta)
    marks = [e for e in events if e["kind"] == EventKind.RECORDING_START]
    return int(marks[-1]["elapsed_ms"] or 0) if marks else 0


def fmt_clock(ms: int) -> str:
    """mm:ss.t (minutes grow past 59), with a sign before the recording's start."""
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    minutes, rest = divmod(ms, 60_000)
    return f"{sign}{minutes:02d}:{rest // 1000:02d}.{(rest % 1000) // 100}"


def _cue_time(ms: int, sep: str) -> str:
    h, rest = divmod(max(ms, 0), 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def caption_entries(items: list[Entry], zero_ms: int) -> list[Entry]:
    """The entries that become captions: marker kinds, on the recording (not before it)."""
    return [e for e in items if e.kind in CAPTION_KINDS and e.ms - zero_ms >= 0]


def _cue_text(e: Entry) -> str:
    # a blank line would end the cue, and "-->" would look like a timing line
    return " ".join(e.text.split()).replace("-->", "→")


def to_vtt(items: list[Entry], zero_ms: int) -> str:
    """WebVTT captions (cue times ascending, each shown CUE_MS)."""
    lines = ["WEBVTT", ""]
    for e in caption_entries(items, zero_ms):
        start = e.ms - zero_ms
        lines += [
            f"{e.event_id}",
            f"{_cue_time(start, '.')} --> {_cue_time(start + CUE_MS, '.')}",
            _cue_text(e),
            "",
        ]
    return "\n".join(lines)


def to_srt(items: list[Entry], zero_ms: int) -> str:
    """SubRip captions, numbered from 1."""
    lines: list[str] = []
    for n, e in enumerate(caption_entries(items, zero_ms), 1):
        start = e.ms - zero_ms
        lines += [
            str(n),
            f"{_cue_time(start, ',')} --> {_cue_time(start + CUE_MS, ',')}",
            _cue_text(e),
            "",
        ]
    return "\n".join(lines)


CSV_COLUMNS = [
    "session_id", "participant", "event_id", "recording_time", "session_ms", "at", "kind",
    "task_id", "task_ms", "by", "tags", "text",
]


def _row(e: Entry, zero_ms: int) -> list[Any]:
    return [
        e.session_id, e.participant, e.event_id, fmt_clock(e.ms - zero_ms), e.ms, e.at, e.kind,
        e.task_id or "", "" if e.task_ms is None else e.task_ms, e.by or "", " ".join(e.tags),
        e.text,
    ]


def to_csv(items: list[Entry], zero_ms: int | dict[int, int]) -> str:
    """CSV with a header; text cells that look like formulas are neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in items:
        zero = zero_ms if isinstance(zero_ms, int) else zero_ms.get(e.session_id, 0)
        w.writerow([safe_cell(v) for v in _row(e, zero)])
    return buf.getvalue()


def to_markdown(items: list[Entry], zero_ms: int) -> str:
    lines = ["| time | task time | what | tags |", "|---|---|---|---|"]
    for e in items:
        task = format_ms(e.task_ms) if isinstance(e.task_ms, int) else ""
        text = e.text.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {fmt_clock(e.ms - zero_ms)} | {task} | {text} | {' '.join(e.tags)} |")
    return "\n".join(lines) + "\n"


def to_table(items: list[Entry], zero_ms: int | dict[int, int], *, sessions: bool = False) -> str:
    """A readable table: time on the recording, task time, what happened."""
    out = []
    for e in items:
        zero = zero_ms if isinstance(zero_ms, int) else zero_ms.get(e.session_id, 0)
        task = format_ms(e.task_ms) if isinstance(e.task_ms, int) else ""
        who = f"{e.participant or e.session_id:<6} " if sessions else ""
        out.append(f"{who}{fmt_clock(e.ms - zero):>9}  {task:>7}  {' '.join(e.text.splitlines())}")
    return "\n".join(out) + ("\n" if out else "")
