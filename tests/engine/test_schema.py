"""The JSON Schema describes the YAML the loader accepts."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from trellis.demo.acme import scorecard_folder
from trellis.engine.schema import json_schema

SCHEMA = json.loads(json_schema())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _errors(data: object) -> list[str]:
    # YAML reads 2026 as an integer key; JSON (and the loader) treat keys as text.
    return [e.message for e in VALIDATOR.iter_errors(json.loads(json.dumps(data)))]


def test_the_schema_is_valid_and_hides_internal_fields() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert set(SCHEMA["properties"]) == {"organization", "unit", "units", "objectives", "measures"}
    assert "location" not in SCHEMA["$defs"]["Measure"]["properties"]
    assert "set_fields" not in SCHEMA["$defs"]["Measure"]["properties"]


@pytest.mark.parametrize("path", sorted(scorecard_folder().rglob("*.yaml")), ids=lambda p: p.name)
def test_every_sample_file_is_valid(path) -> None:  # type: ignore[no-untyped-def]
    assert _errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_target_forms_and_mistakes() -> None:
    def card(target: object) -> dict[str, object]:
        return {"measures": [{"code": "M", "name": "M", "objective": "O", "target": target}]}

    assert _errors(card(5)) == []
    assert _errors(card({"2026-Q1": 5, "2026": 20})) == []
    assert _errors(card({"glide": {"start": "2026-01", "end": "2026-12", "to": 3}})) == []
    assert _errors(card({"March": 5})) != []
    assert _errors({"measures": [{"code": "M", "name": "M", "polarity": "sideways"}]}) != []
    assert _errors({"colour": "blue"}) == [
        "Additional properties are not allowed ('colour' was unexpected)"
    ]
