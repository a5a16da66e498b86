"""`surveykit moderate FILE [--participant P7]`: the moderator console for a study.

Exit status: 0 when the console is closed (ctrl+q; an unfinished session stays
resumable); 1 for a bad file, no terminal, an unusable database or a
participant who cannot be opened; 128+N when signal N (SIGINT 130, SIGHUP 129,
SIGTERM 143) ended it: the session is saved as `interrupted`, a running task
paused with its active time kept.
"""

from __future__ import annotations

import sys

import click

from surveykit.cli import cli
from surveykit.cli.base import echo
from surveykit.cli.common import (
    UserError,
    chosen_theme,
    db_option,
    exit_status_for_signal,
    lang_option,
    load_definition,
    screen_preamble,
    site_option,
    theme_option,
)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--participant",
    "-p",
    metavar="ID",
    help="Participant id, e.g. P7 (its number picks the latin-square row). "
    "An unfinished session of this participant is resumed. "
    "Without it, a screen lists the participants so far and starts a new one.",
)
@click.option("--device", metavar="NAME", help="Stored with the session (e.g. lab-laptop-2).")
@db_option
@lang_option
@site_option
@theme_option
def moderate(
    file: str,
    participant: str | None,
    device: str | None,
    db_path: str | None,
    lang: str | None,
    site: str | None,
    theme: str | None,
) -> None:
    """Moderate a usability study: timed tasks with one-key outcome coding.

    \b
    Keys on the console:
      s start   y/p/f/a/t (or 1-5) success/partial/fail/abandoned/timeout
      k skip    u undo the outcome   e error   h hint   space pause/resume
      r restart n note   enter next  ctrl+q close (the session stays resumable)

    If surveykit stops mid-session (a crash, SIGINT/SIGTERM/SIGHUP), run the
    same command again: the session resumes where it was, with every event kept.
    """
    from surveykit.session.errors import StudyError
    from surveykit.session.participants import open_study
    from surveykit.storage.store import Store

    theme = chosen_theme(theme)
    definition = load_definition(file, lang)
    if definition.survey.tasks is None:
        raise UserError(
            f"{file} has no tasks: `surveykit moderate` runs studies "
            "(a file with a `tasks:` section); use `surveykit run` for a survey"
        )
    db = screen_preamble("moderate", db_path)
    store = Store(db)
    try:
        study = None
        resumed = False
        if participant is not None:
            try:
                study, resumed = open_study(store, definition, participant, device=device, site=site)
            except StudyError as e:
                raise UserError(str(e)) from None
        from surveykit.tui.moderate_app import ModerateApp

        app = ModerateApp(
            store,
            definition,
            study=study,
            resumed=resumed,
            device=device,
            site=site,
        )
        app.use_theme(theme)
        app.run()
    finally:
        store.close()
    if app.stopped_by is not None:
        echo(
            "surveykit moderate: stopped by a signal; the session is saved as interrupted. "
            "Run the same command again to resume it.",
            err=True,
        )
        sys.exit(exit_status_for_signal(app.stopped_by))
