"""`surveykit observe`: follow a live moderated session read-only, and take notes.

Without a session chosen, the first screen lists the live sessions of the
study; Enter follows one. Several observers (and the moderator) may write
notes at once: each note is one short transaction on the shared file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from surveykit.session.errors import StorageError, StudyError
from surveykit.session.team import ObserverLink
from surveykit.textsafe import safe_display
from surveykit.tui.app import SurveykitApp
from surveykit.tui.screens.observer import ObserverScreen

if TYPE_CHECKING:
    from surveykit.storage.store import SessionRow


class LiveSessionsScreen(Screen[None]):
    """The live sessions of a study; Enter follows one (r refreshes the list)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "reload", "Refresh", show=False)]

    def __init__(self, title: str, rows: Callable[[], list[SessionRow]],
                 pick: Callable[[int], str | None]) -> None:
        super().__init__(id="observe-list")
        self.study_title = title
        self.rows = rows
        self.pick = pick

    def compose(self) -> ComposeResult:
        with Vertical(classes="sk-card"):
            yield Static(safe_display(self.study_title, multiline=False), classes="sk-card-title")
            yield Static("Live sessions (Enter follows one · r refreshes · ctrl+q leaves):")
            yield OptionList(id="observe-sessions")
            yield Static("", id="observe-message")

    def on_mount(self) -> None:
        self.add_class("sk-message-screen")
        self.action_reload()
        self.set_interval(2.0, self.action_reload)

    def action_reload(self) -> None:
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        rows = self.rows()
        for r in rows:
            label = f"{r.participant or '?'}  ·  session {r.id}  ·  started {r.started_at[11:19]} UTC"
            options.add_option(Option(safe_display(label, multiline=False), id=str(r.id)))
        if rows:
            options.highlighted = min(keep or 0, len(rows) - 1)
            options.focus()
            self.query_one("#observe-message", Static).update("")
        else:
            self.query_one("#observe-message", Static).update("No live session yet: waiting…")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        problem = self.pick(int(event.option.id))
        if problem:
            self.app.bell()
            self.query_one("#observe-message", Static).update(safe_display(problem))


class ObserveApp(SurveykitApp[None]):
    """An observer's screen. Give `link` to follow one session at once, or `rows`
    (the live sessions) and `join` (session id → its ObserverLink) for a list."""

    ENABLE_COMMAND_PALETTE: ClassVar[bool] = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Leave", show=False, priority=True)
    ]

    def __init__(
        self,
        title: str,
        *,
        link: ObserverLink | None = None,
        rows: Callable[[], list[SessionRow]] | None = None,
        join: Callable[[int], ObserverLink] | None = None,
    ) -> None:
        super().__init__()
        self.title = title
        self.link = link
        self._rows = rows or (lambda: [])
        self._join = join

    def on_mount(self) -> None:
        super().on_mount()
        if self.link is not None:
            self.push_screen(ObserverScreen(self.link))
        else:
            self.push_screen(LiveSessionsScreen(self.title, self._rows, self.follow))

    def follow(self, session_id: int) -> str | None:
        if self._join is None:
            return "cannot join"
        try:
            self.link = self._join(session_id)
        except (StudyError, StorageError) as e:
            return str(e)
        self.switch_screen(ObserverScreen(self.link))
        return None

    async def action_quit(self) -> None:
        self.leave()

    def leave(self) -> None:
        if self.link is not None:
            with contextlib.suppress(StorageError):
                self.link.leave()
        self.exit()

    def interrupt_session(self, by: str) -> None:
        """A signal: the observer leaves; the session is the console's."""
        if self.link is not None:
            with contextlib.suppress(StorageError):
                self.link.leave()
