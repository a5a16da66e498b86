"""`surveykit participant --db DB`: the participant's own screen in a moderated session.

Exit status: 0 when the screen is closed (ctrl+q; the session goes on on the
console); 1 when no terminal, an unusable database, or no open session to join;
128+N when signal N ended it (the session itself is the console's: unchanged).
"""

from __future__ import annotations

import sys

import click

from surveykit.cli import cli
from surveykit.cli.common import (
    UserError,
    chosen_theme,
    db_option,
    exit_status_for_signal,
    screen_preamble,
    theme_option,
)


@cli.command()
@click.option("--code", "-c", metavar="CODE", help="The join code shown on the moderator's console.")
@click.option("--participant", "-p", metavar="ID", help="Join this participant's open session.")
@db_option
@theme_option
def participant(
    code: str | None, participant: str | None, db_path: str | None, theme: str | None
) -> None:
    """Show a moderated session's participant screen on this terminal.

    Joins the session the moderator has open (by its join code, shown on the
    console's top line, or by participant id; alone when only one is open,
    else the screen asks for the code) and follows it: the intro and questions, the running task's prompt, the
    questions after each task and at the end, "please wait" in between.
    Answers are saved as they are given; run the command again after a crash
    to continue at the same question.
    """
    from surveykit.session.errors import StudyError
    from surveykit.session.team import ParticipantLink, find_session, live_sessions
    from surveykit.storage.store import Store

    theme = chosen_theme(theme)
    db = screen_preamble("participant", db_path)
    store = Store(db)
    try:
        link = None
        if code is not None or participant is not None or len(live_sessions(store)) == 1:
            try:
                row = find_session(store, code=code, participant=participant)
                link = ParticipantLink(store, row.id)
            except StudyError as e:
                raise UserError(str(e)) from None
        from surveykit.tui.participant_app import ParticipantApp

        # none or several sessions open: the screen asks for the console's join code
        app = ParticipantApp(
            link, join=lambda typed: ParticipantLink(store, find_session(store, code=typed).id)
        )
        app.use_theme(theme)
        app.run()
    finally:
        store.close()
    if app.stopped_by is not None:
        sys.exit(exit_status_for_signal(app.stopped_by))
