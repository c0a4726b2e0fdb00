"""The one module of the web app that talks to the engine.

- ``import_scorecard`` / ``export_scorecard``: YAML ⇄ database, lossless;
- ``stored_scorecard``: the engine's view of the stored definitions (cached per revision);
- ``recompute``: evaluate every grain and store the series pages read;
- ``observations_changed``: re-evaluate only what changed observations affect;
- ``stored_findings``: the alignment checks on the stored definitions.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from django.db import transaction
from django.db.models import F, Max

from trellis.engine.analytics import evidence, spc
from trellis.engine.analytics.rules import signal_matrix
from trellis.engine.api import Scorecard
from trellis.engine.checks import run_checks
from trellis.engine.findings import Finding, ScorecardError, error, has_errors
from trellis.engine.grid import GrainResult
from trellis.engine.loading import load_spec
from trellis.engine.periods import Calendar, Grain, PeriodError
from trellis.engine.results import Results
from trellis.engine.scoring import STATUS_LABELS
from trellis.engine.spec import Measure as MeasureSpec
from trellis.engine.spec import Objective as ObjectiveSpec
from trellis.engine.spec import Organization as OrganizationSpec
from trellis.engine.spec import ScorecardSpec
from trellis.engine.spec import Unit as UnitSpec
from trellis.web.observations.models import Observation
from trellis.web.results.models import MeasureSeries, ObjectiveSeries, PerspectiveSeries, UnitSeries
from trellis.web.results.quiet import bulk_changes
from trellis.web.scorecards.models import Link, Measure, Objective, Organization, Unit

GRAINS = (Grain.MONTH, Grain.QUARTER, Grain.HALF, Grain.YEAR, Grain.YTD)


# -- definitions: YAML → database ----------------------------------------------------------
def _plain(data: Any) -> Any:
    """Drop the loader's bookkeeping (locations) from a dumped definition."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items() if k not in ("location", "set_fields")}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _dump(model: Any, keep: Iterable[str] | None = None) -> dict[str, Any]:
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=keep is None)
    if keep is not None:
        wanted = set(keep)
        data = {k: v for k, v in data.items() if k in wanted}
    return dict(_plain(data))


def _measure_definition(m: MeasureSpec) -> dict[str, Any]:
    return _dump(m, keep=m.set_fields)


def import_scorecard(path: str | Path) -> list[Finding]:
    """Replace the stored definitions with a scorecard file or folder.

    Raises :class:`ScorecardError` (with every finding) when the scorecard has errors, or
    when it would delete a measure that has data. Returns the warnings and infos.
    """
    loaded = load_spec(path)
    findings = list(loaded.findings)
    if loaded.spec is not None:
        findings += run_checks(loaded.spec)
    if loaded.spec is None or has_errors(findings):
        raise ScorecardError(findings)
    store_spec(loaded.spec)
    return findings


def store_spec(spec: ScorecardSpec) -> None:
    """Write checked definitions, updating rows by code and deleting the ones that are gone."""
    with bulk_changes(), transaction.atomic():
        _store_spec(spec)


def _store_spec(spec: ScorecardSpec) -> None:
    org = Organization.current() or Organization(name=spec.organization.name)
    org.name = spec.organization.name
    org.definition = _dump(spec.organization)
    org.revision += 1
    org.save()

    keep_measures = {m.code for m in spec.measures}
    doomed = Measure.objects.exclude(code__in=keep_measures)
    with_data = sorted(
        doomed.filter(observations__isnull=False).values_list("code", flat=True).distinct()
    )
    if with_data:
        raise ScorecardError(
            [
                error(
                    "data-would-be-lost",
                    f"measure {code} has data but is not in the imported "
                    "scorecard; keep it (active: false) or delete its data first",
                    code,
                )
                for code in with_data
            ]
        )
    doomed.delete()
    Link.objects.all().delete()
    Objective.objects.exclude(code__in={o.code for o in spec.objectives}).delete()

    units = _store_units(spec)
    objectives: dict[str, Objective] = {}
    for position, o in enumerate(spec.objectives):
        objectives[o.code], _ = Objective.objects.update_or_create(
            code=o.code,
            defaults={
                "name": o.name,
                "unit": units[o.unit],
                "perspective": o.perspective,
                "owner": o.owner or "",
                "weight": o.weight,
                "active": o.active,
                "position": position,
                "definition": _dump(o),
            },
        )
    Unit.objects.exclude(code__in=units).delete()
    links = [
        Link(
            kind=Link.SUPPORTS,
            source=objectives[o.code],
            target=objectives[s.objective],
            weight=s.weight,
        )
        for o in spec.objectives
        for s in o.supports
    ] + [
        Link(kind=Link.DRIVES, source=objectives[o.code], target=objectives[d])
        for o in spec.objectives
        for d in o.drives
    ]
    Link.objects.bulk_create(links)
    for position, m in enumerate(spec.measures):
        objective = objectives[m.objective]
        Measure.objects.update_or_create(
            code=m.code,
            defaults={
                "name": m.name,
                "objective": objective,
                "unit": objective.unit,
                "owner": m.owner or "",
                "steward": m.steward or "",
                "frequency": m.frequency.value,
                "source": m.source.value,
                "active": m.active,
                "position": position,
                "definition": _measure_definition(m),
            },
        )


def _store_units(spec: ScorecardSpec) -> dict[str, Unit]:
    by_code = {u.code: u for u in spec.units}
    stored: dict[str, Unit] = {}

    def path_of(code: str) -> str:
        chain = [code]
        while by_code[chain[-1]].parent:
            chain.append(by_code[chain[-1]].parent or "")
        return "/" + "/".join(reversed(chain)) + "/"

    for position, u in enumerate(spec.units):
        path = path_of(u.code)
        stored[u.code], _ = Unit.objects.update_or_create(
            code=u.code,
            defaults={
                "name": u.name,
                "kind": u.kind,
                "owner": u.owner or "",
                "path": path,
                "depth": path.count("/") - 2,
                "position": position,
                "parent": None,
                "definition": _dump(u),
            },
        )
    for u in spec.units:
        if u.parent:
            Unit.objects.filter(pk=stored[u.code].pk).update(parent=stored[u.parent])
    return stored


# -- definitions: database → engine and YAML -----------------------------------------------
def spec_from_database() -> ScorecardSpec:
    """The stored definitions as the engine's frozen models."""
    org = Organization.current()
    if org is None:
        raise ScorecardError([error("no-scorecard", "no scorecard has been imported yet")])
    return ScorecardSpec(
        organization=OrganizationSpec.model_validate(org.definition),
        units=tuple(
            UnitSpec.model_validate(u.definition) for u in Unit.objects.order_by("position")
        ),
        objectives=tuple(
            ObjectiveSpec.model_validate(o.definition)
            for o in Objective.objects.order_by("position")
        ),
        measures=tuple(
            MeasureSpec.model_validate({**m.definition, "set_fields": frozenset(m.definition)})
            for m in Measure.objects.order_by("position")
        ),
    )


def _yaml_target(value: dict[str, Any]) -> Any:
    if value.get("glide"):
        glide = {k: v for k, v in value["glide"].items() if v is not None}
        return {"glide": glide}
    if value.get("by_period"):
        return dict(value["by_period"])
    return value.get("constant")


def _yaml_measure(definition: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in definition.items() if k != "objective"}
    for key in ("target", "minimum", "stretch"):
        if isinstance(out.get(key), dict):
            out[key] = _yaml_target(out[key])
    return out


def export_scorecard(directory: str | Path) -> list[Path]:
    """Write the stored definitions as YAML: ``organization.yaml`` and one file per unit
    (``units/CODE.yaml``) with its objectives and their measures. Deterministic."""
    root = Path(directory)
    (root / "units").mkdir(parents=True, exist_ok=True)
    spec = spec_from_database()
    written = [_write(root / "organization.yaml", {"organization": _dump(spec.organization)})]
    measures_of: dict[str, list[MeasureSpec]] = {}
    for m in spec.measures:
        measures_of.setdefault(m.objective, []).append(m)
    for unit in spec.units:
        objectives = []
        for o in spec.objectives:
            if o.unit != unit.code:
                continue
            item = {k: v for k, v in _dump(o).items() if k != "unit"}
            nested = [_yaml_measure(_measure_definition(m)) for m in measures_of.get(o.code, [])]
            if nested:
                item["measures"] = nested
            objectives.append(item)
        document: dict[str, Any] = {"unit": _dump(unit)}
        if objectives:
            document["objectives"] = objectives
        written.append(_write(root / "units" / f"{unit.code}.yaml", document))
    return written


def _write(path: Path, document: dict[str, Any]) -> Path:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def stored_findings() -> list[Finding]:
    """The alignment checks on the stored definitions."""
    return run_checks(spec_from_database())


# -- evaluation -----------------------------------------------------------------------------
@dataclass
class _Engine:
    revision: int
    data_revision: int
    scorecard: Scorecard
    results: Results


_lock = threading.Lock()
_engine: _Engine | None = None


def _observations() -> list[tuple[str, str, float, str]]:
    return list(Observation.objects.values_list("measure__code", "period", "value", "segment"))


def _build() -> _Engine:
    org = Organization.current()
    assert org is not None
    scorecard = Scorecard(spec_from_database())
    results = scorecard.evaluate(_observations())
    for grain in GRAINS:
        results.evaluator.grain(grain)
    return _Engine(org.revision, org.data_revision, scorecard, results)


def engine() -> _Engine:
    """The evaluated scorecard of this process, rebuilt when definitions or data changed."""
    global _engine  # noqa: PLW0603 - one cache per process, guarded by the lock
    org = Organization.current()
    if org is None:
        raise ScorecardError([error("no-scorecard", "no scorecard has been imported yet")])
    with _lock:
        current = _engine
        if current is None or (current.revision, current.data_revision) != (
            org.revision,
            org.data_revision,
        ):
            current = _engine = _build()
        return current


def recompute() -> None:
    """Evaluate everything and replace all stored series."""
    global _engine  # noqa: PLW0603
    with _lock:
        _engine = None
    built = engine()
    with transaction.atomic():
        for model in (MeasureSeries, ObjectiveSeries, PerspectiveSeries, UnitSeries):
            model.objects.all().delete()
        _write_series(built, None)


def observations_changed(changes: Sequence[tuple[str, str, float | None]]) -> list[str]:
    """Record that observations changed (already saved) and store what they affect.

    Re-evaluates incrementally in this process when its cache is current, else fully.
    Returns the codes of the measures recomputed.
    """
    org = Organization.current()
    assert org is not None
    with _lock:
        current = _engine
        fresh = current is not None and (current.revision, current.data_revision) == (
            org.revision,
            org.data_revision,
        )
    Organization.objects.filter(pk=org.pk).update(data_revision=F("data_revision") + 1)
    if not fresh or current is None:
        recompute()
        return [m.code for m in Measure.objects.all()]
    with _lock:
        codes = current.results.update(list(changes))
        current.data_revision = org.data_revision + 1
    rows = np.array([current.results.compiled.measure_index[c] for c in codes], dtype=np.int64)
    with transaction.atomic():
        _write_series(current, rows)
    return codes


def _clean(values: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in values.tolist()]


def _write_series(built: _Engine, rows: np.ndarray | None) -> None:
    """Store the series of all objects, or of the measures in ``rows`` and what they reach."""
    c = built.results.compiled
    ev = built.results.evaluator
    measure_ids = dict(Measure.objects.values_list("code", "pk"))
    objective_ids = dict(Objective.objects.values_list("code", "pk"))
    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    measure_rows = np.arange(c.size) if rows is None else rows
    objectives = (
        np.arange(len(c.objective_codes)) if rows is None else ev.scores.objectives_of(rows)
    )
    perspectives = c.spec.organization.perspectives
    sections = (
        np.arange(c.section_unit.size)
        if rows is None
        else np.unique(
            c.objective_unit[objectives] * len(perspectives) + c.objective_perspective[objectives]
        )
    )
    units = np.arange(len(c.unit_codes)) if rows is None else np.unique(c.section_unit[sections])
    for grain in GRAINS:
        result = ev.grain(grain)
        labels = [p.label for p in result.periods]
        _save(
            MeasureSeries,
            ("measure_id",),
            [
                (
                    (measure_ids[c.measures[r].code],),
                    {
                        "periods": labels,
                        "value": _clean(result.value[r]),
                        "target": _clean(result.target[r]),
                        "score": _clean(result.score[r]),
                        "status": [STATUS_LABELS[s] for s in result.status[r].tolist()],
                        "flags": result.flags[r].tolist(),
                    },
                )
                for r in measure_rows
            ],
            grain,
            rows is None,
        )
        _save(
            ObjectiveSeries,
            ("objective_id",),
            [
                (
                    (objective_ids[c.objective_codes[o]],),
                    _scores(labels, result.objective_score[o], result.objective_status[o]),
                )
                for o in objectives
            ],
            grain,
            rows is None,
        )
        _save(
            PerspectiveSeries,
            ("unit_id", "perspective"),
            [
                (
                    (
                        unit_ids[c.unit_codes[c.section_unit[s]]],
                        perspectives[c.section_perspective[s]].code,
                    ),
                    _scores(labels, result.section_score[s], result.section_status[s]),
                )
                for s in sections
            ],
            grain,
            rows is None,
        )
        _save(
            UnitSeries,
            ("unit_id",),
            [
                (
                    (unit_ids[c.unit_codes[u]],),
                    _scores(labels, result.unit_score[u], result.unit_status[u]),
                )
                for u in units
            ],
            grain,
            rows is None,
        )


def _scores(labels: list[str], score: np.ndarray, status: np.ndarray) -> dict[str, Any]:
    return {
        "periods": labels,
        "score": _clean(score),
        "status": [STATUS_LABELS[s] for s in status.tolist()],
    }


def _save(
    model: Any,
    keys: tuple[str, ...],
    items: list[tuple[tuple[Any, ...], dict[str, Any]]],
    grain: Grain,
    fresh: bool,
) -> None:
    if fresh:
        model.objects.bulk_create(
            [
                model(grain=grain.value, **dict(zip(keys, key, strict=True)), **fields)
                for key, fields in items
            ],
            batch_size=2000,
        )
        return
    for key, fields in items:
        model.objects.update_or_create(
            grain=grain.value, **dict(zip(keys, key, strict=True)), defaults=fields
        )


# -- periods --------------------------------------------------------------------------------
def calendar() -> Calendar:
    """The organization's fiscal calendar."""
    org = Organization.current()
    start = int((org.definition if org else {}).get("fiscal_year_start", 1))
    return Calendar(start)


def parse_period(label: str) -> tuple[str, str] | None:
    """(grain, normalized label) of a period label, or None when it is not one."""
    try:
        period = calendar().parse(label)
    except PeriodError:
        return None
    return period.grain.value, period.label


def period_options(label: str) -> list[str]:
    """The month, quarter, half, year and year-to-date periods that contain a month."""
    month = calendar().parse(label)
    return [calendar().period(g, month.end).label for g in GRAINS]


def latest_period() -> str | None:
    """The last month that has data (one indexed query; no evaluation)."""
    last = Observation.objects.aggregate(last=Max("end_month"))["last"]
    if last is None:
        return None
    return calendar().period(Grain.MONTH, int(last)).label


__all__ = ["GrainResult", "export_scorecard", "import_scorecard", "recompute"]


# -- details for pages (from this process's evaluated scorecard) ----------------------------
def explain(code: str, label: str) -> str:
    """The engine's explanation of one number, as text ('' when unavailable)."""
    try:
        return str(engine().results.explain(code, label))
    except (ScorecardError, KeyError, ValueError):
        return ""


def chart(code: str, grain: str) -> dict[str, Any]:
    """Periods, values and target levels of one measure over a grain, for the chart."""
    try:
        built = engine()
    except ScorecardError:
        return {}
    c = built.results.compiled
    row = c.measure_index.get(code)
    if row is None:
        return {}
    result = built.results.evaluator.grain(Grain(grain))
    rows = np.array([row])
    labels = [p.label for p in result.periods]
    return {
        "periods": labels,
        "value": _clean(result.value[row]),
        "target": _clean(result.target[row]),
        "minimum": _clean(result.minimum.take(rows)[0]),
        "stretch": _clean(result.stretch.take(rows)[0]),
        "polarity": c.measures[row].polarity.value,
        "control": control_chart(result.value[row], labels),
    }


def control_chart(values: np.ndarray, labels: list[str]) -> dict[str, Any] | None:
    """XmR limits of a series (up to its last value) and its Western Electric signals."""
    present = np.flatnonzero(~np.isnan(values))
    if present.size < 2:
        return None
    series = values[: present[-1] + 1]
    try:
        chart = spc.xmr(series)
    except spc.SPCError:
        return None
    found = spc.signals(series, chart.center, chart.sigma, "western_electric")
    return {
        "center": chart.center,
        "ucl": chart.ucl,
        "lcl": chart.lcl,
        "sigma": chart.sigma,
        "signals": [
            {
                "period": labels[s.index],
                "index": s.index,
                "rule": s.rule,
                "description": s.description,
                "value": float(series[s.index]),
            }
            for s in found
        ],
    }


def link_evidence(links: list[tuple[str, str]], max_lag: int = 6) -> dict[tuple[str, str], Any]:
    """Strategy-map evidence (lagged correlation) for cause-and-effect links, by link."""
    try:
        results = engine().results
    except ScorecardError:
        return {}
    return {(a, b): evidence.link(results, a, b, max_lag) for a, b in links}


def special_causes(series: list[list[float | None]], column: int) -> list[list[int]]:
    """For each month series, the Western Electric rules that signal at ``column`` (the
    limits come from the months up to that one)."""
    if not series:
        return []
    values = np.array([[np.nan if v is None else v for v in s[: column + 1]] for s in series])
    limits = spc.xmr_rows(values)
    masks = signal_matrix(values, limits.center, limits.sigma, "western_electric")
    return [[rule for rule, mask in masks.items() if mask[i, -1]] for i in range(len(series))]


def definition_yaml(definition: dict[str, Any]) -> str:
    """A stored measure definition as it would be written in YAML."""
    return yaml.safe_dump(_yaml_measure(definition), sort_keys=False, allow_unicode=True)
