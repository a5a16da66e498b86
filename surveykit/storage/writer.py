"""What the session layer needs from storage to run a session: `SessionWriter`.

Both `Store` (writes at once) and the kiosk's `KioskWriter` (writes queued, in
order, while the database fails) are one, structurally: nothing needs a cast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from surveykit.definition.record import Definition

__all__ = ["SessionWriter"]


class SessionWriter(Protocol):
    """The calls a session makes while someone answers: start and finish the
    session, log what is shown and done, commit answers."""

    def start_session(
        self,
        definition: Definition,
        mode: str,
        *,
        participant: str | None = None,
        device: str | None = None,
        meta: dict[str, Any] | None = None,
        site: str | None = None,
    ) -> int: ...

    def record_shown(
        self,
        session_id: int,
        question_id: str,
        task_id: str = "",
        data: dict[str, Any] | None = None,
    ) -> str: ...

    def shown_keys(self, session_id: int, task_id: str = "") -> set[str]: ...

    def record_answer(
        self,
        session_id: int,
        question_id: str,
        value: Any,
        *,
        task_id: str = "",
        is_na: bool = False,
        shown_at: str | None = None,
        response_ms: int | None = None,
    ) -> None: ...

    def clear_answer(
        self, session_id: int, question_id: str, task_id: str = "", reason: str = ""
    ) -> None: ...

    def record_event(
        self,
        session_id: int,
        kind: str,
        *,
        task_id: str | None = None,
        question_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> object: ...

    def finish_session(self, session_id: int, status: str = "completed") -> None: ...
