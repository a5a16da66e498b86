"""A moderated session followed on several screens: the console, a participant
screen and observers, each its own process on the one SQLite file.

Plain Python, no UI. Each screen has a row in `session_screens` (who, where,
what it is doing, when last seen) and follows the session through the
`events` log: it polls the id of the session's latest event (one indexed
query) and rebuilds its `StudySession` from the log when that changes, so a
screen shows what the console did within one poll (`POLL_S`) plus the rebuild.

Who answers a block of questions is decided here, never in a front end:

* a block is **claimed** by the console (its screen row says `asking:<block>`)
  or by the participant screen (a `block_claim` event), in one transaction, so
  two screens never ask the same block;
* the console asks the block itself when no participant screen is there (the
  one-terminal flow of before), and leaves it to a live participant screen;
* a claim held by a participant screen that is gone can be taken over by the
  console (`ConsoleLink.decide(take_over=True)`, the moderator pressing Enter);
  a participant screen that comes back continues a block it holds at the first
  question not yet answered.

Answers go through `StudySession.question_run` / `finish_block` (QuestionRun):
committed before the screen moves on, whichever screen gives them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from surveykit.definition.models import Survey, Task
from surveykit.session.errors import StudyError
from surveykit.session.questions import QuestionRun
from surveykit.session.study import Block, StudySession
from surveykit.session.tags import parse_tags
from surveykit.storage.store import SessionRow, Store
from surveykit.vocabulary import EventKind, Mode, Status

__all__ = [
    "HEARTBEAT_S",
    "POLL_S",
    "STALE_S",
    "ConsoleLink",
    "ObserverLink",
    "ParticipantLink",
    "ParticipantView",
    "Role",
    "block_key",
    "describe",
    "find_session",
    "live_sessions",
    "new_join_code",
    "pending_block",
    "survey_of",
]

#: How often a following screen looks for new events (seconds).
POLL_S = 0.1
#: How often a screen says it is still there (seconds).
HEARTBEAT_S = 1.0
#: A screen on another machine not seen for this long is gone.
STALE_S = 5.0
#: Join codes: short, no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 4

Role = Literal["console", "participant", "observer"]
Answerer = Literal["console", "participant"]

BLOCK_LABELS: dict[Block, str] = {
    "questions": "the opening questions",
    "after_each": "the questions after task",
    "after": "the closing questions",
}


def block_key(block: Block, task_id: str | None = None) -> str:
    """The name a block is claimed by: `questions`, `after`, `after_each:<task>`."""
    return f"after_each:{task_id}" if block == "after_each" else block


def pending_block(study: StudySession) -> tuple[Block, str | None] | None:
    """The block of questions the session waits for now (with its task), or None."""
    phase = study.phase
    if phase == "questions":
        return ("questions", None)
    if phase == "after_each":
        pending = study.after_each_pending
        return ("after_each", pending.id if pending else None)
    if phase == "after":
        return ("after", None)
    return None


def new_join_code(rng: random.Random | None = None) -> str:
    r = rng or random.SystemRandom()
    return "".join(r.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def survey_of(store: Store, session: SessionRow) -> Survey:
    """The study definition a session was run with (from the database itself)."""
    body = store.definition_body(session.definition_sha256)
    if body is None:
        raise StudyError(f"session {session.id} has no stored definition")
    return Survey.model_validate(json.loads(body))


def live_sessions(store: Store, survey_id: str | None = None) -> list[SessionRow]:
    """Moderated sessions in progress whose console is open (oldest first)."""
    consoles: dict[int, bool] = {}
    for row in store.screens():
        if row["role"] == "console" and store.screen_alive(row, STALE_S):
            consoles[int(row["session_id"])] = True
    return [
        s
        for s in store.sessions(survey_id, status=Status.IN_PROGRESS)
        if s.mode == Mode.MODERATE and consoles.get(s.id)
    ]


def find_session(
    store: Store,
    *,
    code: str | None = None,
    participant: str | None = None,
    survey_id: str | None = None,
) -> SessionRow:
    """The live moderated session a screen joins: by the console's join code, by
    participant id, or the only one there is. StudyError says why none fits."""
    live = live_sessions(store, survey_id)
    if code is not None:
        wanted = code.strip().upper()
        ids = set(store.sessions_with_code(wanted))
        found = [s for s in live if s.id in ids]
        if not found:
            raise StudyError(f"no open session has the join code {wanted}: check the console")
        return found[-1]
    if participant is not None:
        found = [s for s in live if s.participant == participant.strip()]
        if not found:
            raise StudyError(
                f"participant {participant.strip()} has no session open on a console: "
                "start it with `surveykit moderate FILE --participant "
                f"{participant.strip()}` first"
            )
        return found[-1]
    if len(live) == 1:
        return live[0]
    if not live:
        raise StudyError("no moderated session is open: start one with `surveykit moderate` first")
    names = ", ".join(f"{s.participant} ({s.survey_id})" for s in live)
    raise StudyError(f"several sessions are open ({names}): give --code or --participant")


class _Heartbeat:
    """A screen's row in `session_screens`, kept fresh at most every HEARTBEAT_S."""

    def __init__(self, store: Store, screen_id: int, *, mono: Callable[[], float]) -> None:
        self.store = store
        self.screen_id = screen_id
        self._mono = mono
        self._last = mono()
        self.state: str | None = None

    def beat(self, state: str | None = None) -> None:
        now = self._mono()
        if state is not None and state != self.state:
            self.store.screen_seen(self.screen_id, state)
            self.state = state
            self._last = now
        elif now - self._last >= HEARTBEAT_S:
            self.store.screen_seen(self.screen_id)
            self._last = now

    def close(self, state: str | None = None) -> None:
        self.store.close_screen(self.screen_id, state)


def _participant_screen(store: Store, session_id: int) -> dict[str, Any] | None:
    """The newest participant screen of a session that is still there."""
    for row in reversed(store.screens(session_id)):
        if row["role"] == "participant" and store.screen_alive(row, STALE_S):
            return row
    return None


# --- the console ---------------------------------------------------------------------


class ConsoleLink:
    """The console's side: its join code, the participant screen it sees, and which
    screen answers the block of questions that is due."""

    def __init__(
        self, store: Store, study: StudySession, *, mono: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.study = study
        sid = study.session_id
        codes = [r["join_code"] for r in store.screens(sid) if r["role"] == "console" and r["join_code"]]
        self.code: str = codes[-1] if codes else new_join_code()
        self._beat = _Heartbeat(
            store, store.open_screen(sid, "console", join_code=self.code, state="console"), mono=mono
        )
        self.cursor = store.last_event_id(sid)
        self._participant: dict[str, Any] | None = None
        self._looked_at = -1e9
        self._mono = mono

    @property
    def screen_id(self) -> int:
        return self._beat.screen_id

    def poll(self) -> bool:
        """Take in what other screens logged (block ends, observers' notes); True when
        the session changed. Keeps the console's row fresh."""
        self._beat.beat()
        changed = False
        if self._mono() - self._looked_at >= HEARTBEAT_S / 2:
            before = self._participant_state_key()
            self._participant = _participant_screen(self.store, self.study.session_id)
            self._looked_at = self._mono()
            changed = before != self._participant_state_key()
        last = self.store.last_event_id(self.study.session_id)
        if last != self.cursor:
            events = self.store.events_after(self.study.session_id, self.cursor)
            self.cursor = last
            changed = self.study.absorb(events) or changed
        return changed

    def _participant_state_key(self) -> tuple[Any, ...] | None:
        p = self._participant
        return None if p is None else (p["id"], p["state"])

    @property
    def participant_joined(self) -> bool:
        return self._participant is not None

    @property
    def participant_state(self) -> str | None:
        """What the participant screen is doing ("waiting", "answering SEQ for task 2"…),
        None when no participant screen is there."""
        p = self._participant
        if p is None:
            return None
        return str(p["state"] or "joined")

    def refresh_participant(self) -> None:
        self._participant = _participant_screen(self.store, self.study.session_id)
        self._looked_at = self._mono()

    def decide(self, *, take_over: bool = False) -> Answerer:
        """Who answers the block that is due: "console" (this terminal asks it now;
        the claim is taken) or "participant" (a participant screen does, or holds
        it; `take_over` takes a claim from a participant screen that is gone)."""
        due = pending_block(self.study)
        if due is None:
            return "console"
        block, task_id = due
        key = block_key(block, task_id)
        self.refresh_participant()
        present = self._participant is not None
        holder = self.store.block_holder(self.study.session_id, key, stale_s=STALE_S)
        if holder == "participant" or (holder is None and present):
            if present or not take_over:
                return "participant"
        got = self.store.claim_block(
            self.study.session_id, key, "console", screen_id=self.screen_id,
            task_id=task_id, force=take_over, stale_s=STALE_S,
        )
        return "console" if got == "console" else "participant"

    def asked(self) -> None:
        """The console finished (or left) the block it asked: its claim lapses."""
        self._beat.state = None  # the claim set the row's state behind the heartbeat's back
        self._beat.beat("console")

    def close(self) -> None:
        self._beat.close("closed")


# --- the participant screen ------------------------------------------------------------


ViewKind = Literal["questions", "task", "wait", "elsewhere", "done"]


@dataclass(frozen=True)
class ParticipantView:
    """What the participant screen shows now; `key` changes when the screen must."""

    kind: ViewKind
    key: str
    block: Block | None = None
    task: Task | None = None  # the running task (its prompt), or the task a block is about
    position: int | None = None
    total: int = 0


class _Follower:
    """A screen that follows a session from the events log (participant, observer)."""

    role: Role = "observer"

    def __init__(
        self,
        store: Store,
        session_id: int,
        survey: Survey | None = None,
        *,
        name: str | None = None,
        mono: Callable[[], float] = time.monotonic,
        state: str | None = None,
    ) -> None:
        self.store = store
        self.session_id = session_id
        row = store.session(session_id)
        self.session_row = row
        self.survey = survey if survey is not None else survey_of(store, row)
        self._console_id: int | None = None
        self._follow_console()
        self.name = name
        self._mono = mono
        self._beat = _Heartbeat(
            store, store.open_screen(session_id, self.role, name=name, state=state), mono=mono
        )
        self.cursor = -1
        self.study = self._rebuild()

    def _follow_console(self) -> None:
        """Count session time as the newest console does (again after it resumed)."""
        consoles = [r for r in self.store.screens(self.session_id) if r["role"] == "console"]
        console = consoles[-1] if consoles else None
        cid = console["id"] if console else None
        if cid is not None and cid == self._console_id:
            return
        self._console_id = cid
        self.store.follow_session_clock(
            self.session_id,
            console["host"] if console else None,
            console["mono_anchor"] if console else None,
        )

    def _rebuild(self) -> StudySession:
        self.cursor = self.store.last_event_id(self.session_id)
        self.session_row = self.store.session(self.session_id)
        self._follow_console()
        return StudySession.resume(self.store, self.session_id, self.survey, now=self._mono)

    def poll(self) -> bool:
        """True when the session changed since the last poll (the study is rebuilt)."""
        self._beat.beat()
        if self.store.last_event_id(self.session_id) == self.cursor:
            return False
        self.study = self._rebuild()
        return True

    @property
    def ended(self) -> bool:
        """The session is over (completed), or the console closed it."""
        return self.session_row.status != Status.IN_PROGRESS

    def leave(self) -> None:
        self._beat.close("left")


class ParticipantLink(_Follower):
    """The participant screen's side: what to show, and the blocks it answers."""

    role: Role = "participant"

    def __init__(
        self,
        store: Store,
        session_id: int,
        survey: Survey | None = None,
        *,
        mono: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(store, session_id, survey, mono=mono, state="waiting")

    def view(self) -> ParticipantView:
        s = self.study
        total = len(s.tasks)
        if s.completed or s.phase == "done":
            return ParticipantView("done", "done", total=total)
        due = pending_block(s)
        if due is not None:
            block, task_id = due
            key = block_key(block, task_id)
            holder = self.store.block_holder(self.session_id, key, stale_s=STALE_S)
            task = s.task(task_id).task if task_id else None
            position = s.task(task_id).position if task_id else None
            if holder == "console":
                return ParticipantView("elsewhere", f"elsewhere:{key}", block, task, position, total)
            return ParticipantView("questions", key, block, task, position, total)
        t = s.current
        if t is not None and t.started and t.status in ("running", "paused", "ended"):
            return ParticipantView("task", f"task:{t.id}", None, t.task, t.position, total)
        return ParticipantView("wait", "wait", total=total)

    def claim(self, view: ParticipantView) -> bool:
        """Take the block of a `questions` view; False when another screen has it."""
        if view.block is None:
            return False
        task_id = view.task.id if view.task is not None and view.block == "after_each" else None
        got = self.store.claim_block(
            self.session_id, view.key, "participant", screen_id=self._beat.screen_id,
            task_id=task_id, stale_s=STALE_S,
        )
        return got == "participant"

    def question_run(self, view: ParticipantView) -> QuestionRun:
        """The block's QuestionRun, at the first question not yet answered (claim first)."""
        if view.block is None:
            raise StudyError("nothing to answer now")
        return self.study.question_run(view.block)

    def intro_due(self, view: ParticipantView) -> bool:
        """Show the study's intro before the opening questions (nothing shown yet)."""
        return view.block == "questions" and bool(self.survey.intro) and self.study.questions_fresh()

    def finish_block(self, view: ParticipantView) -> None:
        """The block is answered: logged as `block_end` (the console moves on)."""
        if view.block is None:
            return
        self.study = self._rebuild()
        due = pending_block(self.study)
        if due is None or block_key(*due) != view.key:
            return  # already finished (by this screen before a crash, or the console)
        self.study.finish_block(view.block)
        self.cursor = self.store.last_event_id(self.session_id)

    def say(self, state: str) -> None:
        """Tell the console what this screen is doing."""
        self._beat.beat(state)


def describe(view: ParticipantView, step_title: str | None = None) -> str:
    """The participant screen's state as the console shows it."""
    if view.kind == "done":
        return "done"
    if view.kind == "task":
        return f"showing task {view.position}"
    if view.kind in ("wait", "elsewhere"):
        return "waiting"
    what = step_title or "questions"
    if view.block == "after_each":
        return f"answering {what} for task {view.position}"
    if view.block == "after":
        return f"answering {what} (closing)"
    return f"answering {what} (opening)"


# --- observers -----------------------------------------------------------------------


class ObserverLink(_Follower):
    """An observer's side: the session as it happens (read-only) and their notes."""

    role: Role = "observer"

    def __init__(
        self,
        store: Store,
        session_id: int,
        survey: Survey | None = None,
        *,
        name: str | None = None,
        mono: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(store, session_id, survey, name=name, mono=mono, state="observing")

    def _rebuild(self) -> StudySession:
        study = super()._rebuild()
        # the current task's last saved active time and the session time it was saved at
        self._saved: tuple[int, int] | None = None
        t = study.current if study.phase == "tasks" else None
        if t is not None and t.started:
            for e in self.store.events(self.session_id):
                if e["task_id"] != t.id:
                    continue
                data = e["data"] or {}
                if e["kind"] in (EventKind.TASK_START, EventKind.RESTART):
                    self._saved = (0, int(e["elapsed_ms"]))
                elif isinstance(data.get("active_ms"), int):
                    self._saved = (int(data["active_ms"]), int(e["elapsed_ms"]))
        return study

    def task_ms(self) -> int | None:
        """The current task's time now, None before it starts: its last saved active
        time, plus the session time since then while it runs."""
        t = self.study.current if self.study.phase == "tasks" else None
        if t is None or not t.started or self._saved is None:
            return None
        active, at = self._saved
        if t.status == "running":
            return active + max(0, self.store.elapsed_ms(self.session_id) - at)
        return t.active_ms

    def note(self, text: str, *, task_ms: int | None = None) -> list[str]:
        """Save an observer's note on the current task (once started) or the session,
        with its task time (`task_ms`: when the observer began typing; else now),
        tags and author; returns the tags."""
        text = text.strip()
        if not text:
            raise StudyError("empty note not saved")
        tags = parse_tags(text)
        data: dict[str, Any] = {"text": text, "role": "observer"}
        if self.name:
            data["by"] = self.name
        if tags:
            data["tags"] = tags
        t = self.study.current if self.study.phase == "tasks" else None
        task_id = None
        if t is not None and t.started and t.status != "pending":
            task_id = t.id
            ms = self.task_ms() if task_ms is None else task_ms
            if ms is not None:
                data["task_ms"] = ms
        self.store.record_event(self.session_id, EventKind.NOTE, task_id=task_id, data=data)
        return tags

    def mark_recording(self) -> None:
        """The screen recording starts now: the timeline's zero."""
        self.store.record_event(
            self.session_id, EventKind.RECORDING_START, data={"by": self.name or "observer"}
        )
