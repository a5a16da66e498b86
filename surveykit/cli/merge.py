"""`surveykit merge SRC.db… --into DEST.db`: many device files, one dataset."""

from __future__ import annotations

import sys

import click

from surveykit.cli import cli
from surveykit.cli.base import echo
from surveykit.storage.merge import merge_files


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


@cli.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--into", "dest", required=True, type=click.Path(dir_okay=False),
              help="The database to merge into (created if it does not exist).")
@click.option("--batch", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              hidden=True, help="Sessions per transaction.")
def merge_cmd(sources: tuple[str, ...], dest: str, batch: int) -> None:
    """Copy the closed sessions (completed, abandoned, interrupted) of each SRC
    into DEST, with their answers, task runs, events and definitions.

    Sessions are matched by the id they carry from their device: one already in
    DEST with the same content is skipped, so merging again changes nothing. One
    with different content is a conflict: DEST keeps its copy, the incoming one
    is kept aside in the table merge_conflicts, and the exit code is 1. Sessions
    still in progress are left for a later merge. The sources are only read
    (kiosks may keep writing them).

    \b
    Examples:
      surveykit merge kiosk-1.db kiosk-2.db --into all.db
      surveykit merge /mnt/kiosks/*.db --into all.db
    """
    results = merge_files(list(sources), dest, batch=batch)
    failed = False
    for r in results:
        if r.error:
            echo(f"Error: {r.error} (nothing merged from it)", err=True)
            failed = True
            continue
        parts = [f"{_n(r.copied, 'session')} copied", f"{r.identical:,} already there"]
        if r.conflicts:
            parts.append(f"{_n(r.conflicts, 'conflict')}")
        if r.in_progress:
            parts.append(f"{r.in_progress:,} in progress left for later")
        device = f" (device {r.device_id})" if r.device_id else ""
        echo(f"{r.path}{device}: " + ", ".join(parts))
        for uuid in r.conflict_uuids:
            echo(
                f"  conflict: session {uuid} differs from the copy already in {dest}; "
                "the incoming copy is kept in merge_conflicts",
                err=True,
            )
    ok = [r for r in results if not r.error]
    copied = sum(r.copied for r in ok)
    identical = sum(r.identical for r in ok)
    conflicts = sum(r.conflicts for r in ok)
    waiting = sum(r.in_progress for r in ok)
    errors = len(results) - len(ok)
    summary = (
        f"{_n(copied, 'session')} copied into {dest}, {identical:,} already there"
        if copied
        else f"nothing new: {dest} already has all {identical:,} closed sessions of these files"
        if not conflicts
        else f"nothing copied into {dest}, {identical:,} already there"
    )
    if conflicts:
        summary += f", {_n(conflicts, 'conflict')} kept aside in merge_conflicts"
    if waiting:
        summary += f", {waiting:,} in progress left for later"
    if errors:
        summary += f", {_n(errors, 'source')} not merged"
    echo(summary)
    if conflicts or errors or failed:
        sys.exit(1)
