"""Checked definitions → a compiled scorecard: index arrays, formula and roll-up groups.

Compilation assumes the checks found no errors (references resolve, no cycles). It resolves
inherited settings of ``identical`` cascades, orders computed measures by topological level and
groups formulas of the same shape and roll-ups of the same method so that evaluation runs one
set of NumPy operations per group instead of per measure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from trellis.engine import collector
from trellis.engine import formula as fx
from trellis.engine.graph import Graph, build_graph, topological_levels
from trellis.engine.periods import Aggregation, Calendar, FloatArray, Frequency, IntArray
from trellis.engine.resolve import resolved_measures
from trellis.engine.scoring import DEFAULT_BANDS, METHOD_CODES, POLARITY_CODES
from trellis.engine.spec import (
    CascadeMode,
    Measure,
    Method,
    Polarity,
    RollupMethod,
    ScorecardSpec,
    ScoreFrom,
    Source,
)
from trellis.engine.structure import Components, objective_components, sections
from trellis.engine.targets import TargetPlan, plan_targets

AGGREGATIONS = list(Aggregation)
ROLLUP_METHODS = list(RollupMethod)


@dataclass(frozen=True)
class FormulaGroup:
    """Formulas of one shape on one topological level, evaluated together."""

    level: int
    rows: IntArray
    slots: IntArray  # rows × slots: the measure row feeding each slot of each formula
    tree: fx.Node  # parsed template: its references are slot names _0, _1, …
    codes: tuple[str, ...]  # the slot names, in slot order
    ytd_aggregation: dict[str, str]


@dataclass(frozen=True)
class RollupGroup:
    """Roll-up measures of one method on one level; contributors sorted by parent."""

    level: int
    method: RollupMethod
    require_all: bool
    rows: IntArray
    starts: IntArray  # offset of each parent's first contributor in ``contributors``
    contributors: IntArray
    weights: IntArray  # weight measure row of each contributor (-1 when unweighted)


@dataclass
class CompiledScorecard:
    """Everything evaluation needs, as arrays indexed by measure, objective, section, unit."""

    spec: ScorecardSpec
    calendar: Calendar
    measures: list[Measure]
    definition_order: IntArray  # rows in the order the measures were defined
    method_bounds: IntArray  # rows of method k are method_bounds[k]:method_bounds[k + 1]
    measure_index: dict[str, int]
    frequency: IntArray  # months per native period
    aggregation: IntArray  # index into AGGREGATIONS
    computed: np.ndarray  # bool: formula or roll-up
    active: np.ndarray
    method: IntArray
    polarity: IntArray
    cap: FloatArray
    green: FloatArray
    amber: FloatArray
    baseline: FloatArray
    band_lower: FloatArray
    band_upper: FloatArray
    band_tolerance: FloatArray
    measure_objective: IntArray
    measure_unit: IntArray
    dependency: Graph
    level: IntArray
    formula_groups: list[FormulaGroup]
    rollup_groups: list[RollupGroup]
    formulas: dict[int, tuple[str, list[str]]]  # row → (template, codes in slot order)
    objective_codes: list[str]
    objective_index: dict[str, int]
    objective_unit: IntArray
    objective_perspective: IntArray
    objective_level: IntArray
    objective_components: Components
    score_from: dict[str, ScoreFrom]
    unit_codes: list[str]
    unit_index: dict[str, int]
    unit_parent: IntArray
    section_unit: IntArray  # sections are (unit, perspective) pairs
    section_perspective: IntArray
    section_components: Components  # objectives of each section
    unit_components: Components  # sections of each unit

    @cached_property
    def by_code(self) -> dict[str, Measure]:
        """Each measure by its code (built once: validating a value needs it)."""
        return {m.code: m for m in self.measures}

    @cached_property
    def target_plans(self) -> dict[str, TargetPlan]:
        """Each target level of every measure, planned once for any horizon."""
        return plan_targets(self.measures, self.frequency.astype(np.int64))

    @property
    def size(self) -> int:
        """Number of measures."""
        return len(self.measures)


def compile_scorecard(spec: ScorecardSpec) -> CompiledScorecard:
    """Compile checked definitions (see :func:`trellis.engine.checks.run_checks`)."""
    with collector.paused():
        return _compile(spec)


def _compile(spec: ScorecardSpec) -> CompiledScorecard:
    org = spec.organization
    resolved = resolved_measures(spec)
    # Rows are ordered by scoring method so that each method scores one contiguous block.
    chosen_methods = [resolve_method(m) for m in resolved]
    methods = [METHOD_CODES[m] for m in chosen_methods]
    permutation = sorted(range(len(resolved)), key=lambda i: (methods[i], i))
    measures = [resolved[i] for i in permutation]
    definition_order = np.empty(len(resolved), dtype=np.int64)
    definition_order[np.array(permutation, dtype=np.int64)] = np.arange(len(resolved))
    index = {m.code: i for i, m in enumerate(measures)}
    objective_codes = [o.code for o in spec.objectives]
    objective_unit = {o.code: o.unit for o in spec.objectives}
    unit_of = [objective_unit.get(m.objective, "") for m in measures]
    objective_index = {c: i for i, c in enumerate(objective_codes)}
    objectives_active = {o.code: o.active for o in spec.objectives}
    unit_codes = [u.code for u in spec.units]
    unit_index = {c: i for i, c in enumerate(unit_codes)}
    perspective_index = {p.code: i for i, p in enumerate(org.perspectives)}

    n = len(measures)
    method = np.zeros(n, dtype=np.int64)
    green = np.zeros(n)
    amber = np.zeros(n)
    band = np.full((3, n), np.nan)
    for i, m in enumerate(measures):
        chosen = chosen_methods[permutation[i]]
        method[i] = METHOD_CODES[chosen]
        bands = m.scoring.bands
        default = DEFAULT_BANDS.get(chosen, (org.bands.green, org.bands.amber))
        green[i], amber[i] = (bands.green, bands.amber) if bands else default
        if m.scoring.band is not None:
            band[:, i] = (m.scoring.band.lower, m.scoring.band.upper, m.scoring.band.tolerance)
    active = np.array(
        [m.active and objectives_active.get(m.objective, False) for m in measures], dtype=bool
    )

    edges, formulas, templates = _formula_edges(measures, index)
    rollup_edges, contributors = _rollup_edges(measures, index, unit_of)
    graph = build_graph(n, edges + rollup_edges)
    level = topological_levels(graph)

    objective_level, components, score_from = objective_components(
        spec, measures, objective_index, method, active
    )
    section_unit, section_perspective, section_components, unit_components = sections(
        spec, unit_index, objective_index
    )
    parent = np.array([unit_index.get(u.parent or "", -1) for u in spec.units], dtype=np.int64)
    method_bounds = np.searchsorted(method, np.arange(len(METHOD_CODES) + 1)).astype(np.int64)
    return CompiledScorecard(
        spec=spec,
        definition_order=definition_order,
        method_bounds=method_bounds,
        calendar=Calendar(org.fiscal_year_start),
        measures=measures,
        measure_index=index,
        frequency=np.array([Frequency(m.frequency).months for m in measures], dtype=np.int64),
        aggregation=np.array([AGGREGATIONS.index(m.aggregation) for m in measures], dtype=np.int64),
        computed=np.array(
            [m.source in (Source.FORMULA, Source.ROLLUP) for m in measures], dtype=bool
        ),
        active=active,
        method=method,
        polarity=np.array([POLARITY_CODES[m.polarity] for m in measures], dtype=np.int64),
        cap=np.array([m.scoring.cap or org.cap for m in measures]),
        green=green,
        amber=amber,
        baseline=np.array([np.nan if m.baseline is None else m.baseline for m in measures]),
        band_lower=band[0],
        band_upper=band[1],
        band_tolerance=band[2],
        measure_objective=np.array(
            [objective_index.get(m.objective, -1) for m in measures], dtype=np.int64
        ),
        measure_unit=np.array([unit_index.get(u, -1) for u in unit_of], dtype=np.int64),
        dependency=graph,
        level=level,
        formula_groups=_formula_groups(formulas, templates, level, measures, index),
        rollup_groups=_rollup_groups(contributors, measures, level),
        formulas=formulas,
        objective_codes=objective_codes,
        objective_index=objective_index,
        objective_unit=np.array([unit_index[o.unit] for o in spec.objectives], dtype=np.int64),
        objective_perspective=np.array(
            [perspective_index[o.perspective] for o in spec.objectives], dtype=np.int64
        ),
        objective_level=objective_level,
        objective_components=components,
        score_from=score_from,
        unit_codes=unit_codes,
        unit_index=unit_index,
        unit_parent=parent,
        section_unit=section_unit,
        section_perspective=section_perspective,
        section_components=section_components,
        unit_components=unit_components,
    )


def resolve_method(measure: Measure) -> Method:
    """The scoring method in force: explicit, else band for band polarity, linear with a
    baseline, ratio without one (linear without a baseline falls back to ratio)."""
    chosen = measure.scoring.method
    if chosen is None:
        if measure.polarity is Polarity.BAND:
            return Method.BAND
        return Method.LINEAR if measure.baseline is not None else Method.RATIO
    if chosen is Method.LINEAR and measure.baseline is None:
        return Method.RATIO
    return chosen


def _formula_edges(
    measures: list[Measure], index: dict[str, int]
) -> tuple[list[tuple[int, int]], dict[int, tuple[str, list[str]]], dict[str, fx.Node]]:
    """Dependency edges of formulas, each formula's template and codes, and the parsed
    templates (one parse per distinct template)."""
    edges: list[tuple[int, int]] = []
    formulas: dict[int, tuple[str, list[str]]] = {}
    trees: dict[str, fx.Node] = {}
    for i, m in enumerate(measures):
        if m.source is not Source.FORMULA or not m.formula:
            continue
        text, codes = fx.template(m.formula)
        if text not in trees:
            trees[text] = fx.parse(text)
        formulas[i] = (text, codes)
        edges.extend((index[c], i) for c in codes)
    return edges, formulas, trees


def contributors_of(measures: list[Measure]) -> dict[str, list[int]]:
    """Rows of the measures feeding each roll-up measure (identical or contributing)."""
    feeds: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(measures):
        link = m.cascades_from
        if link is not None and link.mode is not CascadeMode.DERIVED:
            feeds[link.measure].append(i)
    return feeds


def _rollup_edges(
    measures: list[Measure], index: dict[str, int], unit_of: list[str]
) -> tuple[list[tuple[int, int]], dict[int, tuple[list[int], list[int]]]]:
    feeds = contributors_of(measures)
    edges: list[tuple[int, int]] = []
    out: dict[int, tuple[list[int], list[int]]] = {}
    for i, m in enumerate(measures):
        if m.source is not Source.ROLLUP or m.rollup is None:
            continue
        rows = [r for r in feeds.get(m.code, []) if measures[r].active]
        weights: list[int] = []
        if m.rollup.method is RollupMethod.WEIGHTED_AVERAGE and m.rollup.weight_measure:
            weights = [
                weight_row(m.rollup.weight_measure, unit_of[r], feeds, unit_of) for r in rows
            ]
        out[i] = (rows, weights)
        edges.extend((r, i) for r in rows)
        edges.extend((w, i) for w in weights if w >= 0)
    return edges, out


def weight_row(
    weight_measure: str, unit: str, feeds: dict[str, list[int]], unit_of: list[str]
) -> int:
    """The measure of ``unit`` that cascades from ``weight_measure`` (-1 when none)."""
    return next((r for r in feeds.get(weight_measure, []) if unit_of[r] == unit), -1)


def _rollup_groups(
    contributors: dict[int, tuple[list[int], list[int]]],
    measures: list[Measure],
    level: IntArray,
) -> list[RollupGroup]:
    grouped: dict[tuple[int, str, bool], list[int]] = defaultdict(list)
    for row in contributors:
        rollup = measures[row].rollup
        assert rollup is not None
        grouped[(int(level[row]), rollup.method.value, rollup.require_all)].append(row)
    groups: list[RollupGroup] = []
    for (lvl, method, require_all), rows in sorted(grouped.items()):
        flat: list[int] = []
        weights: list[int] = []
        starts: list[int] = []
        for row in rows:
            starts.append(len(flat))
            members, member_weights = contributors[row]
            flat.extend(members)
            weights.extend(member_weights or [-1] * len(members))
        groups.append(
            RollupGroup(
                level=lvl,
                method=RollupMethod(method),
                require_all=require_all,
                rows=np.array(rows, dtype=np.int64),
                starts=np.array(starts, dtype=np.int64),
                contributors=np.array(flat, dtype=np.int64),
                weights=np.array(weights, dtype=np.int64),
            )
        )
    return groups


def _formula_groups(
    formulas: dict[int, tuple[str, list[str]]],
    trees: dict[str, fx.Node],
    level: IntArray,
    measures: list[Measure],
    index: dict[str, int],
) -> list[FormulaGroup]:
    grouped: dict[tuple[int, str, tuple[str, ...]], list[int]] = defaultdict(list)
    for row, (text, codes) in formulas.items():
        ytd = tuple(
            measures[index[codes[int(r.code[1:])]]].aggregation.value
            for r in _ytd_refs(trees[text])
        )
        grouped[(int(level[row]), text, ytd)].append(row)
    groups: list[FormulaGroup] = []
    for (lvl, text, ytd), rows in sorted(grouped.items()):
        tree = trees[text]
        slot_count = len(formulas[rows[0]][1])
        slot_rows = np.array([[index[c] for c in formulas[r][1]] for r in rows], dtype=np.int64)
        groups.append(
            FormulaGroup(
                level=lvl,
                rows=np.array(rows, dtype=np.int64),
                slots=slot_rows.reshape(len(rows), slot_count),
                tree=tree,
                codes=tuple(f"_{k}" for k in range(slot_count)),
                ytd_aggregation={r.code: agg for r, agg in zip(_ytd_refs(tree), ytd, strict=True)},
            )
        )
    return groups


def _ytd_refs(tree: fx.Node) -> list[fx.Ref]:
    if isinstance(tree, fx.Call):
        own = [a for a in tree.args if isinstance(a, fx.Ref)] if tree.name == "ytd" else []
        return own + [r for a in tree.args for r in _ytd_refs(a)]
    if isinstance(tree, fx.Unary):
        return _ytd_refs(tree.operand)
    if isinstance(tree, fx.Binary):
        return _ytd_refs(tree.left) + _ytd_refs(tree.right)
    return []
