"""Definitions through their service: YAML import and export (lossless, refusals that change
nothing), the checks of what is stored, the history of changes and the recomputation they
queue."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from trellis.demo.acme import scorecard_folder
from trellis.engine.api import check_path, load
from trellis.engine.findings import ScorecardError
from trellis.web.results.models import MeasureSeries
from trellis.web.scorecards import services as stored_definitions
from trellis.web.scorecards.models import Measure, Objective, Organization, Unit

pytestmark = pytest.mark.django_db


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.yaml"))
    }


def test_export_import_export_is_lossless(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    stored_definitions.export_scorecard(first)
    stored_definitions.import_scorecard(first)
    stored_definitions.export_scorecard(second)
    assert _tree(first) == _tree(second)
    assert len(_tree(first)) == 23  # organization.yaml and one file per unit
    assert filecmp.cmp(first / "units" / "acme.yaml", second / "units" / "acme.yaml", shallow=False)
    # The exported scorecard is the same scorecard: same definitions, same checks.
    original, exported = load(scorecard_folder()), load(first)

    def strip(data: object) -> object:
        if isinstance(data, dict):
            return {k: strip(v) for k, v in data.items() if k != "location"}
        if isinstance(data, list | tuple):
            return [strip(v) for v in data]
        return data

    def definitions(card: object) -> dict[str, object]:
        spec = card.spec  # type: ignore[attr-defined]
        items = [*spec.units, *spec.objectives, *spec.measures]
        return {f"{type(i).__name__} {i.code}": strip(i.model_dump()) for i in items}

    assert definitions(exported) == definitions(original)
    assert sorted(f.code for f in check_path(first)) == sorted(
        f.code for f in check_path(scorecard_folder())
    )


def test_import_with_errors_changes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "organization: {name: X}\nunits: [{code: a, name: A, parent: nowhere}]\n", encoding="utf-8"
    )
    revision = Organization.current().revision  # type: ignore[union-attr]
    with pytest.raises(ScorecardError) as caught:
        stored_definitions.import_scorecard(bad)
    assert [f.code for f in caught.value.findings if f.severity.value == "error"] == [
        "unknown-reference"
    ]
    assert Organization.current().revision == revision  # type: ignore[union-attr]
    assert Unit.objects.count() == 22


def test_import_refuses_to_drop_a_measure_with_data(tmp_path: Path) -> None:
    stored_definitions.export_scorecard(tmp_path)
    path = tmp_path / "units" / "store_oslo.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - code: RESOLVED_OSLO")
    end = text.index("- code: OSL_P1")
    # Drop the measure (and its objective keeps no measure: a warning, not an error).
    path.write_text(
        text[:start] + text[end:].replace("- code: OSL_P1", "- code: OSL_P1", 1), encoding="utf-8"
    )
    with pytest.raises(ScorecardError) as caught:
        stored_definitions.store_spec(load(tmp_path).spec)
    assert [f.code for f in caught.value.findings] == ["data-would-be-lost"]
    assert Measure.objects.filter(code="RESOLVED_OSLO").exists()


def test_stored_findings_are_the_checks_of_the_stored_scorecard() -> None:
    assert sorted({f.code for f in stored_definitions.stored_findings()}) == [
        "cascade-gap",
        "only-lagging",
        "under-commitment",
    ]


def test_definition_changes_are_audited() -> None:
    objective = Objective.objects.get(code="RET_F1")
    objective.name = "Grow store sales faster"
    objective.save()
    latest = objective.history.first()
    change = latest.diff_against(latest.prev_record).changes
    assert [(c.field, c.old, c.new) for c in change] == [
        ("name", "Grow store sales profitably", "Grow store sales faster")
    ]


def test_changing_a_definition_recomputes(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    measure = Measure.objects.get(code="SALES_OSLO")
    revision = Organization.current().revision  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        measure.definition = {**measure.definition, "target": {"constant": 1.0}}
        measure.save()
    assert Organization.current().revision == revision + 1  # type: ignore[union-attr]
    series = MeasureSeries.objects.get(measure__code="SALES_OSLO", grain="month")
    assert series.target[series.periods.index("2026-03")] == 1.0
    assert series.status[series.periods.index("2026-03")] == "green"
