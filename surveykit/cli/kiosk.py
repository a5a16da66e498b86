"""`surveykit kiosk FILE`: an unattended feedback kiosk, looping until staff close it.

Exit status: 0 when staff close it with the PIN or a signal (SIGTERM, SIGHUP,
SIGINT) stops it — the session in progress is saved as `interrupted` (unlike
`run` and `moderate`, which exit 128+N: a signal is how a supervisor normally
stops a kiosk); 1 for a bad file, no staff PIN, no terminal, an unusable
database at start, or a kiosk that kept crashing. Answers that could not be written when it stopped (the database
failing) go to a pending file that the next start writes into the database.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import TYPE_CHECKING

import click

from surveykit.cli import cli
from surveykit.cli.base import echo
from surveykit.cli.common import (
    UserError,
    chosen_theme,
    db_option,
    load_definition,
    screen_preamble,
    site_option,
    theme_option,
)
from surveykit.definition.loader import Definition
from surveykit.pin import is_pin_hash
from surveykit.storage.kiosk_writer import KioskWriter, find_spills
from surveykit.storage.store import StorageError

if TYPE_CHECKING:
    from surveykit.session.kiosk_sync import KioskSync
    from surveykit.tui.kiosk_app import KioskResult

#: Textual settings from the environment that could open a way out of a kiosk
#: (a debug console, a screenshot, a scripted key press, ctrl+c as SIGINT, another driver)
UNSAFE_ENV = (
    "TEXTUAL",
    "TEXTUAL_DEBUG",
    "TEXTUAL_DRIVER",
    "TEXTUAL_ALLOW_SIGNALS",
    "TEXTUAL_SCREENSHOT",
    "TEXTUAL_SCREENSHOT_LOCATION",
    "TEXTUAL_SCREENSHOT_FILENAME",
    "TEXTUAL_PRESS",
    "TEXTUAL_LOG",
    "TEXTUAL_SHOW_RETURN",
    "TEXTUAL_DEVTOOLS_HOST",
    "TEXTUAL_DEVTOOLS_PORT",
)
CRASHES_ALLOWED = 5  # restarts within CRASH_WINDOW_S before giving up
CRASH_WINDOW_S = 60.0


def lock_environment() -> None:
    """Drop the Textual settings a kiosk must not honour (before Textual is imported)."""
    for name in UNSAFE_ENV:
        os.environ.pop(name, None)
    constants = sys.modules.get("textual.constants")
    if constants is not None:  # imported already (tests): reset what it read
        for name, value in (
            ("DEBUG", False),
            ("DRIVER", None),
            ("SCREENSHOT_DELAY", -1),
            ("PRESS", ""),
            ("LOG_FILE", None),
            ("SHOW_RETURN", False),
        ):
            setattr(constants, name, value)


def _pin_hash(option: str | None, from_file: str | None) -> str:
    """The staff PIN hash to check against: --pin-hash, else the file's."""
    pin = option or from_file
    if not pin:
        raise UserError(
            "no staff PIN: a kiosk without one could not be closed. Run `surveykit hash-pin` "
            "and put the line it prints under `kiosk:` in the file, or pass --pin-hash"
        )
    if not is_pin_hash(pin):
        raise UserError(
            "--pin-hash must be a PIN hash as `surveykit hash-pin` prints it "
            "(scrypt$n$r$p$salt$key, or the old form of 64 hex digits)"
        )
    return pin if pin.startswith("scrypt$") else pin.lower()


@cli.command("kiosk")
@click.argument("file", metavar="FILE")
@db_option
@click.option(
    "--device",
    envvar="SURVEYKIT_DEVICE",
    show_envvar=True,
    default=None,
    help="Name of this kiosk, stored with every session (default: the host name). "
    "Give each kiosk its own when several share a database.",
)
@click.option(
    "--pin-hash",
    "pin_hash",
    default=None,
    help="Hash of the staff PIN as `surveykit hash-pin` prints it (scrypt, or the old sha256); "
    "overrides the file's kiosk.exit_pin_hash / exit_pin_sha256.",
)
@click.option("--exit-pin-sha256", "old_pin_hash", default=None, hidden=True)  # the old name
@click.option(
    "--busy-timeout",
    type=click.FloatRange(0.05, 60),
    default=2.0,
    show_default=True,
    help="Seconds to wait for a database locked by another program before keeping the "
    "answer in memory and trying again later.",
)
@site_option
@click.option(
    "--sync",
    "sync_to",
    metavar="URL",
    default=None,
    help="Also send each closed session to this central PostgreSQL "
    "(postgresql://user@host/dbname, or 'service=fleet'), in the background; staff see "
    "the sync state on the PIN screen. Password in ~/.pgpass rather than the URL. "
    "See docs/fleet.md.",
)
@theme_option
def kiosk_command(
    file: str,
    db_path: str | None,
    device: str | None,
    pin_hash: str | None,
    old_pin_hash: str | None,
    busy_timeout: float,
    site: str | None,
    sync_to: str | None,
    theme: str | None,
) -> None:
    """Run FILE as an unattended kiosk: welcome → questions → thank-you, forever.

    \b
    Customers: any key or a tap starts; arrows/digits/Enter or the mouse
    answer. Idle mid-survey: "Still there?", then the answers so far are saved
    (`abandoned`) and the welcome screen returns.
    Staff: ctrl+q opens the PIN screen (Escape closes it; with --sync it shows
    the sync state); the right PIN closes the kiosk. No other key leaves it.
    SIGTERM/SIGHUP/SIGINT stop it cleanly.
    See docs/kiosk.md for autostart, several kiosks on one database, and
    what to do when the disk fails.
    """
    lock_environment()
    theme = chosen_theme(theme)
    definition = load_definition(file)
    survey = definition.survey
    if survey.is_study:
        raise UserError(f"{file} is a usability study (it has tasks); a kiosk runs surveys only")
    if not survey.questions and not survey.after:
        raise UserError(f"{file} has no questions")
    pin = _pin_hash(pin_hash or old_pin_hash, survey.kiosk.pin_hash if survey.kiosk else None)
    if sync_to is not None:
        _check_sync_driver()
    db = screen_preamble("kiosk", db_path)
    device = device or socket.gethostname()
    theme = theme or (survey.kiosk.theme if survey.kiosk else None)

    writer = KioskWriter(db, busy_timeout_s=busy_timeout)
    lost = 0
    sync: KioskSync | None = None
    try:
        writer.register_definition(definition)
        writer.store.mark_orphans_interrupted(survey.id)
        _recover(writer, db)
        if sync_to is not None:
            from surveykit.session.kiosk_sync import KioskSync

            sync = KioskSync(db, sync_to)
            sync.start()
        result = _run(definition, writer, device=device, pin=pin, site=site, sync=sync, theme=theme)
    finally:
        lost = _close(writer)
        if sync is not None:
            _stop_sync(sync)
    counts = result.counts if result else None
    summary = ""
    if counts is not None:
        summary = (
            f"; this run: {counts['completed']} completed, {counts['abandoned']} abandoned, "
            f"{counts['interrupted']} interrupted"
        )
    if result is None:
        raise UserError(f"the kiosk kept stopping unexpectedly (see above){summary}")
    how = (
        "closed with the staff PIN"
        if result.reason == "pin"
        else f"stopped by {_signal_name(result.signal)}"
    )
    echo(f"surveykit kiosk: {how}{summary}; answers in {db}", err=True)
    if lost:
        sys.exit(1)


def _recover(writer: KioskWriter, db: str) -> None:
    """Answers a kiosk could not write before it stopped: into the database now."""
    for path in find_spills(db):
        try:
            n = writer.recover(path)
        except (StorageError, OSError, ValueError, KeyError) as e:
            echo(f"surveykit kiosk: {path} is kept for the next start: {e}", err=True)
            continue
        echo(f"surveykit kiosk: wrote {n} kept answers and events from {path}", err=True)


def _run(
    definition: Definition,
    writer: KioskWriter,
    *,
    device: str,
    pin: str,
    site: str | None = None,
    sync: KioskSync | None = None,
    theme: str | None = None,
) -> KioskResult | None:
    """Run the app; restart it (the session in progress saved as interrupted) if it crashes."""
    from surveykit.tui.kiosk_app import KioskApp

    crashes: list[float] = []
    while True:
        app = KioskApp(definition, writer, device=device, pin_hash=pin, site=site, sync=sync)
        app.use_theme(theme)
        result = app.run()
        if result is not None:
            return result
        if app.phase == "survey" and app.session is not None:
            try:
                app.session.interrupt("crash")
            except Exception as e:  # the writer queues storage failures; this is a bug
                echo(f"surveykit kiosk: could not close the session: {e}", err=True)
        now = time.monotonic()
        crashes = [t for t in crashes if now - t < CRASH_WINDOW_S] + [now]
        if len(crashes) > CRASHES_ALLOWED:
            return None
        echo("surveykit kiosk: the kiosk stopped unexpectedly; starting it again", err=True)
        time.sleep(1.0)


def _check_sync_driver() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise UserError(
            "--sync needs the PostgreSQL driver: pip install 'surveykit[fleet]'"
        ) from None


def _stop_sync(sync: KioskSync) -> None:
    """Stop the background sync (a few seconds for an attempt under way) and say where
    it stands: what did not go yet goes at the next start, or with `surveykit sync`."""
    from surveykit.storage.pg import mask

    sync.stop(wait_s=5.0)
    shown = mask(sync.target) if sync.target else "the server named by PGSERVICE/PGHOST"
    echo(f"surveykit kiosk: sync to {shown}: {sync.state.line()}", err=True)


def _close(writer: KioskWriter, wait_s: float = 5.0) -> int:
    """Write what waits (a few seconds' patience), else keep it in a pending file.

    Returns how many writes are lost for good (neither written nor kept in a file:
    they were printed to stderr).
    """
    try:
        if writer.close(wait_s=wait_s):
            return 0
        n = writer.pending
        try:
            path = writer.spill()
        except OSError as e:
            echo(
                f"surveykit kiosk: {n} answers/events could not be saved ({writer.last_error}) "
                f"nor kept in a file ({e}); here they are as JSON:",
                err=True,
            )
            echo(writer.spill_text(), err=True)
            return n
        echo(
            f"surveykit kiosk: {n} answers/events could not be saved yet ({writer.last_error}). "
            f"They are kept in {path} and written into the database the next time "
            "`surveykit kiosk` starts with it.",
            err=True,
        )
        return 0
    finally:
        try:
            writer.close_store()
        except StorageError:
            pass


def _signal_name(sig: int | None) -> str:
    import signal

    try:
        return signal.Signals(sig).name if sig is not None else "a signal"
    except ValueError:
        return f"signal {sig}"
