"""`surveykit simulate FILE --sessions N`: plausible fake data, seeded."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta

import click

from surveykit.cli import cli
from surveykit.cli.base import UserError, dumb_terminal, echo, resolve_db
from surveykit.cli.common import db_option, load_definition
from surveykit.simulate import MODES, MixedDataError, SimOptions, simulate
from surveykit.storage.store import Store


def _devices(values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    out = tuple(d.strip() for v in values for d in v.split(",") if d.strip())
    return out


def _meta(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for v in values:
        key, sep, rest = v.partition("=")
        choices = tuple(x.strip() for x in rest.split(",") if x.strip())
        if not sep or not key.strip() or not choices:
            raise click.BadParameter(f"'{v}': write KEY=VALUE[,VALUE…]", param_hint="--meta")
        if key.strip() in ("simulated", "seed"):
            raise click.BadParameter(f"'{key}' is set by simulate itself", param_hint="--meta")
        out[key.strip()] = choices
    return out


@cli.command("simulate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--sessions", "-n", type=click.IntRange(min=0), required=True,
              help="How many sessions to simulate.")
@db_option
@click.option("--seed", type=int, default=0, show_default=True,
              help="Same seed, same data (pass --start too for identical timestamps).")
@click.option("--mode", type=click.Choice(MODES), default=None,
              help="Session mode (default: moderate for studies, kiosk for surveys).")
@click.option("--devices", multiple=True, metavar="NAMES",
              help="Device names to spread sessions over, comma-separated "
                   "(default: kiosk-1..3 for kiosks, lab-1 for studies).")
@click.option("--start", metavar="DATE", default=None,
              help="First day of fieldwork, UTC (default: DAYS days before today).")
@click.option("--days", type=click.IntRange(min=1, max=3650), default=28, show_default=True,
              help="Days of fieldwork to spread sessions over.")
@click.option("--meta", "meta", multiple=True, metavar="KEY=V1,V2",
              help="Add a meta data key with a random one of the values, e.g. store=north,south.")
@click.option("--abandon-rate", type=click.FloatRange(0, 1), default=None,
              help="Share of sessions abandoned part way (default 0.09 kiosk, 0.05 run, "
                   "0.02 moderate).")
@click.option("--no-events", is_flag=True, help="Do not write the event log (faster).")
@click.option("--allow-mixed", is_flag=True,
              help="Allow adding simulated sessions to a database with real ones.")
def simulate_cmd(
    file: str,
    sessions: int,
    db_path: str | None,
    seed: int,
    mode: str | None,
    devices: tuple[str, ...],
    start: str | None,
    days: int,
    meta: tuple[str, ...],
    abandon_rate: float | None,
    no_events: bool,
    allow_mixed: bool,
) -> None:
    """Fill a database with N plausible, random sessions of FILE, so that analysis
    pipelines and benchmarks have data before fieldwork.

    Answers follow the skip logic, task order, optional and N/A choices of the
    file; some sessions are abandoned. Every simulated session has
    "simulated": true in its meta data.

    \b
    Examples:
      surveykit simulate surveys/store-feedback.yaml -n 500 --db sim.db --seed 1
      surveykit simulate surveys/checkout-study.yaml -n 24 --db study-sim.db --devices lab-1,lab-2
    """
    definition = load_definition(file)
    start_dt = None
    if start is not None:
        try:
            start_dt = datetime.combine(date.fromisoformat(start), time(0), tzinfo=UTC)
        except ValueError:
            raise click.BadParameter(f"'{start}' is not a date like 2026-11-02",
                                     param_hint="--start") from None
        try:  # sessions may run into the day after the last day of fieldwork
            start_dt + timedelta(days=days + 1)
        except OverflowError:
            raise UserError(
                f"--start {start}: {days} days of fieldwork from that date would run past the "
                "year 9999; give an earlier date"
            ) from None
    options = SimOptions(
        sessions=sessions,
        seed=seed,
        mode=mode,
        devices=_devices(devices),
        start=start_dt,
        days=days,
        meta=_meta(meta),
        abandon_rate=abandon_rate,
        events=not no_events,
    )
    path = resolve_db(db_path)
    with Store(path) as store:
        try:
            if sys.stderr.isatty() and not dumb_terminal() and sessions >= 5000:
                with click.progressbar(length=sessions, label="Simulating", file=sys.stderr) as bar:
                    summary = simulate(definition, store, options, allow_mixed=allow_mixed,
                                       progress=bar.update)
            else:
                summary = simulate(definition, store, options, allow_mixed=allow_mixed)
        except MixedDataError as e:
            raise UserError(str(e)) from None
    statuses = ", ".join(f"{v:,} {k}" for k, v in sorted(summary.statuses.items()))
    echo(
        f"{path}: {summary.sessions:,} simulated sessions of {summary.survey_id} "
        f"({statuses or 'none'}); {summary.answers:,} answers, {summary.task_runs:,} task runs, "
        f"{summary.events:,} events"
    )
