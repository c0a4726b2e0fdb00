"""A synthetic large organization for benchmarks: a tree of units with many measures.

The tree has ``levels`` tiers with ``branching`` children per unit (1/10/100/1,000/10,000 at
full size). Non-leaf units hold mostly roll-up measures fed by their children; every unit has
formula measures of a few shapes (some chained) and reported measures. Definitions are built
with ``model_construct`` (no validation) because they are correct by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from trellis.engine.compile import CompiledScorecard, compile_scorecard
from trellis.engine.periods import Calendar
from trellis.engine.spec import (
    CascadeFrom,
    CascadeMode,
    Location,
    Measure,
    Objective,
    Organization,
    Rollup,
    RollupMethod,
    ScorecardSpec,
    Scoring,
    Source,
    Support,
    TargetSeries,
    Unit,
)
from trellis.engine.targets import LEVELS, Horizon, TargetGrid, build_grid

PERSPECTIVES = ("learning", "process", "customer", "financial")
NOWHERE = Location()
DEFAULT_SCORING = Scoring()
FIELDS_SET: set[str] = set()
"""One shared (never mutated: the models are frozen) fields-set for every constructed model;
a set per instance would cost a third of the definitions' memory."""
"""Shared instances: definitions are frozen, so a million objects need not copy defaults."""
FORMULAS = ("{a} / {b} * 100", "{a} - {b}", "({a} + {b}) / 2", "if({a} > {b}, {a}, {b})")
ROLLUP_MIX = (
    [RollupMethod.SUM] * 6
    + [RollupMethod.AVERAGE] * 2
    + [RollupMethod.MIN, RollupMethod.MAX]
    + [RollupMethod.COUNT]
)


@dataclass(frozen=True)
class Shape:
    """How many measures of each kind a unit holds."""

    rollups: int
    formulas: int
    reported: int


def unit_codes(levels: int, branching: int) -> list[tuple[str, str | None, int]]:
    """(code, parent, level) for every unit, parents first."""
    units: list[tuple[str, str | None, int]] = [("u0", None, 0)]
    frontier = ["u0"]
    for level in range(1, levels):
        nxt: list[str] = []
        for parent in frontier:
            for i in range(branching):
                code = f"{parent}_{i}"
                units.append((code, parent, level))
                nxt.append(code)
        frontier = nxt
    return units


def build(
    levels: int = 5,
    branching: int = 10,
    leaf: Shape = Shape(0, 5, 13),
    inner: Shape = Shape(48, 6, 6),
) -> ScorecardSpec:
    """The synthetic scorecard (about 247,000 measures at the default size)."""
    units = unit_codes(levels, branching)
    unit_models: list[Unit] = []
    objectives: list[Objective] = []
    measures: list[Measure] = []
    has_children = {parent for _, parent, _ in units if parent}
    target = TargetSeries.model_construct(constant=100.0, by_period={}, glide=None)
    for index, (code, parent, _level) in enumerate(units):
        unit_models.append(
            Unit.model_construct(
                _fields_set=FIELDS_SET,
                location=NOWHERE,
                code=code,
                name=f"Unit {code}",
                parent=parent,
                kind="unit",
                owner="owner",
            )
        )
        shape = inner if code in has_children else leaf
        objective_codes = []
        for k in range(8):
            oc = f"O_{code}_{k}"
            objective_codes.append(oc)
            supports = (
                (
                    Support.model_construct(
                        _fields_set=FIELDS_SET,
                        objective=f"O_{parent}_{k}",
                        weight=1.0,
                        location=NOWHERE,
                    ),
                )
                if parent
                else ()
            )
            objectives.append(
                Objective.model_construct(
                    _fields_set=FIELDS_SET,
                    location=NOWHERE,
                    code=oc,
                    name=oc,
                    unit=code,
                    perspective=PERSPECTIVES[k // 2],
                    weight=1.0,
                    supports=supports,
                    drives=(),
                    active=True,
                )
            )
        add = _Adder(code, objective_codes, target, measures).add
        for r in range(shape.rollups):
            add(
                source=Source.ROLLUP,
                rollup=Rollup.model_construct(
                    _fields_set=FIELDS_SET,
                    method=ROLLUP_MIX[r % len(ROLLUP_MIX)],
                    weight_measure=None,
                    require_all=False,
                ),
                cascades_from=_cascade(parent, r, index, inner.rollups),
            )
        reported = [
            add(cascades_from=_cascade(parent, shape.rollups + r, index, inner.rollups))
            for r in range(shape.reported)
        ]
        previous = reported[0]
        for f in range(shape.formulas):
            a = reported[f % len(reported)]
            b = reported[(f + 1) % len(reported)] if f % 3 else previous
            previous = add(
                source=Source.FORMULA, formula=FORMULAS[f % len(FORMULAS)].format(a=a, b=b)
            )
    org = Organization(name="Synthetic")
    return ScorecardSpec.model_construct(
        _fields_set=FIELDS_SET,
        organization=org,
        units=tuple(unit_models),
        objectives=tuple(objectives),
        measures=tuple(measures),
    )


@dataclass
class _Adder:
    """Adds numbered measures to one unit, spreading them over its objectives."""

    unit: str
    objectives: list[str]
    target: TargetSeries
    measures: list[Measure]
    count: int = 0

    def add(self, **values: Any) -> str:
        code = f"M_{self.unit}_{self.count}"
        self.measures.append(
            Measure.model_construct(
                _fields_set=FIELDS_SET,
                code=code,
                name=code,
                objective=self.objectives[self.count % len(self.objectives)],
                target=self.target,
                owner="owner",
                set_fields=_written(values),
                location=NOWHERE,
                scoring=DEFAULT_SCORING,
                **values,
            )
        )
        self.count += 1
        return code


_WRITTEN: dict[frozenset[str], frozenset[str]] = {}


def _written(values: dict[str, Any]) -> frozenset[str]:
    """The keys a YAML author would have written (shared: few distinct sets exist)."""
    keys = frozenset(
        {"code", "name", "objective", "target", "owner"}
        | {k for k, v in values.items() if v is not None}
    )
    return _WRITTEN.setdefault(keys, keys)


def _cascade(parent: str | None, slot: int, index: int, parent_rollups: int) -> CascadeFrom | None:
    """Feed the parent's roll-up number ``(slot + index) % parent_rollups``."""
    if parent is None or parent_rollups == 0:
        return None
    target_slot = (slot + index) % parent_rollups
    return CascadeFrom.model_construct(
        _fields_set=FIELDS_SET,
        location=NOWHERE,
        measure=f"M_{parent}_{target_slot}",
        mode=CascadeMode.CONTRIBUTING,
    )


def observations_grid(
    spec_size: int, reported_rows: np.ndarray, months: int, seed: int = 1, gap_rate: float = 0.02
) -> np.ndarray:
    """A month grid of reported values (NaN for computed measures and gaps)."""
    rng = np.random.default_rng(seed)
    grid = np.full((spec_size, months), np.nan)
    values = rng.normal(100.0, 12.0, (reported_rows.size, months))
    values[rng.random(values.shape) < gap_rate] = np.nan
    grid[reported_rows] = values
    return grid


def horizon(months: int, calendar: Calendar, first: int = 2024 * 12) -> Horizon:
    """Whole fiscal years covering ``months`` months from ``first``."""
    return Horizon(*calendar.fiscal_years_span(first, first + months - 1))


def month_inputs(
    levels: int, months: int
) -> tuple[ScorecardSpec, CompiledScorecard, Horizon, dict[str, TargetGrid], np.ndarray]:
    """What a month evaluation of the synthetic organization starts from (benchmarks):
    the definitions, their compiled form, the horizon, the target grids and the grid of
    reported values."""
    spec = build(levels)
    compiled = compile_scorecard(spec)
    span = horizon(months, compiled.calendar)
    targets = {
        level: build_grid(compiled.measures, level, compiled.calendar, span) for level in LEVELS
    }
    grid = observations_grid(len(spec.measures), np.flatnonzero(~compiled.computed), span.months)
    return spec, compiled, span, targets, grid
