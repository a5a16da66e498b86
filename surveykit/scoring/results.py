"""What `surveykit score` produces: options in, a report of metrics out (no SQL, no formulas).

`ScoreReport.as_dict()` is the `--json` structure documented in docs/analysts.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveykit.scoring.stats import Estimate

__all__ = ["GroupScores", "Metric", "ScoreError", "ScoreOptions", "ScoreReport", "SurveyScores"]


class ScoreError(ValueError):
    """A request that cannot be scored as asked (unknown survey, unknown --by key)."""


@dataclass(frozen=True)
class ScoreOptions:
    confidence: float = 0.95
    survey: str | None = None
    since: str | None = None  # stored UTC form (see queries.parse_moment)
    until: str | None = None
    completed_only: bool = False
    partial_as_success: bool = False
    times: str = "success"  # "success" | "all"
    by: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "confidence": self.confidence,
            "survey": self.survey,
            "since": self.since,
            "until": self.until,
            "completed_only": self.completed_only,
            "partial_as_success": self.partial_as_success,
            "times": self.times,
            "by": list(self.by),
        }


@dataclass(frozen=True)
class Metric:
    """One figure: what it is, what it is about, and its estimate."""

    metric: str  # stable machine name: nps, csat_top2, sus, completion, …
    label: str  # short human name
    estimate: Estimate
    unit: str  # "%", "points", "mean", "score", "s", "count"
    method: str  # "adjusted-wald", "t", "log-t", "" (no interval)
    question_id: str = ""
    task_id: str = ""
    subject: str = ""  # question text or task title
    details: dict[str, Any] = field(default_factory=dict)
    #: The observations behind the estimate, as a histogram {value: count}: the answers
    #: of a mean, the SUS scores, the times in seconds, the 0-10 answers of NPS, and
    #: {1: hits, 0: misses} for a proportion. None where there is none. Not part of
    #: `as_dict` (the JSON is unchanged): `compare` and the HTML report read it.
    sample: Mapping[float, int] | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "label": self.label,
            "question_id": self.question_id or None,
            "task_id": self.task_id or None,
            "subject": self.subject or None,
            **self.estimate.as_dict(),
            "unit": self.unit,
            "method": self.method or None,
            "details": self.details,
        }


@dataclass
class GroupScores:
    group: dict[str, str]  # {} when not grouped; else {by key: value}
    sessions: dict[str, int]  # started + one count per status
    metrics: list[Metric]

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "sessions": self.sessions,
            "metrics": [m.as_dict() for m in self.metrics],
        }


@dataclass
class SurveyScores:
    survey_id: str
    title: str
    groups: list[GroupScores]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey_id,
            "title": self.title,
            "groups": [g.as_dict() for g in self.groups],
            "warnings": self.warnings,
        }


@dataclass
class ScoreReport:
    database: str
    options: ScoreOptions
    surveys: list[SurveyScores]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": "surveykit-score/1",
            "database": self.database,
            "confidence": self.options.confidence,
            "options": self.options.as_dict(),
            "surveys": [s.as_dict() for s in self.surveys],
        }
