"""`surveykit timeline DB`: a session's events in order with their time, as a
table, CSV, Markdown, or captions (WebVTT, SRT) for its screen recording."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, echo

if TYPE_CHECKING:
    from surveykit.definition.models import Survey
    from surveykit.storage.store import SessionRow, Store

FORMATS = ("table", "csv", "md", "vtt", "srt")


@cli.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False))
@click.option("--participant", "-p", metavar="ID", help="The participant's latest session.")
@click.option("--session", "session_id", type=int, metavar="ID", help="A session by its id.")
@click.option("--survey", metavar="ID", help="Only sessions of this study (with --participant).")
@click.option(
    "--offset",
    type=float,
    metavar="SECONDS",
    help="The session time at which the recording started (negative: before the session).",
)
@click.option(
    "--recording-start",
    metavar="ISO-TIME",
    help="The wall time the recording started, e.g. 2026-11-22T10:15:03Z.",
)
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Only notes with this #tag (repeat for several). Without a session: "
              "every session's notes with it.")
@click.option("--all", "everything", is_flag=True, help="Also bookkeeping events (shown, checkpoint).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Output format.")
@click.option("--csv", "as_csv", is_flag=True, help="Same as --format csv.")
@click.option("--vtt", "as_vtt", is_flag=True, help="Same as --format vtt (WebVTT captions).")
@click.option("--srt", "as_srt", is_flag=True, help="Same as --format srt (SubRip captions).")
@click.option("--md", "as_md", is_flag=True, help="Same as --format md (a Markdown table).")
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
def timeline(
    db: str,
    participant: str | None,
    session_id: int | None,
    survey: str | None,
    offset: float | None,
    recording_start: str | None,
    tags: tuple[str, ...],
    everything: bool,
    fmt: str | None,
    as_csv: bool,
    as_vtt: bool,
    as_srt: bool,
    as_md: bool,
    out: str | None,
) -> None:
    """Print a session's events in order with their session time, or write them as
    captions (WebVTT, SRT) lined up with a screen recording.

    \b
    Times are mm:ss.t from the recording's start: --offset SECONDS (the session
    time when the recording began), --recording-start ISO-TIME, or the
    "recording started" mark an observer set (m); else from the session's start.
    \b
      surveykit timeline lab.db -p P7
      surveykit timeline lab.db -p P7 --vtt -o P7.vtt --recording-start 2026-11-22T10:15:03Z
      surveykit timeline lab.db --tag nav          (every note tagged #nav)
    """
    from surveykit.session import timeline as tl
    from surveykit.storage.store import Store

    chosen = [f for f, on in (("csv", as_csv), ("vtt", as_vtt), ("srt", as_srt), ("md", as_md)) if on]
    if fmt is not None:
        chosen.append(fmt)
    if len(set(chosen)) > 1:
        raise click.UsageError("give one format")
    form = chosen[0] if chosen else "table"
    if offset is not None and recording_start is not None:
        raise click.UsageError("give --offset or --recording-start, not both")

    with Store(db) as store:
        if session_id is None and participant is None:
            if not tags:
                raise click.UsageError("give --participant or --session (or --tag to search notes)")
            if form in ("vtt", "srt"):
                raise click.UsageError("captions are for one session: give --participant or --session")
            items: list[tl.Entry] = []
            zeros: dict[int, int] = {}
            for s in store.sessions(survey):
                found = tl.entries(store, s.id, _survey(store, s), tags=tags)
                if found:
                    zeros[s.id] = tl.recording_zero(store, s.id)
                    items += found
            text = tl.to_csv(items, zeros) if form == "csv" else tl.to_table(items, zeros, sessions=True)
            _write(text, out)
            return
        if session_id is not None:
            try:
                row = store.session(session_id)
            except KeyError:
                raise UserError(f"{db} has no session {session_id}") from None
        else:
            assert participant is not None
            rows = store.sessions(survey, participant=participant.strip())
            if not rows:
                raise UserError(f"{db} has no session of participant {participant.strip()}")
            row = rows[-1]
        try:
            zero = tl.recording_zero(
                store, row.id, offset_s=offset, recording_start=recording_start
            )
        except ValueError as e:
            raise UserError(f"--recording-start {e}") from None
        items = tl.entries(store, row.id, _survey(store, row), tags=tags, everything=everything)
    render = {
        "table": lambda: tl.to_table(items, zero),
        "csv": lambda: tl.to_csv(items, zero),
        "md": lambda: tl.to_markdown(items, zero),
        "vtt": lambda: tl.to_vtt(items, zero),
        "srt": lambda: tl.to_srt(items, zero),
    }
    _write(render[form](), out)


def _survey(store: Store, row: SessionRow) -> Survey | None:
    """The session's study, for task titles (None when its definition no longer loads)."""
    from surveykit.session.team import survey_of

    try:
        return survey_of(store, row)
    except Exception:
        return None


def _write(text: str, out: str | None) -> None:
    if out is None:
        echo(text, nl=False)
        return
    Path(out).write_text(text, encoding="utf-8")
