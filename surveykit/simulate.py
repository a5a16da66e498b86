"""Plausible fake sessions for a definition (`surveykit simulate`), seeded.

Each simulated participant has a latent attitude that moves all their answers
together (a happy customer gives a high NPS, a high CSAT and an easy CES), so
correlations look real. The walk honours skip logic (`Flow` evaluates
`show_if`), task order (`task_order`), optional questions (sometimes skipped),
N/A (sometimes chosen), "other" (sometimes typed), and abandonment (sessions
stop part way; kiosks log an idle reset). Task runs get outcomes driven by a
per-task difficulty, log-normal active times, Poisson errors and hints, and
timeouts past the time limit. Response times are log-normal by question kind.

Every session carries `{"simulated": true, "seed": S}` in its meta data, so
simulated data can always be told apart from real data. The same definition,
options and seed give the same sessions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from surveykit.definition.loader import Definition
from surveykit.session.steps import Flow, Step
from surveykit.session.task_order import task_order
from surveykit.storage.bulk import (
    BulkAnswer,
    BulkEvent,
    BulkSession,
    BulkTaskRun,
    BulkWriter,
    participant_count,
    real_session_count,
)
from surveykit.storage.store import Store
from surveykit.vocabulary import EventKind, Mode, Outcome, Status

#: The modes a simulated session can have (a preview is never simulated).
MODES: tuple[str, ...] = tuple(str(m) for m in (Mode.RUN, Mode.KIOSK, Mode.MODERATE))
ABANDON_RATE: dict[str, float] = {Mode.KIOSK: 0.09, Mode.RUN: 0.05, Mode.MODERATE: 0.02}
INTERRUPT_RATE = 0.004
DEFAULT_DEVICES: dict[str, tuple[str, ...]] = {
    Mode.KIOSK: ("kiosk-1", "kiosk-2", "kiosk-3"), Mode.RUN: (), Mode.MODERATE: ("lab-1",),
}

POSITIVE = (
    "Friendly staff and quick service.",
    "Found exactly what I was looking for.",
    "Easy and pleasant, thanks!",
    "Great selection, I will be back.",
    "+1 for the helpful people at the desk",
    "Everything worked the first time.",
)
NEUTRAL = (
    "It was fine.",
    "OK, nothing special.",
    "Took a bit long but got there.",
    "Some things were hard to find.",
)
NEGATIVE = (
    "Too slow, I had to wait a long time.",
    "Could not find what I needed.",
    "- checkout was confusing",
    "The coupon field did not accept my code.",
    "Prices are too high.",
    "=) not great today",
    "Nobody answered my question.",
)
OTHER = ("Meeting a friend", "Picking up an order", "Just passing by", "Returning an item",
         "Work", "Recommended by a colleague")
NOTES = ("Hesitated at the menu", "Scrolled past the target", "Asked what 'cart' means",
         "Used search instead of navigation", "Commented on the colours")


@dataclass(frozen=True)
class SimOptions:
    sessions: int
    seed: int = 0
    mode: str | None = None  # default: moderate for studies, kiosk for surveys
    devices: tuple[str, ...] | None = None
    start: datetime | None = None  # default: `days` days before today, 00:00 UTC
    days: int = 28
    meta: dict[str, tuple[str, ...]] = field(default_factory=dict)
    abandon_rate: float | None = None
    events: bool = True


@dataclass
class SimSummary:
    survey_id: str
    sessions: int
    answers: int
    task_runs: int
    events: int
    statuses: dict[str, int]


class _Clock:
    """Milliseconds since the epoch → stored ISO form, cached per minute."""

    def __init__(self) -> None:
        self._minute = -1
        self._prefix = ""

    def iso(self, ms: int) -> str:
        minute, rest = divmod(ms, 60_000)
        if minute != self._minute:
            self._minute = minute
            self._prefix = datetime.fromtimestamp(minute * 60, UTC).strftime("%Y-%m-%dT%H:%M:")
        sec, milli = divmod(rest, 1000)
        return f"{self._prefix}{sec:02d}.{milli:03d}Z"


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def _poisson(rng: random.Random, lam: float) -> int:
    limit = math.exp(-max(lam, 0.0))
    k, p = 0, rng.random()
    while p > limit and k < 50:
        k += 1
        p *= rng.random()
    return k


class Simulator:
    """Generates `BulkSession`s for one definition; no I/O."""

    def __init__(self, definition: Definition, options: SimOptions, participant_offset: int = 0):
        if options.sessions < 0:
            raise ValueError("the number of sessions must be 0 or more")
        self.d = definition
        self.s = definition.survey
        self.o = options
        self.rng = random.Random(options.seed)
        self.mode = options.mode or (Mode.MODERATE if self.s.is_study else Mode.KIOSK)
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        self.devices = (
            tuple(options.devices) if options.devices is not None else DEFAULT_DEVICES[self.mode]
        )
        self.abandon_rate = (
            options.abandon_rate if options.abandon_rate is not None else ABANDON_RATE[self.mode]
        )
        self.offset = participant_offset
        self.clock = _Clock()
        rng = self.rng
        # Per-question tendencies and per-task difficulty, fixed by the seed.
        self.bias: dict[str, float] = {}
        self.weights: dict[str, list[float]] = {}
        for q in self.s.all_questions():
            self.bias[q.id] = rng.uniform(0.55, 0.8)
            if hasattr(q, "option_list"):
                self.weights[q.id] = [rng.random() + 0.25 for _ in q.option_list()]
        self.difficulty: dict[str, float] = {}
        if self.s.tasks:
            for t in self.s.tasks.items:
                self.difficulty[t.id] = rng.uniform(0.15, 0.75)
        self.steps_estimate = len(self._all_keys())

    def _all_keys(self) -> list[str]:
        keys = [s.key for s in Flow(self.s.questions).steps()]
        if self.s.tasks:
            keys += [t.id for t in self.s.tasks.items]
            keys += [s.key for s in Flow(self.s.tasks.after_each).steps()] * len(self.s.tasks.items)
        keys += [s.key for s in Flow(self.s.after).steps()]
        return keys or ["-"]

    # --- timing -------------------------------------------------------------------------

    def _start_times(self) -> list[int]:
        rng = self.rng
        start = self.o.start or (
            datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            - timedelta(days=self.o.days)
        )
        base = int(start.timestamp() * 1000)
        days = max(1, self.o.days)
        weekday_weights = []
        for i in range(days):
            wd = (start + timedelta(days=i)).weekday()
            if self.mode == Mode.MODERATE:
                weekday_weights.append(0.0 if wd >= 5 else 1.0)
            else:
                weekday_weights.append(1.5 if wd >= 5 else 1.0)
        if not any(weekday_weights):
            weekday_weights = [1.0] * days
        day_list = rng.choices(range(days), weights=weekday_weights, k=self.o.sessions)
        times = []
        for day in day_list:
            if self.mode == Mode.KIOSK:  # open 9-19, busiest around lunch and late afternoon
                hour = min(18.99, max(9.0, rng.choice((12.5, 16.5, 11.0, 14.0)) + rng.gauss(0, 1.6)))
            elif self.mode == Mode.MODERATE:
                hour = rng.choice((9.5, 11.0, 13.5, 15.0, 16.5)) + rng.random() * 0.2
            else:
                hour = min(23.5, max(7.0, rng.gauss(14.0, 3.5)))
            times.append(base + day * 86_400_000 + int(hour * 3_600_000) + rng.randrange(60_000))
        times.sort()
        return times

    def _rt(self, kind: str) -> int:
        median = {"scale": 3500, "choice": 5000, "multi": 8000, "number": 6000, "text": 22000,
                  "note": 4000}.get(kind, 4000)
        return max(400, int(median * math.exp(self.rng.gauss(0.0, 0.5))))

    # --- answers ------------------------------------------------------------------------

    def _scale(self, step: Step, attitude: float, centre: float | None = None) -> int:
        lo, hi = step.low, step.high
        c = self.bias.get(step.question.id, 0.65) if centre is None else centre
        p = _clip01(c + 0.17 * attitude + self.rng.gauss(0.0, 0.12))
        v = round(lo + p * (hi - lo))
        if step.type == "sus" and step.item is not None and step.item % 2 == 0:
            v = hi + lo - v  # negatively worded SUS items
        return v

    def _text(self, attitude: float, max_length: int) -> str:
        rng = self.rng
        pool = POSITIVE if attitude > 0.4 else NEGATIVE if attitude < -0.4 else NEUTRAL
        text = rng.choice(pool)
        if rng.random() < 0.3:
            text += " " + rng.choice(NEUTRAL)
        return text[:max_length]

    def _answer(self, step: Step, attitude: float, centre: float | None) -> tuple[Any, bool] | None:
        """(value, is_na), or None to leave an optional question unanswered."""
        rng = self.rng
        q = step.question
        if step.allows_na and rng.random() < 0.06:
            return None, True
        kind = step.kind
        if kind == "scale":
            return self._scale(step, attitude, centre), False
        if kind == "choice":
            opts = q.option_list()
            if q.other and rng.random() < 0.06:
                return {"other": rng.choice(OTHER)}, False
            return rng.choices(opts, weights=self.weights[q.id])[0].stored, False
        if kind == "multi":
            opts = q.option_list()
            w = self.weights[q.id]
            top = max(w)
            chosen = [o.stored for o, wi in zip(opts, w, strict=True) if rng.random() < 0.45 * wi / top]
            if q.other and rng.random() < 0.05:
                chosen.append({"other": rng.choice(OTHER)})
            low = q.min_selected or 0
            high = q.max_selected or len(opts) + 1
            while len(chosen) < low:
                extra = rng.choices(opts, weights=w)[0].stored
                if extra not in chosen:
                    chosen.append(extra)
            chosen = chosen[:high]
            if not chosen and step.required:
                chosen = [rng.choices(opts, weights=w)[0].stored]
            return chosen, False
        if kind == "text":
            answer_rate = 1.0 if step.required else (0.55 if attitude < -0.4 else 0.3)
            if rng.random() >= answer_rate:
                return None
            return self._text(attitude, q.max_length), False
        if kind == "number":
            lo = q.min if q.min is not None else 0.0
            hi = q.max if q.max is not None else lo + 100.0
            x = lo + (hi - lo) * rng.betavariate(1.3, 6.0)
            if q.integer or (float(lo).is_integer() and float(hi).is_integer()):
                return round(x), False
            return round(x, 1), False
        return None

    # --- sessions -----------------------------------------------------------------------

    def sessions(self) -> Iterator[BulkSession]:
        starts = self._start_times()
        for i, start in enumerate(starts):
            yield self._session(i, start)

    def _session(self, index: int, start: int) -> BulkSession:
        rng = self.rng
        o = self.o
        attitude = rng.gauss(0.0, 1.0)
        participant = f"P{self.offset + index + 1}" if self.mode == Mode.MODERATE else None
        meta: dict[str, Any] = {"simulated": True, "seed": o.seed}
        for key, values in o.meta.items():
            meta[key] = rng.choice(values)
        sess = BulkSession(
            survey_id=self.s.id,
            definition_sha256=self.d.sha256,
            mode=self.mode,
            started_at=self.clock.iso(start),
            status=Status.COMPLETED,
            participant=participant,
            device=rng.choice(self.devices) if self.devices else None,
            meta=meta,
        )
        r = rng.random()
        if r < self.abandon_rate:
            stop_after = rng.randrange(self.steps_estimate)
            ending = Status.ABANDONED
        elif r < self.abandon_rate + INTERRUPT_RATE:
            stop_after = rng.randrange(self.steps_estimate)
            ending = Status.INTERRUPTED
        else:
            stop_after = -1
            ending = Status.COMPLETED
        w = _Walk(self, sess, start, attitude, stop_after)
        w.event(EventKind.SESSION_START, data={"mode": self.mode})
        try:
            context, context_na = w.block(self.s.questions, "", {}, set())
            if self.s.tasks:
                ids = [t.id for t in self.s.tasks.items]
                order = task_order(ids, self.s.tasks.order, participant or f"S{index + 1}")
                sess.task_order = order
                for pos, tid in enumerate(order, 1):
                    outcome = w.task(tid, pos)
                    if outcome == Outcome.SKIPPED:
                        continue
                    centre = {str(Outcome.SUCCESS): 0.8, str(Outcome.PARTIAL): 0.6}.get(outcome or "", 0.45)
                    w.block(self.s.tasks.after_each, tid, context, context_na, centre=centre)
            w.block(self.s.after, "", context, context_na)
        except _Stop:
            pass
        if w.stopped:
            sess.status = ending
            if ending == Status.ABANDONED:
                if self.mode == Mode.KIOSK:
                    idle = int((self.s.kiosk.idle_reset_s if self.s.kiosk else 45) * 1000)
                    w.wait(idle)
                    w.event(EventKind.IDLE_RESET, data={"idle_ms": idle})
                else:
                    w.wait(rng.randrange(5_000, 60_000))
                w.event(EventKind.SESSION_END, data={"status": Status.ABANDONED})
            else:
                w.event(EventKind.INTERRUPTED, data={"reason": "process ended without closing"})
        else:
            w.wait(rng.randrange(300, 1500))
            w.event(EventKind.SESSION_END, data={"status": Status.COMPLETED})
        sess.ended_at = self.clock.iso(w.now)
        if not o.events:
            sess.events = []
        return sess


class _Stop(Exception):
    pass


class _Walk:
    """One participant's path through the session, with a clock."""

    def __init__(
        self, sim: Simulator, sess: BulkSession, start: int, attitude: float, stop_after: int
    ) -> None:
        self.sim = sim
        self.sess = sess
        self.t0 = start
        self.now = start
        self.attitude = attitude
        self.stop_after = stop_after
        self.steps = 0
        self.stopped = False

    def wait(self, ms: int) -> None:
        self.now += ms

    def event(self, kind: str, *, task_id: str | None = None, question_id: str | None = None,
              data: dict[str, Any] | None = None) -> None:
        if self.sim.o.events:
            self.sess.events.append(BulkEvent(self.sim.clock.iso(self.now), self.now - self.t0,
                                              kind, task_id, question_id, data))

    def _tick(self) -> None:
        if self.steps == self.stop_after:
            self.stopped = True
            raise _Stop
        self.steps += 1

    def block(
        self,
        questions: list[Any],
        task_id: str,
        context: dict[str, Any],
        context_na: set[str],
        centre: float | None = None,
    ) -> tuple[dict[str, Any], set[str]]:
        if not questions:
            return context, context_na
        sim = self.sim
        flow = Flow(questions, task_id=task_id, seed=self.sess.started_at,
                    context=context, context_na=context_na)
        step = flow.first()
        while step is not None:
            self.wait(sim.rng.randrange(200, 900))
            data = None
            if step.options and getattr(step.question, "shuffle", False):
                data = {"options": [o.stored for o in step.options]}
            shown_ms = self.now
            self.event(EventKind.SHOWN, task_id=task_id or None, question_id=step.key, data=data)
            self._tick()
            if step.stores_answer:
                got = sim._answer(step, self.attitude, centre)
                rt = sim._rt(step.kind if got is not None else "note")
                self.wait(rt)
                if got is None:
                    self.event(EventKind.SKIPPED, task_id=task_id or None, question_id=step.key)
                else:
                    value, is_na = got
                    flow.set_answer(step.key, value, is_na=is_na)
                    at = sim.clock.iso(self.now)
                    self.sess.answers.append(BulkAnswer(
                        step.key, None if is_na else value, task_id, is_na,
                        sim.clock.iso(shown_ms), at, rt,
                    ))
                    self.event(EventKind.ANSWERED, task_id=task_id or None, question_id=step.key,
                               data={"value": None if is_na else value, "na": is_na,
                                     "response_ms": rt})
            else:
                self.wait(sim._rt("note"))
            step = flow.next_after(step.key)
        if task_id:
            return context, context_na
        return dict(flow.answers), set(flow.na)

    def task(self, task_id: str, position: int) -> str | None:
        sim = self.sim
        rng = sim.rng
        tasks = sim.s.tasks
        assert tasks is not None
        task = sim.s.task(task_id)
        self.wait(rng.randrange(5_000, 30_000))  # reading the prompt
        self._tick_task_start()
        if rng.random() < 0.02:
            self.sess.task_runs.append(BulkTaskRun(task_id, position, None,
                                                   sim.clock.iso(self.now), 0, Outcome.SKIPPED))
            self.event(EventKind.TASK_END, task_id=task_id, data={"outcome": Outcome.SKIPPED})
            return Outcome.SKIPPED
        d = sim.difficulty[task_id]
        started = self.now
        self.event(EventKind.TASK_START, task_id=task_id, data={"position": position})
        p_success = 1.0 / (1.0 + math.exp(-(1.6 - 3.2 * d + 0.7 * self.attitude)))
        if rng.random() < p_success:
            outcome = Outcome.SUCCESS
        else:
            outcome = rng.choices(
                (Outcome.PARTIAL, Outcome.FAIL, Outcome.ABANDONED, Outcome.TIMEOUT),
                weights=(0.35, 0.35, 0.15, 0.15 if task.time_limit_s else 0.0),
            )[0]
        median_s = (task.time_limit_s * 0.35 if task.time_limit_s else 90.0) * (0.7 + d)
        active = median_s * math.exp(rng.gauss(0.0, 0.45) - 0.1 * self.attitude)
        if outcome != Outcome.SUCCESS:
            active *= 1.25
        limit = task.time_limit_s
        if limit and outcome == Outcome.TIMEOUT:
            active = max(active, limit * rng.uniform(1.0, 1.08))
        elif limit and active > limit and outcome != Outcome.SUCCESS and rng.random() < 0.6:
            outcome = Outcome.TIMEOUT
        active_ms = max(1500, int(active * 1000))
        failing = 0.0 if outcome == Outcome.SUCCESS else 1.0
        errors = _poisson(rng, 0.15 + 1.6 * d + 0.8 * failing)
        hints = _poisson(rng, 0.03 + 0.5 * d + 0.5 * failing)
        marks = sorted(
            [(rng.randrange(active_ms), EventKind.ERROR) for _ in range(errors)]
            + [(rng.randrange(active_ms), EventKind.HINT) for _ in range(hints)]
            + ([(rng.randrange(active_ms), EventKind.NOTE)] if rng.random() < 0.15 else [])
        )
        codes = tasks.error_codes
        for at, kind in marks:
            self.now = started + at
            data: dict[str, Any] = {"active_ms": at}
            if kind == EventKind.ERROR and codes:
                data["code"] = rng.choice(codes)
            if kind == EventKind.NOTE:
                data["text"] = rng.choice(NOTES)
            self.event(kind, task_id=task_id, data=data)
        self.now = started + active_ms
        if self.stop_after >= 0 and self.steps >= self.stop_after:
            # the session ends mid-task: the run has no outcome
            self.sess.task_runs.append(BulkTaskRun(task_id, position, sim.clock.iso(started),
                                                   None, active_ms, None, errors, hints))
            self.stopped = True
            raise _Stop
        self.sess.task_runs.append(BulkTaskRun(
            task_id, position, sim.clock.iso(started), sim.clock.iso(self.now), active_ms,
            outcome, errors, hints,
        ))
        self.event(EventKind.TASK_END, task_id=task_id, data={"outcome": outcome, "active_ms": active_ms})
        return outcome

    def _tick_task_start(self) -> None:
        if self.steps == self.stop_after:
            self.stopped = True
            raise _Stop
        self.steps += 1


class MixedDataError(ValueError):
    """Refusing to add simulated sessions to a database that holds real ones."""


def simulate(
    definition: Definition,
    store: Store,
    options: SimOptions,
    *,
    allow_mixed: bool = False,
    progress: Callable[[int], None] | None = None,
    batch: int = 2000,
) -> SimSummary:
    """Write `options.sessions` simulated sessions of `definition` to `store`."""
    survey_id = definition.survey.id
    real = real_session_count(store, survey_id)
    if real and not allow_mixed:
        raise MixedDataError(
            f"{store.path} holds {real} real session{'s' if real != 1 else ''} of {survey_id}; "
            "simulated data would mix with them (use another --db, or --allow-mixed)"
        )
    store.register_definition(definition)
    sim = Simulator(definition, options, participant_offset=participant_count(store, survey_id))
    summary = SimSummary(survey_id, 0, 0, 0, 0, {})
    with BulkWriter(store, batch=batch) as writer:
        for sess in sim.sessions():
            writer.add(sess)
            summary.sessions += 1
            summary.answers += len(sess.answers)
            summary.task_runs += len(sess.task_runs)
            summary.events += len(sess.events)
            summary.statuses[sess.status] = summary.statuses.get(sess.status, 0) + 1
            if progress is not None and summary.sessions % batch == 0:
                progress(batch)
    if progress is not None and summary.sessions % batch:
        progress(summary.sessions % batch)
    return summary
