"""What an export is asked to do, and what it reports back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from surveykit.storage.queries import SessionFilter

FORMATS = ("csv", "jsonl")
TABLES = ("sessions", "answers", "responses", "task_runs", "events", "codebook")


class Progress(Protocol):
    def start(self, name: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...


class NoProgress:
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
