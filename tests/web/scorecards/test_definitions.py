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


def _history_counts() -> tuple[int, int, int]:
    return (Unit.history.count(), Objective.history.count(), Measure.history.count())


def test_storing_writes_history_only_for_what_changed_and_moves_whole_subtrees() -> None:
    spec = stored_definitions.spec_from_database()
    before = _history_counts()
    stored_definitions.store_spec(spec)  # the same definitions again
    assert _history_counts() == before
    units = tuple(
        u.model_copy(update={"parent": "retail"}) if u.code == "online_service" else u
        for u in spec.units
    )
    measures = tuple(
        m.model_copy(update={"name": "Sales, Oslo Street"}) if m.code == "SALES_OSLO" else m
        for m in spec.measures
    )
    ids = dict(Unit.objects.values_list("code", "pk"))
    stored_definitions.store_spec(spec.model_copy(update={"units": units, "measures": measures}))
    # One record for the moved unit and one for the renamed measure: the agents under the
    # moved team only took their new paths.
    assert _history_counts() == (before[0] + 1, before[1], before[2] + 1)
    assert Unit.history.first().code == "online_service"  # type: ignore[union-attr]
    assert Measure.objects.get(code="SALES_OSLO").name == "Sales, Oslo Street"
    assert dict(Unit.objects.values_list("code", "pk")) == ids  # rows kept, not replaced
    assert dict(
        Unit.objects.filter(path__contains="/online_service/").values_list("code", "path")
    ) == {
        "online_service": "/acme/retail/online_service/",
        "agent_anna": "/acme/retail/online_service/agent_anna/",
        "agent_ben": "/acme/retail/online_service/agent_ben/",
    }
    assert Unit.objects.get(code="agent_ben").depth == 3
