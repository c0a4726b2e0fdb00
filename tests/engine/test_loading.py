"""Loading scorecard YAML: locations, folders that merge, and bad input as findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import base, write
from tests.engine.test_yaml_source import BOMB
from trellis.demo.acme import scorecard_folder
from trellis.engine.api import load
from trellis.engine.findings import ScorecardError
from trellis.engine.loading import load_measure, load_spec


def test_every_object_remembers_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(
        "organization:\n"
        "  name: Org\n"
        "units:\n"
        "  - code: hq\n"
        "    name: HQ\n"
        "objectives:\n"
        "  - code: O1\n"
        "    name: One\n"
        "    unit: hq\n"
        "    perspective: financial\n"
        "    measures:\n"
        "      - code: M1\n"
        "        name: M\n"
        "        formula: M2 + 1\n",
        encoding="utf-8",
    )
    loaded = load_spec(path)
    assert loaded.spec is not None
    unit, obj, meas = loaded.spec.units[0], loaded.spec.objectives[0], loaded.spec.measures[0]
    assert (unit.location.file, unit.location.line) == (str(path), 4)
    assert obj.location.line == 7
    assert meas.location.line == 12
    assert meas.location.at("formula").line == 14
    assert meas.objective == "O1"


def test_malformed_yaml_reports_line_column_and_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("organization:\n  name: [unclosed\nunits: []\n", encoding="utf-8")
    loaded = load_spec(path)
    (finding,) = loaded.findings
    assert finding.code == "yaml-syntax"
    assert (finding.location.line, finding.location.column) == (3, 6)
    assert "expected ',' or ']'" in finding.message


def test_unknown_keys_and_bad_values_are_each_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(
        "organization: {name: Org}\n"
        "units:\n"
        "  - code: hq\n"
        "    name: HQ\n"
        "    colour: blue\n"
        "objectives:\n"
        "  - {code: O1, name: One, unit: hq, perspective: financial}\n"
        "measures:\n"
        "  - code: M1\n"
        "    name: M\n"
        "    objective: O1\n"
        "    polarity: sideways\n"
        "    weight: heavy\n",
        encoding="utf-8",
    )
    findings = sorted(load_spec(path).findings, key=lambda f: f.location.line or 0)
    assert [(f.code, f.location.line, f.message) for f in findings] == [
        ("schema", 5, "unit hq: colour: unknown key"),
        ("schema", 12, "measure M1: polarity: Input should be 'up', 'down' or 'band'"),
        (
            "schema",
            13,
            "measure M1: weight: Input should be a valid number, unable to parse "
            "string as a number",
        ),
    ]


def test_specification_limits_in_the_wrong_order_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(
        "organization: {name: Org}\n"
        "units: [{code: hq, name: HQ}]\n"
        "objectives: [{code: O1, name: One, unit: hq, perspective: process}]\n"
        "measures:\n"
        "  - {code: M1, name: M, objective: O1, specification: {lower: 9, upper: 3}}\n"
        "  - {code: M2, name: N, objective: O1, specification: {target: 3}}\n"
        "  - {code: M3, name: P, objective: O1, specification: {upper: 3}}\n",
        encoding="utf-8",
    )
    loaded = load_spec(path)
    findings = sorted(loaded.findings, key=lambda f: f.location.line or 0)
    assert [(f.code, f.location.line, f.message) for f in findings] == [
        ("schema", 5, "measure M1: specification: Value error, lower (9) must be below upper (3)"),
        (
            "schema",
            6,
            "measure M2: specification: Value error, give a lower or an upper specification "
            "limit (or both)",
        ),
    ]


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text("organization:\n  name: A\n  name: B\n", encoding="utf-8")
    (finding,) = load_spec(path).findings
    assert (finding.code, finding.location.line) == ("duplicate-key", 3)


def test_a_folder_of_files_merges(tmp_path: Path) -> None:
    data = base()
    write(tmp_path, {"organization": data["organization"]}, "org.yaml")
    (tmp_path / "units").mkdir()
    write(tmp_path / "units", {"units": data["units"]}, "units.yaml")
    write(tmp_path, {"objectives": data["objectives"], "measures": data["measures"]}, "z.yaml")
    card = load(tmp_path)
    assert [u.code for u in card.spec.units] == ["hq", "team"]
    assert len(card.spec.measures) == 8
    assert card.spec.measures[0].location.file == str(tmp_path / "z.yaml")


def test_a_unit_file_gives_its_objectives_their_unit(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text("organization: {name: Org}\n", encoding="utf-8")
    (tmp_path / "hq.yaml").write_text(
        "unit: {code: hq, name: HQ}\n"
        "objectives:\n"
        "  - {code: O1, name: One, perspective: financial}\n",
        encoding="utf-8",
    )
    assert load_spec(tmp_path).spec.objectives[0].unit == "hq"  # type: ignore[union-attr]


def test_two_organizations_and_a_missing_one(tmp_path: Path) -> None:
    write(tmp_path, {"organization": {"name": "A"}}, "a.yaml")
    write(tmp_path, {"organization": {"name": "B"}}, "b.yaml")
    (finding,) = load_spec(tmp_path).findings
    assert finding.code == "duplicate-code"
    assert finding.location.file == str(tmp_path / "b.yaml")
    other = tmp_path / "other"
    other.mkdir()
    write(other, {"units": []})
    assert [f.message for f in load_spec(other).findings] == [
        "no 'organization' is defined in any file"
    ]


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    assert load_spec(tmp_path / "nope").findings[0].code == "unreadable-file"
    assert load_spec(tmp_path).findings[0].message == f"no .yaml files in {tmp_path}"


def test_load_raises_with_every_error(tmp_path: Path) -> None:
    data = base()
    data["objectives"][0]["unit"] = "nowhere"
    data["measures"][0]["formula"] = "("
    data["measures"][0]["source"] = "formula"
    with pytest.raises(ScorecardError) as caught:
        load(write(tmp_path, data))
    codes = sorted({f.code for f in caught.value.findings if f.severity.value == "error"})
    assert codes == ["formula-syntax", "unknown-reference"]
    assert "2 error(s) in the scorecard" in str(caught.value)


def test_target_forms(tmp_path: Path) -> None:
    data = base()
    data["measures"][0]["target"] = {"2026-Q1": 5, "2026": 20}
    data["measures"][1]["target"] = {
        "glide": {"start": "2026-01", "end": "2026-12", "from": 1, "to": 12}
    }
    card = load(write(tmp_path, data))
    first, second = card.spec.measures[0].target, card.spec.measures[1].target
    assert first is not None and first.by_period == {"2026-Q1": 5.0, "2026": 20.0}
    assert second is not None and second.glide is not None and second.glide.end_value == 12


def test_a_measure_definition_with_an_alias_bomb_is_refused() -> None:
    measure, found = load_measure(BOMB, "measure X")
    assert measure is None and [f.code for f in found] == ["yaml-too-large"]


def test_a_measure_definition_has_a_size_limit() -> None:
    text = "code: X\nname: X\ndescription: " + "x" * 70_000 + "\n"
    measure, findings = load_measure(text, "measure X")
    assert measure is None
    assert [f.message for f in findings] == [
        "a measure's definition is longer than 65,536 characters"
    ]


def test_a_scorecard_file_with_an_alias_bomb_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text("organization: {name: X}\n" + BOMB, encoding="utf-8")
    loaded = load_spec(path)
    assert loaded.spec is None
    first = loaded.findings[0]
    assert (first.code, first.location.line) == ("yaml-too-large", 7)


def test_definitions_with_the_same_written_keys_share_one_set_of_them() -> None:
    spec = load(scorecard_folder()).spec
    by_keys: dict[frozenset[str], list[Any]] = {}
    for m in spec.measures:
        by_keys.setdefault(m.set_fields, []).append(m)
    first, second = next(same for same in by_keys.values() if len(same) > 1)[:2]
    assert first.set_fields is second.set_fields
    assert first.model_fields_set is second.model_fields_set
    assert "description" not in first.model_fields_set
    # a changed copy gets a set of its own; the shared one stays as it was
    before = set(first.model_fields_set)
    changed = first.model_copy(update={"description": "changed"})
    assert "description" in changed.model_fields_set
    assert first.model_fields_set == before == second.model_fields_set
