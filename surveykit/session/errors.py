"""The errors a front end catches from the session layer, in one place, so that
it need not import storage: a write that failed (`StorageError`: say so, keep
the screen) and an action that does not apply now (`StudyError`)."""

from __future__ import annotations

from collections.abc import Iterable

from surveykit.storage.store import StorageError

__all__ = ["StorageError", "StudyError"]


class StudyError(Exception):
    """An action that does not apply now. The message says what to do instead in
    words; `actions` names the moderator actions that would (the front end shows
    their keys)."""

    def __init__(self, message: str, actions: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.actions: tuple[str, ...] = tuple(actions)
