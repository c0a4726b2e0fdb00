"""Compiled scorecard + observations → values, targets, scores and statuses per grain.

One grain (month, quarter, half, year or year-to-date) is computed at a time, for all measures
and all periods of the horizon at once:

1. reported measures: native values aggregated into the grain's periods (or carried forward
   when the grain is finer than the measure's frequency, marked stale when late);
2. computed measures, one topological level at a time: formula groups and roll-up groups
   evaluated on the inputs *at this grain* (a ratio of sums, never an average of ratios);
3. scores and statuses of every measure;
4. weighted means of scores: objectives (by level), sections (unit × perspective), units.

Every step takes an optional set of rows so that a change re-evaluates only what it affects,
with exactly the same code path as a full run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trellis.engine import scoring
from trellis.engine.aggregation import (
    block_aggregate,
    carry_forward,
    expected_points,
    ytd_aggregate,
)
from trellis.engine.combine import group_starts, rollup, weighted_mean
from trellis.engine.compile import AGGREGATIONS, CompiledScorecard, RollupGroup
from trellis.engine.flags import FLAG_PARTIAL, FLAG_STALE
from trellis.engine.formula import TimeAxis
from trellis.engine.formula import evaluate as evaluate_formula
from trellis.engine.periods import FloatArray, Grain, IntArray, Period
from trellis.engine.spec import Method
from trellis.engine.structure import MEASURE, Components
from trellis.engine.targets import LEVELS, Horizon, TargetGrid, native_ends

GRAIN_ORDER = (Grain.YEAR, Grain.HALF, Grain.QUARTER, Grain.MONTH, Grain.YTD)
"""Coarser grains first: finer ones carry computed values forward from them."""

METHOD = scoring.METHOD_CODES


@dataclass
class GrainResult:
    """Every number of one grain: rows are measures/objectives/sections/units, columns periods."""

    grain: Grain
    periods: list[Period]
    value: FloatArray
    flags: IntArray
    target: FloatArray
    minimum: FloatArray
    stretch: FloatArray
    baseline: FloatArray
    score: FloatArray
    status: np.ndarray
    objective_score: FloatArray
    objective_status: np.ndarray
    section_score: FloatArray
    section_status: np.ndarray
    unit_score: FloatArray
    unit_status: np.ndarray

    def column(self, label: str) -> int:
        """Column of a period label in this grain (raises KeyError)."""
        for i, period in enumerate(self.periods):
            if period.label == label:
                return i
        raise KeyError(label)


class Evaluator:
    """Holds the observation grid and computes grains on demand."""

    def __init__(
        self,
        compiled: CompiledScorecard,
        horizon: Horizon,
        observed: FloatArray,
        targets: dict[str, TargetGrid],
    ) -> None:
        self.compiled = compiled
        self.horizon = horizon
        self.observed = observed
        self.targets = targets
        self.grains: dict[Grain, GrainResult] = {}
        cal = compiled.calendar
        self.ends = {f: native_ends(cal, horizon, f) for f in (1, 3, 6, 12)}
        self.time_groups: dict[tuple[int, int], IntArray] = {}
        keys = compiled.frequency * 10 + compiled.aggregation
        for key in np.unique(keys):
            self.time_groups[(int(key) // 10, int(key) % 10)] = np.flatnonzero(keys == key)
        month_cols = np.arange(horizon.first, horizon.last + 1)
        self.fiscal_year = np.array([cal.fiscal_year_of(int(m)) for m in month_cols])

    # -- public ------------------------------------------------------------------------------
    def grain(self, grain: Grain) -> GrainResult:
        """The (cached) results of one grain."""
        if grain not in self.grains:
            for coarser in self._needed(grain):
                self.grain(coarser)
            self.grains[grain] = self._compute(grain, None, None)
        return self.grains[grain]

    def update(self, rows: IntArray) -> None:
        """Recompute the given measure rows (and what rolls up from them) in cached grains."""
        for grain in GRAIN_ORDER:
            if grain in self.grains:
                self._compute(grain, rows, self.grains[grain])

    # -- steps -------------------------------------------------------------------------------
    def _needed(self, grain: Grain) -> list[Grain]:
        if grain is Grain.YTD:
            return []
        lengths = np.unique(self.compiled.frequency[self.compiled.computed])
        return [
            Grain(g)
            for g in (Grain.YEAR, Grain.HALF, Grain.QUARTER)
            if g.months > grain.months and g.months in lengths
        ]

    def periods(self, grain: Grain) -> list[Period]:
        """The periods of a grain over the horizon."""
        return self.compiled.calendar.periods(grain, self.horizon.first, self.horizon.last)

    def _compute(
        self, grain: Grain, rows: IntArray | None, into: GrainResult | None
    ) -> GrainResult:
        c = self.compiled
        periods = self.periods(grain)
        if into is None:
            t = len(periods)
            np.full((c.size, t), np.nan)
            into = _empty(grain, periods, c)
        selected = None if rows is None else np.zeros(c.size, dtype=bool)
        if selected is not None:
            selected[rows] = True
        view_ends = np.array([p.end - self.horizon.first for p in periods], dtype=np.int64)
        self._time(grain, into, selected, view_ends)
        self._computed(grain, into, selected, view_ends)
        measure_rows = np.arange(c.size) if rows is None else np.asarray(rows)
        self._score(into, measure_rows)
        self._rollup_scores(into, None if rows is None else measure_rows)
        return into

    def _time(
        self, grain: Grain, out: GrainResult, selected: np.ndarray | None, view_ends: IntArray
    ) -> None:
        """Step 1: values and targets from the native grid for every (frequency, aggregation)."""
        for (length, agg_index), group in self.time_groups.items():
            rows = group if selected is None else group[selected[group]]
            if rows.size == 0:
                continue
            agg = AGGREGATIONS[agg_index]
            carry = grain is not Grain.YTD and length > grain.months
            sources = {"value": self.observed, **{k: g.native for k, g in self.targets.items()}}
            if carry:
                moved = carry_forward(self.observed[rows], view_ends)
                assert moved.source is not None
                due = self._due_columns(view_ends, length)
                stale = (moved.source >= 0) & (moved.source < due[None, :])
                out.value[rows] = moved.values
                out.flags[rows] = np.where(stale, FLAG_STALE, 0)
                pick = np.where(moved.source >= 0, moved.source, due[None, :])
                for level in LEVELS:
                    native = sources[level][rows]
                    taken = np.take_along_axis(native, np.maximum(pick, 0), axis=1)
                    getattr(out, level)[rows] = np.where(pick >= 0, taken, np.nan)
                continue
            for name, source in sources.items():
                x = source[rows]
                if grain is Grain.MONTH:
                    values, present = x, (~np.isnan(x)).astype(np.int64)
                elif grain is Grain.YTD:
                    w = ytd_aggregate(x, agg)
                    values, present = w.values, w.present
                else:
                    w = block_aggregate(x, grain.months, agg)
                    values, present = w.values, w.present
                target_name = "value" if name == "value" else name
                getattr(out, target_name)[rows] = values
                if name == "value":
                    block = None if grain is Grain.YTD else grain.months
                    expected = expected_points(self.ends[length], block)
                    if grain is not Grain.YTD:
                        expected = expected[: values.shape[1]]
                    partial = (present > 0) & (present < expected[None, :])
                    out.flags[rows] = np.where(partial, FLAG_PARTIAL, 0)
            self._explicit(grain, out, rows)

    def _explicit(self, grain: Grain, out: GrainResult, rows: IntArray) -> None:
        member = np.zeros(self.compiled.size, dtype=bool)
        member[rows] = True
        for level, grid in self.targets.items():
            for row, col, value in grid.explicit.get(grain, []):
                if member[row] and 0 <= col < out.value.shape[1]:
                    getattr(out, level)[row, col] = value

    def _due_columns(self, view_ends: IntArray, length: int) -> IntArray:
        """Latest column closing a native period at or before each view end."""
        ends = np.flatnonzero(self.ends[length])
        pos = np.searchsorted(ends, view_ends, side="right") - 1
        return np.where(pos >= 0, ends[np.maximum(pos, 0)], -1)

    def _computed(
        self, grain: Grain, out: GrainResult, selected: np.ndarray | None, view_ends: IntArray
    ) -> None:
        """Step 2: formulas and roll-ups level by level, or carried from a coarser grain."""
        c = self.compiled
        carried = np.zeros(c.size, dtype=bool)
        if grain is not Grain.YTD:
            carried = c.computed & (c.frequency > grain.months)
            for length in np.unique(c.frequency[carried]):
                rows = np.flatnonzero(carried & (c.frequency == length))
                if selected is not None:
                    rows = rows[selected[rows]]
                if rows.size:
                    self._carry_computed(out, rows, int(length), view_ends)
        axis = self._time_axis(grain, out.periods)
        max_level = int(c.level.max()) if c.size else 0
        for level in range(1, max_level + 1):
            for fg in c.formula_groups:
                if fg.level != level:
                    continue
                keep = ~carried[fg.rows]
                if selected is not None:
                    keep &= selected[fg.rows]
                if not keep.any():
                    continue
                rows, slots = fg.rows[keep], fg.slots[keep]
                env = {code: out.value[slots[:, i]] for i, code in enumerate(fg.codes)}
                result = evaluate_formula(fg.tree, env, axis, fg.ytd_aggregation)
                inherited = np.zeros_like(result.flags)
                for i in range(slots.shape[1]):
                    inherited |= out.flags[slots[:, i]] & (FLAG_STALE | FLAG_PARTIAL)
                out.value[rows] = result.values
                out.flags[rows] = result.flags | inherited
            for rg in c.rollup_groups:
                if rg.level != level:
                    continue
                self._rollup_group(rg, out, carried, selected)

    def _rollup_group(
        self, rg: RollupGroup, out: GrainResult, carried: np.ndarray, selected: np.ndarray | None
    ) -> None:
        keep = ~carried[rg.rows]
        if selected is not None:
            keep &= selected[rg.rows]
        if not keep.any():
            return
        ends = np.append(rg.starts[1:], rg.contributors.size)
        parents = np.flatnonzero(keep)
        counts = ends[parents] - rg.starts[parents]
        nonempty = counts > 0
        for row in rg.rows[parents[~nonempty]]:
            out.value[row] = np.nan
            out.flags[row] = 0
        parents, counts = parents[nonempty], counts[nonempty]
        if parents.size == 0:
            return
        offsets = np.repeat(rg.starts[parents] - np.cumsum(counts) + counts, counts) + np.arange(
            counts.sum()
        )
        members = rg.contributors[offsets]
        weight_rows = rg.weights[offsets]
        weights = None
        if (weight_rows >= 0).any():
            weights = np.where(
                (weight_rows >= 0)[:, None], out.value[np.maximum(weight_rows, 0)], np.nan
            )
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        combined = rollup(
            rg.method, out.value[members], weights, out.flags[members], starts, rg.require_all
        )
        rows = rg.rows[parents]
        out.value[rows] = combined.values
        out.flags[rows] = combined.flags

    def _carry_computed(
        self, out: GrainResult, rows: IntArray, length: int, view_ends: IntArray
    ) -> None:
        source = self.grains[Grain(_grain_name(length))]
        month_grid = np.full((rows.size, self.horizon.months), np.nan)
        flag_grid = np.zeros((rows.size, self.horizon.months), np.int64)
        cols = np.array([p.end - self.horizon.first for p in source.periods], dtype=np.int64)
        month_grid[:, cols] = source.value[rows]
        flag_grid[:, cols] = source.flags[rows]
        moved = carry_forward(month_grid, view_ends)
        assert moved.source is not None
        due = self._due_columns(view_ends, length)
        stale = (moved.source >= 0) & (moved.source < due[None, :])
        taken_flags = np.take_along_axis(flag_grid, np.maximum(moved.source, 0), axis=1)
        out.value[rows] = moved.values
        out.flags[rows] = np.where(moved.source >= 0, taken_flags, 0) | np.where(
            stale, FLAG_STALE, 0
        )

    def _time_axis(self, grain: Grain, periods: list[Period]) -> TimeAxis:
        fy = np.array([self.fiscal_year[p.end - self.horizon.first] for p in periods])
        return TimeAxis(fiscal_year=fy, cumulative=grain is Grain.YTD)

    def _score(self, out: GrainResult, rows: IntArray) -> None:
        """Step 3: scores and statuses of measure rows."""
        c = self.compiled
        method = c.method[rows]
        value = out.value[rows]
        target = out.target[rows]
        score = np.full(value.shape, np.nan)
        for name, code in METHOD.items():
            sub = np.flatnonzero(method == code)
            if sub.size == 0 or name is Method.NONE:
                continue
            r = rows[sub]
            a, t = value[sub], target[sub]
            pol = c.polarity[r][:, None]
            if name is Method.LINEAR:
                s = scoring.linear(a, t, out.baseline[r], pol)
            elif name is Method.RATIO:
                s = scoring.ratio(a, t, pol)
            elif name is Method.THRESHOLDS:
                s = scoring.thresholds(a, t, out.minimum[r], pol)
            elif name is Method.BAND:
                lo, hi, tol = (
                    x[r][:, None] for x in (c.band_lower, c.band_upper, c.band_tolerance)
                )
                s = scoring.band(a, lo, hi, tol)
            else:
                lo, hi = c.band_lower[r][:, None], c.band_upper[r][:, None]
                s = scoring.binary(a, t, pol, lo, hi)
            score[sub] = scoring.clamp(s, c.cap[r][:, None])
        out.score[rows] = score
        out.status[rows] = scoring.status(
            score,
            ~np.isnan(value),
            c.green[rows][:, None],
            c.amber[rows][:, None],
            (method == METHOD[Method.NONE])[:, None],
        )

    def _rollup_scores(self, out: GrainResult, measure_rows: IntArray | None) -> None:
        """Step 4: objectives by level, then sections, then units."""
        c = self.compiled
        bands = c.spec.organization.bands
        comps = c.objective_components
        objectives = None
        if measure_rows is not None:
            objectives = np.unique(c.measure_objective[measure_rows])
            objectives = objectives[objectives >= 0]
            objectives = _with_ancestors(comps, objectives, len(c.objective_codes))
        levels = c.objective_level
        for level in range(int(levels.max()) + 1 if levels.size else 0):
            owners = np.flatnonzero(levels == level)
            if objectives is not None:
                owners = np.intersect1d(owners, objectives)
            self._mean(comps, owners, out.objective_score, out.objective_status, bands, out)
        sections = None
        if objectives is not None:
            sections = np.unique(
                c.objective_unit[objectives] * len(c.spec.organization.perspectives)
                + c.objective_perspective[objectives]
            )
        all_sections = np.arange(c.section_unit.size) if sections is None else sections
        self._mean(
            c.section_components, all_sections, out.section_score, out.section_status, bands, out
        )
        units = (
            np.arange(len(c.unit_codes))
            if sections is None
            else np.unique(c.section_unit[sections])
        )
        self._mean(c.unit_components, units, out.unit_score, out.unit_status, bands, out)

    def _mean(
        self,
        comps: Components,
        owners: IntArray,
        score_out: FloatArray,
        status_out: np.ndarray,
        bands: object,
        out: GrainResult,
    ) -> None:
        if owners.size == 0:
            return
        mask = np.isin(comps.owner, owners)
        owner, kind, index, weight = (
            comps.owner[mask],
            comps.kind[mask],
            comps.index[mask],
            comps.weight[mask],
        )
        score_out[owners] = np.nan
        status_out[owners] = scoring.Status.NO_DATA
        if owner.size == 0:
            return
        sources = {0: out.score, 1: out.objective_score, 2: out.section_score}
        comp_scores = np.empty((owner.size, score_out.shape[1]))
        for k in np.unique(kind):
            sel = kind == k
            comp_scores[sel] = sources[int(k)][index[sel]]
        unique, starts = group_starts(owner)
        mean, _ = weighted_mean(comp_scores, weight, starts)
        score_out[unique] = mean
        green, amber = bands.green, bands.amber  # type: ignore[attr-defined]
        status_out[unique] = scoring.status(
            mean, ~np.isnan(mean), np.asarray(green), np.asarray(amber)
        )


def _empty(grain: Grain, periods: list[Period], c: CompiledScorecard) -> GrainResult:
    t = len(periods)

    def nan(n: int) -> FloatArray:
        return np.full((n, t), np.nan)

    def codes(n: int) -> np.ndarray:
        return np.zeros((n, t), np.int8)

    objectives, sections, units = len(c.objective_codes), c.section_unit.size, len(c.unit_codes)
    return GrainResult(
        grain=grain,
        periods=periods,
        value=nan(c.size),
        flags=np.zeros((c.size, t), np.int64),
        target=nan(c.size),
        minimum=nan(c.size),
        stretch=nan(c.size),
        baseline=nan(c.size),
        score=nan(c.size),
        status=codes(c.size),
        objective_score=nan(objectives),
        objective_status=codes(objectives),
        section_score=nan(sections),
        section_status=codes(sections),
        unit_score=nan(units),
        unit_status=codes(units),
    )


def _with_ancestors(comps: Components, objectives: IntArray, size: int) -> IntArray:
    """Objectives plus every objective whose score includes them, transitively."""
    selected = np.zeros(size, dtype=bool)
    selected[objectives] = True
    child = comps.kind != MEASURE
    frontier = objectives
    while frontier.size:
        hits = child & np.isin(comps.index, frontier)
        parents = np.unique(comps.owner[hits])
        frontier = parents[~selected[parents]]
        selected[frontier] = True
    return np.flatnonzero(selected)


def _grain_name(length: int) -> str:
    return {3: "quarter", 6: "half", 12: "year"}[length]
