"""Evaluation through its service: stored series equal to the engine's, incremental
refreshes equal to full runs, refreshes after saved values, the state built ahead."""

from __future__ import annotations

from pathlib import Path

import pytest

from trellis.demo.acme import scorecard_folder
from trellis.engine.api import load
from trellis.web.observations.models import Observation
from trellis.web.results import services
from trellis.web.results.models import MeasureSeries, ObjectiveSeries, UnitSeries
from trellis.web.scorecards.models import Unit

pytestmark = pytest.mark.django_db


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.yaml"))
    }


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


def test_prepare_builds_the_evaluation_pages_then_use() -> None:
    assert services.prepare() is True
    built = services.engine()
    assert services.prepare() is True and services.engine() is built  # not built again
    assert built.results.explain("SALES_OSLO", "2026-03")


def test_stored_results_say_which_data_revision_they_are_of(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from trellis.web.scorecards.models import Organization

    services.engine()
    org = Organization.objects.get()
    assert org.results_revision == org.data_revision
    oslo = Observation.objects.get(measure__code="SALES_OSLO", period="2026-03")
    with django_capture_on_commit_callbacks(execute=True):
        oslo.value += 100
        oslo.save()
    org.refresh_from_db()
    assert org.results_revision == org.data_revision
    assert services.catch_up() is False  # nothing to redo


def test_catch_up_redoes_an_interrupted_refresh() -> None:
    from django.db.models import F

    from trellis.web.scorecards.models import Organization

    stored = MeasureSeries.objects.get(measure__code="REV_NORTH", grain="month")
    i = stored.periods.index("2026-03")
    # A value written, and the process refreshing results for it killed: the data moved
    # on, the stored results did not.
    oslo = Observation.objects.get(measure__code="SALES_OSLO", period="2026-03")
    Observation.objects.filter(pk=oslo.pk).update(value=oslo.value + 250)
    Organization.objects.update(data_revision=F("data_revision") + 1)
    assert services.catch_up() is True
    after = MeasureSeries.objects.get(measure__code="REV_NORTH", grain="month")
    assert after.value[i] == pytest.approx(stored.value[i] + 250)
    org = Organization.objects.get()
    assert org.results_revision == org.data_revision
    assert services.catch_up() is False
