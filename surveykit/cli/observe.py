"""`surveykit observe FILE`: follow a live moderated session read-only, with notes.

Exit status: 0 when closed (ctrl+q); 1 for a bad file, no terminal, an unusable
database or no such live session; 128+N when signal N ended it (the session
itself is the console's: unchanged).
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
    load_definition,
    screen_preamble,
    theme_option,
)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--participant", "-p", metavar="ID", help="Follow this participant's live session.")
@click.option("--code", "-c", metavar="CODE", help="Follow the session with this join code.")
@click.option("--as", "name", metavar="NAME", help="Your name, stored with your notes.")
@db_option
@theme_option
def observe(
    file: str,
    participant: str | None,
    code: str | None,
    name: str | None,
    db_path: str | None,
    theme: str | None,
) -> None:
    """Follow a moderated session of FILE read-only and take notes with #tags.

    \b
    Lists the live sessions of the study (--participant P7 goes straight to
    one) and follows it as it happens: task list, current task, timer,
    outcomes, errors, hints and notes. Keys:
      n  write a note; #words in it are its tags (#nav #pain-point)
      m  mark the start of the screen recording (the timeline's zero)
      ctrl+q leave (the session goes on)
    """
    from surveykit.session.errors import StudyError
    from surveykit.session.team import ObserverLink, find_session, live_sessions
    from surveykit.storage.store import Store

    theme = chosen_theme(theme)
    definition = load_definition(file)
    survey = definition.survey
    if survey.tasks is None:
        raise UserError(f"{file} has no tasks: `surveykit observe` follows moderated studies")
    who = name.strip() if name and name.strip() else None
    db = screen_preamble("observe", db_path)
    store = Store(db)
    try:
        link = None
        if participant is not None or code is not None:
            try:
                row = find_session(store, code=code, participant=participant, survey_id=survey.id)
                link = ObserverLink(store, row.id, name=who)
            except StudyError as e:
                raise UserError(str(e)) from None
        from surveykit.tui.observe_app import ObserveApp

        app = ObserveApp(
            survey.title,
            link=link,
            rows=lambda: live_sessions(store, survey.id),
            join=lambda sid: ObserverLink(store, sid, name=who),
        )
        app.use_theme(theme)
        app.run()
    finally:
        store.close()
    if app.stopped_by is not None:
        sys.exit(exit_status_for_signal(app.stopped_by))
