"""`surveykit validate` time against file size: it must grow linearly.

Generates definition files in a temporary folder and times `surveykit validate`
on each as a user runs it (a fresh `python -m surveykit validate -q FILE`
process), and the validation alone (`load` in this process), best of `--runs`:

* surveys with 100, 1,000, 10,000 and 19,000 questions (a mix of scales, text
  questions with `show_if` and piping over earlier answers, and choices with
  options: about 80 bytes a question, so 19,000 questions are about 1.5 MB);
* a study with 5,000 tasks;
* a TOML survey with 30,000 keys.

It prints the time of each file and the time per question (or task, or key)
relative to the smallest file of its kind: a ratio near 1 (or below: fixed
costs spread thinner) is linear, a ratio that grows with the size is not.
Targets: linear; 19,000 questions under 5 s.

    python bench/bench_validate.py [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def survey_yaml(n: int) -> str:
    """A valid survey with `n` questions."""
    out = ["surveykit: 1", f"id: bench-{n}", f"title: {n} questions", "questions:"]
    for i in range(n):
        kind = i % 4
        if kind == 0 or i == 0:
            out += [f"  - id: q{i}", "    type: nps"]
        elif kind == 1:
            out += [f"  - id: q{i}", "    type: text", f"    text: 'You chose {{q{i - 1}}}. Why?'",
                    f"    show_if: q{i - 1} <= 6"]
        elif kind == 2:
            out += [f"  - id: q{i}", "    type: choice", f"    text: Which colour fits item {i} best?",
                    "    options: [Red, Green, Blue, Yellow]"]
        else:
            out += [f"  - id: q{i}", "    type: csat", f"    text: How satisfied were you with part {i}?"]
    return "\n".join(out) + "\n"


def study_yaml(n: int) -> str:
    """A valid study with `n` tasks."""
    out = ["surveykit: 1", f"id: study-{n}", f"title: {n} tasks", "tasks:", "  order: latin_square",
           "  items:"]
    for i in range(n):
        out += [f"    - id: t{i}", f"      title: Task {i}", f"      prompt: Do task number {i}.",
                f"      success: Task {i} done", "      time_limit_s: 300"]
    out.append("after: [sus]")
    return "\n".join(out) + "\n"


def survey_toml(keys: int) -> str:
    """A valid TOML survey with about `keys` keys (three per question)."""
    out = ['surveykit = 1', 'id = "toml-bench"', 'title = "Many keys"']
    for i in range(max(1, (keys - 3) // 3)):
        out += ["", "[[questions]]", f'id = "q{i}"', 'type = "nps"', f'text = "Question {i}?"']
    return "\n".join(out) + "\n"


def time_cli(path: Path, runs: int) -> float:
    """Best wall time of `surveykit validate -q FILE` in a fresh process."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "surveykit", "validate", "-q", str(path)],
            cwd=REPO, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - start
        if r.returncode != 0:
            sys.exit(f"{path.name}: validate failed\n{r.stderr[-2000:]}")
        best = min(best, elapsed)
    return best


def time_load(path: Path, runs: int) -> float:
    """Best time of the validation itself (`load`), without the process start-up."""
    sys.path.insert(0, str(REPO))
    from surveykit.definition.loader import load

    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        load(path)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per file; the best is kept")
    ap.add_argument("--keep", type=Path, default=None, help="write the files here and keep them")
    args = ap.parse_args()
    try:
        from ruamel.yaml.cyaml import CSafeLoader  # noqa: F401

        reader = "libyaml (ruamel's C extension)"
    except ImportError:
        reader = "ruamel's pure-Python reader (install ruamel.yaml[libyaml] for the fast one)"
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cases: list[tuple[str, str, int, str, str]] = [
            *(("survey", f"questions-{n}.yaml", n, "question", survey_yaml(n)) for n in (100, 1_000, 10_000, 19_000)),
            *(("study", f"tasks-{n}.yaml", n, "task", study_yaml(n)) for n in (500, 5_000)),
            *(("toml", f"keys-{n}.toml", n, "key", survey_toml(n)) for n in (3_000, 30_000)),
        ]
        print(f"YAML reader: {reader}; best of {args.runs} runs")
        print("cli: `python -m surveykit validate -q FILE` in a fresh process (start-up included)")
        print("load: the validation itself, in process; µs/item and ratio from it\n")
        print(f"{'file':<22} {'size':>8} {'n':>6} {'cli s':>7} {'load s':>7} {'µs/item':>8} {'ratio':>6}")
        first: dict[str, float] = {}
        for kind, name, n, unit, text in cases:
            path = _write(folder / name, text)
            cli = time_cli(path, args.runs)
            loaded = time_load(path, args.runs)
            per = loaded / n
            first.setdefault(kind, per)
            print(
                f"{name:<22} {path.stat().st_size / 1e6:>6.2f}MB {n:>6} {cli:>7.2f} {loaded:>7.3f} "
                f"{per * 1e6:>6.1f}/{unit[:1]} {per / first[kind]:>6.2f}"
            )
        print("\nratio: time per item against the smallest file of its kind (1.0 = linear)")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    main()
