"""Offer to continue an unfinished session (after a crash, a kill or a closed terminal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button

from surveykit.tui.widgets import PlainText

CONTINUE = "continue"
RESTART = "restart"


@dataclass(frozen=True)
class ResumeOffer:
    session_id: int
    participant: str | None
    started_at: str  # UTC ISO 8601
    answers: int

    def describe(self) -> str:
        who = f"{self.participant} has" if self.participant else "There is"
        answers = "1 answer" if self.answers == 1 else f"{self.answers} answers"
        return (
            f"{who} an unfinished session (#{self.session_id}) started {local_time(self.started_at)}, "
            f"with {answers} saved."
        )


def local_time(iso: str) -> str:
    """`10:15 on 22 Nov 2026` in the local time zone (the ISO text if unreadable)."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return moment.strftime("%H:%M on %d %b %Y")


class ResumeScreen(Screen[str]):
    """Continue (keep every confirmed answer) or start again; dismisses with the choice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "app.focus_previous", "Previous", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, offer: ResumeOffer, *, title: str) -> None:
        super().__init__()
        self.offer = offer
        self.survey_title = title
        self.add_class("sk-message-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="sk-card"):
            yield PlainText(self.survey_title, classes="sk-card-title")
            yield PlainText(self.offer.describe(), classes="sk-card-text")
            yield PlainText(
                "Continue where it stopped, or start again (the unfinished session is kept "
                "as 'interrupted').",
                classes="sk-card-note",
            )
            with Horizontal(classes="sk-card-buttons"):
                yield Button("Continue", id="sk-resume", variant="primary")
                yield Button("Start again", id="sk-restart")

    def on_mount(self) -> None:
        self.query_one("#sk-resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(CONTINUE if event.button.id == "sk-resume" else RESTART)
