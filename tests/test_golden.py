"""Golden tests: broken definition files and the exact messages `surveykit validate` prints.

Each file in tests/golden/broken/ holds one mistake people really make (five_mistakes.yaml
holds five); its `.expected` file is what `surveykit validate` prints for it, one
`path:line:col: message` per line, the path as given relative to the repository root.

Regenerate after a deliberate change of wording with

    SURVEYKIT_UPDATE_GOLDEN=1 pytest tests/test_golden.py

and then read every changed line: is it plain language, does it point at the right line
and column, would a researcher know what to fix?
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveykit.cli import cli
from surveykit.definition.loader import load
from surveykit.definition.problems import DefinitionError

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "golden" / "broken"
SURVEYS = sorted((ROOT / "surveys").glob("*.yaml"))
SUFFIXES = {".yaml", ".yml", ".json", ".toml"}
CASES = sorted(p for p in BROKEN.iterdir() if p.suffix in SUFFIXES)
UPDATE = os.environ.get("SURVEYKIT_UPDATE_GOLDEN") == "1"

#: Wording that betrays a library message instead of one written for researchers.
LEAKS = (
    "Traceback",
    "errors.pydantic.dev",
    "Input should",
    "String should",
    "Field required",
    "Extra inputs",
    "validation error",
    "CommentedMap",
    "CommentedSeq",
    "TaggedScalar",
    "ScannerError",
    "ParserError",
    "<block",
    "<scalar>",
    "JSONDecodeError",
    "questions[",
)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _validate(monkeypatch: pytest.MonkeyPatch, *paths: str):
    monkeypatch.chdir(ROOT)
    return CliRunner().invoke(cli, ["validate", *paths])


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30
    kinds = {p.suffix for p in CASES}
    assert {".yaml", ".json", ".toml"} <= kinds


def test_every_expected_file_has_a_case() -> None:
    stale = [p.name for p in BROKEN.glob("*.expected") if p.with_suffix("") not in CASES]
    assert stale == []


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_golden(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rel = _rel(case)
    result = _validate(monkeypatch, rel)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # nothing is "ok"
    *lines, summary = result.stderr.splitlines()
    assert lines, "a broken file must produce at least one problem"
    assert summary == f"1 of 1 file has problems ({len(lines)} in all)"

    expected_path = Path(f"{case}.expected")
    printed = "\n".join(lines) + "\n"
    if UPDATE:
        expected_path.write_text(printed, encoding="utf-8")
    assert expected_path.exists(), f"run SURVEYKIT_UPDATE_GOLDEN=1 pytest {__file__}"
    assert printed == expected_path.read_text(encoding="utf-8")

    # The loader raises exactly what validate prints.
    monkeypatch.chdir(ROOT)
    with pytest.raises(DefinitionError) as info:
        load(rel)
    assert [str(p) for p in info.value.problems] == lines


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_messages_are_plain_and_point_inside_the_file(case: Path) -> None:
    expected = Path(f"{case}.expected").read_text(encoding="utf-8").splitlines()
    text_lines = case.read_text(encoding="utf-8").splitlines() or [""]
    pattern = re.compile(rf"^{re.escape(_rel(case))}:(\d+):(\d+): (\S.*)$")
    for line in expected:
        m = pattern.match(line)
        assert m, line
        row, col, message = int(m.group(1)), int(m.group(2)), m.group(3)
        assert 1 <= row <= len(text_lines), line
        assert 1 <= col <= len(text_lines[row - 1]) + 1, line
        for leak in LEAKS:
            assert leak not in message, line
        assert len(message) < 220, line


def test_one_mistake_per_file_except_the_five_mistakes_file() -> None:
    for case in CASES:
        n = len(Path(f"{case}.expected").read_text(encoding="utf-8").splitlines())
        assert n == (5 if case.name == "five_mistakes.yaml" else 1), case.name


def test_every_problem_in_a_file_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _validate(monkeypatch, "tests/golden/broken/five_mistakes.yaml")
    lines = result.stderr.splitlines()[:-1]
    assert len(lines) == 5
    rows = [int(line.split(":")[1]) for line in lines]
    assert rows == sorted(rows) and len(set(rows)) == 5  # five places, in file order
    joined = "\n".join(lines)
    for fragment in ("'titel'", "'txt'", "'Browsing' is listed twice", "'nsp'", "idle_reset_s"):
        assert fragment in joined


def test_several_files_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = [_rel(p) for p in CASES[:3]]
    good = [_rel(p) for p in SURVEYS]
    result = _validate(monkeypatch, *good, *broken)
    assert result.exit_code == 1
    for path in good:
        assert f"{path}: ok" in result.stdout
    err = result.stderr.splitlines()
    for path in broken:
        assert any(line.startswith(f"{path}:") for line in err)
    assert err[-1].startswith(f"3 of {len(good) + 3} files have problems")


# --- fuzzing: no mutation of a good file may raise anything but DefinitionError ---------


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    op = rng.randrange(8)
    if op == 0 and lines:
        del lines[rng.randrange(len(lines))]
    elif op == 1 and lines:
        i = rng.randrange(len(lines))
        lines[i] = " " * rng.randrange(0, 7) + lines[i].lstrip()
    elif op == 2:
        return text[: rng.randrange(len(text) + 1)]
    elif op == 3 and lines:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 4 and text:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(":-[]{}'\"\t#&*!|>%@`,?\n =") + text[i:]
    elif op == 5 and text:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1 :]
    elif op == 6 and lines:
        lines.insert(rng.randrange(len(lines)), lines[rng.randrange(len(lines))])
    elif op == 7 and lines:
        i = rng.randrange(len(lines))
        key = lines[i].split(":")[0].strip(" -")
        if key:
            lines[i] = lines[i].replace(key, key[::-1], 1)
    return "\n".join(lines) + "\n"


def _check_never_crashes(name: str, texts: list[str], rounds: int, seed: int) -> int:
    rng = random.Random(seed)
    failures = 0
    for _ in range(rounds):
        text = rng.choice(texts)
        for _ in range(rng.randrange(1, 4)):
            text = _mutate(text, rng)
        try:
            load(name, text)
        except DefinitionError as e:
            failures += 1
            assert e.problems
            n_lines = max(1, len(text.splitlines()) + 1)
            for p in e.problems:
                assert 1 <= p.line <= n_lines and p.col >= 1 and p.message, (p, text)
                assert "Traceback" not in p.message
    return failures


def test_fuzz_yaml_never_raises_anything_but_definition_error() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SURVEYS]
    failures = _check_never_crashes("fuzz.yaml", texts, rounds=400, seed=20261122)
    assert failures > 100  # the mutations do break files


def test_fuzz_json_never_raises_anything_but_definition_error() -> None:
    texts = [json.dumps(load(p).survey.model_dump(mode="json"), indent=2) for p in SURVEYS]
    failures = _check_never_crashes("fuzz.json", texts, rounds=200, seed=7)
    assert failures > 50


def test_fuzz_toml_never_raises_anything_but_definition_error() -> None:
    text = (
        'surveykit = 1\nid = "store-feedback"\ntitle = "How was your visit?"\n\n'
        '[[questions]]\nid = "nps"\ntype = "nps"\ntext = "How likely?"\n\n'
        '[[questions]]\nid = "why"\ntype = "text"\ntext = "You chose {nps}. Why?"\n'
        'show_if = "nps <= 6"\n\n[kiosk]\nidle_reset_s = 45\n'
    )
    load("fine.toml", text)
    failures = _check_never_crashes("fuzz.toml", [text], rounds=200, seed=11)
    assert failures > 50


@pytest.mark.parametrize(
    "text",
    [
        # a billion laughs: aliases that expand to billions of values
        "surveykit: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)),
        # nested far deeper than any definition
        "surveykit: 1\nquestions: " + "[" * 3000 + "]" * 3000 + "\n",
        # a YAML tag asking for Python objects
        'surveykit: 1\nid: !!python/object/apply:os.system ["echo hi"]\ntitle: t\n',
        # a list used as a key
        "surveykit: 1\nid: x\ntitle: t\n? [a, b]\n: c\n",
        "\x00\x01",
        "---\n---\n",
    ],
    ids=["billion-laughs", "deep", "python-tag", "complex-key", "control-chars", "two-documents"],
)
def test_hostile_files_are_refused_plainly(text: str) -> None:
    with pytest.raises(DefinitionError) as info:
        load("hostile.yaml", text)
    for p in info.value.problems:
        assert p.line >= 1 and p.col >= 1
        for leak in LEAKS:
            assert leak not in p.message


def test_not_utf8_and_missing_and_directory(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("surveykit: 1\nid: x\ntitle: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(DefinitionError, match=r"latin1\.yaml:3:1: the file is not UTF-8"):
        load(latin)
    with pytest.raises(DefinitionError, match="file not found"):
        load(tmp_path / "nope.yaml")
    with pytest.raises(DefinitionError, match="is a directory"):
        load(tmp_path)
