"""`surveykit run FILE`: one participant answers a survey in this terminal.

Exit status: 0 when the survey is completed, and also when the participant
leaves it (ctrl+q, confirmed: the session is saved as `abandoned`); 1 for a bad
file, no terminal, an unusable database or nothing to `--resume`; 128+N when
signal N (SIGINT 130, SIGHUP 129, SIGTERM 143) ended it (the session is saved
as `interrupted` and can be continued). A one-line summary goes to stderr.
"""

from __future__ import annotations

import sys

import click

from surveykit.cli import cli
from surveykit.cli.base import echo
from surveykit.cli.common import (
    UserError,
    chosen_theme,
    database_preamble,
    db_option,
    exit_status_for_signal,
    lang_option,
    load_definition,
    localized,
    plain_wanted,
    screen_preamble,
    site_option,
    theme_option,
)
from surveykit.definition.loader import Definition
from surveykit.session.run import ERROR, ResumeRefused, RunResult, plan_resume
from surveykit.storage.store import SessionRow, StorageError, Store
from surveykit.vocabulary import Mode, Status


def _plan_resume(
    store: Store,
    definition: Definition,
    *,
    participant: str | None,
    mode: str,
    resume: bool,
    source: str,
    site: str | None = None,
) -> SessionRow | None:
    """The session to continue, by the session layer's resume policy (a refusal is a
    user error)."""
    try:
        return plan_resume(
            store,
            definition,
            participant=participant,
            mode=mode,
            resume=resume,
            source=source,
            site=site,
        )
    except ResumeRefused as e:
        raise UserError(str(e)) from None


@cli.command("run")
@click.argument("file", metavar="FILE")
@db_option
@click.option(
    "--participant", "-p", default=None, help="Participant code (e.g. P7), stored with the session."
)
@click.option(
    "--device", default=None, help="Name of this terminal or device, stored with the session."
)
@click.option(
    "--preview",
    is_flag=True,
    help="Try the survey: the session is stored with mode 'preview', which scores leave out.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the unfinished session (of --participant, or without one) at once, without asking.",
)
@click.option(
    "--plain",
    is_flag=True,
    help="Ask line by line, for screen readers and scripts: no full screen, no colour; "
    "works with pipes. Also chosen by TERM=dumb and SURVEYKIT_PLAIN=1.",
)
@lang_option
@site_option
@theme_option
def run_command(
    file: str,
    db_path: str | None,
    participant: str | None,
    device: str | None,
    preview: bool,
    resume: bool,
    plain: bool,
    lang: str | None,
    site: str | None,
    theme: str | None,
) -> None:
    """Run FILE for one participant in this terminal.

    \b
    Keys: ←/→ or digits choose on a scale (NPS 10: press 1 then 0), ↑/↓ or
    digits choose an option, Space ticks, Enter (or PgDn) goes on, PgUp goes
    back, Tab moves between fields, ctrl+q leaves (after asking). The mouse works
    everywhere. Every answer is saved as soon as it is confirmed; after a crash,
    start again with the same --participant (or --resume) to continue.

    With --plain the questions come line by line: type the answer (a number
    for a scale or an option), Enter, and Enter again to confirm; back, na
    and quit are words to type. ctrl+d or the end of the input saves the
    session as interrupted.
    """
    theme = chosen_theme(theme)
    definition = load_definition(file, lang)
    survey = definition.survey
    if survey.is_study and not preview:
        raise UserError(
            f"{file} is a usability study (it has tasks): run it with "
            f"`surveykit moderate {file} --participant P1`, or add --preview to try its questions"
        )
    plain = plain_wanted(plain)
    db = database_preamble(db_path) if plain else screen_preamble("run", db_path)
    mode = Mode.PREVIEW if preview else Mode.RUN
    store = Store(db)
    try:
        candidate = _plan_resume(
            store,
            definition,
            participant=participant,
            mode=mode,
            resume=resume,
            source=file,
            site=site,
        )
        if candidate is not None and lang is None and candidate.language:
            # a continued session goes on in the language it was started in
            definition = localized(definition, candidate.language, source=file)
        if plain:
            from surveykit.plain.runner import PlainRunner

            result: RunResult | None = PlainRunner(
                definition,
                store,
                mode=mode,
                participant=participant,
                device=device,
                resume=candidate,
                ask_resume=not resume,
                site=site,
            ).run()
        else:
            result = _run_screen(
                definition,
                store,
                mode=mode,
                participant=participant,
                device=device,
                resume=candidate,
                ask_resume=not resume,
                site=site,
                theme=theme,
            )
    finally:
        store.close()
    if result is None:
        raise UserError("the survey stopped unexpectedly (see the message above)")
    if result.status == ERROR:
        raise StorageError(result.error or "cannot write to the database")
    line = _summary(
        result,
        file=file,
        db=db,
        db_given=db_path is not None,
        participant=participant,
        plain=plain,
        site=site,
    )
    echo(f"surveykit: {line}", err=True)
    if result.signal:
        sys.exit(exit_status_for_signal(result.signal))
    if plain and result.status == Status.INTERRUPTED:
        sys.exit(1)  # the input ended before the survey did


def _run_screen(
    definition: Definition,
    store: Store,
    *,
    mode: str,
    participant: str | None,
    device: str | None,
    resume: SessionRow | None,
    ask_resume: bool,
    site: str | None = None,
    theme: str | None = None,
) -> RunResult | None:
    """The full-screen runner (Textual is imported only here)."""
    from surveykit.tui.run_app import RunApp

    app = RunApp(
        definition,
        store,
        mode=mode,
        participant=participant,
        device=device,
        resume=resume,
        ask_resume=ask_resume,
        site=site,
    )
    app.use_theme(theme)
    return app.run()


def _summary(
    result: RunResult,
    *,
    file: str,
    db: str,
    db_given: bool,
    participant: str | None,
    plain: bool = False,
    site: str | None = None,
) -> str:
    """The one line printed when the runner exits."""
    saved = f"{result.answers} answer{'' if result.answers == 1 else 's'} saved in {db}"
    if result.status == Status.COMPLETED:
        return f"session {result.session_id} completed, {saved}"
    if result.status == Status.ABANDONED:
        return f"session {result.session_id} left before the end ('abandoned'); {saved}"
    if result.status == Status.INTERRUPTED:
        again = f"surveykit run {file}" + (f" --db {db}" if db_given else "")
        again += f" --participant {participant}" if participant else " --resume"
        again += " --plain" if plain else ""
        again += f" --site {site}" if site is not None else ""
        return f"session {result.session_id} interrupted; {saved}. Continue it with: {again}"
    return "no session was started"
