"""JSON Schema of the definition format, for editors (`surveykit schema`)."""

from __future__ import annotations

from typing import Any

from surveykit.definition.instruments import STANDARD_NAMES
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
    # Hover text comes from the descriptions; the titles pydantic makes from
    # field names ("Idle Reset S") only get in their way.
    for holder in (schema, *schema.get("$defs", {}).values()):
        for prop in holder.get("properties", {}).values():
            prop.pop("title", None)
    return schema
