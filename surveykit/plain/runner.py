"""`surveykit run --plain`: one participant answers a survey as a console conversation.

Each question is printed as lines (progress in words, the question, its help,
the choices numbered, what to type), the answer is read as a line, said back
("Your answer: 4, Satisfied") and committed once the participant confirms it
with Enter. Words the participant may type at any prompt:

| typed | does |
|---|---|
| `back` | the previous question (its answer stays until changed) |
| `na` | "Not applicable", on a question that offers it |
| `quit` | leave the survey (asks first): saved as `abandoned` |
| `help` | says these words again |

End of input (ctrl+d, or the end of a piped file) and SIGINT, SIGTERM or SIGHUP
save the session as `interrupted` (an `exit` event naming the cause), like the
full-screen runner; it can be continued with `--participant` or `--resume`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from surveykit.definition.loader import Definition
from surveykit.i18n import translator
from surveykit.session.errors import StorageError
from surveykit.session.run import ERROR, NOT_STARTED, RunOpener, RunResult
from surveykit.session.steps import Step, display_value, parse_number, validate_answer
from surveykit.session.survey import SurveySession
from surveykit.textsafe import safe_display
from surveykit.vocabulary import Mode, Status

if TYPE_CHECKING:
    from surveykit.session.questions import QuestionRun
    from surveykit.storage.store import SessionRow, Store

__all__ = ["END_OF_INPUT", "STOP_SIGNALS", "PlainRunner"]

#: the `by` of the `exit` event when the input ended mid-survey
END_OF_INPUT = "end of input"

#: the signals that end a plain session, saved as interrupted (as in the full mode)
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

BACK_WORDS = frozenset({"back", "b"})
NA_WORDS = frozenset({"na", "n/a"})
QUIT_WORDS = frozenset({"quit", "exit", "q"})
HELP_WORDS = frozenset({"help", "?"})
YES_WORDS = frozenset({"y", "yes"})
NO_WORDS = frozenset({"n", "no"})
#: the models' default wordings, given in the participant's language when not changed
NA_DEFAULT = "Not applicable"
OTHER_DEFAULT = "Other (please say)"


class _EndOfInput(Exception):
    """stdin ended (ctrl+d, the end of a pipe)."""


class _Stopped(Exception):
    """A stop signal arrived while waiting for input."""

    def __init__(self, sig: int) -> None:
        super().__init__(sig)
        self.sig = sig


class _Back(Exception):
    """The participant typed `back`."""


class _Quit(Exception):
    """The participant chose to leave."""


@dataclass(frozen=True)
class _Answer:
    value: Any
    is_na: bool = False


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


class PlainRunner:
    """Run one definition for one participant over a line-based console."""

    def __init__(
        self,
        definition: Definition,
        store: Store,
        *,
        mode: str = Mode.RUN,
        participant: str | None = None,
        device: str | None = None,
        resume: SessionRow | None = None,
        ask_resume: bool = True,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        mono: Callable[[], float] = time.monotonic,
        site: str | None = None,
    ) -> None:
        self.definition = definition
        self.survey = definition.survey
        self.opener = RunOpener(
            store, definition, mode=mode, participant=participant, device=device, mono=mono,
            site=site,
        )
        self.mode = mode
        self.resume_candidate = resume
        self.ask_resume = ask_resume
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self.session: SurveySession | None = None
        self._waiting = False
        self._pending: int | None = None
        self.stopped_by: int | None = None
        self.t = translator(definition.language)
        t = self.t
        #: the words a participant may type: in English always, and in their language
        self.words = {
            name: frozenset({*english, t(name)})
            for name, english in (
                ("back", BACK_WORDS),
                ("na", NA_WORDS),
                ("quit", QUIT_WORDS),
                ("help", HELP_WORDS),
                ("yes", YES_WORDS),
                ("no", NO_WORDS),
            )
        }

    # --- what the CLI and the tests read ---------------------------------------------------

    @property
    def session_id(self) -> int | None:
        return self.session.session_id if self.session is not None else None

    @property
    def status(self) -> str:
        return self.session.status if self.session is not None else NOT_STARTED

    # --- the whole conversation -------------------------------------------------------------

    def run(self) -> RunResult:
        """Ask everything; always returns how it ended (never raises on EOF or a signal)."""
        error: str | None = None
        with self._signals():
            try:
                try:
                    self._converse()
                except _EndOfInput:
                    self._say("")
                    self._say(self.t("The input ended: the survey is saved as not finished."))
                    self._interrupt(END_OF_INPUT)
                except _Stopped as stop:
                    self.stopped_by = stop.sig
                    self._interrupt(_signal_name(stop.sig))
                except _Quit:
                    if self.session is not None:
                        self.session.end(Status.ABANDONED)
            except StorageError as e:
                error = str(e)
        answers = 0
        with contextlib.suppress(Exception):  # the summary must not hide the real outcome
            answers = self.opener.answers_saved(self.session_id)
        return RunResult(
            status=ERROR if error else self.status,
            session_id=self.session_id,
            answers=answers,
            error=error,
            signal=self.stopped_by,
            resumed=self.session is not None and self.session.resumed,
        )

    def _converse(self) -> None:
        self._say(safe_display(self.survey.title))
        if self.mode == Mode.PREVIEW:
            self._say(self.t("Preview: these answers are left out of the scores."))
        candidate = self.resume_candidate
        if candidate is not None and (not self.ask_resume or self._offer_resume(candidate)):
            self.session = self.opener.resume(candidate)
            kept = self.opener.answers_saved(candidate.id)
            self._say(self.t("Continuing session {session}: answers kept: {count}.", session=candidate.id, count=kept))
        else:
            self.session = self.opener.begin()
            self._intro(self.session)
        self._say(
            self.t(
                "At any question you can type {back}, {quit} or {help}.",
                back=self.t("back"),
                quit=self.t("quit"),
                help=self.t("help"),
            )
        )
        self._check_signal()
        while (nxt := self.session.next_block()) is not None:
            _, run = nxt
            self._block(run)
        outro = self.survey.outro
        self.session.complete(outro_shown=bool(outro))
        self._say("")
        self._say(self.t("The survey is finished. Your answers are saved."))
        if outro:
            self._say(safe_display(outro, multiline=True))

    def _offer_resume(self, candidate: SessionRow) -> bool:
        kept = self.opener.answers_saved(candidate.id)
        if candidate.participant:
            found = self.t(
                "An unfinished session for participant {participant} was found: session "
                "{session}, started {started}, answers saved: {count}.",
                participant=safe_display(candidate.participant),
                session=candidate.id,
                started=candidate.started_at,
                count=kept,
            )
        else:
            found = self.t(
                "An unfinished session was found: session {session}, started {started}, "
                "answers saved: {count}.",
                session=candidate.id,
                started=candidate.started_at,
                count=kept,
            )
        self._say(found)
        return self._yes_no(
            self.t(
                "Continue it? Type {yes} to continue, {no} to start again:",
                yes=self.t("yes"),
                no=self.t("no"),
            )
        )

    def _intro(self, session: SurveySession) -> None:
        intro = self.survey.intro
        if not intro:
            return
        count = session.question_count()
        self._say(safe_display(intro, multiline=True))
        self._say(self.t("1 question.") if count == 1 else self.t("About {count} questions.", count=count))
        self._ask(self.t("Press Enter to start."))

    # --- one block ---------------------------------------------------------------------------

    def _block(self, run: QuestionRun) -> None:
        while (step := run.current) is not None:
            try:
                answer = self._question(run, step)
            except _Back:
                if run.back() is None:
                    self._say(self.t("This is the first question: there is nothing before it."))
                continue
            problem = run.submit(answer.value, is_na=answer.is_na, say=self.t)
            if problem:  # (checked before confirming: only a change in the rules lands here)
                self._say(problem)
            self._check_signal()

    def _question(self, run: QuestionRun, step: Step) -> _Answer:
        """Print the question, read an answer until it is valid and confirmed."""
        self._say("")
        position, total = run.progress()
        self._say(self.t("Question {position} of {total}.", position=position, total=total))
        title = run.title(step)
        if title:
            self._say(safe_display(title, multiline=True))
            self._say(self.t("Statement {item} of {count}:", item=step.item, count=step.item_count))
        self._say(safe_display(run.text(step), multiline=True))
        if step.help:
            self._say(safe_display(run.flow.pipe(step.help), multiline=True))
        if step.kind == "note":
            while True:
                word = self._ask(self.t("Press Enter to go on.")).strip().lower()
                if word in self.words["back"]:
                    raise _Back
                if word in self.words["quit"]:
                    self._quit()
                    continue
                return _Answer(None)
        self._describe(step)
        previous = run.value(step)
        if previous is not None:
            self._say(
                self.t(
                    "Your answer so far: {answer}. Press Enter to keep it.",
                    answer=self._shown(step, *previous),
                )
            )
        while True:
            typed = self._read_answer(step)
            if typed is None:  # Enter alone
                if previous is not None:
                    return _Answer(*previous)
                answer = _Answer(None)
            else:
                answer = typed
            problem = validate_answer(step, answer.value, is_na=answer.is_na, say=self.t)
            if problem:
                self._say(problem)
                continue
            if self._confirm(step, answer):
                return answer

    def _describe(self, step: Step) -> None:
        """The choices and what to type."""
        t = self.t
        kind = step.kind
        lines: list[str] = []
        if kind == "scale":
            for point, label in sorted(step.labels.items()):
                self._say(f"  {point}: {safe_display(label)}")
            lines.append(t("Type a number from {low} to {high}.", low=step.low, high=step.high))
        elif kind in ("choice", "multi"):
            for n, option in enumerate(step.options, 1):
                self._say(f"  {n}. {safe_display(option.text)}")
            if step.question.other:
                self._say(f"  {len(step.options) + 1}. {self._other_label(step)}")
            if kind == "choice":
                lines.append(t("Type the number of your choice."))
            else:
                lines.append(t("Type the numbers of all that apply, separated by spaces or commas."))
        elif kind == "number":
            q = step.question
            lines.append(t("Type a whole number.") if q.integer else t("Type a number."))
            if q.unit:
                lines.append(t("In {unit}.", unit=safe_display(q.unit)))
        elif kind == "text":
            if step.question.multiline:
                lines.append(t("Type your answer; an empty line ends it."))
            else:
                lines.append(t("Type your answer."))
        if step.allows_na:
            lines.append(t("Type {na} for {label}.", na=t("na"), label=self._na_label(step)))
        if not step.required:
            lines.append(t("Press Enter alone to leave it out."))
        self._say(" ".join(lines))

    def _na_label(self, step: Step) -> str:
        """The question's N/A wording; the standard one in the participant's language."""
        label = step.na_label
        return safe_display(self.t(label) if label == NA_DEFAULT else label)

    def _other_label(self, step: Step) -> str:
        label = str(step.question.other_label)
        return safe_display(self.t(label) if label == OTHER_DEFAULT else label)

    def _read_answer(self, step: Step) -> _Answer | None:
        """One typed answer (None: Enter alone); raises _Back / _Quit on those words,
        and re-asks (with a message) what cannot be understood."""
        while True:
            line = self._ask(self.t("Answer:"))
            word = line.strip().lower()
            if word in self.words["help"]:
                self._say(
                    self.t(
                        "Type your answer and press Enter, then Enter again to confirm it. "
                        "Type {back} for the previous question, {quit} to leave the survey.",
                        back=self.t("back"),
                        quit=self.t("quit"),
                    )
                )
                continue
            if word in self.words["back"]:
                raise _Back
            if word in self.words["quit"]:
                self._quit()
                continue
            if word in self.words["na"] and step.allows_na:
                return _Answer(None, is_na=True)
            if not line.strip() and not (step.kind == "text" and step.question.multiline):
                return None
            parsed, problem = self._parse(step, line)
            if problem:
                self._say(problem)
                continue
            return parsed

    def _parse(self, step: Step, line: str) -> tuple[_Answer | None, str | None]:
        kind = step.kind
        text = line.strip()
        if kind == "scale":
            number = parse_number(text, integer=True)
            if not isinstance(number, int):
                return None, self.t(
                    "Please type a whole number from {low} to {high}.", low=step.low, high=step.high
                )
            return _Answer(number), None
        if kind == "number":
            number = parse_number(text, integer=bool(step.question.integer))
            if number is None:
                return None, self.t("Please type a number, like 12 or 2.5.")
            return _Answer(number), None
        if kind in ("choice", "multi"):
            return self._parse_choice(step, text)
        if kind == "text":
            if step.question.multiline:
                lines = [line] if line.strip() else []
                while lines:
                    more = self._ask("")
                    if not more.strip():
                        break
                    lines.append(more)
                return (_Answer("\n".join(lines)) if lines else None), None
            return _Answer(line), None
        return _Answer(None), None

    def _parse_choice(self, step: Step, text: str) -> tuple[_Answer | None, str | None]:
        options = step.options
        other = bool(step.question.other)
        top = len(options) + (1 if other else 0)
        words = text.replace(",", " ").split()
        numbers: list[int] = []
        for word in words:
            if not word.isdigit() or not 1 <= int(word) <= top:
                return None, self.t("Please type a number from 1 to {top}.", top=top)
            if int(word) not in numbers:
                numbers.append(int(word))
        if step.kind == "choice" and len(numbers) != 1:
            return None, self.t("Please type one number, from 1 to {top}.", top=top)
        values: list[Any] = []
        for n in numbers:
            if n <= len(options):
                values.append(options[n - 1].stored)
            else:
                said = self._ask(self.t("{label}: please say what:", label=self._other_label(step)))
                values.append({"other": said.strip()})
        return _Answer(values[0] if step.kind == "choice" else values), None

    def _confirm(self, step: Step, answer: _Answer) -> bool:
        self._say(self.t("Your answer: {answer}.", answer=self._shown(step, answer.value, answer.is_na)))
        line = self._ask(
            self.t("Press Enter to confirm, or type {no} to answer again:", no=self.t("no"))
        )
        word = line.strip().lower()
        if word in self.words["back"]:
            raise _Back
        return word not in self.words["no"]

    def _shown(self, step: Step, value: Any, is_na: bool) -> str:
        if is_na:
            return self._na_label(step)
        if value is None or value == "" or value == []:
            return self.t("no answer")
        shown = display_value(step.question, value)
        if step.kind == "scale" and isinstance(value, int) and value in step.labels:
            shown = f"{value}, {step.labels[value]}"
        return safe_display(shown)

    def _quit(self) -> None:
        if self._yes_no(
            self.t(
                "Leave the survey? The answers you confirmed are saved, and the survey is "
                "recorded as not finished. Type {yes} to leave, {no} to stay:",
                yes=self.t("yes"),
                no=self.t("no"),
            )
        ):
            raise _Quit

    # --- lines in, lines out -----------------------------------------------------------------

    def _say(self, line: str) -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()

    def _ask(self, prompt: str) -> str:
        """Print a prompt (on its own line: screen readers read it whole) and read a line."""
        if prompt:
            self._say(prompt)
        self._check_signal()
        self._waiting = True
        try:
            line = self.stdin.readline()
        finally:
            self._waiting = False
        self._check_signal()
        if not line:
            raise _EndOfInput
        return line.rstrip("\r\n")

    def _yes_no(self, prompt: str) -> bool:
        while True:
            word = self._ask(prompt).strip().lower()
            if word in self.words["yes"]:
                return True
            if word in self.words["no"]:
                return False
            self._say(self.t("Please type {yes} or {no}.", yes=self.t("yes"), no=self.t("no")))

    def _interrupt(self, by: str) -> None:
        if self.session is None:
            return
        self.session.interrupt(by)

    # --- signals -----------------------------------------------------------------------------

    def _check_signal(self) -> None:
        if self._pending is not None:
            sig, self._pending = self._pending, None
            raise _Stopped(sig)

    def _on_signal(self, sig: int, _frame: FrameType | None) -> None:
        """Stop at once while waiting for a line; else after the write under way."""
        if self._waiting:
            self._waiting = False
            raise _Stopped(sig)
        self._pending = sig

    @contextlib.contextmanager
    def _signals(self) -> Iterator[None]:
        saved: dict[signal.Signals, Any] = {}
        try:
            for sig in STOP_SIGNALS:
                saved[sig] = signal.signal(sig, self._on_signal)
        except ValueError:  # not the main thread: leave the handlers alone
            pass
        try:
            yield
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
