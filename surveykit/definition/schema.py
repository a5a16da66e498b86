"""JSON Schema of the definition format, for editors (`surveykit schema`)."""

from __future__ import annotations

from typing import Any

from surveykit.definition.instruments import STANDARD_NAMES
from surveykit.definition.languages import LANGUAGE_TAG, QUESTION_TEXT_KEYS, TASK_TEXT_KEYS
from surveykit.definition.models import Survey

#: Names this schema (format version 1); a URN, so that no web address is implied.
SCHEMA_ID = "urn:surveykit:definition:1"


def json_schema() -> dict[str, Any]:
    schema = Survey.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "surveykit definition",
        "description": (
            "A surveykit survey or study definition (YAML, JSON or TOML). "
            "Check a file with `surveykit validate FILE`."
        ),
    }
    bare = {"type": "string", "enum": list(STANDARD_NAMES), "description": "a standard instrument"}
    for holder in (schema["properties"], schema.get("$defs", {}).get("TaskSet", {}).get("properties", {})):
        for key in ("questions", "after", "after_each"):
            prop = holder.get(key)
            if prop and "items" in prop:
                prop["items"] = {"anyOf": [prop["items"], bare]}
    _allow_language_maps(schema)
    # Hover text comes from the descriptions; the titles pydantic makes from
    # field names ("Idle Reset S") only get in their way.
    for holder in (schema, *schema.get("$defs", {}).values()):
        for prop in holder.get("properties", {}).values():
            prop.pop("title", None)
    return schema


#: a text in several languages: {en: …, de: …}
LANGUAGE_MAP = {
    "type": "object",
    "propertyNames": {"pattern": LANGUAGE_TAG.pattern},
    "additionalProperties": {"type": "string"},
    "minProperties": 1,
    "description": "the text per language (languages: at the top of the file), like {en: Yes, de: Ja}",
}
_SURVEY_TEXTS = ("title", "intro", "outro")
_TEXT_KEYS = {
    "Task": TASK_TEXT_KEYS,
    "KioskSettings": ("welcome",),
    "Option": ("text",),
}


def _localizable(prop: dict[str, Any]) -> None:
    """`string` (or `string | null`) becomes that or a language map."""
    if prop.get("type") == "string":
        keep = {k: prop.pop(k) for k in list(prop) if k not in ("description", "title", "default")}
        prop["anyOf"] = [keep, LANGUAGE_MAP]
    elif "anyOf" in prop and any(a.get("type") == "string" for a in prop["anyOf"]):
        prop["anyOf"].append(LANGUAGE_MAP)


def _allow_language_maps(schema: dict[str, Any]) -> None:
    for key in _SURVEY_TEXTS:
        if key in schema["properties"]:
            _localizable(schema["properties"][key])
    for name, definition in schema.get("$defs", {}).items():
        props = definition.get("properties", {})
        keys = _TEXT_KEYS.get(name, QUESTION_TEXT_KEYS if "type" in props else ())
        for key in keys:
            if key in props:
                _localizable(props[key])
        labels = props.get("labels")
        if labels is not None:
            for alt in labels.get("anyOf", [labels]):
                extra = alt.get("additionalProperties")
                if isinstance(extra, dict) and extra.get("type") == "string":
                    alt["additionalProperties"] = {"anyOf": [extra, LANGUAGE_MAP]}
