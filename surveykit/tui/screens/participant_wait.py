"""The participant screen between question blocks: "please wait", the running
task's prompt (never its success criterion, timer or codes), or thank you."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from surveykit.session.team import ParticipantView
from surveykit.tui.widgets import PlainText

WAIT_TITLE = "Please wait"
WAIT_TEXT = "The moderator will tell you what to do next."
ELSEWHERE_TEXT = "The questions are being answered on the moderator's screen."
DONE_TITLE = "Thank you!"
DONE_TEXT = "That is all. Thank you for taking part."
ENDED_TEXT = "The session is paused. Please wait for the moderator."


class ParticipantWaitScreen(Screen[None]):
    """One card whose title and text follow the session (`show`)."""

    def __init__(self, study_title: str) -> None:
        super().__init__(id="pt-wait")
        self.study_title = study_title
        self.add_class("sk-message-screen")
        self.heading = WAIT_TITLE
        self.body = WAIT_TEXT
        self.note = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="sk-card", id="pt-card"):
            yield PlainText(self.study_title, classes="sk-card-note", id="pt-study")
            yield PlainText(self.heading, classes="sk-card-title", id="pt-title")
            yield PlainText(self.body, classes="sk-card-text", id="pt-text")
            yield PlainText(self.note, classes="sk-card-note", id="pt-note")

    def show(self, view: ParticipantView, *, outro: str | None = None, ended: bool = False) -> None:
        """Draw a view of the session (`wait`, `elsewhere`, `task` or `done`)."""
        note = ""
        if ended and view.kind != "done":
            title, body = WAIT_TITLE, ENDED_TEXT
        elif view.kind == "task" and view.task is not None:
            title = f"Task {view.position} of {view.total}: {view.task.title}"
            body = view.task.prompt
            note = "Tell the moderator when you are done."
        elif view.kind == "done":
            title, body = DONE_TITLE, outro or DONE_TEXT
        elif view.kind == "elsewhere":
            title, body = WAIT_TITLE, ELSEWHERE_TEXT
        else:
            title, body = WAIT_TITLE, WAIT_TEXT
        self.heading, self.body, self.note = title, body, note
        if self.is_mounted:
            self.query_one("#pt-title", PlainText).set_text(title)
            self.query_one("#pt-text", PlainText).set_text(body)
            self.query_one("#pt-note", PlainText).set_text(note)
