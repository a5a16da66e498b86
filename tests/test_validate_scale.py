"""Validation is linear in the file's size: big files get their answer in seconds.

The bounds are generous (a loaded machine must not fail them); the quadratic
steps these tests guard against took minutes on the same files. The files come
from bench/bench_validate.py, which measures the times properly.
"""

from __future__ import annotations

import time

import pytest

from bench.bench_validate import study_yaml, survey_toml, survey_yaml
from surveykit.definition import source
from surveykit.definition.loader import load
from surveykit.definition.problems import DefinitionError


def timed(name: str, text: str) -> tuple[float, object]:
    start = time.perf_counter()
    try:
        result: object = load(name, text)
    except DefinitionError as e:
        result = e
    return time.perf_counter() - start, result


def test_19000_questions() -> None:
    text = survey_yaml(19_000)
    assert 1_000_000 < len(text) < source.MAX_FILE_BYTES
    elapsed, d = timed("big.yaml", text)
    assert not isinstance(d, DefinitionError), str(d)[:500]
    assert len(d.survey.questions) == 19_000  # type: ignore[attr-defined]
    assert elapsed < 30


def test_5000_tasks() -> None:
    elapsed, d = timed("study.yaml", study_yaml(5_000))
    assert not isinstance(d, DefinitionError), str(d)[:500]
    assert len(d.survey.tasks.items) == 5_000  # type: ignore[attr-defined]
    assert elapsed < 20


def test_toml_with_30000_keys() -> None:
    elapsed, d = timed("many.toml", survey_toml(30_000))
    assert not isinstance(d, DefinitionError), str(d)[:500]
    assert elapsed < 20


def test_30000_keys_in_one_toml_table_get_located_errors() -> None:
    """Each key's line used to be searched from the top of the file: quadratic."""
    text = 'surveykit = 1\nid = "t"\ntitle = "T"\n' + "".join(f"k{i} = {i}\n" for i in range(30_000))
    elapsed, err = timed("flat.toml", text)
    assert isinstance(err, DefinitionError)
    assert len(err.problems) == 30_000
    first, last = err.problems[0], err.problems[-1]
    assert (first.line, first.col) == (4, 1) and "unknown key 'k0'" in first.message
    assert (last.line, last.col) == (30_003, 1) and "unknown key 'k29999'" in last.message
    assert elapsed < 30


def test_thousands_of_misspelled_references_are_each_reported() -> None:
    """'did you mean' compares a name with every earlier id: bounded work per file."""
    n = 6_000
    lines = ["surveykit: 1", "id: refs", "title: Refs", "questions:"]
    for i in range(n + 1):
        lines += [f"  - id: q{i}", "    type: nps"] + ([f"    show_if: q_{i - 1} > 3"] if i else [])
    elapsed, err = timed("refs.yaml", "\n".join(lines) + "\n")
    assert isinstance(err, DefinitionError)
    assert len(err.problems) == n
    assert all("show_if uses 'q_" in p.message for p in err.problems)
    # the first ones still get a hint
    assert err.problems[0].message.endswith("which is not a question in this file; did you mean 'q0'?")
    assert elapsed < 30


@pytest.mark.parametrize("fast", [True, False], ids=["libyaml", "pure-python"])
def test_both_yaml_readers_give_the_same_positions(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast reader's data and positions are the round-trip reader's, with or
    without the C extension."""
    if not fast:
        import ruamel.yaml.cyaml as cyaml

        monkeypatch.delattr(cyaml, "CSafeLoader", raising=False)
    text = survey_yaml(200) + "kiosk: {idle_reset_s: 1_0, thank_you_s: 0x10, welcome: 'Hi: there'}\n"
    text = text.replace("title: 200 questions", "title: Q&A\nintro: Bonjour ! Merci !")  # not tags
    quick = source._read_plain_yaml("x.yaml", text)
    full = source._read_full_yaml("x.yaml", text)
    assert repr(quick.data) == repr(full.data)
    assert quick.values == full.values
    assert quick.keys == full.keys


def test_a_big_file_with_a_syntax_error_at_the_end() -> None:
    """libyaml finds it; the full reader would read the whole file again, slowly."""
    text = survey_yaml(19_000) + "bad: x: y\n"
    elapsed, err = timed("big.yaml", text)
    assert isinstance(err, DefinitionError)
    (problem,) = err.problems
    assert problem.line == text.count("\n") and "unexpected ':' here" in problem.message
    assert elapsed < 20


def test_a_file_of_almost_5_mb_with_too_many_values() -> None:
    text = survey_yaml(60_000)
    assert len(text) < source.MAX_FILE_BYTES
    elapsed, err = timed("huge.yaml", text)
    assert isinstance(err, DefinitionError)
    (problem,) = err.problems
    assert "the file holds too many values (more than 200,000" in problem.message
    assert elapsed < 40


def test_a_big_file_with_a_duplicate_key() -> None:
    text = survey_yaml(19_000).replace("    type: csat\n", "    type: csat\n    type: csat\n", 1)
    elapsed, err = timed("big.yaml", text)
    assert isinstance(err, DefinitionError)
    (problem,) = err.problems
    assert problem.message == "key 'type' appears twice in the same mapping"
    line = text[: text.index("    type: csat\n    type: csat")].count("\n") + 2
    assert (problem.line, problem.col) == (line, 5)
    assert elapsed < 20
