"""JSON Schema of a scorecard YAML file, for editors and other tools.

Generated from the definition models, then adjusted to the YAML forms the loader accepts
(a target as a number, a period mapping or a glide path; ``supports`` as codes; nested
measures; ``cascades_from`` as a code).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from trellis.engine.spec import Measure, Objective, Organization, Unit

PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$"
INTERNAL = ("location", "set_fields")


def _target_forms(glide: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "A constant per period, values per period label, or a glide path.",
        "anyOf": [
            {"type": "number"},
            {
                "type": "object",
                "properties": {"glide": glide},
                "required": ["glide"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "propertyNames": {"pattern": PERIOD_PATTERN},
                "additionalProperties": {"type": "number"},
            },
        ],
    }


def json_schema() -> str:
    """The schema as indented JSON text."""
    _, top = models_json_schema(
        [(m, "validation") for m in (Organization, Unit, Objective, Measure)],
        ref_template="#/$defs/{model}",
    )
    defs: dict[str, Any] = top["$defs"]
    defs.pop("Location", None)
    defs.pop("TargetSeries", None)
    for definition in defs.values():
        for key in INTERNAL:
            definition.get("properties", {}).pop(key, None)
    ref = {name: {"$ref": f"#/$defs/{name}"} for name in defs}
    measure = defs["Measure"]
    for level in ("target", "minimum", "stretch"):
        measure["properties"][level] = _target_forms(ref["GlidePath"])
    measure["properties"]["cascades_from"] = {"anyOf": [{"type": "string"}, ref["CascadeFrom"]]}
    measure["required"] = [r for r in measure["required"] if r != "objective"]
    objective = defs["Objective"]
    objective["properties"]["supports"] = {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"anyOf": [{"type": "string"}, ref["Support"]]}},
        ]
    }
    objective["properties"]["drives"] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    }
    objective["properties"]["measures"] = {"type": "array", "items": ref["Measure"]}
    objective["required"] = [r for r in objective["required"] if r != "unit"]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Trellis scorecard file",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "organization": ref["Organization"],
            "unit": ref["Unit"],
            "units": {"type": "array", "items": ref["Unit"]},
            "objectives": {"type": "array", "items": ref["Objective"]},
            "measures": {"type": "array", "items": ref["Measure"]},
        },
        "$defs": defs,
    }
    return json.dumps(schema, indent=2)
