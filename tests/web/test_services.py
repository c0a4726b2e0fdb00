"""Import, export and stored results through the service module."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from trellis.demo.acme import scorecard_folder
from trellis.engine.api import check_path, load
from trellis.engine.findings import ScorecardError
from trellis.web.observations.models import Observation
from trellis.web.results import services
from trellis.web.results.models import MeasureSeries, ObjectiveSeries, UnitSeries
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


def test_stored_series_match_the_engine() -> None:
    results = load(scorecard_folder()).evaluate(
        [(o.measure.code, o.period, o.value) for o in Observation.objects.select_related("measure")]
    )
    for label, grain in (("2026-03", "month"), ("2026-Q4", "quarter"), ("2026", "year")):
        records = {r["code"]: r for r in results.records("measure", label)}
        for series in MeasureSeries.objects.filter(grain=grain).select_related("measure"):
            i = series.periods.index(label)
            record = records[series.measure.code]
            assert series.status[i] == record["status"], (series.measure.code, label)
            stored = series.score[i]
            assert (None if stored is None else round(stored, 2)) == record["score"]
        units = {r["code"]: r for r in results.records("unit", label)}
        for series in UnitSeries.objects.filter(grain=grain).select_related("unit"):
            i = series.periods.index(label)
            assert series.status[i] == units[series.unit.code]["status"]


def test_a_changed_observation_updates_only_what_it_affects_and_equals_a_full_run() -> None:
    services.engine()  # warm this process's cache, as a running server has
    oslo = Observation.objects.get(measure__code="SALES_OSLO", period="2026-03")
    oslo.value = 900.0
    oslo.save()
    before = dict(Unit.objects.values_list("code", "data_revision"))
    refreshed = services.observations_changed([("SALES_OSLO", "2026-03", 900.0)])
    assert refreshed == services.Refreshed(
        ["acme", "retail", "retail_north", "store_oslo"], full=False
    )
    after = dict(Unit.objects.values_list("code", "data_revision"))
    assert {code for code in after if after[code] != before[code]} == set(refreshed.units)
    incremental = {
        (s.measure.code, s.grain): (s.value, s.score, s.status)
        for s in MeasureSeries.objects.select_related("measure")
    }
    objectives = {
        (s.objective.code, s.grain): (s.score, s.status)
        for s in ObjectiveSeries.objects.select_related("objective")
    }
    services.recompute()
    assert incremental == {
        (s.measure.code, s.grain): (s.value, s.score, s.status)
        for s in MeasureSeries.objects.select_related("measure")
    }
    assert objectives == {
        (s.objective.code, s.grain): (s.score, s.status)
        for s in ObjectiveSeries.objects.select_related("objective")
    }


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


def test_saving_an_observation_refreshes_stored_results(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    services.engine()
    before = MeasureSeries.objects.get(measure__code="REV_NORTH", grain="month")
    i = before.periods.index("2026-03")
    oslo = Observation.objects.get(measure__code="SALES_OSLO", period="2026-03")
    with django_capture_on_commit_callbacks(execute=True):
        oslo.value += 100
        oslo.save()
    after = MeasureSeries.objects.get(measure__code="REV_NORTH", grain="month")
    assert after.value[i] == pytest.approx(before.value[i] + 100)


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


def test_prepare_builds_the_evaluation_pages_then_use() -> None:
    assert services.prepare() is True
    built = services.engine()
    assert services.prepare() is True and services.engine() is built  # not built again
    assert built.results.explain("SALES_OSLO", "2026-03")
