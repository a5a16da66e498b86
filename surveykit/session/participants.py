"""The participants of a study, and opening one's session: a new one, or the
unfinished one resumed (refused when it is completed or open in another live
process)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from surveykit.definition.loader import Definition
from surveykit.definition.models import Survey
from surveykit.session.errors import StudyError
from surveykit.session.study import Now, StudySession
from surveykit.session.task_order import participant_number
from surveykit.storage.store import SessionRow, Store
from surveykit.vocabulary import Mode, Status

__all__ = [
    "ParticipantRow",
    "check_participant_id",
    "open_study",
    "participants",
    "suggest_participant",
]


@dataclass(frozen=True)
class ParticipantRow:
    """A participant's latest moderated session of one study."""

    participant: str
    session_id: int
    status: str  # in_progress | completed | abandoned | interrupted
    started_at: str
    tasks_done: int
    tasks_total: int
    resumable: bool  # its process is gone: running the console again resumes it
    open_elsewhere: bool  # another live process has it open
    site: str | None = None  # the same code at two sites is two participants

    @property
    def label(self) -> str:
        if self.status == Status.COMPLETED:
            return "completed"
        if self.open_elsewhere:
            return "open in another window"
        if self.resumable:
            return "unfinished - resume"
        return self.status.replace("_", " ")


def check_participant_id(participant: str) -> str:
    """A usable participant id (trimmed), or StudyError saying why not."""
    p = participant.strip()
    if not p:
        raise StudyError("a participant id is needed, e.g. P7")
    if len(p) > 64:
        raise StudyError("a participant id is at most 64 characters")
    if any(not ch.isprintable() for ch in p):
        raise StudyError("a participant id cannot contain control characters")
    return p


_ALL_SITES = object()


def _moderated(
    store: Store, survey_id: str, participant: str | None = None, site: object = _ALL_SITES
) -> list[SessionRow]:
    return [
        s
        for s in store.sessions(survey_id, participant=participant)
        if s.mode == Mode.MODERATE and (site is _ALL_SITES or s.site == site)
    ]


def _open_elsewhere(store: Store, s: SessionRow) -> bool:
    return s.status == Status.IN_PROGRESS and not store.is_orphan(s)


def participants(
    store: Store, survey: Survey, *, site: str | None = None
) -> list[ParticipantRow]:
    """Every participant of a study so far, with their latest session's status.

    A participant is a code at a site: P3 at two sites is two participants. With
    `site`, only that site's; without, every site's.
    """
    latest: dict[tuple[str | None, str], SessionRow] = {}
    for s in _moderated(store, survey.id, site=site if site is not None else _ALL_SITES):
        if s.participant is not None:
            latest[(s.site, s.participant)] = s
    total = len(survey.tasks.items) if survey.tasks else 0
    rows = []
    for (_, p), s in latest.items():
        done = sum(1 for r in store.task_runs(s.id) if r["outcome"] is not None)
        elsewhere = _open_elsewhere(store, s)
        rows.append(
            ParticipantRow(
                participant=p,
                session_id=s.id,
                status=s.status,
                started_at=s.started_at,
                tasks_done=done,
                tasks_total=len(s.task_order or []) or total,
                resumable=s.status in (Status.IN_PROGRESS, Status.INTERRUPTED) and not elsewhere,
                open_elsewhere=elsewhere,
                site=s.site,
            )
        )
    rows.sort(key=lambda r: r.session_id)
    return rows


def suggest_participant(rows: list[ParticipantRow]) -> str:
    """The next participant id: P<highest number so far + 1> (P1 for the first)."""
    numbers = [n for r in rows if (n := participant_number(r.participant)) is not None]
    return f"P{max(numbers, default=0) + 1}"


def open_study(
    store: Store,
    definition: Definition,
    participant: str,
    *,
    device: str | None = None,
    now: Now = time.monotonic,
    site: str | None = None,
) -> tuple[StudySession, bool]:
    """The participant's session: resumed if it was left unfinished, else a new one.

    The participant is `participant` at `site` (None: sessions without a site);
    the same code at another site is someone else.

    Returns (session, resumed). Refuses (StudyError) a participant who already
    completed the study or whose session is open in another live process.
    """
    survey = definition.survey
    if survey.tasks is None:
        raise StudyError(
            f"{definition.source_path} has no tasks: `surveykit moderate` runs studies "
            "(a file with a `tasks:` section); use `surveykit run` for a survey"
        )
    participant = check_participant_id(participant)
    sessions = _moderated(store, survey.id, participant, site=site)
    latest = sessions[-1] if sessions else None
    if latest is None or latest.status == Status.ABANDONED:
        study = StudySession.begin(store, definition, participant, device=device, now=now, site=site)
        return study, False
    if latest.status == Status.COMPLETED:
        at = f" at site {site}" if site is not None else ""
        raise StudyError(
            f"participant {participant}{at} already completed {survey.id} "
            f"(session {latest.id}); use another participant id"
        )
    if _open_elsewhere(store, latest):
        where = f"process {latest.owner_pid} on {latest.owner_host}"
        raise StudyError(
            f"participant {participant}'s session {latest.id} is open in another surveykit "
            f"window ({where}); close that one first"
        )
    order = latest.task_order or []
    missing = [tid for tid in order if tid not in {t.id for t in survey.tasks.items}]
    if missing:
        raise StudyError(
            f"{definition.source_path} no longer has the task(s) {', '.join(missing)} "
            f"of {participant}'s session {latest.id}; restore them to resume"
        )
    store.take_over(latest.id)
    if latest.definition_sha256 != definition.sha256:
        store.register_definition(definition)
        store.record_event(
            latest.id,
            "definition_changed",
            data={"from": latest.definition_sha256, "to": definition.sha256},
        )
    return StudySession.resume(store, latest.id, survey, now=now), True
