"""`surveykit sync DB --to postgresql://…`: closed sessions to a central PostgreSQL."""

from __future__ import annotations

import sys

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, echo, resolve_db
from surveykit.storage.store import Store


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


@cli.command("sync")
@click.argument("db", required=False, type=click.Path(dir_okay=False))
@click.option("--to", "target", envvar="SURVEYKIT_SYNC_TO", show_envvar=True, metavar="URL",
              help="The server: postgresql://user@host/dbname, or a libpq conninfo such as "
                   "'service=fleet'. Put the password in ~/.pgpass (PGPASSFILE) or a service "
                   "file (PGSERVICE) rather than in the URL.")
@click.option("--status", "show_status", is_flag=True,
              help="Send nothing: compare, per device, the closed sessions here with the "
                   "server's.")
@click.option("--retries", type=click.IntRange(0, 100), default=5, show_default=True,
              help="Retries when the server cannot be reached (with growing waits).")
@click.option("--max-wait", type=click.FloatRange(0), default=60.0, show_default=True,
              metavar="SECONDS", help="Give up once this long was spent waiting to retry.")
@click.option("--batch", type=click.IntRange(1, 100_000), default=2000, show_default=True,
              hidden=True, help="Sessions per server transaction.")
def sync_cmd(
    db: str | None, target: str | None, show_status: bool, retries: int, max_wait: float,
    batch: int,
) -> None:
    """Send the closed sessions of DB (completed, abandoned, interrupted) to a
    central PostgreSQL, creating its tables on first use.

    Only what the server has not acknowledged is sent, so running it again
    sends nothing. A session the server already has with different content is
    a conflict: the server keeps its copy, records the incoming one in
    sync_conflicts, and the exit code is 1. Nothing is ever deleted here.
    When the server is down, sync retries with growing waits (--retries,
    --max-wait), then exits 1; run it again later, it picks up where it was.

    \b
    Examples:
      surveykit sync kiosk.db --to postgresql://surveykit@db.example.org/fleet
      PGSERVICE=fleet surveykit sync kiosk.db --to ''
      surveykit sync kiosk.db --to postgresql://surveykit@db.example.org/fleet --status
    """
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise UserError(
            "sync needs the PostgreSQL driver: pip install 'surveykit[fleet]'"
        ) from None
    from surveykit.storage.pg import Retry, SyncError, mask, push, status

    if target is None:
        raise click.UsageError("give the server with --to URL (or set SURVEYKIT_SYNC_TO)")
    path = resolve_db(db)
    from surveykit.storage.queries import open_readonly

    open_readonly(path).close()  # a surveykit database, not newer than this version

    def waiting(message: str, delay: float) -> None:
        echo(f"{message}; retrying in {delay:.1f} s", err=True)

    retry = Retry(retries=retries, max_wait_s=max_wait, on_wait=waiting)
    shown = mask(target) if target else "the server named by PGSERVICE/PGHOST"
    with Store(path) as store:
        try:
            if show_status:
                server_id, rows = status(store, target, retry)
                _print_status(shown, server_id, rows)
                return
            result = push(store, target, batch=batch, retry=retry)
        except SyncError as e:
            raise UserError(str(e)) from None
    for uuid in result.conflicts:
        echo(
            f"  conflict: session {uuid} differs from the server's copy; the server keeps its "
            "copy, the incoming one is in sync_conflicts",
            err=True,
        )
    if result.sent:
        line = f"{_n(result.sent, 'session')} sent to {shown}"
        if result.present:
            line += f", {result.present:,} already there"
    elif result.present:
        line = f"nothing new sent to {shown}: {result.present:,} already there"
    elif not result.conflicts:
        line = f"nothing to send: {shown} has acknowledged every closed session of {path}"
    else:
        line = f"nothing sent to {shown}"
    conflicts = len(result.conflicts) + max(0, result.earlier_conflicts)
    if result.conflicts:
        line += f", {_n(len(result.conflicts), 'conflict')} (kept on the server in sync_conflicts)"
    elif conflicts:
        line += f", {_n(conflicts, 'earlier conflict')} still unresolved (in sync_conflicts)"
    if result.in_progress:
        line += f", {result.in_progress:,} in progress left for later"
    echo(line)
    if conflicts:
        sys.exit(1)


def _print_status(shown: str, server_id: str, rows: list) -> None:
    echo(f"server {shown} (id {server_id})")
    header = f"{'device id':<38} {'closed':>8} {'on server':>10} {'missing':>8} {'in progress':>12}"
    echo(header)
    missing_total = 0
    for r in rows:
        missing = r.closed - r.on_server
        missing_total += missing
        echo(
            f"{r.device_id or '(none)':<38} {r.closed:>8,} {r.on_server:>10,} {missing:>8,} "
            f"{r.in_progress:>12,}"
        )
    closed = sum(r.closed for r in rows)
    if missing_total:
        echo(f"{missing_total:,} of {closed:,} closed sessions are not on the server yet")
    else:
        echo(f"all {closed:,} closed sessions are on the server")
