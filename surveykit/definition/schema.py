"""JSON Schema of the definition format, for editors (`surveykit schema`)."""

from __future__ import annotations

from typing import Any

from surveykit.definition.instruments import STANDARD_NAMES
from surveykit.definition.models import Survey


def json_schema() -> dict[str, Any]:
    schema = Survey.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "surveykit definition"
    bare = {"type": "string", "enum": list(STANDARD_NAMES), "description": "a standard instrument"}
    for holder in (schema["properties"], schema.get("$defs", {}).get("TaskSet", {}).get("properties", {})):
        for key in ("questions", "after", "after_each"):
            prop = holder.get(key)
            if prop and "items" in prop:
                prop["items"] = {"anyOf": [prop["items"], bare]}
    return schema
