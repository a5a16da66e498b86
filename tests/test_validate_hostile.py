"""`surveykit validate` never hangs and never crashes, whatever path or file it is given.

Paths that are not regular files (a FIFO, a device, a symlink loop, `-`) and files
over the size limit are refused with one `path:1:1: message` line and exit code 1.
The CLI runs in a subprocess with a timeout, so a regression fails instead of
hanging the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from surveykit.definition.loader import load
from surveykit.definition.problems import DefinitionError
from surveykit.definition.source import MAX_FILE_BYTES, read_bounded

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "surveys" / "store-feedback.yaml"


def validate(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "surveykit", "validate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def one_problem(r: subprocess.CompletedProcess[str], path: str, fragment: str) -> None:
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    assert lines[0].startswith(f"{path}:1:1: "), lines[0]
    assert fragment in lines[0]
    assert lines[1] == "1 of 1 file has problems (1 in all)"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    one_problem(validate("pipe.yaml", cwd=tmp_path), "pipe.yaml", "named pipe (FIFO)")


def test_a_fifo_inside_a_folder_does_not_stop_the_others(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a-pipe.yaml")
    (tmp_path / "b.yaml").write_bytes(GOOD.read_bytes())
    r = validate(".", cwd=tmp_path)
    assert r.returncode == 1
    assert "b.yaml: ok" in r.stdout
    assert "a-pipe.yaml:1:1: is a named pipe (FIFO)" in r.stderr


def test_dev_zero_and_dev_null_are_devices(tmp_path: Path) -> None:
    one_problem(validate("/dev/zero", cwd=tmp_path), "/dev/zero", "is a device")
    one_problem(validate("/dev/null", cwd=tmp_path), "/dev/null", "is a device")


def test_a_symlink_loop_and_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    one_problem(validate("a.yaml", cwd=tmp_path), "a.yaml", "symbolic link loop")
    (tmp_path / "gone.yaml").symlink_to("nowhere.yaml")
    one_problem(validate("gone.yaml", cwd=tmp_path), "gone.yaml", "link to a file that does not exist")


def test_a_symlink_to_a_good_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "link.yaml").symlink_to(GOOD)
    r = validate("link.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("link.yaml: ok")


def test_a_20_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.write(GOOD.read_bytes())
        f.write(b"# padding\n" * 2_000_000)
    assert big.stat().st_size > 20_000_000
    one_problem(validate("big.yaml", cwd=tmp_path, timeout=20), "big.yaml", "larger than 5,000,000 bytes")


def test_standard_input_is_not_read(tmp_path: Path) -> None:
    one_problem(validate("-", cwd=tmp_path, timeout=20), "-", "not read from standard input")
    # a file that is really called "-" is read when named as ./-
    (tmp_path / "-").write_bytes(GOOD.read_bytes())
    r = validate("./-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_a_directory_named_like_a_definition_file(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    one_problem(validate("folder.yaml/", cwd=tmp_path), "folder.yaml/", "is a directory")
    # inside a folder it is listed with the definition files and refused the same way
    r = validate(".", cwd=tmp_path)
    assert r.returncode == 1 and "folder.yaml:1:1: is a directory" in r.stderr


def test_an_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    secret = tmp_path / "secret.yaml"
    secret.write_bytes(GOOD.read_bytes())
    secret.chmod(0)
    one_problem(validate("secret.yaml", cwd=tmp_path), "secret.yaml", "permission denied")


# --- the bound itself, in process --------------------------------------------------------


def test_the_reader_never_reads_more_than_the_limit_plus_one(tmp_path: Path) -> None:
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"x" * 1000)
    assert read_bounded(exact, limit=1000) == b"x" * 1000
    with pytest.raises(DefinitionError, match="larger than 999 bytes"):
        read_bounded(exact, limit=999)
    # /dev/zero claims size 0 and never ends: refused before any read
    with pytest.raises(DefinitionError, match="is a device"):
        read_bounded("/dev/zero")


def test_the_limit_is_documented() -> None:
    assert MAX_FILE_BYTES == 5_000_000
    docs = (ROOT / "docs" / "definitions.md").read_text(encoding="utf-8")
    assert "5 MB" in docs


def test_load_refuses_what_validate_refuses(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.yaml")
    with pytest.raises(DefinitionError, match=r"p\.yaml:1:1: is a named pipe"):
        load(tmp_path / "p.yaml")
    with pytest.raises(DefinitionError, match="not read from standard input"):
        load("-")


# --- hostile definitions: located errors or a clear line, never a traceback or a hang ------

H = "surveykit: 1\nid: h\ntitle: H\n"
BIG = "9" * 5_000  # more digits than Python turns into an int by default
LONG = "9" * 4_000  # fewer, but far longer than a message should quote

#: name -> (file name, text, a fragment every run must print; None for a file that loads)
HOSTILE: dict[str, tuple[str, str, str | None]] = {
    # wrong types at every level
    "option-value-list": ("h.yaml", H + "questions:\n  - id: c\n    type: choice\n    text: C\n"
                          "    options:\n      - {text: A, value: [1, 2]}\n",
                          "h.yaml:9:26: 'value' in option 1 of question 'c' must be text or a number, not a list"),
    "option-value-mapping": ("h.yaml", H + "questions:\n  - id: c\n    type: multi\n    text: C\n"
                             "    options:\n      - {text: A, value: {a: 1}}\n      - {text: B, value: {a: 1}}\n",
                             "h.yaml:9:26: 'value' in option 1 of question 'c' must be text or a number, not a mapping"),
    "option-value-json": ("h.json", '{"surveykit": 1, "id": "h", "title": "H", "questions": [{"id": "a", '
                          '"type": "choice", "text": "c", "options": [{"text": "A", "value": [1]}]}]}',
                          "must be text or a number, not a list"),
    "option-value-toml": ("h.toml", 'surveykit = 1\nid = "t"\ntitle = "T"\n[[questions]]\nid = "a"\n'
                          'type = "choice"\ntext = "c"\noptions = [{text = "A", value = {a = 1}}]\n',
                          "must be text or a number, not a mapping"),
    "type-list": ("h.yaml", H + "questions:\n  - {id: a, type: [nps]}\n",
                  "h.yaml:5:19: 'type' in question 'a' must be one of nps,"),
    "type-mapping": ("h.yaml", H + "questions:\n  - {id: a, type: {nps: 1}}\n", "not a mapping"),
    "id-mapping": ("h.yaml", H.replace("id: h", "id: {h: 1}"), "'id' in the file must be text, not a mapping"),
    "question-ids-mappings": ("h.yaml", H + "questions:\n  - {id: {a: 1}, type: nps}\n  - {id: {a: 1}, type: nps}\n",
                              "must be text, not a mapping"),
    "show-if-mapping": ("h.yaml", H + "questions:\n  - {id: a, type: nps}\n  - {id: b, type: nps, show_if: {a: 1}}\n",
                        "'show_if' in question 'b' must be text, not a mapping"),
    "labels-value-mapping": ("h.yaml", H + "questions:\n  - {id: a, type: nps, labels: {1: {a: b}}}\n",
                             "must be text, not a mapping"),
    "kiosk-list": ("h.yaml", H + "questions: [nps]\nkiosk: [1]\n", "'kiosk' in the file must be a mapping"),
    "kiosk-values-lists": ("h.yaml", H + "questions: [nps]\nkiosk: {idle_reset_s: [1], exit_pin_sha256: {a: 1}}\n",
                           "'idle_reset_s' in kiosk must be a number"),
    "task-ids-lists": ("h.yaml", H + "tasks: {items: [{id: [a], title: t, prompt: p}, {id: [a], title: t, prompt: p}]}\n",
                       "'id' in task 1 must be text, not a list"),
    "error-codes-mixed": ("h.yaml", H + "tasks: {items: [{id: a, title: t, prompt: p}], error_codes: [{a: 1}, [1], a, a]}\n",
                          "error code 'a' is listed twice"),
    "after-each-junk": ("h.yaml", H + "tasks: {items: [{id: a, title: t, prompt: p}], after_each: [5, null, [1]]}\n",
                        "5 is not a question"),
    "format-version-list": ("h.yaml", "surveykit: [1]\nid: h\ntitle: H\n", "unsupported format version [1]"),
    "toml-date": ("h.toml", 'surveykit = 1\nid = "t"\ntitle = 1979-05-27T07:32:00Z\n',
                  "'title' in the file must be text, not the date or time 1979-05-27T07:32:00+00:00"),
    "id-too-long": ("h.yaml", "surveykit: 1\nid: " + "a" * 70 + "\ntitle: T\n", "h.yaml:2:5: 'id' in the file is too long (at most 64 characters)"),
    "option-is-a-list": ("h.yaml", H + "questions:\n  - {id: c, type: choice, text: t, options: [[a, b]]}\n",
                         "option 1 of question 'c' is a list; an option is a text, or a mapping like {text: …, value: …}"),
    "impossible-date": ("h.yaml", H + "intro: 2024-02-30\noutro: 9999-12-31T23:59:60Z\nquestions: [nps]\n", None),
    "impossible-date-wrong-place": ("h.yaml", H + "questions:\n  - {id: a, type: rating, max: 2024-13-01}\n",
                                    "'max' in question 'a' must be a whole number, not '2024-13-01'"),
    # huge and non-finite numbers
    "int-too-long-to-read": ("h.yaml", H + f"questions:\n  - {{id: a, type: rating, max: {BIG}}}\n",
                             "h.yaml:5:32: a number with thousands of digits"),
    "int-too-long-json": ("h.json", f'{{"surveykit": {BIG}, "id": "h", "title": "H"}}', "h.json:1:15: a number with thousands"),
    "int-too-long-toml": ("h.toml", f'surveykit = 1\nid = "t"\ntitle = "T"\n[kiosk]\nidle_reset_s = {BIG}\n',
                          "a number with thousands of digits"),
    "long-ints-in-messages": ("h.yaml", H + f"questions:\n  - {{id: a, type: rating, min: -{LONG}, max: {LONG}}}\n",
                              "a rating scale has 2 to 11 points; -9999999999999999999999…..9999"),
    "long-int-number-bounds": ("h.yaml", H + f"questions:\n  - {{id: a, type: number, text: t, min: {LONG}, max: 1}}\n",
                               "'min' in question 'a' must be a number, not 9999"),
    "huge-float": ("h.yaml", H + "questions:\n  - {id: a, type: rating, min: 1, max: 1e308}\n",
                   "'max' in question 'a' must be a whole number, not 1e+308"),
    "infinity": ("h.yaml", H + "questions:\n  - {id: a, type: rating, min: -.inf, max: .inf}\n",
                 "'min' in question 'a' must be a finite number, not -inf"),
    "nan": ("h.yaml", H + "questions:\n  - {id: a, type: rating, min: .nan, max: 5}\n", "must be a finite number, not nan"),
    "time-limit-infinite": ("h.yaml", H + "tasks: {items: [{id: a, title: t, prompt: p, time_limit_s: 1e999}]}\n",
                            "'time_limit_s' in task 'a' must be a finite number, not inf"),
    "multi-bounds-huge": ("h.yaml", H + f"questions:\n  - {{id: a, type: multi, text: t, options: [a], "
                          f"min_selected: {LONG}, max_selected: 1e400}}\n", "must be a finite number, not inf"),
    "json-nan-infinity": ("h.json", '{"surveykit": NaN, "id": "h", "title": "H", "questions": '
                          '[{"id": "a", "type": "rating", "max": Infinity}]}', "unsupported format version 'NaN'"),
    # YAML features no definition uses
    "billion-laughs": ("h.yaml", "surveykit: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
                       + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)),
                       "the file holds too many values"),
    "deep-block-nesting": ("h.yaml", H + "questions:\n" + "".join("  " * i + "- \n" for i in range(1, 3_000)),
                           "nests lists or mappings too deeply"),
    "deep-mapping-indent": ("h.yaml", H + "".join(" " * i + f"k{i}:\n" for i in range(3_000)),
                            "nests lists or mappings too deeply"),
    "deep-flow": ("h.yaml", H + "questions: " + "[" * 100_000 + "]" * 100_000 + "\n", "nests lists or mappings too deeply"),
    "duplicate-key": ("h.yaml", H + "title: again\n", "h.yaml:4:1: key 'title' appears twice"),
    "duplicate-key-nested": ("h.yaml", H + "questions:\n  - {id: a, id: b, type: nps}\n", "key 'id' appears twice"),
    "binary-tag": ("h.yaml", H + "questions:\n  - {id: a, type: text, text: !!binary aGVsbG8=}\n",
                   "h.yaml:5:31: a YAML !!binary value is not allowed"),
    "set-tag": ("h.yaml", H + "questions: !!set {a, b}\n", "a YAML !!set value is not allowed"),
    "python-tag": ("h.yaml", H + "after: !!python/object/apply:os.system [echo hi]\n", "YAML tag '!!python/object/apply:os.system'"),
    "merge-key": ("h.yaml", H + "questions:\n  - &q {id: a, type: nps}\n  - <<: *q\n    id: b\n", None),
    # bytes and characters
    "nul-in-yaml": ("h.yaml", H + "questions:\n  - {id: a, type: text, text: \"a\x00b\"}\n",
                    "h.yaml:5:33: the control character U+0000 is not allowed"),
    "bell-and-escape": ("h.yaml", H + "title2: \x07\x1b[31m\n", "h.yaml:4:9: the control character U+0007"),
    "nul-escaped-in-json": ("h.json", '{"surveykit": 1, "id": "h\\u0000", "title": "H"}', "survey id 'h␀' must be"),
    "lone-surrogate-json": ("h.json", '{"surveykit": 1, "id": "h", "title": "\\ud800"}',
                            "'title' in the file is not valid text: it holds a lone surrogate"),
    "escape-sequence-in-key": ("h.yaml", H + "\"\\e]0;pwned\\a\": 1\n", "unknown key '␛]0;pwned␇'"),
    "bom-inside": ("h.yaml", H + "intro: a\ufeffb\n", None),
    # JSON and TOML at their limits
    "json-100k-deep": ("h.json", '{"surveykit": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    "json-100k-deep-objects": ("h.json", '{"surveykit": 1, "x": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}",
                               "nested too deeply"),
    "json-duplicate-key": ("h.json", '{"surveykit": 1, "id": "h", "id": "g", "title": "H"}', "h.json:1:29: key 'id' appears twice"),
    "toml-deep-arrays": ("h.toml", "surveykit = 1\nx = " + "[" * 5_000 + "]" * 5_000 + "\n", "nests lists or tables too deeply"),
    "toml-deep-tables": ("h.toml", "surveykit = 1\nx = " + "{a = " * 2_000 + "1" + "}" * 2_000 + "\n",
                         "nests lists or tables too deeply"),
    "toml-dotted-keys": ("h.toml", 'surveykit = 1\nid = "t"\ntitle = "T"\nkiosk.exit_pin = "1234"\n', "h.toml:4:1: plaintext PIN"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_definition(name: str) -> None:
    filename, text, expected = HOSTILE[name]
    start = time.perf_counter()
    try:
        load(filename, text)
        printed: list[str] = []
    except DefinitionError as e:
        printed = [str(p) for p in e.problems]
        n_lines = text.count("\n") + 1
        for p in e.problems:
            assert 1 <= p.line <= n_lines and p.col >= 1, p
            assert len(p.message) < 300, p.message[:400]
            assert "Traceback" not in p.message and "\n" not in p.message
            assert "Input should" not in p.message and "<unicode string>" not in p.message
    assert time.perf_counter() - start < 20
    if expected is None:
        assert printed == []
    else:
        assert any(expected in line for line in printed), printed[:5]


def test_hostile_files_through_the_command(tmp_path: Path) -> None:
    """The same files written to disk: one process, exit 1, no traceback."""
    names = ["option-value-list", "option-value-mapping", "int-too-long-to-read", "nul-in-yaml", "json-100k-deep"]
    for name in names:
        filename, text, _ = HOSTILE[name]
        (tmp_path / f"{name}-{filename}").write_text(text, encoding="utf-8")
    r = validate(".", cwd=tmp_path, timeout=60)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.splitlines()[-1].startswith(f"{len(names)} of {len(names)} files have problems")


def test_invalid_utf8_and_a_utf16_file(tmp_path: Path) -> None:
    (tmp_path / "ff.yaml").write_bytes(b"surveykit: 1\nid: h\ntitle: \xff\xfe\n")
    (tmp_path / "u16.yaml").write_bytes("surveykit: 1\nid: h\ntitle: H\n".encode("utf-16"))
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes())
    r = validate("ff.yaml", "u16.yaml", "bom.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "ff.yaml:3:1: the file is not UTF-8 text; save it as UTF-8" in r.stderr
    assert "u16.yaml:1:1: the file is not UTF-8 text" in r.stderr
    assert "bom.yaml: ok" in r.stdout


def test_many_unknown_keys_are_all_reported_in_bounded_time() -> None:
    text = H + "".join(f"k{i}: {i}\n" for i in range(30_000))
    start = time.perf_counter()
    with pytest.raises(DefinitionError) as info:
        load("keys.yaml", text)
    assert len(info.value.problems) == 30_000
    assert info.value.problems[-1].line == 30_003
    assert time.perf_counter() - start < 30


def test_a_file_name_with_an_escape_sequence_is_shown_as_symbols(tmp_path: Path) -> None:
    name = "evil\x1b]0;pwned\x07.yaml"
    (tmp_path / name).write_bytes(GOOD.read_bytes())
    (tmp_path / ("bad\x1b[2J.yaml")).write_text("surveykit: 1\n", encoding="utf-8")
    r = validate(".", cwd=tmp_path)
    assert "\x1b" not in r.stdout + r.stderr and "\x07" not in r.stdout
    assert "evil␛]0;pwned␇.yaml: ok" in r.stdout
    assert "bad␛[2J.yaml:1:1:" in r.stderr


def test_dates_are_kept_as_written() -> None:
    d = load("d.yaml", H + "intro: 2024-01-01T10:00:00Z\noutro: 2024-05-01\nquestions: [nps]\n")
    assert (d.survey.intro, d.survey.outro) == ("2024-01-01T10:00:00Z", "2024-05-01")


# --- a structural fuzz: hostile values anywhere in the example files ---------------------

FUZZ_VALUES: list[object] = [
    None, True, 0, -1, 10**40, 1.5, float("inf"), float("nan"), "", "x" * 300, "\x1b[31m", [], {},
    [1, [2, {}]], {"a": {"b": [1]}}, {"id": [1]}, ["nps", 5], {"type": "choice", "options": [{"text": [1]}]},
    "scrypt$1$2", "nps", {"$schema": 1}, "{nps}", "nps <= 6 and", [[[]]], "1234", "a" * 70,
]


def _paths(node: object, at: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*at, i))
    return out


def test_hostile_values_anywhere_give_plain_located_messages() -> None:
    import copy
    import json
    import random

    from surveykit.definition.source import read_source

    bases = [json.loads(json.dumps(read_source(p).data)) for p in sorted((ROOT / "surveys").glob("*.yaml"))]
    rng = random.Random(20261202)
    refused = 0
    for _ in range(1_000):
        data = copy.deepcopy(rng.choice(bases))
        for _ in range(rng.randrange(1, 4)):
            where = rng.choice([p for p in _paths(data) if p])
            node = data
            for k in where[:-1]:
                node = node[k]  # type: ignore[index]
            node[where[-1]] = copy.deepcopy(rng.choice(FUZZ_VALUES))  # type: ignore[index]
        text = json.dumps(data)
        for name in ("fuzz.json", "fuzz.yaml"):
            try:
                load(name, text)
            except DefinitionError as e:
                refused += 1
                for p in e.problems:
                    assert p.line >= 1 and p.col >= 1 and "\n" not in p.message, p
                    for leak in ("Input should", "String should", "Field required", "errors.pydantic.dev"):
                        assert leak not in p.message, (p, text[:300])
    assert refused > 1_500
