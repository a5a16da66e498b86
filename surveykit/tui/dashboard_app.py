"""`surveykit dashboard`: a survey's headline numbers, refreshed while others write.

The app never touches the database nor the scoring layer: the command hands it
`fetch`, a function
that scores the file afresh (read-only, a connection per refresh, so it holds
no lock and no long read transaction that would keep the writers' log from
being checkpointed). `fetch` runs in a thread, so the screen stays responsive;
when it fails (a file being replaced, a moment of lock contention) the last
numbers stay on screen with the error in the status line.

Keys: ←/→ (or tab) switch survey, ↑/↓ scroll, r refresh now, q quit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

if TYPE_CHECKING:
    from surveykit.scoring.results import Metric, ScoreReport, SurveyScores

#: metrics shown (the others are in `surveykit score`); in the order they come
SHOWN = {
    "nps", "csat_top2", "csat_mean", "ces_mean", "seq_mean", "rating_mean", "sus", "umux_lite",
    "completion", "time_on_task", "errors_mean", "abandonment",
}
BAR = 12
#: how a metric's value and interval are written (the command passes `score`'s own)
Formats = tuple[Callable[["Metric"], str], Callable[["Metric"], str]]


def _plain_value(m: Metric) -> str:
    return "—" if m.estimate.value is None else f"{m.estimate.value:.2f}"


def _plain_interval(m: Metric) -> str:
    e = m.estimate
    return "" if e.low is None or e.high is None else f"[{e.low:.2f}, {e.high:.2f}]"


def bar(m: Metric) -> str:
    """The value as a small bar on its scale (a chart that fits a table cell)."""
    v = m.estimate.value
    if v is None:
        return ""
    if m.unit == "%":
        share = v / 100.0
    elif m.metric == "nps":
        share = (v + 100.0) / 200.0
    elif m.unit == "score":
        share = v / 100.0
    elif m.details.get("scale") and None not in m.details["scale"]:
        lo, hi = m.details["scale"]
        share = (v - lo) / (hi - lo) if hi > lo else 0.0
    else:
        return ""
    filled = round(max(0.0, min(1.0, share)) * BAR)
    return "█" * filled + "░" * (BAR - filled)


class DashboardApp(App[None]):
    CSS = """
    #surveys { height: 1; background: $boost; }
    #status { height: 1; color: $text-muted; }
    #sessions { height: 1; text-style: bold; }
    DataTable { height: 1fr; }
    """
    TITLE = "surveykit dashboard"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "survey(-1)", "previous survey"),
        Binding("right,tab", "survey(1)", "next survey"),
        Binding("r", "refresh", "refresh now"),
        Binding("q,escape", "quit", "quit"),
    ]

    def __init__(self, fetch: Callable[[], ScoreReport], *, every: float = 5.0,
                 scope: str = "", formats: Formats | None = None) -> None:
        super().__init__()
        self.fetch = fetch
        self.formats = formats or (_plain_value, _plain_interval)
        self.every = every
        self.scope = scope
        self.report: ScoreReport | None = None
        self.index = 0
        self.refreshes = 0
        self.error = ""
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(id="surveys")
        yield Static(id="sessions")
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("metric", "n", "value", "interval", "")
        self.action_refresh()
        self.set_interval(self.every, self.action_refresh)

    # --- refreshing ---------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self._busy:
            return  # the last one is still reading: never pile up readers
        self._busy = True
        self.run_worker(self._load, thread=True, exclusive=True, group="fetch")

    def _load(self) -> None:
        try:
            report = self.fetch()
        except Exception as e:  # the file may be mid-replacement: keep the last numbers
            self.call_from_thread(self._failed, str(e))
        else:
            self.call_from_thread(self._show, report)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.error = message
        self._draw()

    def _show(self, report: ScoreReport) -> None:
        self._busy = False
        self.report = report
        self.error = ""
        self.refreshes += 1
        self.index = min(self.index, max(0, len(report.surveys) - 1))
        self._draw()

    # --- drawing ------------------------------------------------------------------------

    def action_survey(self, step: int) -> None:
        if self.report and self.report.surveys:
            self.index = (self.index + step) % len(self.report.surveys)
            self._draw()

    def current(self) -> SurveyScores | None:
        if not self.report or not self.report.surveys:
            return None
        return self.report.surveys[self.index]

    def _draw(self) -> None:
        format_value, format_interval = self.formats
        names = Text()
        surveys = self.report.surveys if self.report else []
        for i, each in enumerate(surveys):
            names.append(f" {each.survey_id} ", style="reverse bold" if i == self.index else "")
        self.query_one("#surveys", Static).update(names if surveys else Text(" no sessions yet"))
        table = self.query_one(DataTable)
        table.clear()
        s = self.current()
        sessions = self.query_one("#sessions", Static)
        if s is None:
            sessions.update(Text(f"0 sessions{self.scope}"))
        else:
            counts: dict[str, int] = {}
            for g in s.groups:
                for k, v in g.sessions.items():
                    counts[k] = counts.get(k, 0) + v
            parts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()
                              if k != "started" and v)
            sessions.update(Text(f"{counts.get('started', 0):,} sessions{self.scope}"
                                 + (f": {parts}" if parts else "")))
            for g in s.groups:
                for m in g.metrics:
                    if m.metric not in SHOWN:
                        continue
                    label = m.label if not m.task_id else f"{m.task_id}: {m.label}"
                    if m.question_id and not m.task_id and m.metric != "sus":
                        label = f"{m.question_id}: {m.label}"
                    table.add_row(Text(label), f"{m.estimate.n:,}", format_value(m),
                                  format_interval(m), bar(m))
        stamp = time.strftime("%H:%M:%S")
        status = f" updated {stamp} · every {self.every:g} s · ←/→ survey · r refresh · q quit"
        if self.error:
            status = f" not updated ({self.error}) · {stamp}"
        self.query_one("#status", Static).update(Text(status))


def run(fetch: Callable[[], Any], *, every: float, scope: str, formats: Formats) -> None:
    DashboardApp(fetch, every=every, scope=scope, formats=formats).run()
