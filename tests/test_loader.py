"""Loading good definition files: the examples, bare instrument names, JSON and TOML
versions of the same survey, the content hash, and the JSON Schema for editors."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from surveykit.cli import cli
from surveykit.definition import instruments as std
from surveykit.definition.loader import load
from surveykit.definition.models import (
    QUESTION_TYPES,
    SEQQuestion,
    SUSQuestion,
    UMUXLiteQuestion,
)
from surveykit.definition.problems import DefinitionError
from surveykit.definition.schema import json_schema
from surveykit.definition.source import read_source
from surveykit.pin import needs_rehash, verify_pin

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = sorted((ROOT / "surveys").glob("*.yaml"))


def raw_data(path: Path) -> dict[str, Any]:
    return read_source(path).data


# --- the example surveys -----------------------------------------------------------------


def test_there_are_example_surveys() -> None:
    assert len(SURVEYS) >= 3


@pytest.mark.parametrize("path", SURVEYS, ids=[p.name for p in SURVEYS])
def test_each_example_loads(path: Path) -> None:
    d = load(path)
    raw = raw_data(path)
    s = d.survey
    assert s.id == raw["id"] == path.stem
    assert s.title == raw["title"]
    assert s.surveykit == 1
    assert [q.id for q in s.questions] == [
        q if isinstance(q, str) else q["id"] for q in raw.get("questions", [])
    ]
    assert d.source_path == str(path)
    assert re.fullmatch(r"[0-9a-f]{64}", d.sha256)
    if "tasks" in raw:
        assert [t.id for t in s.tasks.items] == [t["id"] for t in raw["tasks"]["items"]]
        assert s.is_study
    else:
        assert not s.is_study


def test_store_feedback_details() -> None:
    s = load(ROOT / "surveys/store-feedback.yaml").survey
    assert [q.type for q in s.questions] == ["nps", "text", "csat", "ces", "choice"]
    reason = s.question("nps_reason")
    assert reason.required is False and reason.show_if == "nps <= 6"
    visit = s.question("visit")
    assert visit.other and visit.shuffle
    assert [o.stored for o in visit.option_list()] == [
        "Browsing",
        "A specific book",
        "A gift",
        "An event",
    ]
    assert s.kiosk is not None and s.kiosk.idle_reset_s == 45
    pin = "2468"  # the example's PIN, as its comment says
    assert s.kiosk.exit_pin_sha256 is None  # the salted form, as `surveykit hash-pin` prints it
    assert s.kiosk.pin_hash == s.kiosk.exit_pin_hash
    assert verify_pin(s.kiosk.pin_hash, pin) and not needs_rehash(s.kiosk.pin_hash)
    assert not verify_pin(s.kiosk.pin_hash, "2469")


def test_post_support_details() -> None:
    s = load(ROOT / "surveys/post-support.yaml").survey
    resolved = s.question("resolved")
    assert [(o.text, o.stored) for o in resolved.option_list()] == [
        ("Yes, completely", "yes"),
        ("Partly", "partly"),
        ("No", "no"),
    ]
    rating = s.question("agent_rating")
    assert (rating.low, rating.high) == (1, 10)
    assert rating.point_labels() == {1: "Poor", 10: "Excellent"}
    assert s.question("contacts").integer is True
    assert s.question("channels").min_selected == 1


def test_text_questions_are_optional_by_default_others_required() -> None:
    d = load(
        "t.yaml",
        "surveykit: 1\nid: t\ntitle: T\nquestions:\n"
        "  - {id: a, type: text, text: Say}\n"
        "  - {id: b, type: nps, text: Rate}\n"
        "  - {id: c, type: note, text: Hi}\n",
    )
    assert [q.required for q in d.survey.questions] == [False, True, False]


# --- bare names --------------------------------------------------------------------------

STUDY = """\
surveykit: 1
id: study
title: A study
questions: [nps, csat, ces]
tasks:
  items:
    - {id: t1, title: One, prompt: Do one.}
after: [sus, umux_lite]
"""


def test_bare_names_expand_to_the_standard_wording() -> None:
    s = load("study.yaml", STUDY).survey
    nps, csat, ces = s.questions
    assert nps.display_text() == std.fill_product(std.NPS_TEXT, std.DEFAULT_PRODUCT)
    assert (nps.low, nps.high) == (0, 10)
    assert nps.point_labels() == std.NPS_LABELS
    assert csat.point_labels() == std.CSAT_LABELS and (csat.low, csat.high) == (1, 5)
    assert ces.point_labels() == std.CES_LABELS and (ces.low, ces.high) == (1, 7)
    assert [q.id for q in s.questions] == ["nps", "csat", "ces"]

    # after_each defaults to the SEQ, with its standard text
    (seq,) = s.tasks.after_each
    assert isinstance(seq, SEQQuestion) and seq.id == "seq"
    assert seq.display_text() == std.SEQ_TEXT
    assert (seq.low, seq.high) == (1, 7)
    assert seq.point_labels() == std.SEQ_LABELS

    sus, umux = s.after
    assert isinstance(sus, SUSQuestion) and sus.id == "sus"
    assert sus.items() == [std.fill_product(t, "this system") for t in std.SUS_ITEMS]
    assert sus.item_ids() == [f"sus.{n}" for n in range(1, 11)]
    assert (sus.low, sus.high) == (1, 5)
    assert isinstance(umux, UMUXLiteQuestion)
    assert umux.item_ids() == ["umux_lite.1", "umux_lite.2"]
    assert umux.items()[0].startswith("This system's capabilities")


def test_explicit_after_each_and_product() -> None:
    s = load(ROOT / "surveys/checkout-study.yaml").survey
    assert [q.id for q in s.tasks.after_each] == ["seq"]
    sus = s.question("sus")
    assert sus.product == "the website"
    assert "I think that I would like to use the website frequently." in sus.items()
    assert "the website" in sus.display_text()


def test_a_bare_name_in_after_each_and_no_other_bare_name() -> None:
    text = STUDY.replace("tasks:\n", "tasks:\n  after_each: [seq, umux_lite]\n").replace(
        "after: [sus, umux_lite]", "after: [sus]"
    )
    s = load("study.yaml", text).survey
    assert [q.id for q in s.tasks.after_each] == ["seq", "umux_lite"]
    with pytest.raises(DefinitionError, match="'seqq' is not a standard instrument; did you mean 'seq'"):
        load("study.yaml", text.replace("[seq, umux_lite]", "[seqq]"))


# --- JSON and TOML -----------------------------------------------------------------------


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    """Just enough TOML writing for a definition: tables and arrays of tables."""
    out: list[str] = []
    nested: list[tuple[str, Any]] = []
    for k, v in data.items():
        if isinstance(v, dict) and not prefix.count("."):
            nested.append((k, v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and prefix.count(".") < 1:
            nested.append((k, v))
        else:
            out.append(f"{k} = {_toml_value(v)}")
    for k, v in nested:
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.append(f"\n[{name}]")
            out.append(to_toml(v, name + "."))
        else:
            for item in v:
                out.append(f"\n[[{name}]]")
                out.append(
                    "\n".join(f"{ik} = {_toml_value(iv)}" for ik, iv in item.items())
                )
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("path", SURVEYS, ids=[p.name for p in SURVEYS])
def test_json_version_loads_to_the_same_survey_and_hash(path: Path, tmp_path: Path) -> None:
    yaml_def = load(path)
    target = tmp_path / f"{path.stem}.json"
    target.write_text(json.dumps(raw_data(path), indent=2, ensure_ascii=False), encoding="utf-8")
    json_def = load(target)
    assert json_def.survey == yaml_def.survey
    assert json_def.sha256 == yaml_def.sha256


@pytest.mark.parametrize("path", SURVEYS, ids=[p.name for p in SURVEYS])
def test_toml_version_loads_to_the_same_survey(path: Path, tmp_path: Path) -> None:
    raw = raw_data(path)
    text = to_toml(raw)
    # the writer itself is right: TOML reads back the same data (label keys as text)
    assert json.loads(json.dumps(tomllib.loads(text))) == json.loads(json.dumps(raw))
    target = tmp_path / f"{path.stem}.toml"
    target.write_text(text, encoding="utf-8")
    assert load(target).survey == load(path).survey


def test_toml_problems_point_at_the_right_question(tmp_path: Path) -> None:
    raw = raw_data(ROOT / "surveys/post-support.yaml")
    raw["questions"][3]["maximum"] = 5
    text = to_toml(raw)
    target = tmp_path / "support.toml"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load(target)
    (p,) = info.value.problems
    assert "unknown key 'maximum' in question 'contacts'; did you mean 'max'?" == p.message
    assert text.splitlines()[p.line - 1].startswith("maximum = 5")


def test_yaml_dates_and_str_tags_read_as_text() -> None:
    d = load(
        "t.yaml",
        "surveykit: 1\nid: t\ntitle: !!str 2026\nquestions:\n"
        "  - {id: when, type: choice, text: Which day?, options: [2026-05-01, 2026-05-02]}\n",
    )
    assert d.survey.title == "2026"
    assert [o.text for o in d.survey.question("when").option_list()] == ["2026-05-01", "2026-05-02"]


# --- content hash ------------------------------------------------------------------------


def test_sha256_is_stable_and_ignores_formatting(tmp_path: Path) -> None:
    path = ROOT / "surveys/store-feedback.yaml"
    first, again = load(path), load(path)
    assert first.sha256 == again.sha256
    assert first.sha256 == hashlib.sha256(first.body_json.encode()).hexdigest()
    assert json.loads(first.body_json) == raw_data(path)

    text = path.read_text(encoding="utf-8")
    reformatted = "# a new comment\n\n" + text.replace("title: How was your visit?", "title:   'How was your visit?'   # same")
    assert load("other-name.yaml", reformatted).sha256 == first.sha256

    changed = text.replace("How was your visit?", "How was your day?")
    assert load("store-feedback.yaml", changed).sha256 != first.sha256


def test_different_surveys_have_different_hashes() -> None:
    hashes = {load(p).sha256 for p in SURVEYS}
    assert len(hashes) == len(SURVEYS)


# --- JSON Schema -------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        schema = root["$defs"][ref.removeprefix("#/$defs/")]
    return schema


def _type_ok(value: Any, t: str) -> bool:
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "null": value is None,
    }[t]


def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "") -> list[str]:
    """A small JSON Schema checker for the keywords the definition schema uses."""
    schema = _resolve(schema, root)
    errs: list[str] = []
    if "type" in schema and not _type_ok(value, schema["type"]):
        return [f"{at}: not {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        errs.append(f"{at}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{at}: not in enum")
    if "anyOf" in schema and not any(not schema_errors(value, s, root, at) for s in schema["anyOf"]):
        errs.append(f"{at}: matches no anyOf")
    if "oneOf" in schema:
        n = sum(not schema_errors(value, s, root, at) for s in schema["oneOf"])
        if n != 1:
            errs.append(f"{at}: matches {n} of oneOf")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append(f"{at}: pattern")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1 << 30):
            errs.append(f"{at}: length")
    if _type_ok(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append(f"{at}: minimum")
        if "maximum" in schema and value > schema["maximum"]:
            errs.append(f"{at}: maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errs.append(f"{at}: exclusiveMinimum")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errs.append(f"{at}: minItems")
        if "items" in schema:
            for i, item in enumerate(value):
                errs += schema_errors(item, schema["items"], root, f"{at}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errs.append(f"{at}: missing {name}")
        for k, v in value.items():
            if k in props:
                errs += schema_errors(v, props[k], root, f"{at}.{k}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{at}: extra {k}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += schema_errors(v, schema["additionalProperties"], root, f"{at}.{k}")
    return errs


def test_schema_structure() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert {"surveykit", "id", "title"} <= set(schema["required"])
    assert set(schema["properties"]) == {
        "$schema", "surveykit", "id", "title", "intro", "outro", "questions", "tasks", "after", "kiosk",
        "languages", "default_language",
    }
    assert schema["properties"]["surveykit"]["const"] == 1
    # every object in the format forbids unknown keys, as the loader does
    for name, definition in schema["$defs"].items():
        assert definition["type"] == "object", name
        assert definition["additionalProperties"] is False, name
    # the question types, each with its `type` constant
    items = schema["properties"]["questions"]["items"]["anyOf"]
    union = next(i for i in items if "oneOf" in i)
    assert set(union["discriminator"]["mapping"]) == set(QUESTION_TYPES)
    consts = {_resolve(r, schema)["properties"]["type"]["const"] for r in union["oneOf"]}
    assert consts == set(QUESTION_TYPES)
    bare = next(i for i in items if i.get("type") == "string")
    assert bare["enum"] == list(std.STANDARD_NAMES)
    after_each = schema["$defs"]["TaskSet"]["properties"]["after_each"]["items"]["anyOf"]
    assert any(i.get("enum") == list(std.STANDARD_NAMES) for i in after_each)
    assert schema["$defs"]["TaskSet"]["properties"]["order"]["enum"] == ["fixed", "shuffle", "latin_square"]


@pytest.mark.parametrize("path", SURVEYS, ids=[p.name for p in SURVEYS])
def test_schema_accepts_the_examples(path: Path) -> None:
    schema = json_schema()
    data = json.loads(json.dumps(raw_data(path)))  # as an editor sees it: keys are text
    assert schema_errors(data, schema, schema) == []


def test_schema_rejects_what_the_loader_rejects() -> None:
    schema = json_schema()
    data = json.loads(json.dumps(raw_data(ROOT / "surveys/store-feedback.yaml")))
    data["questions"][0]["requried"] = True
    data["questions"][1]["type"] = "txt"
    data["kiosk"]["idle_reset_s"] = 2
    data["titel"] = "x"
    errs = schema_errors(data, schema, schema)
    assert any("extra titel" in e for e in errs)
    assert any(e.startswith(".questions[0]") for e in errs)
    assert any(e.startswith(".questions[1]") for e in errs)
    assert any(e.startswith(".kiosk") for e in errs)
    del data["questions"][0]["requried"], data["titel"]
    data["questions"][1]["type"] = "text"
    data["kiosk"]["idle_reset_s"] = 45
    assert schema_errors(data, schema, schema) == []


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json_schema()


# --- the schema for editors: descriptions, $id, "$schema" in files --------------------


def test_every_property_has_a_description() -> None:
    schema = json_schema()
    assert schema["$id"] == "urn:surveykit:definition:1"
    holders = {"the file": schema, **schema["$defs"]}
    described = 0
    for name, holder in holders.items():
        for key, prop in holder.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{key}"
            assert "title" not in prop, f"{name}.{key}"  # no 'Idle Reset S' on hover
            described += 1
    assert described > 50
    idle = schema["$defs"]["KioskSettings"]["properties"]["idle_reset_s"]["description"]
    assert "idle" in idle.lower() and "seconds" in idle


def test_a_schema_key_is_accepted_and_left_out_of_the_model(tmp_path: Path) -> None:
    data = json.loads(load(ROOT / "surveys/post-support.yaml").body_json)
    data = {"$schema": "../.surveykit.schema.json", **data}
    (tmp_path / "p.json").write_text(json.dumps(data), encoding="utf-8")
    d = load(tmp_path / "p.json")
    assert "$schema" not in d.survey.model_dump() and "json_schema_ref" not in d.survey.model_dump()
    assert schema_errors(json.loads(json.dumps(data)), json_schema(), json_schema()) == []
    # in YAML too, and a misspelt key is not offered '$schema' as a correction
    text = "$schema: ../.surveykit.schema.json\nsurveykit: 1\nid: s\ntitle: S\nquestions: [nps]\nschema: x\n"
    with pytest.raises(DefinitionError) as info:
        load("s.yaml", text)
    (problem,) = info.value.problems
    assert problem.message.startswith("unknown key 'schema' in the file") and "$schema" not in problem.message


def test_schema_out_writes_the_file_the_docs_point_at(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "--out", str(tmp_path / ".surveykit.schema.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / ".surveykit.schema.json").read_text(encoding="utf-8")) == json_schema()
    docs = (ROOT / "docs/definitions.md").read_text(encoding="utf-8")
    assert "surveykit schema --out .surveykit.schema.json" in docs
    assert "# yaml-language-server: $schema=../.surveykit.schema.json" in docs
