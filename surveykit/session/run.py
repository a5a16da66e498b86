"""Opening a `surveykit run` session: which unfinished session to offer, and
starting a new one or continuing an old one.

The policy: a session is *unfinished* when it is `interrupted`, or
`in_progress` with its process gone. With a participant, their latest session
of this survey in this mode is offered if it is unfinished; without one, only
`--resume` looks, at the latest unfinished session that has no participant (an
anonymous run is never offered someone else's session). A session started with
another version of the file is not offered (and `--resume` refuses it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from surveykit.definition.loader import Definition
from surveykit.session.survey import SurveySession
from surveykit.storage.store import SessionRow, Store
from surveykit.timeutil import Monotonic
from surveykit.vocabulary import EventKind, Status

__all__ = [
    "ERROR",
    "NOT_STARTED",
    "ResumeRefused",
    "RunOpener",
    "RunResult",
    "plan_resume",
    "resumable_session",
    "unfinished",
]


#: RunResult.status when nothing was started, or a write failed
NOT_STARTED = "not_started"
ERROR = "error"


@dataclass
class RunResult:
    """How a run ended (the front end returns it; the CLI prints it and picks the exit code)."""

    status: str  # completed | abandoned | interrupted | not_started | error
    session_id: int | None = None
    answers: int = 0
    error: str | None = None
    signal: int | None = None
    resumed: bool = False


class ResumeRefused(Exception):
    """`--resume` cannot continue anything; the message says why."""


def unfinished(store: Store, session: SessionRow) -> bool:
    """In progress with its process gone, or already marked interrupted."""
    return session.status == Status.INTERRUPTED or (
        session.status == Status.IN_PROGRESS and store.is_orphan(session)
    )


def resumable_session(
    store: Store,
    survey_id: str,
    *,
    participant: str | None,
    mode: str,
    site: str | None = None,
) -> SessionRow | None:
    """The session `run` should offer to continue, or None.

    With a participant: their latest session of this survey in this mode, if it
    is unfinished. Without one (`--resume` only): the latest unfinished session
    that has no participant. Only sessions of `site` (None: those without one):
    a participant code may repeat at another site.
    """
    rows = [
        s
        for s in store.sessions(survey_id, participant=participant)
        if s.mode == mode and s.participant == participant and s.site == site
    ]
    if not rows:
        return None
    if participant is not None:
        latest = rows[-1]
        return latest if unfinished(store, latest) else None
    candidates = [s for s in rows if unfinished(store, s)]
    return candidates[-1] if candidates else None


def plan_resume(
    store: Store,
    definition: Definition,
    *,
    participant: str | None,
    mode: str,
    resume: bool,
    source: str,
    site: str | None = None,
) -> SessionRow | None:
    """The session to continue (offered, or at once with `resume`), or None for a new
    one. ResumeRefused when `resume` finds nothing it may continue."""
    if participant is None and not resume:
        return None  # an anonymous run is never offered someone else's session
    candidate = resumable_session(
        store, definition.survey.id, participant=participant, mode=mode, site=site
    )
    if candidate is not None and candidate.definition_sha256 != definition.sha256:
        if resume:
            raise ResumeRefused(
                f"session {candidate.id} was started with a different version of {source}; "
                "it cannot be continued with this one (run without --resume to start anew)"
            )
        return None
    if candidate is None and resume:
        who = f" for participant {participant}" if participant else " without a participant"
        who += f" at site {site}" if site is not None else ""
        raise ResumeRefused(f"no unfinished '{definition.survey.id}' session{who} to continue")
    return candidate


class RunOpener:
    """Starts or continues the session of one `surveykit run` (or `run --preview`)."""

    def __init__(
        self,
        store: Store,
        definition: Definition,
        *,
        mode: str,
        participant: str | None = None,
        device: str | None = None,
        meta: dict[str, Any] | None = None,
        mono: Monotonic = time.monotonic,
        site: str | None = None,
    ) -> None:
        self.store = store
        self.site = site
        self.definition = definition
        self.mode = mode
        self.participant = participant
        self.device = device
        self.meta = meta
        self.mono = mono

    def begin(self) -> SurveySession:
        """A new session (other sessions of this survey left by dead processes are
        marked `interrupted` first); the intro, if any, is logged as shown."""
        survey = self.definition.survey
        self.store.mark_orphans_interrupted(survey.id)
        session = SurveySession.begin(
            self.store,
            self.definition,
            self.mode,
            participant=self.participant,
            device=self.device,
            meta=self.meta,
            mono=self.mono,
            site=self.site,
        )
        session.seed = self._seed_for(session.session_id)
        if survey.intro:
            session.log(EventKind.INTRO_SHOWN)
        return session

    def resume(self, candidate: SessionRow) -> SurveySession:
        """Continue `candidate` in this process, its answers put back."""
        self.store.take_over(candidate.id)
        self.store.mark_orphans_interrupted(self.definition.survey.id)
        return SurveySession(
            self.store,
            self.definition,
            candidate.id,
            seed=self._seed_for(candidate.id),
            mode=self.mode,
            stored=self.store.answers(candidate.id),
            mono=self.mono,
        )

    def answers_saved(self, session_id: int | None) -> int:
        """How many answers a session has on disk (for the closing summary)."""
        if session_id is None:
            return 0
        return len(self.store.answers(session_id))

    def _seed_for(self, session_id: int) -> str:
        """Option shuffling depends on the session only, so a resumed session shows the same order."""
        row = self.store.session(session_id)
        return f"{row.survey_id}:{row.id}:{row.started_at}"
