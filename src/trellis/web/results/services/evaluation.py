"""Evaluation: this process's evaluated scorecard, full recomputation, incremental refresh
and the stored period series pages read."""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from trellis.engine.api import Scorecard
from trellis.engine.findings import ScorecardError, error
from trellis.engine.observations import StoredObservations
from trellis.engine.periods import Grain
from trellis.engine.results import Results
from trellis.engine.scoring import STATUS_LABELS
from trellis.web.core import bulk
from trellis.web.core.memo import forget
from trellis.web.observations.models import Observation
from trellis.web.results.models import MeasureSeries, ObjectiveSeries, PerspectiveSeries, UnitSeries
from trellis.web.scorecards.models import Measure, Objective, Organization, Unit
from trellis.web.scorecards.services.definitions import spec_from_database

GRAINS = (Grain.MONTH, Grain.QUARTER, Grain.HALF, Grain.YEAR, Grain.YTD)


@dataclass(frozen=True)
class _Engine:
    """One evaluated state of the scorecard. It is never changed once published: a change
    of data makes a new one (copy, update, swap), so a thread reading an explanation or a
    chart reads one consistent state while another thread saves values."""

    revision: int
    data_revision: int
    scorecard: Scorecard
    results: Results


_lock = threading.Lock()
"""Held while the published state is looked at or replaced (never while pages read it)."""

_engine: _Engine | None = None


def _observations(index: dict[str, int]) -> StoredObservations:
    """Every stored observation as arrays (validated when written: not checked again),
    read in chunks of plain rows straight into arrays."""
    ids = Measure.objects.values_list("pk", "code")
    row_of = np.full(max((pk for pk, _code in ids), default=0) + 1, -1, np.int64)
    for pk, code in ids:
        row_of[pk] = index[code]
    table = connection.ops.quote_name(Observation._meta.db_table)
    chunks: list[np.ndarray] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT measure_id, end_month, value, segment <> '' FROM {table}"  # noqa: S608
        )
        while batch := cursor.fetchmany(OBSERVATION_CHUNK):
            chunks.append(np.array(batch, dtype=np.float64))
    found = np.concatenate(chunks) if chunks else np.empty((0, 4))
    return StoredObservations(
        row_of[found[:, 0].astype(np.int64)],
        found[:, 1].astype(np.int64),
        np.ascontiguousarray(found[:, 2]),
        found[:, 3] != 0,
    )


OBSERVATION_CHUNK = 100_000


def _build(previous: _Engine | None = None) -> _Engine:
    """Evaluate the stored scorecard; the definitions of ``previous`` are reused (not read,
    checked and compiled again) when they are still current: only data changed."""
    org = Organization.current()
    assert org is not None
    gc.unfreeze()  # the previous evaluation's objects may be collected again
    if previous is not None and previous.revision == org.revision:
        scorecard = previous.scorecard
    else:
        # Stored definitions were checked, whole, before they were stored.
        scorecard = Scorecard.already_checked(spec_from_database())
    results = scorecard.evaluate_stored(_observations(scorecard.compiled.measure_index))
    for grain in GRAINS:
        results.evaluator.grain(grain)
    # The evaluation holds hundreds of thousands of long-lived objects; a full collection
    # would walk them all (0.4 s for the medium organization) in the middle of some request.
    # Freezing moves them out of the collector's sight until the next rebuild.
    gc.collect()
    gc.freeze()
    return _Engine(org.revision, org.data_revision, scorecard, results)


def engine(previous: _Engine | None = None) -> _Engine:
    """The evaluated scorecard of this process, rebuilt when definitions or data changed
    (reusing the definitions of ``previous`` when they did not)."""
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
            current = _engine = _build(previous or current)
        return current


def prepare() -> bool:
    """Build this process's evaluated scorecard before a page needs it (a server process
    does so as it starts). False when there is nothing to evaluate: no scorecard imported
    yet, or one the engine refuses (its pages say why)."""
    try:
        engine()
    except ScorecardError:
        return False
    return True


def recompute() -> None:
    """Evaluate everything and replace all stored series (every process's evaluation and
    every cached page become out of date: the data revision moves on)."""
    global _engine
    with _lock:
        previous, _engine = _engine, None
    Organization.objects.update(data_revision=F("data_revision") + 1)
    forget("organization")
    built = engine(previous)
    with transaction.atomic():
        for model in (MeasureSeries, ObjectiveSeries, PerspectiveSeries, UnitSeries):
            model.objects.all().delete()
        _write_series(built, None)
        Unit.objects.update(data_revision=F("data_revision") + 1)
        _written_for(built.data_revision)


def _written_for(data_revision: int) -> None:
    """Record (in the transaction that wrote them) that stored results are those of this
    data revision, or later."""
    Organization.objects.update(
        results_revision=Greatest(F("results_revision"), Value(data_revision))
    )


def catch_up() -> bool:
    """Recompute the stored results when they are behind the data: a refresh was
    interrupted (its process killed mid-way: its writes were rolled back, the values it
    was refreshing for are stored). True when it recomputed.

    ``trellis worker`` calls this as it starts, before it takes queued work (and
    ``trellis serve`` when there is no worker), so an interrupted refresh is redone once."""
    forget("organization")
    org = Organization.current()
    if org is None or org.results_revision >= org.data_revision:
        return False
    try:
        recompute()
    except ScorecardError:  # definitions the engine refuses: their pages say why
        return False
    return True


@dataclass(frozen=True)
class Refreshed:
    """What a refresh rewrote: the codes of the units concerned, and whether it was a full
    recomputation (every unit) rather than an incremental update."""

    units: list[str]
    full: bool


def observations_changed(changes: Sequence[tuple[str, str, float | None]]) -> Refreshed:
    """Record that observations changed (already saved) and store what they affect.

    Re-evaluates incrementally in this process when its evaluation is current (into a new
    state that replaces it whole), else fully.
    """
    global _engine  # noqa: PLW0603 - one published state per process, swapped under the lock
    org = Organization.current()
    assert org is not None
    Organization.objects.filter(pk=org.pk).update(data_revision=F("data_revision") + 1)
    with _lock:
        current = _engine
        fresh = current is not None and (current.revision, current.data_revision) == (
            org.revision,
            org.data_revision,
        )
        updated = None
        if fresh and current is not None:
            try:
                results, codes = current.results.updated(list(changes))
            except ValueError:  # a period outside the evaluated horizon: the grid must grow
                pass
            else:
                updated = _Engine(org.revision, org.data_revision + 1, current.scorecard, results)
                _engine = updated
    if updated is None:
        recompute()
        return Refreshed(list(Unit.objects.values_list("code", flat=True)), full=True)
    rows = np.array([results.compiled.measure_index[c] for c in codes], dtype=np.int64)
    with transaction.atomic():
        touched = _write_series(updated, rows)
        Unit.objects.filter(code__in=touched).update(data_revision=F("data_revision") + 1)
        _written_for(updated.data_revision)
    return Refreshed(touched, full=False)


def _clean(values: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in values.tolist()]


def _write_series(built: _Engine, rows: np.ndarray | None) -> list[str]:
    """Store the series of all objects, or of the measures in ``rows`` and what they reach;
    returns the codes of the units whose series were written."""
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
    owners = {c.unit_codes[u] for u in units.tolist()}
    owners.update(c.unit_codes[int(u)] for u in c.objective_unit[objectives].tolist())
    owners.update(c.unit_codes[int(u)] for u in c.measure_unit[measure_rows].tolist())
    return sorted(owners)


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
        if not items:
            return
        names = list(items[0][1])
        json_fields = {
            f.name for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"
        }
        adapt = bulk.json_adapter(model)
        # Every row of a grain has the same periods: converted once.
        shared = {"periods": adapt(items[0][1]["periods"])}
        bulk.insert_rows(
            model,
            ["grain", *keys, *names],  # the keys are column names
            (
                (
                    grain.value,
                    *key,
                    *(
                        shared.get(n) or (adapt(fields[n]) if n in json_fields else fields[n])
                        for n in names
                    ),
                )
                for key, fields in items
            ),
        )
        return
    for key, fields in items:
        model.objects.update_or_create(
            grain=grain.value, **dict(zip(keys, key, strict=True)), defaults=fields
        )
